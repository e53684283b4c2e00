"""Panels: study-and-consultative groups that examine the drafts on items and advise the drafters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import (
    PANEL_CHAIR_PERMISSION,
    Caller,
    access_row,
    authorize,
    holds,
    meeting_row,
)
from veche.actions.agenda import check_item_takes_drafts
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_not_closed
from veche.actions.org import check_name
from veche.actions.participants import participant_in
from veche.errors import Conflict, Forbidden, InvalidInput, NotFound
from veche.models import (
    AgendaItem,
    Meeting,
    Motion,
    Panel,
    PanelChair,
    PanelItem,
    PanelMember,
    Recommendation,
)
from veche.models.motions import MotionState
from veche.permissions import Permission


def access_panel(session: Session, caller: Caller, panel_id: int) -> Panel:
    return access_row(session, caller, Panel, panel_id, "panel")


def require_panel_chair(session: Session, caller: Caller, panel: Panel) -> None:
    """Each of the panel's chairs speaks for it; the meeting's chair and secretary may too."""
    if caller.person_id is not None:
        seat = session.get(PanelChair, (panel.id, caller.person_id))
        if seat is not None:
            return
    if holds(session, caller, PANEL_CHAIR_PERMISSION, panel.meeting_id):
        return
    raise Forbidden(
        f"only a chair of the panel “{panel.name}” (or the meeting's chair) may do this"
    )


def panel_item_ids(session: Session, panel: Panel) -> list[int]:
    return list(
        session.scalars(
            select(PanelItem.agenda_item_id)
            .where(PanelItem.panel_id == panel.id)
            .order_by(PanelItem.agenda_item_id)
        )
    )


def check_panel_examines(session: Session, panel: Panel, motion: Motion) -> None:
    if motion.agenda_item_id not in panel_item_ids(session, panel):
        raise InvalidInput(
            f"panel {panel.id} does not examine the item of motion {motion.number}; "
            "a panel works on the drafts of its own items"
        )


def _check_participants(session: Session, meeting: Meeting, person_ids: list[int]) -> None:
    if len(set(person_ids)) != len(person_ids):
        raise InvalidInput("a person is listed twice")
    for person_id in person_ids:
        participant_in(session, meeting, person_id)


def do_create_panel(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    name: str,
    agenda_item_ids: list[int],
    chair_person_ids: list[int],
    member_person_ids: list[int],
) -> Panel:
    """A panel for one or more items, with its members and any number of chairs among them.

    Items whose discussion has closed may still be studied, until their decision is taken."""
    authorize(session, caller, Permission.MOTIONS_MANAGE, meeting.id)
    check_not_closed(meeting, "create a panel")
    name = check_name(name, "the panel's name", max_length=300)
    if session.scalar(select(Panel).where(Panel.meeting_id == meeting.id, Panel.name == name)):
        raise Conflict(f"this meeting already has a panel named {name!r}")
    if not agenda_item_ids or len(set(agenda_item_ids)) != len(agenda_item_ids):
        raise InvalidInput("name the agenda items the panel examines, each once")
    if len(set(chair_person_ids)) != len(chair_person_ids):
        raise InvalidInput("a person is listed twice among the panel's chairs")
    for item_id in agenda_item_ids:
        item = meeting_row(session, AgendaItem, item_id, meeting.id, "agenda item")
        check_item_takes_drafts(
            session,
            item,
            "create a panel",
            "a panel studies the drafts before the vote; leave this item out",
        )
    members = list(chair_person_ids) + [p for p in member_person_ids if p not in chair_person_ids]
    _check_participants(session, meeting, members)
    panel = Panel(meeting_id=meeting.id, name=name)
    session.add(panel)
    session.flush()
    session.add_all(PanelItem(panel_id=panel.id, agenda_item_id=i) for i in agenda_item_ids)
    session.add_all(PanelMember(panel_id=panel.id, person_id=p) for p in members)
    session.add_all(
        PanelChair(panel_id=panel.id, person_id=p, position=n)
        for n, p in enumerate(chair_person_ids, start=1)
    )
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_PANEL,
        {
            "meeting_id": meeting.id,
            "panel_id": panel.id,
            "name": name,
            "agenda_item_ids": agenda_item_ids,
            "chair_person_ids": chair_person_ids,
            "member_person_ids": members,
        },
    )
    queue_event(session, meeting.id, LiveEventType.PANEL_CHANGED, panel_id=panel.id)
    return panel


def do_add_panel_members(
    session: Session, caller: Caller, panel: Panel, person_ids: list[int]
) -> Panel:
    authorize(session, caller, Permission.MOTIONS_MANAGE, panel.meeting_id)
    check_not_closed(panel.meeting, "change a panel")
    _check_participants(session, panel.meeting, person_ids)
    present = set(
        session.scalars(select(PanelMember.person_id).where(PanelMember.panel_id == panel.id))
    )
    if clash := sorted(present & set(person_ids)):
        raise Conflict(f"person {clash[0]} sits on panel {panel.id} already")
    session.add_all(PanelMember(panel_id=panel.id, person_id=p) for p in person_ids)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ADD_PANEL_MEMBERS,
        {"panel_id": panel.id, "person_ids": person_ids},
    )
    queue_event(session, panel.meeting_id, LiveEventType.PANEL_CHANGED, panel_id=panel.id)
    return panel


def do_recommend(
    session: Session, caller: Caller, panel: Panel, motion: Motion, text: str
) -> Recommendation:
    """The panel advises the drafters on a draft it examined."""
    require_panel_chair(session, caller, panel)
    check_not_closed(panel.meeting, "send a recommendation")
    if motion.meeting_id != panel.meeting_id:
        raise NotFound(f"meeting {panel.meeting_id} has no motion {motion.id}")
    check_panel_examines(session, panel, motion)
    if motion.state is not MotionState.DRAFT:
        raise Conflict(f"motion {motion.number} is {motion.state.value}; the drafting is over")
    text = text.strip()
    if not text:
        raise InvalidInput("a recommendation must say something")
    recommendation = Recommendation(panel_id=panel.id, motion_id=motion.id, text=text)
    session.add(recommendation)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.RECOMMEND,
        {"panel_id": panel.id, "motion_id": motion.id, "recommendation_id": recommendation.id},
    )
    queue_event(session, panel.meeting_id, LiveEventType.MOTION_CHANGED, motion_id=motion.id)
    return recommendation
