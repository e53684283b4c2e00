"""A meeting's proceedings through the API: convocation, presidium, sittings, agenda, speakers."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, TypeAdapter

from veche.actions.access import access_meeting, access_poll
from veche.actions.agenda import (
    ItemSpec,
    access_item,
    do_add_item,
    do_close_item,
    do_move_item,
    do_open_item,
    do_update_item,
    do_withdraw_item,
)
from veche.actions.contributions import ContributionSpec, do_add_document, do_record_contribution
from veche.actions.meetings import do_change_meeting_state, do_update_meeting
from veche.actions.participants import do_invite_observers
from veche.actions.presidium import do_add_sitting, do_form_presidium, do_seat_elected_presidium
from veche.actions.speakers import (
    access_floor_request,
    do_close_speakers_list,
    do_order_speakers,
    do_request_floor,
    do_withdraw_floor_request,
)
from veche.errors import InvalidInput
from veche.models import AgendaItem, Contribution, Document, FloorRequest
from veche.models.agenda import ItemKind
from veche.models.base import MAX_INT
from veche.models.debate import ContributionKind, FloorKind
from veche.models.meetings import MeetingState
from veche.queries import proceedings
from veche.queries.agenda import agenda_approval, agenda_items
from veche.web.api.meetings import MeetingOut
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["proceedings"], responses=REFUSALS)


class MeetingUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    venue: str | None = Field(default=None, max_length=300)
    notice: str | None = Field(default=None, max_length=100_000)
    starts_on: date | None = None
    ends_on: date | None = None
    convened_by_body_id: Id | None = None


@router.patch("/meetings/{meeting_id}")
def update_meeting(
    meeting_id: Id, body: MeetingUpdate, caller: CallerDep, session: SessionDep
) -> MeetingOut:
    """Change the convocation (title, days, venue, notice, convening body) before the session."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        do_update_meeting(session, caller, meeting, **body.model_dump())
        return MeetingOut.of(meeting)


class StateIn(BaseModel):
    state: MeetingState


@router.post("/meetings/{meeting_id}/state")
def change_state(
    meeting_id: Id, body: StateIn, caller: CallerDep, session: SessionDep
) -> MeetingOut:
    """Move on: draft → convened → in_session → closed → report_published."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        do_change_meeting_state(session, caller, meeting, body.state)
        return MeetingOut.of(meeting)


class ParticipantRowOut(BaseModel):
    person_id: int
    full_name: str
    role: str
    category: str
    office: str | None
    weight: int


class ObserversIn(BaseModel):
    category: str = Field(min_length=1, max_length=200)
    person_ids: list[Id] = Field(min_length=1, max_length=10_000)


@router.post("/meetings/{meeting_id}/observers", status_code=201)
def invite_observers(
    meeting_id: Id, body: ObserversIn, caller: CallerDep, session: SessionDep
) -> list[int]:
    """Invite observers by category ("chairs of regional committees"); returns their person ids."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        invited = do_invite_observers(session, caller, meeting, body.category, body.person_ids)
        return [p.person_id for p in invited]


_PARTICIPANT_ROWS = TypeAdapter(list[ParticipantRowOut])


@router.get("/meetings/{meeting_id}/participants", response_model=list[ParticipantRowOut])
def list_participants(meeting_id: Id, caller: CallerDep, session: SessionDep) -> Response:
    """Everyone invited, by role and name, with observers' categories and offices."""
    access_meeting(session, caller, meeting_id)
    # A meeting may list thousands: validated and written to JSON in one pass by pydantic-core,
    # rather than model by model.
    rows = [row._asdict() for row in proceedings.participants(session, meeting_id, by_role=True)]
    return Response(
        _PARTICIPANT_ROWS.dump_json(_PARTICIPANT_ROWS.validate_python(rows)),
        media_type="application/json",
    )


class PresidiumIn(BaseModel):
    person_ids: list[Id] = Field(default_factory=list, max_length=200)
    formed_by_body_id: Id | None = None
    poll_id: Id | None = Field(default=None, description="an election poll that elected it")


class PresidiumSeatOut(BaseModel):
    person_id: int
    full_name: str
    position: int
    source: str
    formed_by_body_id: int | None
    poll_id: int | None


