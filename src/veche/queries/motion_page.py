"""What a draft's page shows beside its text: how far the motion has come (the votes on it, the
one that decides it, the amendments still undecided, the resolution it became), and what a
new draft may be tabled on and by whom."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.resolutions import decisive_poll
from veche.models import AgendaItem, Amendment, Body, Meeting, Motion, Poll, Resolution
from veche.models.motions import AmendmentState
from veche.models.polls import PollState
from veche.queries.agenda import agenda_items
from veche.queries.floor import item_under_discussion

#: A vote on the motion still to be held: it is not decided until this one closes.
_WAITING = (PollState.DRAFT, PollState.OPEN)


@dataclass(frozen=True)
class MotionProgress:
    item: AgendaItem | None
    #: The votes on the motion, oldest first, cancelled ones left out.
    polls: list[Poll]
    #: The newest closed vote: the one that adopts or rejects it (``decisive_poll``).
    decisive: Poll | None
    #: A vote on it in draft or open.
    waiting: Poll | None
    #: The numbers of the amendments still to be decided.
    undecided: list[int]
    resolution: Resolution | None


def motion_progress(session: Session, motion: Motion) -> MotionProgress:
    polls = list(
        session.scalars(
            select(Poll)
            .where(Poll.motion_id == motion.id, Poll.state != PollState.CANCELLED)
            .order_by(Poll.id)
        )
    )
    undecided = session.scalars(
        select(Amendment.number)
        .where(Amendment.motion_id == motion.id, Amendment.state == AmendmentState.PROPOSED)
        .order_by(Amendment.number)
    )
    return MotionProgress(
        item=session.get(AgendaItem, motion.agenda_item_id) if motion.agenda_item_id else None,
        polls=polls,
        decisive=decisive_poll(session, motion),
        waiting=next((poll for poll in polls if poll.state in _WAITING), None),
        undecided=list(undecided),
        resolution=session.scalar(select(Resolution).where(Resolution.motion_id == motion.id)),
    )


@dataclass(frozen=True)
class TablingChoices:
    """What the form for a new draft offers: the items still on the agenda (the one under
    discussion chosen first) and the organization's bodies that may submit it."""

    items: list[AgendaItem]
    under_discussion: AgendaItem | None
    bodies: list[Body]


def tabling_choices(session: Session, meeting: Meeting) -> TablingChoices:
    bodies = session.scalars(
        select(Body)
        .where(Body.organization_id == meeting.term.body.organization_id)
        .order_by(Body.name, Body.id)
    )
    return TablingChoices(
        agenda_items(session, meeting.id),
        item_under_discussion(session, meeting.id),
        list(bodies),
    )
