"""Checking every counted poll against the journal entry of its close (``veche verify``).

The close of a poll (``closing.do_close_poll``) writes into the hash-chained journal what it
counted and what came of it: the number of ballots, a digest of their content, a digest of
the result, the outcome, the options of the count and the seed of any lot. Here every closed
or published poll is held against that entry: its stored ballots are counted and digested
again, recounted with the entry's options and seed, and its stored result, outcome and
ballot digest are compared with what the entry recorded. A ballot changed, added or deleted
after the count, a result or an outcome rewritten, a poll set back to open, or a close
deleted from the journal is each named as a problem of its poll. The recount's outcome is held
against the one the close recorded, and the outcome its publication (``publish_poll``)
announced against the close's, so an outcome rewritten in the poll and in its close together
is found too.

Every poll's state is also held against the last step the journal records of it (created,
opened, closed, published, cancelled): a published poll set back to closed, hiding its result,
or a cancelled one opened again is named. A poll the journal records no step of is not held.

The journal's own chain (``journal.verify_journal``) says whether the entries themselves were
altered; what it cannot catch (the whole chain rewritten and hashed again) a head published
earlier catches (``veche verify --expect-head``).

Close entries written before results were committed to (no ``result_digest``) can only be
checked for what they hold: the number of ballots, and the ballot digest and the outcome
where they are recorded. Their polls are listed as not recounted.

One pass over the close entries, one over the counted polls in id order and one over their
ballots in the same order, one poll's ballots in memory at a time (the session keeps no
poll it has finished with: its identity map holds unchanged objects weakly).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from veche.actions._findings import Findings, is_id
from veche.actions.closing import CountedBallot, ballot_digest, result_digest, tally_ballots
from veche.actions.journal_actions import JournalAction
from veche.errors import VecheError
from veche.models import Ballot, JournalEntry, Poll
from veche.models.polls import PollState

#: The states of a poll that has been counted: its close is in the journal.
COUNTED_STATES = (PollState.CLOSED, PollState.PUBLISHED)

#: Polls and ballots are read from the database this many rows at a time.
_BATCH = 500


@dataclass(frozen=True)
class PollProblem:
    """What differs between a poll and the journal entry of its close."""

    poll_id: int | None
    title: str | None
    detail: str

    def __str__(self) -> str:
        if self.poll_id is None:
            return self.detail
        named = f"poll {self.poll_id}" + (f" ({self.title})" if self.title is not None else "")
        return f"{named}: {self.detail}"


@dataclass
class PollsCheck(Findings[PollProblem]):
    """The outcome of checking the counted polls against the journal."""

    #: Polls recounted from their stored ballots and found to match their close.
    recounted: int = 0
    #: Polls closed before results were committed to: only what their entry holds was checked.
    not_recounted: list[PollProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    """A journal entry of a poll's step (its close, its publication): number and payload."""

    seq: int
    payload: dict[str, Any]


#: The state each step of a poll journalled leaves it in (``POLL_TRANSITIONS``' steps).
_STEPS = {
    JournalAction.CREATE_POLL: PollState.DRAFT,
    JournalAction.OPEN_POLL: PollState.OPEN,
    JournalAction.CLOSE_POLL: PollState.CLOSED,
    JournalAction.PUBLISH_POLL: PollState.PUBLISHED,
    JournalAction.CANCEL_POLL: PollState.CANCELLED,
}

#: How a problem names the step that left a poll in a state.
_STEP_NAMES = {
    PollState.DRAFT: "its creation",
    PollState.OPEN: "its opening",
    PollState.CLOSED: "its close",
    PollState.PUBLISHED: "its publication",
    PollState.CANCELLED: "its cancellation",
}


@dataclass
class _Steps:
    """What the journal records of every poll: its close, its publication, and its last
    step (the entry and the state it left the poll in)."""

    closes: dict[int, _Entry] = field(default_factory=dict)
    publications: dict[int, _Entry] = field(default_factory=dict)
    last: dict[int, tuple[int, PollState]] = field(default_factory=dict)


def verify_polls(session: Session) -> PollsCheck:
    """Hold every closed or published poll against the journal entry of its close."""
    check = PollsCheck()
    steps = _poll_steps(session, check)
    closes = steps.closes
    ballots = _ballots_of_counted_polls(session)
    polls = session.scalars(
        select(Poll)
        .where(Poll.state.in_(COUNTED_STATES))
        .order_by(Poll.id)
        .options(selectinload(Poll.options))
        .execution_options(yield_per=_BATCH)
    )
    for poll in polls:
        stored = ballots.take(poll.id)
        close = closes.pop(poll.id, None)
        last = steps.last.pop(poll.id, None)
        if close is None:
            check.problems.append(
                _problem(
                    poll,
                    f"it is {poll.state.value} but the journal records no close of it: "
                    "its close entry was deleted, or it was never counted",
                )
            )
            continue
        before = len(check.problems)
        _check_counted_state(poll, close, last, check.problems)
        _check_publication(poll, close, steps.publications.get(poll.id), check.problems)
        if "result_digest" in close.payload:
            _check_counted(poll, stored, close, check.problems)
            if len(check.problems) == before:
                check.recounted += 1
        else:
            _check_legacy(poll, stored, close, check.problems)
            if len(check.problems) == before:
                check.not_recounted.append(
                    _problem(
                        poll,
                        f"its close (journal entry {close.seq}) predates results committed to "
                        "in the journal: its number of ballots was checked, but its ballots "
                        "and its result cannot be recounted against it",
                    )
                )
    _check_uncounted_polls(session, closes, steps.last, check.problems)
    return check


