"""The speakers list of an agenda item: requests for the floor, their order, points of order."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_row, authorize, holds, participant_of, refusal
from veche.actions.contributions import ContributionSpec, do_end_speech, do_record_contribution
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_not_closed
from veche.actions.participants import participant_in
from veche.errors import Conflict, Forbidden, InvalidInput, NotFound
from veche.models import AgendaItem, Contribution, FloorRequest, Meeting, Person
from veche.models.agenda import ItemState
from veche.models.debate import ContributionKind, FloorKind, FloorState
from veche.models.meetings import ParticipantRole
from veche.permissions import Permission
from veche.queries.floor import speech_under_way
from veche.queries.proceedings import speakers_list

#: How long a point of order may take, at most.
POINT_OF_ORDER_SECONDS = 60

#: The contribution a request for the floor becomes when the chair gives the floor.
_CONTRIBUTION_KIND = {
    FloorKind.SPEECH: ContributionKind.SPEECH,
    FloorKind.POINT_OF_ORDER: ContributionKind.POINT_OF_ORDER,
}


def access_floor_request(session: Session, caller: Caller, request_id: int) -> FloorRequest:
    request = session.get(FloorRequest, request_id)
    if request is None:
        raise NotFound(f"there is no request for the floor {request_id}")
    access_row(session, caller, AgendaItem, request.agenda_item_id, "agenda item")
    return request


def speeches_taken(session: Session, item: AgendaItem, person_id: int) -> int:
    """Speeches a person has given or is waiting to give on an item."""
    given = session.scalar(
        select(func.count()).where(
            Contribution.agenda_item_id == item.id,
            Contribution.speaker_person_id == person_id,
            Contribution.kind == ContributionKind.SPEECH,
        )
    )
    waiting = session.scalar(
        select(func.count()).where(
            FloorRequest.agenda_item_id == item.id,
            FloorRequest.person_id == person_id,
            FloorRequest.kind == FloorKind.SPEECH,
            FloorRequest.state == FloorState.WAITING,
        )
    )
    return (given or 0) + (waiting or 0)


def check_item_takes_speakers(item: AgendaItem, doing: str) -> None:
    if item.state in (ItemState.CLOSED, ItemState.WITHDRAWN):
        raise Conflict(f"cannot {doing}: agenda item {item.position} is {item.state.value}")


def check_floor_request(
    session: Session, caller: Caller, meeting: Meeting, person_id: int | None
) -> int:
    """Who a request for the floor is for: the caller, if their role lets them ask; anyone,
    for those who keep the speakers list. A caller who may do neither is refused (403) before
    anything is said of the person named."""
    # Those who keep the speakers list put anyone on it; others ask for themselves, if their
    # role lets them (an observer, a guest of an enlarged meeting, speaks when put on the list).
    keeps_list = holds(session, caller, Permission.FLOOR_RUN, meeting.id)
    own = person_id is None or person_id == caller.person_id
    if not own and not keeps_list:
        raise Forbidden(
            refusal(session, Permission.FLOOR_RUN, meeting.id) + "; ask for the floor for yourself"
        )
    if not keeps_list and not holds(session, caller, Permission.FLOOR_REQUEST, meeting.id):
        seat = participant_of(session, meeting.id, caller.person_id)
        if seat is not None and seat.role is ParticipantRole.OBSERVER:
            raise Forbidden(
                "observers follow the debate but do not ask for the floor; "
                "the chair or the secretary may give it to them"
            )
        raise Forbidden(refusal(session, Permission.FLOOR_REQUEST, meeting.id))
    speaker = person_id if person_id is not None else caller.person_id
    if speaker is None:
        raise InvalidInput("say whose request this is with person_id")
    participant_in(session, meeting, speaker)
    return speaker


def _speeches_used_up(session: Session, caller: Caller, item: AgendaItem, speaker: int) -> str:
    """Why a speaker may ask for no more speeches on the item, naming them (not by their id)."""
    limit = item.speeches_per_person
    allowed = f"{limit} speech" if limit == 1 else f"{limit} speeches"
    if speaker == caller.person_id:
        who = "you have"
    else:
        person = session.get(Person, speaker)
        who = f"{person.full_name if person is not None else 'this person'} has"
    return (
        f"{who} already spoken on agenda item {item.position}, or asked to speak, as often as "
        f"its limit allows ({allowed} a person)"
    )


def _hold_speakers(session: Session, item: AgendaItem) -> None:
    """Changes of an item's speakers made at once wait for each other, each reading the places
    (and the speeches taken) after the one before — six requests at once were placed 1, 1, 1,
    2, 3, 3 — and the item as it stands then: the item's row is held until the commit, and
    read again. SQLite's writers wait for each other anyway."""
    session.get(AgendaItem, item.id, with_for_update={"key_share": True}, populate_existing=True)


