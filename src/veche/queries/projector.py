"""What the hall's screen shows: the chair's choice (or the meeting as it goes) read into one
screen that fits the projector, a result's decisive round first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.polls import poll_rights
from veche.actions.projector import projector_of
from veche.i18n import _
from veche.models import AgendaItem, Contribution, Meeting, Poll
from veche.models.polls import OptionStatus, PollKind, PollState
from veche.models.projector import ProjectorShows
from veche.queries.floor import Floor, floor_view
from veche.queries.sitting import meeting_polls
from veche.reports._words import figure
from veche.tally import Result, Round, TieBreak
from veche.tally.numbers import Number

#: A decision's answers, in the order the screen shows them, with the words it shows.
_ANSWERS = {"yes": "Yes", "no": "No", "abstain": "Abstain"}


@dataclass(frozen=True)
class Turnout:
    """How many votes a poll has received against the voting rights present for it, each
    right by its weight; blank ballots are known once the poll is counted."""

    received: int
    eligible: int
    blank: int = 0


@dataclass(frozen=True)
class ResultBar:
    """One row of the decisive round: a candidate, an option or an answer, with its total."""

    label: str
    votes: str
    share: float  # of the chart's scale: the bar's length, 0 to 1
    tone: str  # "yes", "no", "abstain" or "option": the bar's colour (its label says it too)
    seats: int  # seats won (more than one for a list)
    excluded: bool


@dataclass(frozen=True)
class Threshold:
    """The line drawn on the bars: the quota to reach, or the yes votes needed to adopt."""

    share: float  # where it falls on the chart's scale
    votes: str
    quota: bool  # a quota (every candidate's bar), or the yes votes needed (the yes bar only)


@dataclass(frozen=True)
class EarlierRound:
    """A round before the decisive one, compact: each candidate's total and what befell them."""

    number: int
    action: str
    votes: dict[str, str]  # by label; a candidate no longer counted is left out
    elected: list[str]
    excluded: list[str]
    #: The votes that could go to no one still counted, so far; None when none could not.
    exhausted: str | None = None


@dataclass(frozen=True)
class ScreenResult:
    """A published result as the screen shows it: the decisive round first."""

    decision: str | None  # "adopted", "rejected", "no quorum"; None for an election or a choice
    elected: list[str]  # in the order elected, each once
    round_number: int
    rounds: int
    bars: list[ResultBar]
    threshold: Threshold | None
    earlier: list[EarlierRound]
    #: The rows of the earlier rounds: the decisive round's order, then those counted out.
    candidates: list[str] = field(default_factory=list)
    #: The quorum a decision did not reach: the rights present and those required.
    quorum: Mapping[str, Any] | None = None
    #: Every tie the count broke (by lot, by earlier rounds…), in the order it met them.
    ties: list[TieBreak] = field(default_factory=list)
    #: The votes of the decisive round that could go to no one still counted (single
    #: transferable vote); None when none could not.
    exhausted: str | None = None
    #: A round after the decisive one that moved no votes but broke a tie (a draw of lots):
    #: it, not the bars' round, decided.
    settled_in: Round | None = None


@dataclass(frozen=True)
class ProjectorScreen:
    """What the screen shows now, and what it needs to show it."""

    meeting: Meeting
    #: What the chair chose; ``shows`` is what it comes to now (following the meeting, a
    #: poll, the speaker or, with nothing going on, a welcome).
    chosen: ProjectorShows
    shows: ProjectorShows
    floor: Floor
    next_item: AgendaItem | None
    server_now: datetime
    message: str = ""
    poll: Poll | None = None
    turnout: Turnout | None = None
    result: ScreenResult | None = None
    #: The options or candidates of a poll not yet counted.
    options: list[str] = field(default_factory=list)


def projector_screen(session: Session, meeting: Meeting) -> ProjectorScreen:
    """The screen of ``meeting``'s projector, as the chair chose it (or following the meeting)."""
    view = floor_view(session, meeting, None)
    projector = projector_of(session, meeting.id)
    chosen = projector.shows if projector is not None else ProjectorShows.FOLLOW
    shows, poll = chosen, projector.poll if projector is not None else None
    if chosen is ProjectorShows.FOLLOW:
        shows, poll = _followed(session, meeting, view.floor)
    screen = ProjectorScreen(
        meeting,
        chosen=chosen,
        shows=shows,
        floor=view.floor,
        next_item=view.next_item,
        server_now=view.server_now,
        message=projector.message if projector is not None else "",
    )
    if poll is None:
        return screen
    return replace(
        screen,
        poll=poll,
        turnout=turnout(session, poll),
        # The hall sees a result once the chair publishes it, never before.
        result=screen_result(poll) if poll.state is PollState.PUBLISHED else None,
        options=[
            option.label
            for option in poll.options
            if option.status is not OptionStatus.WITHDRAWN and poll.kind is not PollKind.DECISION
        ],
    )


