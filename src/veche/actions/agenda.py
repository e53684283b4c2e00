"""The agenda: items proposed and changed until a poll approves it, then taken up one by one."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_row, authorize, meeting_row
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
from veche.errors import Conflict, InvalidInput
from veche.models import AgendaItem, Meeting
from veche.models.agenda import ITEM_TRANSITIONS, ItemKind, ItemState
from veche.permissions import Permission
from veche.queries.agenda import agenda_approval, agenda_items, item_decision


def access_item(session: Session, caller: Caller, item_id: int) -> AgendaItem:
    return access_row(session, caller, AgendaItem, item_id, "agenda item")


def check_agenda_item(
    session: Session, caller: Caller, meeting: Meeting, item_id: int
) -> AgendaItem:
    """An item of the meeting's agenda, for one who may change the agenda. The permission is
    asked before the item is looked up, so that a refusal never depends on the id named."""
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    return meeting_row(session, AgendaItem, item_id, meeting.id, "agenda item")


def check_agenda_open(session: Session, meeting: Meeting) -> None:
    """The agenda may change only until it is approved."""
    check_not_closed(meeting, "change the agenda")
    approval = agenda_approval(session, meeting.id)
    if approval is not None:
        raise Conflict(
            f"the agenda of meeting {meeting.id} was approved by poll {approval.id}; "
            "it can no longer change"
        )


def check_agenda_approved(session: Session, meeting: Meeting, doing: str) -> None:
    if agenda_approval(session, meeting.id) is None:
        raise Conflict(
            f"cannot {doing}: the agenda of meeting {meeting.id} is not approved yet; "
            "approve it first with a decision poll that approves the agenda"
        )


def check_item_takes_drafts(session: Session, item: AgendaItem, doing: str, instead: str) -> None:
    """Drafts and panels may come to an item until its decision is taken, its discussion
    closed or not: a body often discusses every item first, then studies all the drafts in
    panels, then adopts. The meeting's own close is checked by the caller. ``instead`` says
    what to do once they may no longer come."""
    if item.state is ItemState.WITHDRAWN:
        raise Conflict(
            f"cannot {doing} on agenda item {item.position}: it was withdrawn from the agenda; "
            "name an item still on it"
        )
    decision = item_decision(session, item)
    if decision is not None:
        closed = decision.day or (decision.closed_at.date() if decision.closed_at else None)
        raise Conflict(
            f"cannot {doing} on agenda item {item.position}: its decision was taken by "
            f"vote {decision.id} ({decision.title!r})"
            + (f" on {closed.isoformat()}" if closed else "")
            + f"; {instead}"
        )


@dataclass(frozen=True)
class ItemSpec:
    """What an agenda item says; each field as given by the secretary."""

    title: str
    kind: ItemKind = ItemKind.REPORT
    description: str = ""
    rapporteur_person_id: int | None = None
    rapporteur_body_id: int | None = None
    time_budget_minutes: int = 0
    speech_seconds: int = 300
    speeches_per_person: int = 1

    @classmethod
    def of(cls, item: AgendaItem) -> ItemSpec:
        """What ``item`` says now."""
        return cls(**{field.name: getattr(item, field.name) for field in fields(cls)})


def _check_spec(session: Session, meeting: Meeting, spec: ItemSpec) -> ItemSpec:
    if spec.rapporteur_person_id is not None:
        check_person_of(session, meeting, spec.rapporteur_person_id)
    check_body_of(session, meeting, spec.rapporteur_body_id)
    if spec.time_budget_minutes < 0:
        raise InvalidInput("the time budget cannot be negative")
    if spec.speech_seconds < 1:
        raise InvalidInput("a speech's time limit must be at least one second")
    if spec.speeches_per_person < 1:
        raise InvalidInput("each person must be allowed at least one speech")
    return replace(
        spec,
        title=check_name(spec.title, "the item's title", max_length=500),
        description=spec.description.strip(),
    )


def _journal_agenda_change(
    session: Session, caller: Caller, item: AgendaItem, action: JournalAction, **details: object
) -> None:
    """Journal a change to an agenda item (its meeting and id, then ``details``) and tell the
    pages the agenda changed."""
    record(
        session,
        caller.actor,
        action,
        {"meeting_id": item.meeting_id, "item_id": item.id, **details},
    )
    queue_event(session, item.meeting_id, LiveEventType.AGENDA_CHANGED, item_id=item.id)


def _as_journaled(item: AgendaItem) -> dict[str, object]:
    """All that an item says, as the journal records it when the item is added or changed."""
    return {
        "position": item.position,
        "title": item.title,
        "kind": item.kind,
        "rapporteur_person_id": item.rapporteur_person_id,
        "rapporteur_body_id": item.rapporteur_body_id,
        "time_budget_minutes": item.time_budget_minutes,
        "speech_seconds": item.speech_seconds,
        "speeches_per_person": item.speeches_per_person,
    }


def _hold_agenda(session: Session, meeting: Meeting) -> None:
    """Changes of the agenda's numbering made at once wait for each other, each reading the
    positions after the one before (two items added at once were both numbered 1): the
    meeting's row is held until the commit, as a ballot holds it. SQLite's writers wait for
    each other anyway."""
    session.execute(
        select(Meeting.id).where(Meeting.id == meeting.id).with_for_update(key_share=True)
    )


def do_add_item(session: Session, caller: Caller, meeting: Meeting, spec: ItemSpec) -> AgendaItem:
    """Propose an item at the end of the agenda, until the agenda is approved."""
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    _hold_agenda(session, meeting)
    check_agenda_open(session, meeting)
    spec = _check_spec(session, meeting, spec)
    last = session.scalar(
        select(func.max(AgendaItem.position)).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.state != ItemState.WITHDRAWN
        )
    )
    item = AgendaItem(
        meeting_id=meeting.id,
        position=(last or 0) + 1,
        state=ItemState.PLANNED,
        **vars(spec),
    )
    session.add(item)
    session.flush()
    _journal_agenda_change(
        session, caller, item, JournalAction.ADD_AGENDA_ITEM, **_as_journaled(item)
    )
    return item


def do_update_item(
    session: Session, caller: Caller, item: AgendaItem, spec: ItemSpec
) -> AgendaItem:
    """Change an item. Its wording only until the agenda is approved; its speaking rules any time."""
    meeting = item.meeting
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    check_not_closed(meeting, "change an agenda item")
    spec = _check_spec(session, meeting, spec)
    wording = (
        spec.title,
        spec.kind,
        spec.description,
        spec.rapporteur_person_id,
        spec.rapporteur_body_id,
        spec.time_budget_minutes,
    )
    current = (
        item.title,
        item.kind,
        item.description,
        item.rapporteur_person_id,
        item.rapporteur_body_id,
        item.time_budget_minutes,
    )
    if wording != current:
        check_agenda_open(session, meeting)
    if item.state is ItemState.WITHDRAWN:
        raise Conflict(f"agenda item “{item.title}” was withdrawn")
    for name, value in vars(spec).items():
        setattr(item, name, value)
    _journal_agenda_change(
        session, caller, item, JournalAction.UPDATE_AGENDA_ITEM, **_as_journaled(item)
    )
    return item


def do_move_item(session: Session, caller: Caller, item: AgendaItem, position: int) -> AgendaItem:
    """Move an item to another place on the agenda, until the agenda is approved."""
    meeting = item.meeting
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    _hold_agenda(session, meeting)
    check_agenda_open(session, meeting)
    if item.state is ItemState.WITHDRAWN:
        raise Conflict(f"agenda item “{item.title}” was withdrawn")
    items = _agenda_without(session, item)
    if not 1 <= position <= len(items) + 1:
        raise InvalidInput(f"position must be between 1 and {len(items) + 1}, not {position}")
    items.insert(position - 1, item)
    _number_in_order(items)
    _journal_agenda_change(session, caller, item, JournalAction.MOVE_AGENDA_ITEM, position=position)
    return item


def do_withdraw_item(session: Session, caller: Caller, item: AgendaItem) -> AgendaItem:
    """Take an item off the agenda before it is approved; the others close up."""
    meeting = item.meeting
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    _hold_agenda(session, meeting)
    check_agenda_open(session, meeting)
    if item.state is ItemState.WITHDRAWN:
        raise Conflict(f"agenda item “{item.title}” was withdrawn already")
    ITEM_TRANSITIONS.check_step(item.state, ItemState.WITHDRAWN, f"agenda item {item.position}")
    item.state = ItemState.WITHDRAWN
    remaining = _agenda_without(session, item)
    _number_in_order(remaining)
    _journal_agenda_change(
        session, caller, item, JournalAction.WITHDRAW_AGENDA_ITEM, title=item.title
    )
    return item


def do_open_item(session: Session, caller: Caller, item: AgendaItem) -> AgendaItem:
    """Take up an item of the approved agenda; one item is under discussion at a time."""
    meeting = item.meeting
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    check_in_session(meeting, f"take up agenda item {item.position}")
    check_agenda_approved(session, meeting, f"take up agenda item {item.position}")
    ITEM_TRANSITIONS.check_step(item.state, ItemState.OPEN, f"agenda item {item.position}")
    already = session.scalar(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.state == ItemState.OPEN
        )
    )
    if already is not None:
        raise Conflict(f"agenda item {already.position} is under discussion; close it first")
    _step_item(session, caller, item, ItemState.OPEN, JournalAction.OPEN_AGENDA_ITEM)
    queue_event(session, meeting.id, LiveEventType.ITEM_OPENED, item_id=item.id)
    return item


def do_close_item(session: Session, caller: Caller, item: AgendaItem) -> AgendaItem:
    """End the discussion of an item; nothing more is said on it."""
    meeting = item.meeting
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    ITEM_TRANSITIONS.check_step(item.state, ItemState.CLOSED, f"agenda item {item.position}")
    _step_item(session, caller, item, ItemState.CLOSED, JournalAction.CLOSE_AGENDA_ITEM)
    queue_event(session, meeting.id, LiveEventType.ITEM_CLOSED, item_id=item.id)
    return item


def _step_item(
    session: Session,
    caller: Caller,
    item: AgendaItem,
    state: ItemState,
    action: JournalAction,
) -> None:
    """Move an item to ``state``, the step already checked, and journal it.

    The caller queues the live event itself: each event type is named where it is queued,
    so the registry test can see every declared event used."""
    item.state = state
    record(session, caller.actor, action, {"meeting_id": item.meeting_id, "item_id": item.id})


def _agenda_without(session: Session, item: AgendaItem) -> list[AgendaItem]:
    """The other items of the item's agenda, in their order."""
    return [other for other in agenda_items(session, item.meeting_id) if other.id != item.id]


def _number_in_order(items: list[AgendaItem]) -> None:
    """Number the items of an agenda 1, 2, … in the order given."""
    for number, item in enumerate(items, start=1):
        item.position = number