def _poll_steps(session: Session, check: PollsCheck) -> _Steps:
    """Every poll's close, publication and last step, in one pass over the journal's
    entries of polls' steps."""
    steps = _Steps()
    closes = steps.closes
    rows = session.execute(
        select(JournalEntry.seq, JournalEntry.action, JournalEntry.payload)
        .where(JournalEntry.action.in_([action.value for action in _STEPS]))
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=2000)
    )
    for seq, action, payload in rows:
        poll_id = payload.get("poll_id") if isinstance(payload, dict) else None
        closing = action == JournalAction.CLOSE_POLL.value
        if not isinstance(poll_id, int) or not is_id(poll_id):
            if closing:
                check.problems.append(
                    PollProblem(None, None, f"journal entry {seq} closes a poll but names none")
                )
            continue
        steps.last[poll_id] = (seq, _STEPS[JournalAction(action)])
        if action == JournalAction.PUBLISH_POLL.value:
            steps.publications.setdefault(poll_id, _Entry(seq, payload))
        if not closing:
            continue
        earlier = closes.get(poll_id)
        if earlier is not None:
            check.problems.append(
                PollProblem(
                    poll_id,
                    None,
                    f"the journal records its close twice (entries {earlier.seq} and {seq}); "
                    "a poll is counted once",
                )
            )
        closes[poll_id] = _Entry(seq, payload)
    return steps


class _BallotsByPoll:
    """The stored ballots of every counted poll, read in one pass by poll and receipt; a
    poll's ballots are taken in the same order as the polls (by id)."""

    def __init__(self, rows: Iterator[tuple[int, list[CountedBallot]]]) -> None:
        self._rows = rows
        self._next: tuple[int, list[CountedBallot]] | None = next(rows, None)

    def take(self, poll_id: int) -> list[CountedBallot]:
        while self._next is not None and self._next[0] < poll_id:
            self._next = next(self._rows, None)
        if self._next is None or self._next[0] != poll_id:
            return []
        ballots = self._next[1]
        self._next = next(self._rows, None)
        return ballots


def _ballots_of_counted_polls(session: Session) -> _BallotsByPoll:
    rows = session.execute(
        select(Ballot.poll_id, Ballot.receipt, Ballot.choice, Ballot.weight, Ballot.source)
        .join(Poll, Poll.id == Ballot.poll_id)
        .where(Poll.state.in_(COUNTED_STATES))
        .order_by(Ballot.poll_id, Ballot.receipt)
        .execution_options(yield_per=2000)
    )
    grouped = (
        (
            poll_id,
            [
                CountedBallot(receipt, choice, weight, source)
                for _poll, receipt, choice, weight, source in group
            ],
        )
        for poll_id, group in groupby(rows, key=lambda row: int(row[0]))
    )
    return _BallotsByPoll(grouped)


def _check_counted(
    poll: Poll, stored: list[CountedBallot], close: _Entry, problems: list[PollProblem]
) -> None:
    """A poll closed with its result committed to: everything is recounted and compared."""
    entry = f"journal entry {close.seq}"
    payload = close.payload
    counted = payload.get("ballots")
    digest = ballot_digest(stored)
    if counted != len(stored):
        problems.append(
            _problem(
                poll,
                f"{_ballots(len(stored))} stored but {_were(counted)} counted at its close "
                f"({entry})",
            )
        )
    elif digest != payload.get("ballot_digest"):
        problems.append(
            _problem(
                poll,
                f"its stored ballots are as many as those counted at its close ({entry}) but "
                "not the same: a ballot's choice, weight, source or receipt was changed",
            )
        )
    if poll.ballot_digest != payload.get("ballot_digest"):
        problems.append(
            _problem(
                poll, f"its ballot digest differs from the one recorded at its close ({entry})"
            )
        )
    options = payload.get("count_options")
    seed = payload.get("seed")
    if not isinstance(options, dict) or not (seed is None or isinstance(seed, int)):
        problems.append(
            _problem(poll, f"its close ({entry}) records no options or seed to recount it with")
        )
    else:
        try:
            recount, outcome = tally_ballots(poll, stored, options, seed)
        except Exception as error:  # stored ballots altered by hand may hold anything
            reason = error.message if isinstance(error, VecheError) else repr(error)
            problems.append(
                _problem(poll, f"its stored ballots cannot be recounted ({entry}): {reason}")
            )
        else:
            # The outcome is compared whatever the result's digest: an outcome rewritten in the
            # poll and in its close, the result left alone, is found by the recount alone.
            if outcome != payload.get("outcome"):
                said = f"gives “{outcome}”, not “{payload.get('outcome')}” as its close recorded"
            elif result_digest(recount) != payload.get("result_digest"):
                said = f"gives “{outcome}”, as its close recorded, but not the same result"
            else:
                said = None
            if said is not None:
                problems.append(_problem(poll, f"a recount of its stored ballots {said} ({entry})"))
    if poll.result is None or result_digest(poll.result) != payload.get("result_digest"):
        problems.append(
            _problem(poll, f"its stored result is not the one its close recorded ({entry})")
        )
    _check_outcome(poll, close, problems)