def _presidium(session: SessionDep, meeting_id: int) -> list[PresidiumSeatOut]:
    return [
        PresidiumSeatOut(
            person_id=seat.person_id,
            full_name=seat.person.full_name,
            position=seat.position,
            source=seat.source.value,
            formed_by_body_id=seat.formed_by_body_id,
            poll_id=seat.poll_id,
        )
        for seat in proceedings.presidium(session, meeting_id)
    ]


@router.post("/meetings/{meeting_id}/presidium", status_code=201)
def seat_presidium(
    meeting_id: Id, body: PresidiumIn, caller: CallerDep, session: SessionDep
) -> list[PresidiumSeatOut]:
    """Seat the presidium: `person_ids` formed by a body, or the winners of election `poll_id`."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        if body.poll_id is not None:
            if body.person_ids or body.formed_by_body_id is not None:
                raise InvalidInput("give either poll_id or person_ids, not both")
            poll = access_poll(session, caller, body.poll_id)
            do_seat_elected_presidium(session, caller, meeting, poll)
        else:
            do_form_presidium(
                session,
                caller,
                meeting,
                body.person_ids,
                formed_by_body_id=body.formed_by_body_id,
            )
    return _presidium(session, meeting_id)


@router.get("/meetings/{meeting_id}/presidium")
def get_presidium(meeting_id: Id, caller: CallerDep, session: SessionDep) -> list[PresidiumSeatOut]:
    access_meeting(session, caller, meeting_id)
    return _presidium(session, meeting_id)


class SittingIn(BaseModel):
    day: date
    chair_person_id: Id


class SittingOut(BaseModel):
    id: int
    number: int
    day: date
    chair_person_id: int


@router.post("/meetings/{meeting_id}/sittings", status_code=201)
def add_sitting(
    meeting_id: Id, body: SittingIn, caller: CallerDep, session: SessionDep
) -> SittingOut:
    """Open the next sitting on a day, chaired by a member of the presidium."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        s = do_add_sitting(
            session, caller, meeting, day=body.day, chair_person_id=body.chair_person_id
        )
        return SittingOut(id=s.id, number=s.number, day=s.day, chair_person_id=s.chair_person_id)


@router.get("/meetings/{meeting_id}/sittings")
def list_sittings(meeting_id: Id, caller: CallerDep, session: SessionDep) -> list[SittingOut]:
    access_meeting(session, caller, meeting_id)
    return [
        SittingOut(id=s.id, number=s.number, day=s.day, chair_person_id=s.chair_person_id)
        for s in proceedings.sittings(session, meeting_id)
    ]


class ItemIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    kind: ItemKind = ItemKind.REPORT
    description: str = Field(default="", max_length=20_000)
    rapporteur_person_id: Id | None = None
    rapporteur_body_id: Id | None = None
    time_budget_minutes: int = Field(default=0, ge=0, le=10_000)
    speech_seconds: int = Field(default=300, ge=1, le=36_000)
    speeches_per_person: int = Field(default=1, ge=1, le=100)


class ItemOut(BaseModel):
    id: int
    meeting_id: int
    position: int
    title: str
    kind: ItemKind
    state: str
    description: str
    rapporteur_person_id: int | None
    rapporteur_body_id: int | None
    time_budget_minutes: int
    speech_seconds: int
    speeches_per_person: int
    speakers_list_closed: bool

    @classmethod
    def of(cls, item: AgendaItem) -> ItemOut:
        return cls(
            id=item.id,
            meeting_id=item.meeting_id,
            position=item.position,
            title=item.title,
            kind=item.kind,
            state=item.state.value,
            description=item.description,
            rapporteur_person_id=item.rapporteur_person_id,
            rapporteur_body_id=item.rapporteur_body_id,
            time_budget_minutes=item.time_budget_minutes,
            speech_seconds=item.speech_seconds,
            speeches_per_person=item.speeches_per_person,
            speakers_list_closed=item.speakers_list_closed,
        )


class AgendaOut(BaseModel):
    approved: bool
    approved_by_poll_id: int | None
    items: list[ItemOut]


