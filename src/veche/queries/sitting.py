"""Reads for the meeting room: the polls, the current one, the quorum, results as chart rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, may_see_meeting
from veche.models import Meeting, Poll
from veche.models.polls import PollState
from veche.queries._listing import rows_of
from veche.queries.attendance import attendance_count
from veche.reports._words import figure
from veche.tally import Result, TieBreak
from veche.tally.numbers import Number


@dataclass(frozen=True)
class QuorumStatus:
    """Voting rights present (by weight) against the number the body's rule requires."""

    present: int
    rights: int
    required: int

    @property
    def met(self) -> bool:
        return self.present >= self.required


def quorum_status(session: Session, meeting: Meeting, day: date) -> QuorumStatus:
    """The quorum on ``day``, by the body's fraction of all rights, rounded up as the count
    rounds it; the rights counted are those a decision's count takes as present."""
    counted = attendance_count(session, meeting, day)
    required = meeting.term.body.quorum.required(counted.rights_total)
    return QuorumStatus(counted.rights_present, counted.rights_total, required)


def meeting_day(meeting: Meeting, today: date) -> date:
    """Today, kept within the meeting's days (before it: the first; after it: the last)."""
    return min(max(today, meeting.starts_on), meeting.ends_on)


def meeting_polls(session: Session, meeting: Meeting) -> list[Poll]:
    return rows_of(session, Poll, Poll.meeting_id == meeting.id, Poll.id, load=[Poll.options])


def console_poll(polls: list[Poll]) -> Poll | None:
    """The poll the console's "Now" panel shows: the open one; else the one counted or
    created last, so that a poll made ready after a result takes its place (the chair opens
    it next), where the old result stayed on show."""
    open_now = [poll for poll in polls if poll.state is PollState.OPEN]
    if open_now:
        return max(open_now, key=lambda poll: (poll.opened_at, poll.id))
    waiting = (PollState.CLOSED, PollState.PUBLISHED, PollState.DRAFT)
    return max(
        (poll for poll in polls if poll.state in waiting),
        key=lambda poll: (poll.closed_at or poll.created_at, poll.id),
        default=None,
    )


def meetings_seen(session: Session, caller: Caller) -> list[Meeting]:
    """The meetings the caller may see (by their place in them or a grant), newest first."""
    query = (
        select(Meeting)
        .where(may_see_meeting(caller))
        .order_by(Meeting.starts_on.desc(), Meeting.id.desc())
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Bar:
    label: str
    votes: str  # as read aloud: "12", "7.33333"
    share: float  # of the whole count's scale (``chart_rounds``), for the bar's length only
    elected: bool
    excluded: bool
    #: The round's line (``ChartRound.line``) is drawn across this bar.
    measured: bool = False


@dataclass(frozen=True)
class ChartLine:
    """The line drawn across a round's bars: the quota to reach (across every bar), or the
    yes votes a decision needed (across the yes bar alone)."""

    share: float  # where it falls on the count's scale
    votes: str
    quota: bool


@dataclass(frozen=True)
class ChartRound:
    number: int
    action: str
    quota: str | None
    bars: list[Bar]
    #: The tie this round broke, if any: who was level, by what means, who was chosen.
    tie: TieBreak | None = None
    line: ChartLine | None = None


def chart_rounds(result: dict[str, Any] | None) -> list[ChartRound]:
    """Each round of a stored count as bars, candidates in ballot order. Every round is drawn
    to one scale, the largest figure of the whole count (a total, the quota or the votes
    needed), so that 7 votes in one round and 3 in the next are drawn 7 to 3."""
    if not result or "candidates" not in result:
        return []
    counted = Result.from_dict(result)
    needed = counted.details.get("required") if counted.decision is not None else None
    figures = [Fraction(v) for r in counted.rounds for v in r.tallies.values()]
    figures += [Fraction(r.quota) for r in counted.rounds if r.quota is not None]
    figures += [Fraction(needed)] if needed is not None else []
    scale = max(figures, default=Fraction(0))
    rounds = []
    elected_so_far: set[str] = set()
    for count_round in counted.rounds:
        elected_so_far |= set(count_round.elected)
        line = count_round.quota if count_round.quota is not None else needed
        bars = [
            Bar(
                label=name,
                votes=figure(votes),
                share=_share(votes, scale),
                elected=name in elected_so_far,
                excluded=name in count_round.excluded,
                measured=line is not None and (count_round.quota is not None or name == "yes"),
            )
            for name, votes in count_round.tallies.items()
        ]
        quota = figure(count_round.quota) if count_round.quota is not None else None
        rounds.append(
            ChartRound(
                count_round.number,
                count_round.action,
                quota,
                bars,
                count_round.tie_break,
                ChartLine(_share(line, scale), figure(line), count_round.quota is not None)
                if line is not None and scale > 0
                else None,
            )
        )
    return rounds


def _share(votes: Number, scale: Fraction) -> float:
    return float(Fraction(votes) / scale) if scale > 0 else 0.0
