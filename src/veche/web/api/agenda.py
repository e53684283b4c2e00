"""A meeting's agenda through the API: items, their order, taking them up and closing them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from veche.actions.agenda import do_close_item, do_open_item, do_withdraw_item
from veche.models.agenda import ItemKind
from veche.queries.agenda import agenda_approval, agenda_items
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import ItemDep, MeetingDep, Transaction
from veche.web.api.types import FromAttributes
from veche.web.deps import CallerDep
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
def add_item(meeting: MeetingDep, body: ItemIn, caller: CallerDep, session: Transaction) -> ItemOut:
    """Propose an item at the end of the agenda (until the agenda is approved)."""
    return ItemOut.model_validate(body.add(session, caller, meeting))


@router.get("/meetings/{meeting_id}/agenda")
def get_agenda(meeting: MeetingDep, session: Transaction, withdrawn: bool = False) -> AgendaOut:
    """The agenda in order, and the poll that approved it; `?withdrawn=true` adds withdrawn items."""
    approval = agenda_approval(session, meeting.id)
    return AgendaOut(
        approved=approval is not None,
        approved_by_poll_id=approval.id if approval else None,
        items=[
            ItemOut.model_validate(i)
            for i in agenda_items(session, meeting.id, withdrawn=withdrawn)
        ],
    )


@router.patch("/agenda-items/{item_id}")
def update_item(item: ItemDep, body: ItemIn, caller: CallerDep, session: Transaction) -> ItemOut:
    """Change an item: its wording until the agenda is approved, its speaking rules any time."""
    return ItemOut.model_validate(body.update(session, caller, item))


@router.post("/agenda-items/{item_id}/move")
def move_item(item: ItemDep, body: MoveIn, caller: CallerDep, session: Transaction) -> ItemOut:
    """Move an item to a position, or one place up or down (until the agenda is approved)."""
    return ItemOut.model_validate(body.move(session, caller, item))


@router.post("/agenda-items/{item_id}/withdraw")
def withdraw_item(item: ItemDep, caller: CallerDep, session: Transaction) -> ItemOut:
    return ItemOut.model_validate(do_withdraw_item(session, caller, item))


@router.post("/agenda-items/{item_id}/open")
def open_item(item: ItemDep, caller: CallerDep, session: Transaction) -> ItemOut:
    """Take up an item of the approved agenda."""
    return ItemOut.model_validate(do_open_item(session, caller, item))


@router.post("/agenda-items/{item_id}/close")
def close_item(item: ItemDep, caller: CallerDep, session: Transaction) -> ItemOut:
    return ItemOut.model_validate(do_close_item(session, caller, item))