def _followed(
    session: Session, meeting: Meeting, floor: Floor
) -> tuple[ProjectorShows, Poll | None]:
    """The meeting as it goes: a poll while it is open; the latest counted poll until the
    floor moves on (something said on the item under discussion after it, or that item is
    not the poll's); else the floor of the item under discussion; else a welcome."""
    polls = meeting_polls(session, meeting)
    open_polls = [poll for poll in polls if poll.state is PollState.OPEN]
    if open_polls:
        return ProjectorShows.POLL, max(open_polls, key=lambda poll: (_last_step(poll), poll.id))
    counted = [poll for poll in polls if poll.state in (PollState.CLOSED, PollState.PUBLISHED)]
    if counted:
        latest = max(counted, key=lambda poll: (_last_step(poll), poll.id))
        if _still_news(session, latest, floor.item):
            return ProjectorShows.POLL, latest
    if floor.item is not None:
        return ProjectorShows.SPEAKER, None
    return ProjectorShows.BLANK, None


def _last_step(poll: Poll) -> datetime:
    return poll.published_at or poll.closed_at or poll.opened_at or poll.created_at


def _still_news(session: Session, poll: Poll, item: AgendaItem | None) -> bool:
    if item is None:
        return True
    if poll.agenda_item_id not in (None, item.id):
        return False  # the poll was on another item: the meeting has moved on to this one
    said_since = session.scalar(
        select(func.max(Contribution.created_at)).where(Contribution.agenda_item_id == item.id)
    )
    return said_since is None or said_since <= _last_step(poll)


def turnout(session: Session, poll: Poll) -> Turnout | None:
    """The votes a poll has received against the rights present for it; none before it opens.
    Once counted, the count's own figures (the ballots it counted, the members present it
    took for a decision)."""
    if poll.state in (PollState.DRAFT, PollState.CANCELLED) or poll.day is None:
        return None
    result = poll.result or {}
    counted = result.get("ballots_by_source")
    options = result.get("options") or {}
    if counted is not None and options.get("members_present") is not None:
        received = sum(int(votes) for votes in counted.values())
        return Turnout(received, int(options["members_present"]), int(result.get("blank", 0)))
    rights = poll_rights(session, poll.id, poll.meeting_id, poll.day)
    if counted is not None:
        received = sum(int(votes) for votes in counted.values())
        return Turnout(received, max(rights.present, received), int(result.get("blank", 0)))
    return Turnout(rights.electronic + rights.paper, rights.present)


def screen_result(poll: Poll) -> ScreenResult | None:
    """The poll's stored result, the decisive round (the last that gives totals) first."""
    if not poll.result or "candidates" not in poll.result:
        return None
    counted = Result.from_dict(poll.result)
    with_totals = [count_round for count_round in counted.rounds if count_round.tallies]
    elected = list(dict.fromkeys(counted.elected))
    if not with_totals:
        return ScreenResult(counted.decision, elected, 0, len(counted.rounds), [], None, [])
    decisive = with_totals[-1]
    decision = poll.kind is PollKind.DECISION
    excluded = {name for count_round in with_totals for name in count_round.excluded}
    needed = counted.details.get("required") if decision else None
    line: Number | None = needed if decision else decisive.quota
    scale = max([Fraction(v) for v in decisive.tallies.values()] + [Fraction(line or 0)])
    order = _order(decisive, elected, decision)
    bars = [
        ResultBar(
            label=_(_ANSWERS[name]) if decision and name in _ANSWERS else name,
            votes=figure(decisive.tallies[name]),
            share=_share(decisive.tallies[name], scale),
            tone=name if decision and name in _ANSWERS else "option",
            seats=counted.elected.count(name),
            excluded=name in excluded and name not in elected,
        )
        for name in order
    ]
    threshold = (
        Threshold(_share(line, scale), figure(line), quota=not decision)
        if line is not None and scale > 0
        else None
    )
    quorum = counted.details.get("quorum") if counted.decision == "no quorum" else None
    earlier = with_totals[:-1]
    counted_out = [
        name
        for name in counted.candidates
        if name not in order and any(name in r.tallies for r in earlier)
    ]
    return ScreenResult(
        counted.decision,
        elected,
        decisive.number,
        len(counted.rounds),
        bars,
        threshold,
        [_earlier(count_round) for count_round in earlier],
        candidates=order + counted_out,
        quorum=quorum,
        ties=[r.tie_break for r in counted.rounds if r.tie_break is not None],
        exhausted=_exhausted(decisive),
        settled_in=next(
            (r for r in reversed(counted.rounds) if r.number > decisive.number and r.tie_break),
            None,
        ),
    )


def _order(decisive: Round, elected: Sequence[str], decision: bool) -> list[str]:
    """A decision's answers as the ballot gives them; otherwise those elected, in the order
    elected, then the others by their total, highest first."""
    names = list(decisive.tallies)
    if decision:
        return [answer for answer in _ANSWERS if answer in decisive.tallies]
    rest = [name for name in names if name not in elected]
    rest.sort(key=lambda name: Fraction(decisive.tallies[name]), reverse=True)
    return [name for name in elected if name in decisive.tallies] + rest


def _share(votes: Number, scale: Fraction) -> float:
    return float(Fraction(votes) / scale) if scale > 0 else 0.0


def _earlier(count_round: Round) -> EarlierRound:
    return EarlierRound(
        count_round.number,
        count_round.action,
        {name: figure(votes) for name, votes in count_round.tallies.items()},
        list(count_round.elected),
        list(count_round.excluded),
        _exhausted(count_round),
    )


def _exhausted(count_round: Round) -> str | None:
    """The round's non-transferable votes as the hall reads them; None for none."""
    return figure(count_round.exhausted) if count_round.exhausted else None
