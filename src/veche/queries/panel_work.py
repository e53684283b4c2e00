"""What a drafting panel works on, for its chairs' page: its items, their drafts with their
amendments and the panel's advice so far; and the panels a caller may speak for."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from veche.actions.access import PANEL_CHAIR_PERMISSION, Caller, holds
from veche.models import (
    AgendaItem,
    Amendment,
    Motion,
    MotionVersion,
    Panel,
    PanelChair,
    PanelItem,
    PanelMember,
    Person,
    Recommendation,
)


def panels_spoken_for(
    session: Session, caller: Caller, meeting_id: int, *, item_id: int | None = None
) -> list[Panel]:
    """The meeting's panels (those examining ``item_id``, if given) the caller may speak for,
    as ``require_panel_chair`` asks: those they chair, or all of them for one who holds
    ``PANEL_CHAIR_PERMISSION`` in the meeting (its chair, its secretary)."""
    query = select(Panel).where(Panel.meeting_id == meeting_id).order_by(Panel.id)
    if item_id is not None:
        query = query.where(
            exists().where(PanelItem.panel_id == Panel.id, PanelItem.agenda_item_id == item_id)
        )
    if not holds(session, caller, PANEL_CHAIR_PERMISSION, meeting_id):
        if caller.person_id is None:
            return []
        query = query.where(
            exists().where(
                PanelChair.panel_id == Panel.id, PanelChair.person_id == caller.person_id
            )
        )
    return list(session.scalars(query))


@dataclass(frozen=True)
class DraftWork:
    """A draft on one of the panel's items: its amendments in order, the text of each of its
    versions (an amendment names its part by the version it was proposed to), and what the
    panel advised on it so far."""

    motion: Motion
    amendments: list[Amendment]
    texts: dict[int, str]
    recommendations: list[Recommendation]


@dataclass(frozen=True)
class ItemWork:
    item: AgendaItem
    drafts: list[DraftWork]


@dataclass(frozen=True)
class PanelWork:
    panel: Panel
    items: list[ItemWork]
    #: The panel's chairs in order, and its members, by name.
    chairs: list[str]
    members: list[str]


def panel_work(session: Session, panel: Panel) -> PanelWork:
    """The panel's items in the agenda's order, each with its drafts by number: a query per
    kind of row, however many drafts and amendments there are."""
    items = list(
        session.scalars(
            select(AgendaItem)
            .join(PanelItem, PanelItem.agenda_item_id == AgendaItem.id)
            .where(PanelItem.panel_id == panel.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    motions = list(
        session.scalars(
            select(Motion)
            .where(Motion.agenda_item_id.in_([item.id for item in items]))
            .order_by(Motion.number)
        )
    )
    motion_ids = [motion.id for motion in motions]
    amendments: dict[int, list[Amendment]] = defaultdict(list)
    texts: dict[int, dict[int, str]] = defaultdict(dict)
    advice: dict[int, list[Recommendation]] = defaultdict(list)
    if motion_ids:
        for amendment in session.scalars(
            select(Amendment)
            .where(Amendment.motion_id.in_(motion_ids))
            .order_by(Amendment.motion_id, Amendment.number)
            .options(selectinload(Amendment.proposer), selectinload(Amendment.panel))
        ):
            amendments[amendment.motion_id].append(amendment)
        for version in session.scalars(
            select(MotionVersion).where(MotionVersion.motion_id.in_(motion_ids))
        ):
            texts[version.motion_id][version.number] = version.text
        for recommendation in session.scalars(
            select(Recommendation)
            .where(Recommendation.panel_id == panel.id, Recommendation.motion_id.in_(motion_ids))
            .order_by(Recommendation.id)
        ):
            advice[recommendation.motion_id].append(recommendation)
    drafts: dict[int, list[DraftWork]] = defaultdict(list)
    for motion in motions:
        assert motion.agenda_item_id is not None
        drafts[motion.agenda_item_id].append(
            DraftWork(motion, amendments[motion.id], texts[motion.id], advice[motion.id])
        )
    chairs = session.scalars(
        select(Person.full_name)
        .join(PanelChair, PanelChair.person_id == Person.id)
        .where(PanelChair.panel_id == panel.id)
        .order_by(PanelChair.position)
    )
    members = session.scalars(
        select(Person.full_name)
        .join(PanelMember, PanelMember.person_id == Person.id)
        .where(PanelMember.panel_id == panel.id)
        .order_by(Person.full_name)
    )
    return PanelWork(
        panel,
        [ItemWork(item, drafts[item.id]) for item in items],
        list(chairs),
        list(members),
    )
