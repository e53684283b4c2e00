"""The debate through the API: the speakers list, contributions and the meeting's papers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import AliasPath, BaseModel, Field

from veche.actions.speakers import access_floor_request, do_withdraw_floor_request
from veche.models.debate import ContributionKind, FloorKind, FloorState
from veche.queries import proceedings
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import ItemDep, MeetingDep, Transaction
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep
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
    item: ItemDep, caller: CallerDep, session: Transaction, body: FloorIn | None = None
) -> FloorOut:
    """Ask for the floor: a speech, or a point of order (heard first)."""
    body = body or FloorIn()
    return FloorOut.model_validate(body.request(session, caller, item))


@router.get("/agenda-items/{item_id}/speakers")
def get_speakers(item: ItemDep, session: Transaction) -> SpeakersOut:
    """Who speaks next, in order."""
    return SpeakersOut(
        agenda_item_id=item.id,
        closed=item.speakers_list_closed,
        waiting=[FloorOut.model_validate(r) for r in proceedings.speakers_list(session, item.id)],
    )


@router.put("/agenda-items/{item_id}/speakers/order")
def order_speakers(
    item: ItemDep, body: OrderIn, caller: CallerDep, session: Transaction
) -> SpeakersOut:
    """The chair sets the order of the waiting speeches (every one, once)."""
    body.order(session, caller, item)
    return get_speakers(item, session)


@router.post("/agenda-items/{item_id}/speakers/close")
def close_speakers_list(
    item: ItemDep, caller: CallerDep, session: Transaction, body: ListClosedIn | None = None
) -> SpeakersOut:
    """Close the speakers list (or reopen it with `"closed": false`)."""
    body = body or ListClosedIn()
    body.close(session, caller, item)
    return get_speakers(item, session)


@router.post("/floor-requests/{request_id}/withdraw")
def withdraw_floor_request(request_id: Id, caller: CallerDep, session: Transaction) -> FloorOut:
    request = access_floor_request(session, caller, request_id)
    return FloorOut.model_validate(do_withdraw_floor_request(session, caller, request))


class ContributionOut(FromAttributes):
    id: int
    agenda_item_id: int
    position: int
    kind: ContributionKind
    speaker_person_id: int | None = Field(description="none for a report a body gave alone")
    speaker: str | None = Field(default=None, validation_alias=AliasPath("speaker", "full_name"))
    on_behalf_of_body_id: int | None
    on_behalf_of: str | None = Field(
        default=None, validation_alias=AliasPath("on_behalf_of", "name"), description="the body"
    )
    title: str
    summary: str
    seconds_used: int | None
    sitting_id: int | None


@router.post("/agenda-items/{item_id}/contributions", status_code=201)
def record_contribution(
    item: ItemDep, body: ContributionIn, caller: CallerDep, session: Transaction
) -> ContributionOut:
    """Record a report, co-report, speech or point of order on the item under discussion."""
    return ContributionOut.model_validate(body.record(session, caller, item))


@router.get("/agenda-items/{item_id}/contributions")
def list_contributions(item: ItemDep, session: Transaction) -> list[ContributionOut]:
    return [ContributionOut.model_validate(c) for c in proceedings.contributions(session, item.id)]


class DocumentOut(FromAttributes):
    id: int
    title: str
    url: str
    agenda_item_id: int | None
    contribution_id: int | None


@router.post("/meetings/{meeting_id}/documents", status_code=201)
def add_document(
    meeting: MeetingDep, body: DocumentIn, caller: CallerDep, session: Transaction
) -> DocumentOut:
    """File a paper with the notice, on an agenda item, or attached to a contribution."""
    return DocumentOut.model_validate(body.add(session, caller, meeting))


@router.get("/meetings/{meeting_id}/documents")
def list_documents(meeting: MeetingDep, session: Transaction) -> list[DocumentOut]:
    return [DocumentOut.model_validate(d) for d in proceedings.documents(session, meeting.id)]