def do_request_floor(
    session: Session,
    caller: Caller,
    item: AgendaItem,
    *,
    person_id: int | None = None,
    kind: FloorKind = FloorKind.SPEECH,
    subject: str = "",
) -> FloorRequest:
    """Ask for the floor on an item, for oneself (or, for the chair, on someone's behalf)."""
    meeting = item.meeting
    speaker = check_floor_request(session, caller, meeting, person_id)
    _hold_speakers(session, item)
    check_not_closed(meeting, "ask for the floor")
    check_item_takes_speakers(item, "ask for the floor")
    if kind is FloorKind.POINT_OF_ORDER and item.state is not ItemState.OPEN:
        raise Conflict(
            f"a point of order is raised on the item under discussion; "
            f"agenda item {item.position} is not open"
        )
    if kind is FloorKind.SPEECH:
        if item.speakers_list_closed:
            raise Conflict(f"the speakers list of agenda item {item.position} is closed")
        taken = speeches_taken(session, item, speaker)
        if taken >= item.speeches_per_person:
            raise Conflict(_speeches_used_up(session, caller, item, speaker))
    last = session.scalar(
        select(func.max(FloorRequest.position)).where(FloorRequest.agenda_item_id == item.id)
    )
    request = FloorRequest(
        agenda_item_id=item.id,
        person_id=speaker,
        kind=kind,
        state=FloorState.WAITING,
        position=(last or 0) + 1,
        time_limit_seconds=(
            min(POINT_OF_ORDER_SECONDS, item.speech_seconds)
            if kind is FloorKind.POINT_OF_ORDER
            else item.speech_seconds
        ),
        subject=" ".join(subject.split())[:300],
    )
    session.add(request)
    session.flush()
    _journal_speakers_change(
        session,
        caller,
        item,
        JournalAction.REQUEST_FLOOR,
        request_id=request.id,
        person_id=speaker,
        kind=kind,
    )
    return request


def _journal_speakers_change(
    session: Session, caller: Caller, item: AgendaItem, action: JournalAction, **details: object
) -> None:
    """Journal a change to an item's speakers (the item's id, then ``details``) and tell the
    pages its speakers changed."""
    record(session, caller.actor, action, {"item_id": item.id, **details})
    queue_event(session, item.meeting_id, LiveEventType.SPEAKERS_CHANGED, item_id=item.id)


def do_withdraw_floor_request(
    session: Session, caller: Caller, request: FloorRequest
) -> FloorRequest:
    """The speaker (or the chair) takes a waiting request back."""
    meeting = request.item.meeting
    if request.person_id != caller.person_id:
        authorize(session, caller, Permission.FLOOR_RUN, meeting.id)
    if request.state is not FloorState.WAITING:
        raise Conflict(f"request {request.id} is {request.state.value}, not waiting")
    request.state = FloorState.WITHDRAWN
    _journal_speakers_change(
        session, caller, request.item, JournalAction.WITHDRAW_FLOOR_REQUEST, request_id=request.id
    )
    return request


def do_order_speakers(
    session: Session, caller: Caller, item: AgendaItem, request_ids: list[int]
) -> list[FloorRequest]:
    """The chair sets the order of the waiting speeches; every one must be listed once."""
    authorize(session, caller, Permission.FLOOR_RUN, item.meeting_id)
    _hold_speakers(session, item)
    check_item_takes_speakers(item, "order the speakers")
    speeches = {r.id: r for r in speakers_list(session, item.id) if r.kind is FloorKind.SPEECH}
    if sorted(request_ids) != sorted(speeches):
        raise InvalidInput(
            "list every waiting speech once, in the new order; waiting now: "
            + (", ".join(str(i) for i in sorted(speeches)) or "none")
        )
    for position, request_id in enumerate(request_ids, start=1):
        speeches[request_id].position = position
    _journal_speakers_change(
        session, caller, item, JournalAction.ORDER_SPEAKERS, request_ids=request_ids
    )
    return [speeches[request_id] for request_id in request_ids]


def do_close_speakers_list(
    session: Session, caller: Caller, item: AgendaItem, *, closed: bool = True
) -> AgendaItem:
    """Close the list (no new speeches; those waiting still speak), or open it again."""
    authorize(session, caller, Permission.FLOOR_RUN, item.meeting_id)
    check_item_takes_speakers(item, "close the speakers list")
    item.speakers_list_closed = closed
    _journal_speakers_change(
        session,
        caller,
        item,
        JournalAction.CLOSE_SPEAKERS_LIST if closed else JournalAction.REOPEN_SPEAKERS_LIST,
    )
    return item


def do_give_floor(session: Session, caller: Caller, item: AgendaItem) -> Contribution:
    """The chair gives the floor to the first in the list (points of order first).

    The speech under way, if any, ends here and its time is recorded; the new one
    is recorded as a contribution whose start is the moment the floor was given.
    """
    authorize(session, caller, Permission.FLOOR_RUN, item.meeting_id)
    waiting = speakers_list(session, item.id)
    if not waiting:
        raise Conflict(f"nobody is waiting for the floor on agenda item {item.position}")
    if speech_under_way(session, item) is not None:
        do_end_speech(session, caller, item)
    first = waiting[0]
    return do_record_contribution(
        session,
        caller,
        item,
        ContributionSpec(
            kind=_CONTRIBUTION_KIND[first.kind],
            speaker_person_id=first.person_id,
            title=first.subject,
        ),
    )
