"""The debate through the API: the speakers list, contributions and the meeting's papers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import AliasPath, BaseModel, Field

from veche.actions.access import access_meeting
from veche.actions.agenda import access_item
from veche.actions.speakers import access_floor_request, do_withdraw_floor_request
from veche.models.debate import ContributionKind, FloorKind, FloorState
from veche.queries import proceedings
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_debate import ContributionIn, DocumentIn, FloorIn, ListClosedIn, OrderIn

router = APIRouter(tags=["debate"], responses=REFUSALS)


class FloorOut(FromAttributes):
    id: int
    agenda_item_id: int
    person_id: int
    kind: FloorKind
    state: FloorState
    position: int
    time_limit_seconds: int
    subject: str


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
        return FloorOut.model_validate(body.request(session, caller, item))


@router.get("/agenda-items/{item_id}/speakers")
def get_speakers(item_id: Id, caller: CallerDep, session: SessionDep) -> SpeakersOut:
    """Who speaks next, in order."""
    item = access_item(session, caller, item_id)
    return SpeakersOut(
        agenda_item_id=item.id,
        closed=item.speakers_list_closed,
        waiting=[FloorOut.model_validate(r) for r in proceedings.speakers_list(session, item.id)],
    )


@router.put("/agenda-items/{item_id}/speakers/order")
def order_speakers(
    item_id: Id, body: OrderIn, caller: CallerDep, session: SessionDep
) -> SpeakersOut:
    """The chair sets the order of the waiting speeches (every one, once)."""
    with session.begin():
        item = access_item(session, caller, item_id)
        body.order(session, caller, item)
    return get_speakers(item_id, caller, session)


@router.post("/agenda-items/{item_id}/speakers/close")
def close_speakers_list(
    item_id: Id, caller: CallerDep, session: SessionDep, body: ListClosedIn | None = None
) -> SpeakersOut:
    """Close the speakers list (or reopen it with `"closed": false`)."""
    body = body or ListClosedIn()
    with session.begin():
        item = access_item(session, caller, item_id)
        body.close(session, caller, item)
    return get_speakers(item_id, caller, session)


@router.post("/floor-requests/{request_id}/withdraw")
def withdraw_floor_request(request_id: Id, caller: CallerDep, session: SessionDep) -> FloorOut:
    with session.begin():
        request = access_floor_request(session, caller, request_id)
        return FloorOut.model_validate(do_withdraw_floor_request(session, caller, request))


class ContributionOut(FromAttributes):
    id: int
    agenda_item_id: int
    position: int
    kind: ContributionKind
    speaker_person_id: int
    speaker: str = Field(validation_alias=AliasPath("speaker", "full_name"))
    on_behalf_of_body_id: int | None
    title: str
    summary: str
    seconds_used: int | None
    sitting_id: int | None


@router.post("/agenda-items/{item_id}/contributions", status_code=201)
def record_contribution(
    item_id: Id, body: ContributionIn, caller: CallerDep, session: SessionDep
) -> ContributionOut:
    """Record a report, co-report, speech or point of order on the item under discussion."""
    with session.begin():
        item = access_item(session, caller, item_id)
        return ContributionOut.model_validate(body.record(session, caller, item))


@router.get("/agenda-items/{item_id}/contributions")
def list_contributions(
    item_id: Id, caller: CallerDep, session: SessionDep
) -> list[ContributionOut]:
    item = access_item(session, caller, item_id)
    return [ContributionOut.model_validate(c) for c in proceedings.contributions(session, item.id)]


class DocumentOut(FromAttributes):
    id: int
    title: str
    url: str
    agenda_item_id: int | None
    contribution_id: int | None


@router.post("/meetings/{meeting_id}/documents", status_code=201)
def add_document(
    meeting_id: Id, body: DocumentIn, caller: CallerDep, session: SessionDep
) -> DocumentOut:
    """File a paper with the notice, on an agenda item, or attached to a contribution."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        return DocumentOut.model_validate(body.add(session, caller, meeting))


@router.get("/meetings/{meeting_id}/documents")
def list_documents(meeting_id: Id, caller: CallerDep, session: SessionDep) -> list[DocumentOut]:
    access_meeting(session, caller, meeting_id)
    return [DocumentOut.model_validate(d) for d in proceedings.documents(session, meeting_id)]
