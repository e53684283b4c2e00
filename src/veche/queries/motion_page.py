"""What a draft's page shows beside its text: how far the motion has come (the votes on it, the
one that decides it, the amendments still undecided, the resolution it became, what the
meeting's state still allows), the panels' advice on it, and what a new draft may be tabled
on and by whom."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.meetings import check_not_closed, check_record_open
from veche.actions.resolutions import decisive_poll
from veche.errors import Conflict
from veche.models import (
    AgendaItem,
    Amendment,
    Body,
    Meeting,
    Motion,
    Panel,
    Poll,
    Recommendation,
    Resolution,
)
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
    #: The meeting takes no more of its drafts' business — no amendment proposed or decided,
    #: no final text, no vote — as ``check_not_closed`` refuses it once the meeting is closed.
    closed: bool
    #: The outcome of a vote may no longer be recorded (``check_record_open``: the report is
    #: published).
    record_closed: bool


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
        closed=_refuses(check_not_closed, motion.meeting),
        record_closed=_refuses(check_record_open, motion.meeting),
    )


def _refuses(check: Callable[[Meeting, str], None], meeting: Meeting) -> bool:
    """Whether the action's own check of the meeting's state refuses what it guards."""
    try:
        check(meeting, "act on the draft")
    except Conflict:
        return True
    return False


#: Where a line of a panel's advice names amendments: "amendment 2", "amendments 1 and 3" (the
#: panel's form writes a line "The panel advises adopting amendment 2." for each it advises on).
_NAMES_AMENDMENTS = re.compile(
    r"\bamendments?\s+(\d+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+)\d+)*)\b", re.IGNORECASE
)


def amendments_named(line: str) -> list[int]:
    """The numbers of the amendments a line of advice names, in order, each once."""
    numbers: dict[int, None] = {}
    for found in _NAMES_AMENDMENTS.finditer(line):
        numbers.update((int(number), None) for number in re.findall(r"\d+", found.group(1)))
    return list(numbers)


@dataclass(frozen=True)
class PanelAdvice:
    """A panel's advice to the drafters of a motion (``do_recommend``), as sent."""

    panel: str
    sent_at: datetime
    text: str
    #: The lines of the advice that name an amendment, by the amendment's number.
    on_amendments: dict[int, list[str]] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def panel_advice(session: Session, motion: Motion) -> list[PanelAdvice]:
    """Every panel's advice on the motion, oldest first, in one query."""
    found = session.execute(
        select(Panel.name, Recommendation.created_at, Recommendation.text)
        .join(Panel, Panel.id == Recommendation.panel_id)
        .where(Recommendation.motion_id == motion.id)
        .order_by(Recommendation.id)
    )
    advice = []
    for panel, sent_at, text in found:
        on_amendments: dict[int, list[str]] = {}
        for line in text.split("\n"):
            for number in amendments_named(line):
                on_amendments.setdefault(number, []).append(line)
        advice.append(PanelAdvice(panel, sent_at, text, on_amendments))
    return advice


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