def _check_legacy(
    poll: Poll, stored: list[CountedBallot], close: _Entry, problems: list[PollProblem]
) -> None:
    """A close entry written before results were committed to: what it holds is checked."""
    payload = close.payload
    entry = f"journal entry {close.seq}"
    if "ballots" in payload and payload["ballots"] != len(stored):
        problems.append(
            _problem(
                poll,
                f"{_ballots(len(stored))} stored but {_were(payload['ballots'])} counted at "
                f"its close ({entry})",
            )
        )
    # Its digest was made another way then: compared as recorded, never recomputed.
    if "ballot_digest" in payload and poll.ballot_digest != payload["ballot_digest"]:
        problems.append(
            _problem(
                poll, f"its ballot digest differs from the one recorded at its close ({entry})"
            )
        )
    if "outcome" in payload:
        _check_outcome(poll, close, problems)


def _check_outcome(poll: Poll, close: _Entry, problems: list[PollProblem]) -> None:
    recorded = close.payload.get("outcome")
    if poll.outcome != recorded:
        problems.append(
            _problem(
                poll,
                f"its outcome reads “{poll.outcome}” but its close (journal entry {close.seq}) "
                f"recorded “{recorded}”",
            )
        )


def _check_publication(
    poll: Poll, close: _Entry, published: _Entry | None, problems: list[PollProblem]
) -> None:
    """The outcome its publication announced (where its entry records one) against its
    close's, or its own where the close records none."""
    if published is None or "outcome" not in published.payload:
        return
    announced = published.payload["outcome"]
    if "outcome" in close.payload:
        recorded, source = close.payload["outcome"], f"its close (journal entry {close.seq})"
    else:
        recorded, source = poll.outcome, "its outcome"
    if announced != recorded:
        problems.append(
            _problem(
                poll,
                f"its publication (journal entry {published.seq}) announced “{announced}” but "
                f"{source} reads “{recorded}”",
            )
        )


def _check_counted_state(
    poll: Poll, close: _Entry, last: tuple[int, PollState] | None, problems: list[PollProblem]
) -> None:
    """A counted poll's state against the last step the journal records of it. A published
    poll whose close predates results committed to in the journal is not held against a
    publication, which veche may not have journalled then."""
    seq, step = last if last is not None else (close.seq, PollState.CLOSED)
    if step is poll.state:
        return
    if step is PollState.CLOSED and "result_digest" not in close.payload:
        return
    problems.append(_state_problem(poll.id, poll.title, poll.state, seq, step))


def _state_problem(
    poll_id: int, title: str, state: PollState, seq: int, step: PollState
) -> PollProblem:
    if step is PollState.CLOSED:
        said = "the journal records no publication of it after its close"
    else:
        said = f"the journal's last entry of it records {_STEP_NAMES[step]}"
    return PollProblem(
        poll_id,
        title,
        f"it is {state.value} but {said} (journal entry {seq}): its state was changed outside "
        "veche",
    )


def _check_uncounted_polls(
    session: Session,
    closes: dict[int, _Entry],
    last: dict[int, tuple[int, PollState]],
    problems: list[PollProblem],
) -> None:
    """Close entries left over name polls that are not closed, or no poll at all; the other
    polls the journal records steps of are held against their last step."""
    if not last:
        return
    found: dict[int, tuple[str, PollState]] = {}
    ids = sorted(last)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        for poll_id, title, state in session.execute(
            select(Poll.id, Poll.title, Poll.state).where(Poll.id.in_(chunk))
        ):
            found[poll_id] = (title, state)
    for poll_id in ids:
        close = closes.get(poll_id)
        seq, step = (close.seq, PollState.CLOSED) if close is not None else last[poll_id]
        if poll_id not in found:
            problems.append(
                PollProblem(
                    poll_id,
                    None,
                    f"journal entry {seq} records {_STEP_NAMES[step]}, but it no longer exists",
                )
            )
            continue
        title, state = found[poll_id]
        if close is not None:
            problems.append(
                PollProblem(
                    poll_id,
                    title,
                    f"journal entry {seq} records its close, but it is {state.value}",
                )
            )
        elif state is not step:
            problems.append(_state_problem(poll_id, title, state, seq, step))


def _problem(poll: Poll, detail: str) -> PollProblem:
    return PollProblem(poll.id, poll.title, detail)


def _ballots(n: int) -> str:
    return f"{n} ballot is" if n == 1 else f"{n} ballots are"


def _were(n: object) -> str:
    return "1 was" if n == 1 else f"{n} were"
