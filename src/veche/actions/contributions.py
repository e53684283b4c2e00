"""What was said on an item — reports, co-reports, speeches, points of order — and the papers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, meeting_row
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import (
    check_body_of,
    check_in_session,
    check_not_closed,
    check_person_of,
)
from veche.actions.org import check_name
from veche.actions.participants import participant_in
from veche.actions.presidium import check_sitting
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import AgendaItem, Contribution, Document, FloorRequest, Meeting, Person, Sitting
from veche.models.agenda import ItemState
from veche.models.base import utcnow
from veche.models.debate import ContributionKind, FloorKind, FloorState
from veche.permissions import Permission
from veche.queries.floor import speech_under_way

#: The kind of request for the floor each kind of contribution answers, if any.
_FLOOR_KIND = {
    ContributionKind.SPEECH: FloorKind.SPEECH,
    ContributionKind.POINT_OF_ORDER: FloorKind.POINT_OF_ORDER,
}


#: Contributions a body may give with no person named to present them.
_BY_A_BODY = (ContributionKind.REPORT, ContributionKind.CO_REPORT)


@dataclass(frozen=True)
class ContributionSpec:
    """A contribution as the secretary records it: a report or co-report by a person, by a
    body, or by a body presented by a person; whatever is said from the floor, by a person."""

    kind: ContributionKind
    speaker_person_id: int | None
    title: str = ""
    summary: str = ""
    full_text: str = ""
    seconds_used: int | None = None
    on_behalf_of_body_id: int | None = None
    sitting_id: int | None = None


def do_record_contribution(
    session: Session, caller: Caller, item: AgendaItem, spec: ContributionSpec
) -> Contribution:
    """Record a contribution on the item under discussion, in the sitting named or, with
    none named, the sitting in session today (if one is open).

    A speech or a point of order answers the speaker's waiting request for the floor;
    without one, the chair gave the floor directly, within the per-speaker limit.
    """
    meeting = item.meeting
    authorize(session, caller, Permission.FLOOR_RUN, meeting.id)
    _check_giver(spec)
    if spec.speaker_person_id is not None:
        check_person_of(session, meeting, spec.speaker_person_id)
    check_in_session(meeting, "record a contribution")
    if item.state is not ItemState.OPEN:
        raise Conflict(
            f"cannot record a contribution on agenda item {item.position}: it is "
            f"{item.state.value}; the floor is given on the item under discussion"
        )
    if spec.speaker_person_id is not None:
        participant_in(session, meeting, spec.speaker_person_id)
    if spec.seconds_used is not None and spec.seconds_used < 0:
        raise InvalidInput("the time used cannot be negative")
    check_body_of(session, meeting, spec.on_behalf_of_body_id)
    check_sitting(session, meeting, spec.sitting_id)
    sitting_id = spec.sitting_id
    if sitting_id is None:
        sitting_id = sitting_in_session(session, meeting, date.today())
    request = _answered_request(session, caller, item, spec)
    position = session.scalar(select(func.count()).where(Contribution.agenda_item_id == item.id))
    contribution = Contribution(
        agenda_item_id=item.id,
        sitting_id=sitting_id,
        position=(position or 0) + 1,
        kind=spec.kind,
        speaker_person_id=spec.speaker_person_id,
        on_behalf_of_body_id=spec.on_behalf_of_body_id,
        title=" ".join(spec.title.split())[:500],
        summary=spec.summary.strip(),
        full_text=spec.full_text.strip(),
        seconds_used=spec.seconds_used,
    )
    session.add(contribution)
    session.flush()
    if request is not None:
        request.state = FloorState.SPOKEN
        request.contribution_id = contribution.id
    record(
        session,
        caller.actor,
        JournalAction.RECORD_CONTRIBUTION,
        {
            "item_id": item.id,
            "contribution_id": contribution.id,
            "kind": spec.kind,
            "speaker_person_id": spec.speaker_person_id,
            "on_behalf_of_body_id": spec.on_behalf_of_body_id,
            "title": contribution.title,
            "seconds_used": spec.seconds_used,
            "request_id": request.id if request else None,
        },
    )
    queue_event(session, meeting.id, LiveEventType.CONTRIBUTION_RECORDED, item_id=item.id)
    return contribution


def sitting_in_session(session: Session, meeting: Meeting, day: date) -> int | None:
    """The sitting in session on ``day``: the latest opened for it; None before the first.
    The floor is given without naming it, from the speakers list or the API, and the minutes
    place each speech in its sitting."""
    return session.scalar(
        select(Sitting.id)
        .where(Sitting.meeting_id == meeting.id, Sitting.day == day)
        .order_by(Sitting.number.desc())
        .limit(1)
    )


def _check_giver(spec: ContributionSpec) -> None:
    if spec.speaker_person_id is not None:
        return
    if spec.kind not in _BY_A_BODY:
        raise InvalidInput(
            f"a {spec.kind.value.replace('_', ' ')} is given by a person: "
            "name them with speaker_person_id"
        )
    if spec.on_behalf_of_body_id is None:
        raise InvalidInput(
            f"say who gave the {spec.kind.value.replace('_', '-')}: a person "
            "(speaker_person_id), a body (on_behalf_of_body_id), or a body and the person who "
            "presented it"
        )


def _answered_request(
    session: Session, caller: Caller, item: AgendaItem, spec: ContributionSpec
) -> FloorRequest | None:
    floor_kind = _FLOOR_KIND.get(spec.kind)
    if floor_kind is None:
        return None
    request = session.scalar(
        select(FloorRequest)
        .where(
            FloorRequest.agenda_item_id == item.id,
            FloorRequest.person_id == spec.speaker_person_id,
            FloorRequest.kind == floor_kind,
            FloorRequest.state == FloorState.WAITING,
        )
        .order_by(FloorRequest.position)
        .limit(1)
    )
    if request is None and spec.kind is ContributionKind.SPEECH:
        given = session.scalar(
            select(func.count()).where(
                Contribution.agenda_item_id == item.id,
                Contribution.speaker_person_id == spec.speaker_person_id,
                Contribution.kind == ContributionKind.SPEECH,
            )
        )
        if (given or 0) >= item.speeches_per_person:
            raise Conflict(_spoken_out(session, caller, item, spec.speaker_person_id, given or 0))
    return request


def _spoken_out(
    session: Session, caller: Caller, item: AgendaItem, speaker: int | None, given: int
) -> str:
    """Why the speaker is given no more speeches on the item, naming them as the floor's
    refusal does (``veche.actions.speakers``), never by their id."""
    limit = item.speeches_per_person
    allowed = f"{limit} speech" if limit == 1 else f"{limit} speeches"
    times = "once" if given == 1 else f"{given} times"
    if speaker is not None and speaker == caller.person_id:
        who = "you have"
    else:
        person = session.get(Person, speaker) if speaker is not None else None
        who = f"{person.full_name if person is not None else 'this person'} has"
    return (
        f"{who} already spoken {times} on agenda item {item.position}, as often as its limit "
        f"allows ({allowed} a person)"
    )


def do_end_speech(session: Session, caller: Caller, item: AgendaItem) -> Contribution:
    """The chair ends the speech under way on the item; the time it took is recorded."""
    authorize(session, caller, Permission.FLOOR_RUN, item.meeting_id)
    speech = speech_under_way(session, item)
    if speech is None:
        raise Conflict(f"nobody has the floor on agenda item {item.position}")
    speech.seconds_used = max(0, int((utcnow() - speech.created_at).total_seconds()))
    record(
        session,
        caller.actor,
        JournalAction.END_SPEECH,
        {
            "item_id": item.id,
            "contribution_id": speech.id,
            "seconds_used": speech.seconds_used,
        },
    )
    queue_event(session, item.meeting_id, LiveEventType.SPEECH_ENDED, item_id=item.id)
    return speech


def check_document_url(url: str) -> str:
    """A web address that browsers open as a page: http or https, never script or data."""
    url = url.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(
                f"the document's url must be a web address starting with https:// "
                f"(or http://), not {url[:80]!r}"
            )
    return url


def do_add_document(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    title: str,
    url: str = "",
    text: str = "",
    agenda_item_id: int | None = None,
    contribution_id: int | None = None,
) -> Document:
    """File a paper: with the notice, on an agenda item, or attached to a contribution."""
    authorize(session, caller, Permission.FLOOR_RUN, meeting.id)
    check_not_closed(meeting, "file a document")
    title = check_name(title, "the document's title", max_length=300)
    if not url.strip() and not text.strip():
        raise InvalidInput("a document needs a url or a text")
    url = check_document_url(url)
    if agenda_item_id is not None:
        meeting_row(session, AgendaItem, agenda_item_id, meeting.id, "agenda item")
    if contribution_id is not None:
        contribution = session.get(Contribution, contribution_id)
        if contribution is None or contribution.item.meeting_id != meeting.id:
            raise NotFound(f"meeting {meeting.id} has no contribution {contribution_id}")
        agenda_item_id = agenda_item_id or contribution.agenda_item_id
    document = Document(
        meeting_id=meeting.id,
        agenda_item_id=agenda_item_id,
        contribution_id=contribution_id,
        title=title,
        url=url,
        text=text.strip(),
    )
    session.add(document)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ADD_DOCUMENT,
        {
            "meeting_id": meeting.id,
            "document_id": document.id,
            "title": title,
            "agenda_item_id": agenda_item_id,
            "contribution_id": contribution_id,
        },
    )
    queue_event(session, meeting.id, LiveEventType.DOCUMENT_ADDED, document_id=document.id)
    return document
