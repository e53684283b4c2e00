"""Checking every counted poll against the journal entry of its close (``veche verify``).

The close of a poll (``closing.do_close_poll``) writes into the hash-chained journal what it
counted and what came of it: the number of ballots, a digest of their content, a digest of
the result, the outcome, the options of the count and the seed of any lot. Here every closed
or published poll is held against that entry: its stored ballots are counted and digested
again, recounted with the entry's options and seed, and its stored result, outcome and
ballot digest are compared with what the entry recorded. A ballot changed, added or deleted
after the count, a result or an outcome rewritten, a poll set back to open, or a close
deleted from the journal is each named as a problem of its poll.

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

from veche.actions._findings import Findings
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
class _Close:
    seq: int
    payload: dict[str, Any]


def verify_polls(session: Session) -> PollsCheck:
    """Hold every closed or published poll against the journal entry of its close."""
    check = PollsCheck()
    closes = _close_entries(session, check)
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
    _check_closes_of_uncounted_polls(session, closes, check.problems)
    return check


def _close_entries(session: Session, check: PollsCheck) -> dict[int, _Close]:
    """Every close entry by its poll, in one pass over the journal's close entries."""
    closes: dict[int, _Close] = {}
    rows = session.execute(
        select(JournalEntry.seq, JournalEntry.payload)
        .where(JournalEntry.action == JournalAction.CLOSE_POLL.value)
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=2000)
    )
    for seq, payload in rows:
        poll_id = payload.get("poll_id") if isinstance(payload, dict) else None
        if not isinstance(poll_id, int) or isinstance(poll_id, bool):
            check.problems.append(
                PollProblem(None, None, f"journal entry {seq} closes a poll but names none")
            )
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
        closes[poll_id] = _Close(seq, payload)
    return closes


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
    poll: Poll, stored: list[CountedBallot], close: _Close, problems: list[PollProblem]
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
            if result_digest(recount) != payload.get("result_digest"):
                said = (
                    f"gives “{outcome}”, as its close recorded, but not the same result"
                    if outcome == payload.get("outcome")
                    else f"gives “{outcome}”, not “{payload.get('outcome')}” as its close recorded"
                )
                problems.append(_problem(poll, f"a recount of its stored ballots {said} ({entry})"))
    if poll.result is None or result_digest(poll.result) != payload.get("result_digest"):
        problems.append(
            _problem(poll, f"its stored result is not the one its close recorded ({entry})")
        )
    _check_outcome(poll, close, problems)


def _check_legacy(
    poll: Poll, stored: list[CountedBallot], close: _Close, problems: list[PollProblem]
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


def _check_outcome(poll: Poll, close: _Close, problems: list[PollProblem]) -> None:
    recorded = close.payload.get("outcome")
    if poll.outcome != recorded:
        problems.append(
            _problem(
                poll,
                f"its outcome reads “{poll.outcome}” but its close (journal entry {close.seq}) "
                f"recorded “{recorded}”",
            )
        )


def _check_closes_of_uncounted_polls(
    session: Session, closes: dict[int, _Close], problems: list[PollProblem]
) -> None:
    """Close entries left over name polls that are not closed, or no poll at all."""
    if not closes:
        return
    found: dict[int, tuple[str, PollState]] = {}
    ids = sorted(closes)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        for poll_id, title, state in session.execute(
            select(Poll.id, Poll.title, Poll.state).where(Poll.id.in_(chunk))
        ):
            found[poll_id] = (title, state)
    for poll_id in ids:
        seq = closes[poll_id].seq
        if poll_id not in found:
            problems.append(
                PollProblem(
                    poll_id, None, f"journal entry {seq} records its close, but it no longer exists"
                )
            )
            continue
        title, state = found[poll_id]
        problems.append(
            PollProblem(
                poll_id,
                title,
                f"journal entry {seq} records its close, but it is {state.value}",
            )
        )


def _problem(poll: Poll, detail: str) -> PollProblem:
    return PollProblem(poll.id, poll.title, detail)


def _ballots(n: int) -> str:
    return f"{n} ballot is" if n == 1 else f"{n} ballots are"


def _were(n: object) -> str:
    return "1 was" if n == 1 else f"{n} were"
