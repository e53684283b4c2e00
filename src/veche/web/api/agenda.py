"""A meeting's agenda through the API: items, their order, taking them up and closing them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from veche.actions.access import access_meeting
from veche.actions.agenda import access_item, do_close_item, do_open_item, do_withdraw_item
from veche.models.agenda import ItemKind
from veche.queries.agenda import agenda_approval, agenda_items
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_agenda import ItemIn, MoveIn

router = APIRouter(tags=["agenda"], responses=REFUSALS)


class ItemOut(FromAttributes):
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


class AgendaOut(BaseModel):
    approved: bool
    approved_by_poll_id: int | None
    items: list[ItemOut]


@router.post("/meetings/{meeting_id}/agenda", status_code=201)
def add_item(meeting_id: Id, body: ItemIn, caller: CallerDep, session: SessionDep) -> ItemOut:
    """Propose an item at the end of the agenda (until the agenda is approved)."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        return ItemOut.model_validate(body.add(session, caller, meeting))


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
        items=[
            ItemOut.model_validate(i)
            for i in agenda_items(session, meeting_id, withdrawn=withdrawn)
        ],
    )


@router.patch("/agenda-items/{item_id}")
def update_item(item_id: Id, body: ItemIn, caller: CallerDep, session: SessionDep) -> ItemOut:
    """Change an item: its wording until the agenda is approved, its speaking rules any time."""
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.model_validate(body.update(session, caller, item))


@router.post("/agenda-items/{item_id}/move")
def move_item(item_id: Id, body: MoveIn, caller: CallerDep, session: SessionDep) -> ItemOut:
    """Move an item to a position, or one place up or down (until the agenda is approved)."""
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.model_validate(body.move(session, caller, item))


@router.post("/agenda-items/{item_id}/withdraw")
def withdraw_item(item_id: Id, caller: CallerDep, session: SessionDep) -> ItemOut:
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.model_validate(do_withdraw_item(session, caller, item))


@router.post("/agenda-items/{item_id}/open")
def open_item(item_id: Id, caller: CallerDep, session: SessionDep) -> ItemOut:
    """Take up an item of the approved agenda."""
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.model_validate(do_open_item(session, caller, item))


@router.post("/agenda-items/{item_id}/close")
def close_item(item_id: Id, caller: CallerDep, session: SessionDep) -> ItemOut:
    with session.begin():
        item = access_item(session, caller, item_id)
        return ItemOut.model_validate(do_close_item(session, caller, item))
