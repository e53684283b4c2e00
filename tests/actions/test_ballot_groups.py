"""Ballots stored in groups: each keeps the answer it would have had alone, on both databases."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
import pytest
from anyio.from_thread import start_blocking_portal
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _open_decision
from tests.assembly import client_key
from tests.helpers import ADMIN, ballot_count, row_count, voter
from veche.actions.ballots import (
    CastReceipt,
    PreparedBallot,
    SentBallot,
    prepare_ballot,
    store_ballots,
)
from veche.actions.closing import do_close_poll
from veche.actions.intake import SWITCH_SECONDS, BallotIntake, BallotRequest
from veche.actions.journal import verify_journal
from veche.actions.polls import do_create_poll, do_open_poll
from veche.db import transaction
from veche.errors import Conflict, InvalidInput, NotFound, StorageFault
from veche.models import Ballot, JournalEntry, Participation, Poll
from veche.models.polls import PollKind

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _prepare(
    sessions: sessionmaker[Session], poll_id: int, person_id: int, option: int, key: str
) -> PreparedBallot:
    with transaction(sessions) as session:
        prepared = prepare_ballot(
            session, voter(person_id), SentBallot(poll_id, {"option": option}, key)
        )
    assert isinstance(prepared, PreparedBallot)
    return prepared


def _count(session: Session, model: type[Ballot] | type[Participation], poll_id: int) -> int:
    return session.scalar(select(func.count()).where(model.poll_id == poll_id)) or 0


def test_a_group_answers_each_ballot_as_if_it_came_alone(sessions: sessionmaker[Session]) -> None:
    poll_id, members, yes = _open_decision(sessions)
    with transaction(sessions) as session:
        meeting = session.get(Poll, poll_id).meeting  # type: ignore[union-attr]
        other = do_create_poll(
            session, ADMIN, meeting, title="Other", kind=PollKind.DECISION, method="majority"
        )
        session.flush()
        session.refresh(other)
        do_open_poll(session, ADMIN, other.id, date.today())
        other_id = other.id
        other_yes = next(o.id for o in other.options if o.label == "yes")
    early_key = client_key()
    with transaction(sessions) as session:
        early = store_ballots(session, [_prepare(sessions, poll_id, members[5], yes, early_key)])[0]
    assert isinstance(early, CastReceipt) and not early.replayed
    twice_key = client_key()
    group = [
        _prepare(sessions, poll_id, members[0], yes, client_key()),
        _prepare(sessions, poll_id, members[1], yes, twice_key),
        _prepare(sessions, poll_id, members[1], yes, twice_key),  # the phone resent it
        _prepare(sessions, poll_id, members[2], yes, client_key()),
        _prepare(sessions, poll_id, members[2], yes, client_key()),  # a second ballot
        _prepare(sessions, poll_id, members[5], yes, early_key),  # resent after it was stored
        _prepare(sessions, poll_id, members[6], yes, client_key()),
        _prepare(sessions, other_id, members[0], other_yes, client_key()),  # another poll
    ]
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, other_id)  # closed after the ballot was checked
    journal_before = _journal_length(sessions)
    with transaction(sessions) as session:
        outcomes = store_ballots(session, group)
    assert [type(o).__name__ for o in outcomes] == [
        "CastReceipt",
        "CastReceipt",
        "CastReceipt",
        "CastReceipt",
        "Conflict",
        "CastReceipt",
        "CastReceipt",
        "Conflict",
    ]
    receipts = [o for o in outcomes if isinstance(o, CastReceipt)]
    assert [r.replayed for r in receipts] == [False, False, True, False, True, False]
    assert receipts[1].receipt == receipts[2].receipt
    assert receipts[4].receipt == early.receipt
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    assert "already voted" in refusals[0].message
    assert refusals[1].message == "This vote has closed."
    with sessions() as session:
        assert ballot_count(session, poll_id) == _count(session, Participation, poll_id) == 5
        assert ballot_count(session, other_id) == 0
        assert verify_journal(session).holds
    # One journal entry per ballot stored, none for the refusals and resends.
    assert _journal_length(sessions) - journal_before == 4


def _journal_length(sessions: sessionmaker[Session]) -> int:
    return row_count(sessions, JournalEntry)


@dataclass
class HeldWrite:
    """An intake whose first commit waits until ``release`` is set; every ballot is cast from
    a thread of its own, and its answer kept under a name."""

    intake: BallotIntake
    commits: list[int]
    release: threading.Event
    cast: Callable[[str, BallotRequest], threading.Thread]
    answers: dict[str, CastReceipt | Exception]


@contextmanager
def _first_write_held(sessions: sessionmaker[Session], writers: int) -> Iterator[HeldWrite]:
    engine = sessions.kw["bind"]
    commits: list[int] = []
    release = threading.Event()

    def hold_first_commit(_connection: object) -> None:
        commits.append(1)
        if len(commits) == 1:
            release.wait(timeout=60)

    event.listen(engine, "commit", hold_first_commit)
    intake = BallotIntake(sessions, writers=writers)
    answers: dict[str, CastReceipt | Exception] = {}
    try:
        with start_blocking_portal() as loop:

            def answer(name: str, request: BallotRequest) -> None:
                try:
                    answers[name] = loop.call(intake.cast, request)
                except Exception as error:  # the test asserts on it
                    answers[name] = error

            def cast(name: str, request: BallotRequest) -> threading.Thread:
                thread = threading.Thread(target=answer, args=(name, request))
                thread.start()
                return thread

            yield HeldWrite(intake, commits, release, cast, answers)
    finally:
        release.set()  # a failed test does not leave the writer waiting
        event.remove(engine, "commit", hold_first_commit)
        intake.close()


def test_ballots_arriving_during_a_write_form_the_next_group(
    sessions: sessionmaker[Session],
) -> None:
    """With one writer (SQLite's number)."""
    poll_id, members, yes = _open_decision(sessions)
    ballots = [
        BallotRequest(voter(p), SentBallot(poll_id, {"option": yes}, client_key()))
        for p in members[:11]
    ]
    switch_before = sys.getswitchinterval()
    with _first_write_held(sessions, writers=1) as held:
        first = held.cast("0", ballots[0])
        _wait_for(lambda: len(held.commits) == 1)
        rest = [held.cast(str(n), ballot) for n, ballot in enumerate(ballots[1:], 1)]
        _wait_for(lambda: len(held.intake._waiting) == 10)  # all ten queue behind the write
        # While a writer exists, it gets Python's lock back soon after each round trip.
        assert sys.getswitchinterval() == min(switch_before, SWITCH_SECONDS)
        held.release.set()
        for thread in [first, *rest]:
            thread.join(timeout=60)
    assert sys.getswitchinterval() == switch_before  # as it was, once the intake is closed
    answers = list(held.answers.values())
    assert all(isinstance(a, CastReceipt) and not a.replayed for a in answers)
    assert len(answers) == 11
    assert len(held.commits) == 2  # the first ballot alone, then the ten that waited, together
    with sessions() as session:
        assert ballot_count(session, poll_id) == 11
        assert verify_journal(session).holds


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_resend_written_beside_its_first_copy_gets_the_same_receipt(
    sessions: sessionmaker[Session],
) -> None:
    """Two writers (as two server processes have): the first copy's group is held at its
    commit while the resend is written in the other group. The resend waits for the first copy, then is
    answered with its receipt; one ballot is stored."""
    poll_id, members, yes = _open_decision(sessions)
    ballot = BallotRequest(voter(members[0]), SentBallot(poll_id, {"option": yes}, client_key()))
    with _first_write_held(sessions, writers=2) as held:
        first = held.cast("first", ballot)
        _wait_for(lambda: len(held.commits) == 1)
        resend = held.cast("resend", ballot)
        _wait_for(lambda: not held.intake._waiting)  # taken by the second writer
        time.sleep(0.2)  # let it reach the first copy's row and wait there
        held.release.set()
        for thread in (first, resend):
            thread.join(timeout=60)
    first_answer, resent = held.answers["first"], held.answers["resend"]
    assert isinstance(first_answer, CastReceipt) and not first_answer.replayed
    assert isinstance(resent, CastReceipt) and resent.replayed
    assert resent.receipt == first_answer.receipt
    with sessions() as session:
        assert ballot_count(session, poll_id) == 1
        assert _count(session, Participation, poll_id) == 1
        assert verify_journal(session).holds


_DEADLOCK = psycopg.errors.DeadlockDetected("deadlock detected")


def _writer_failing(
    attempts: list[int], failures: int, error: Exception, written: list[Any]
) -> Callable[[Sequence[BallotRequest]], list[Any]]:
    """A stand-in for ``BallotIntake._write``: fails ``failures`` times with ``error``, then
    returns ``written``; each call is counted in ``attempts``."""

    def write(requests: Sequence[BallotRequest]) -> list[Any]:
        attempts.append(len(requests))
        if len(attempts) <= failures:
            raise DBAPIError("INSERT …", {}, error)
        return written

    return write


def test_a_group_undone_to_break_a_deadlock_is_written_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    intake = BallotIntake(sessionmaker(), writers=2)
    attempts: list[int] = []
    written: list[Any] = [Conflict("written")]

    monkeypatch.setattr(intake, "_write", _writer_failing(attempts, 1, _DEADLOCK, written))
    assert intake._write_group([]) is written
    assert attempts == [0, 0]

    attempts.clear()
    monkeypatch.setattr(intake, "_write", _writer_failing(attempts, 99, _DEADLOCK, written))
    with pytest.raises(DBAPIError):
        intake._write_group([])
    assert len(attempts) == 3  # then it gives up, and the group's voters learn of the failure

    attempts.clear()
    duplicate = psycopg.errors.UniqueViolation("duplicate key")
    monkeypatch.setattr(intake, "_write", _writer_failing(attempts, 99, duplicate, written))
    with pytest.raises(DBAPIError):
        intake._write_group([])
    assert len(attempts) == 1  # not a deadlock: not tried again


def test_a_ballot_cast_as_the_last_writer_finishes_is_still_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The voter answered last by a finishing writer casts again at once, before the event
    loop has run the finished writer's callbacks: a writer must still take the ballot."""
    intake = BallotIntake(sessionmaker(), writers=1)

    def write(requests: Sequence[BallotRequest]) -> list[CastReceipt]:
        return [CastReceipt(r.sent.poll_id, r.sent.client_key, 1, replayed=False) for r in requests]

    monkeypatch.setattr(intake, "_write_group", write)

    async def vote_twice() -> tuple[CastReceipt, CastReceipt]:
        first = await intake.cast(BallotRequest("token", SentBallot(1, {"option": 1}, "first")))
        # Awaited directly, so that it is queued in the very step the first answer woke.
        return first, await intake.cast(
            BallotRequest("token", SentBallot(2, {"option": 1}, "second"))
        )

    try:
        first, second = asyncio.run(asyncio.wait_for(vote_twice(), timeout=10))
    finally:
        intake.close()
    assert (first.receipt, second.receipt) == ("first", "second")


def _cast_together(
    intake: BallotIntake, requests: Sequence[BallotRequest]
) -> list[CastReceipt | Exception]:
    """Every request handed to the intake in the same moment, so that they form one group."""

    async def cast_all() -> list[CastReceipt | BaseException]:
        return await asyncio.gather(
            *(intake.cast(request) for request in requests), return_exceptions=True
        )

    try:
        answers = asyncio.run(asyncio.wait_for(cast_all(), timeout=60))
    finally:
        intake.close()
    assert all(isinstance(a, CastReceipt | Exception) for a in answers)
    return [a for a in answers if isinstance(a, CastReceipt | Exception)]


POISON = "poisoned-client-key-0001"


def test_a_fault_while_storing_one_ballot_fails_that_ballot_alone(
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A fault injected into the writer for one ballot of a group of twelve: the group is
    halved until that ballot is alone; it gets 503, the eleven others are stored."""
    poll_id, members, yes = _open_decision(sessions)
    tripped: list[str] = []

    def prepare_or_fail(session: Session, caller: Any, sent: SentBallot, **kwargs: Any) -> Any:
        if sent.client_key == POISON:
            tripped.append(POISON)
            raise RuntimeError("injected fault")
        return prepare_ballot(session, caller, sent, **kwargs)

    monkeypatch.setattr("veche.actions.intake.prepare_ballot", prepare_or_fail)
    requests = [
        BallotRequest(voter(p), SentBallot(poll_id, {"option": yes}, client_key()))
        for p in members[:12]
    ]
    requests[7] = BallotRequest(voter(members[7]), SentBallot(poll_id, {"option": yes}, POISON))
    with caplog.at_level(logging.ERROR, logger="veche.actions.intake"):
        answers = _cast_together(BallotIntake(sessions, writers=1), requests)
    assert [type(a).__name__ for a in answers] == ["CastReceipt"] * 7 + ["StorageFault"] + [
        "CastReceipt"
    ] * 4
    fault = answers[7]
    assert isinstance(fault, StorageFault) and fault.status_code == 503 and fault.retry_after
    assert len(tripped) > 1  # tried in the whole group first, then in ever smaller halves
    assert "injected fault" in caplog.text and f"poll {poll_id}" in caplog.text
    with sessions() as session:
        assert ballot_count(session, poll_id) == _count(session, Participation, poll_id) == 11
        assert verify_journal(session).holds


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"poll": 2**63}, id="poll-id-beyond-int64"),
        pytest.param({"poll": 2**31}, id="poll-id-beyond-int4"),
        pytest.param({"choice": {"option": "²"}}, id="superscript-two"),
        pytest.param({"choice": {"option": 2**70}}, id="huge-option"),
    ],
)
def test_a_malformed_ballot_among_honest_ones_harms_none_of_them(
    sessions: sessionmaker[Session], bad: dict[str, Any]
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    honest = [
        BallotRequest(voter(p), SentBallot(poll_id, {"option": yes}, client_key()))
        for p in members[:9]
    ]
    malformed = BallotRequest(
        voter(members[9]),
        SentBallot(bad.get("poll", poll_id), bad.get("choice", {"option": yes}), client_key()),
    )
    answers = _cast_together(
        BallotIntake(sessions, writers=1), [*honest[:4], malformed, *honest[4:]]
    )
    refusal = answers.pop(4)
    assert isinstance(refusal, NotFound | InvalidInput), refusal  # the sender's own 404 or 422
    assert all(isinstance(a, CastReceipt) and not a.replayed for a in answers)
    with sessions() as session:
        assert ballot_count(session, poll_id) == 9
