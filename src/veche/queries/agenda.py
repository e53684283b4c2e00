"""Reads about the agenda: whether it is approved, and its items in order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import AgendaItem, Poll
from veche.models.agenda import ItemState
from veche.models.polls import PollState

ADOPTED = "adopted"


def agenda_approval(session: Session, meeting_id: int) -> Poll | None:
    """The poll that approved the meeting's agenda: a closed agenda decision that was adopted."""
    return session.scalar(
        select(Poll)
        .where(
            Poll.meeting_id == meeting_id,
            Poll.approves_agenda.is_(True),
            Poll.state.in_((PollState.CLOSED, PollState.PUBLISHED)),
            Poll.outcome == ADOPTED,
        )
        .order_by(Poll.closed_at)
        .limit(1)
    )


def item_decision(session: Session, item: AgendaItem) -> Poll | None:
    """The vote that decided the item: the first poll closed on it (a poll on one of its
    drafts is on the item too)."""
    return session.scalar(
        select(Poll)
        .where(
            Poll.agenda_item_id == item.id,
            Poll.state.in_((PollState.CLOSED, PollState.PUBLISHED)),
        )
        .order_by(Poll.closed_at, Poll.id)
        .limit(1)
    )


def agenda_items(session: Session, meeting_id: int, *, withdrawn: bool = False) -> list[AgendaItem]:
    """The meeting's items by position; withdrawn ones only when asked for."""
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    if not withdrawn:
        query = query.where(AgendaItem.state != ItemState.WITHDRAWN)
    return list(session.scalars(query.order_by(AgendaItem.position, AgendaItem.id)))