@router.post("/meetings/{meeting_id}/agenda", status_code=201)
def add_item(meeting_id: Id, body: ItemIn, caller: CallerDep, session: SessionDep) -> ItemOut:
    """Propose an item at the end of the agenda (until the agenda is approved)."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        return ItemOut.of(do_add_item(session, caller, meeting, ItemSpec(**body.model_dump())))


@router.get("/meetings/{meeting_id}/agenda")
def get_agenda(
    meeting_id: Id, caller: CallerDep, session: SessionDep, withdrawn: bool = False
) -> AgendaOut:
    """The agenda in order, and the poll that approved it; `?withdrawn=true` adds withdrawn items."""
    access_meeting(session, caller, meeting_id)
    approval = agenda_approval(session, meeting_id)
    return AgendaOut(
        approved=approval is not None,
        approved_by_poll_id=approval.id if approval else None,
        items=[ItemOut.of(i) for i in agenda_items(session, meeting_id, withdrawn=withdrawn)],
    )


@router.patch("/agenda-items/{item_id}")
def update_item(item_id: Id, body: ItemIn, caller: CallerDep, session: SessionDep) -> ItemOut:
    """Change an item: its wording until the agenda is approved, its speaking rules any time."""
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.of(do_update_item(session, caller, item, ItemSpec(**body.model_dump())))


class MoveIn(BaseModel):
    position: int = Field(ge=1, le=MAX_INT)


@router.post("/agenda-items/{item_id}/move")
def move_item(item_id: Id, body: MoveIn, caller: CallerDep, session: SessionDep) -> ItemOut:
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.of(do_move_item(session, caller, item, body.position))


@router.post("/agenda-items/{item_id}/withdraw")
def withdraw_item(item_id: Id, caller: CallerDep, session: SessionDep) -> ItemOut:
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.of(do_withdraw_item(session, caller, item))


@router.post("/agenda-items/{item_id}/open")
def open_item(item_id: Id, caller: CallerDep, session: SessionDep) -> ItemOut:
    """Take up an item of the approved agenda."""
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.of(do_open_item(session, caller, item))


@router.post("/agenda-items/{item_id}/close")
def close_item(item_id: Id, caller: CallerDep, session: SessionDep) -> ItemOut:
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.of(do_close_item(session, caller, item))


class FloorIn(BaseModel):
    person_id: Id | None = Field(default=None, description="default: the caller")
    kind: FloorKind = FloorKind.SPEECH
    subject: str = Field(default="", max_length=300)


class FloorOut(BaseModel):
    id: int
    agenda_item_id: int
    person_id: int
    kind: FloorKind
    state: str
    position: int
    time_limit_seconds: int
    subject: str

    @classmethod
    def of(cls, r: FloorRequest) -> FloorOut:
        return cls(
            id=r.id,
            agenda_item_id=r.agenda_item_id,
            person_id=r.person_id,
            kind=r.kind,
            state=r.state.value,
            position=r.position,
            time_limit_seconds=r.time_limit_seconds,
            subject=r.subject,
        )


class SpeakersOut(BaseModel):
    agenda_item_id: int
    closed: bool
    waiting: list[FloorOut]


@router.post("/agenda-items/{item_id}/speakers", status_code=201)
def request_floor(
    item_id: Id, caller: CallerDep, session: SessionDep, body: FloorIn | None = None
) -> FloorOut:
    """Ask for the floor: a speech, or a point of order (heard first)."""
    body = body or FloorIn()
    with session.begin():
        item = access_item(session, caller, item_id)
        return FloorOut.of(
            do_request_floor(
                session,
                caller,
                item,
                person_id=body.person_id,
                kind=body.kind,
                subject=body.subject,
            )
        )


@router.get("/agenda-items/{item_id}/speakers")
def get_speakers(item_id: Id, caller: CallerDep, session: SessionDep) -> SpeakersOut:
    """Who speaks next, in order."""
    item = access_item(session, caller, item_id)
    return SpeakersOut(
        agenda_item_id=item.id,
        closed=item.speakers_list_closed,
        waiting=[FloorOut.of(r) for r in proceedings.speakers_list(session, item.id)],
    )


class OrderIn(BaseModel):
    request_ids: list[Id] = Field(max_length=10_000)


@router.put("/agenda-items/{item_id}/speakers/order")
def order_speakers(
    item_id: Id, body: OrderIn, caller: CallerDep, session: SessionDep
) -> SpeakersOut:
    """The chair sets the order of the waiting speeches (every one, once)."""
    with session.begin():
        item = access_item(session, caller, item_id)
        do_order_speakers(session, caller, item, body.request_ids)
    return get_speakers(item_id, caller, session)


class ListClosedIn(BaseModel):
    closed: bool = True


@router.post("/agenda-items/{item_id}/speakers/close")
def close_speakers_list(
    item_id: Id, caller: CallerDep, session: SessionDep, body: ListClosedIn | None = None
) -> SpeakersOut:
    """Close the speakers list (or reopen it with `"closed": false`)."""
    body = body or ListClosedIn()
    with session.begin():
        item = access_item(session, caller, item_id)
        do_close_speakers_list(session, caller, item, closed=body.closed)
    return get_speakers(item_id, caller, session)


@router.post("/floor-requests/{request_id}/withdraw")
def withdraw_floor_request(request_id: Id, caller: CallerDep, session: SessionDep) -> FloorOut:
    with session.begin():
        request = access_floor_request(session, caller, request_id)
        return FloorOut.of(do_withdraw_floor_request(session, caller, request))


class ContributionIn(BaseModel):
    kind: ContributionKind
    speaker_person_id: Id
    title: str = Field(default="", max_length=500)
    summary: str = Field(default="", max_length=50_000)
    full_text: str = Field(default="", max_length=500_000)
    seconds_used: int | None = Field(default=None, ge=0, le=360_000)
    on_behalf_of_body_id: Id | None = None
    sitting_id: Id | None = None


class ContributionOut(BaseModel):
    id: int
    agenda_item_id: int
    position: int
    kind: ContributionKind
    speaker_person_id: int
    speaker: str
    on_behalf_of_body_id: int | None
    title: str
    summary: str
    seconds_used: int | None
    sitting_id: int | None

    @classmethod
    def of(cls, c: Contribution) -> ContributionOut:
        return cls(
            id=c.id,
            agenda_item_id=c.agenda_item_id,
            position=c.position,
            kind=c.kind,
            speaker_person_id=c.speaker_person_id,
            speaker=c.speaker.full_name,
            on_behalf_of_body_id=c.on_behalf_of_body_id,
            title=c.title,
            summary=c.summary,
            seconds_used=c.seconds_used,
            sitting_id=c.sitting_id,
        )


@router.post("/agenda-items/{item_id}/contributions", status_code=201)
def record_contribution(
    item_id: Id, body: ContributionIn, caller: CallerDep, session: SessionDep
) -> ContributionOut:
    """Record a report, co-report, speech or point of order on the item under discussion."""
    with session.begin():
        item = access_item(session, caller, item_id)
        contribution = do_record_contribution(
            session, caller, item, ContributionSpec(**body.model_dump())
        )
        return ContributionOut.of(contribution)


@router.get("/agenda-items/{item_id}/contributions")
def list_contributions(
    item_id: Id, caller: CallerDep, session: SessionDep
) -> list[ContributionOut]:
    item = access_item(session, caller, item_id)
    return [ContributionOut.of(c) for c in proceedings.contributions(session, item.id)]


class DocumentIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    url: str = Field(default="", max_length=1000)
    text: str = Field(default="", max_length=500_000)
    agenda_item_id: Id | None = None
    contribution_id: Id | None = None


class DocumentOut(BaseModel):
    id: int
    title: str
    url: str
    agenda_item_id: int | None
    contribution_id: int | None

    @classmethod
    def of(cls, d: Document) -> DocumentOut:
        return cls(
            id=d.id,
            title=d.title,
            url=d.url,
            agenda_item_id=d.agenda_item_id,
            contribution_id=d.contribution_id,
        )


@router.post("/meetings/{meeting_id}/documents", status_code=201)
def add_document(
    meeting_id: Id, body: DocumentIn, caller: CallerDep, session: SessionDep
) -> DocumentOut:
    """File a paper with the notice, on an agenda item, or attached to a contribution."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        return DocumentOut.of(do_add_document(session, caller, meeting, **body.model_dump()))


@router.get("/meetings/{meeting_id}/documents")
def list_documents(meeting_id: Id, caller: CallerDep, session: SessionDep) -> list[DocumentOut]:
    access_meeting(session, caller, meeting_id)
    return [DocumentOut.of(d) for d in proceedings.documents(session, meeting_id)]
