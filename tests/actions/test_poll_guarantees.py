"""The voting core's guarantees under concurrency, on SQLite and PostgreSQL alike.

Each thread has its own session and transaction, as each request of a real server does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import client_key
from tests.helpers import ADMIN, ballot_count, plenary_with_members_present, voter
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import do_close_poll
from veche.actions.intake import BallotIntake, BallotRequest
from veche.actions.polls import do_create_poll, do_open_poll
from veche.db import transaction
from veche.errors import Conflict
from veche.models import Ballot, Participation, Poll
from veche.models.polls import PollKind

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _open_decision(sessions: sessionmaker[Session]) -> tuple[int, list[int], int]:
    """A General Council meeting today with every member present and a decision open."""
    today = date.today()
    with transaction(sessions) as session:
        meeting, members = plenary_with_members_present(session, today)
        poll = do_create_poll(
            session, ADMIN, meeting, title="Decide", kind=PollKind.DECISION, method="majority"
        )
        session.flush()
        session.refresh(poll)
        do_open_poll(session, ADMIN, poll.id, today)
        yes = next(o.id for o in poll.options if o.label == "yes")
        return poll.id, members, yes


def _race(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job at once (released together by a barrier); return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = jobs[index]()
        except Exception as error:  # collected and asserted on by the test
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


Cast = Callable[[int, int, int], str]


@pytest.fixture(params=["alone", "grouped"])
def cast(request: pytest.FixtureRequest, sessions: sessionmaker[Session]) -> Iterator[Cast]:
    """Cast a ballot (poll, person, option) → receipt: in a transaction of its own, or
    through the group intake on an event loop, as the API and the pages do."""
    if request.param == "alone":
        yield lambda poll_id, person_id, option: _cast(sessions, poll_id, person_id, option)
        return
    intake = BallotIntake(sessions)

    with start_blocking_portal() as loop:

        def grouped(poll_id: int, person_id: int, option: int) -> str:
            ballot = BallotRequest(
                voter(person_id), SentBallot(poll_id, {"option": option}, client_key())
            )
            return loop.call(intake.cast, ballot).receipt

        yield grouped
    intake.close()


def _cast(sessions: sessionmaker[Session], poll_id: int, person_id: int, option: int) -> str:
    with transaction(sessions) as session:
        cast = do_cast_ballot(
            session, voter(person_id), SentBallot(poll_id, {"option": option}, client_key())
        )
        return cast.receipt


def _close(sessions: sessionmaker[Session], poll_id: int) -> str | None:
    with transaction(sessions) as session:
        return do_close_poll(session, ADMIN, poll_id).ballot_digest


def _stored(sessions: sessionmaker[Session], poll_id: int) -> tuple[int, int]:
    with sessions() as session:
        ballots = ballot_count(session, poll_id)
        rights = session.scalar(select(func.count()).where(Participation.poll_id == poll_id)) or 0
    return ballots, rights


def test_fifty_concurrent_ballots_from_one_right_store_one(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    outcomes = _race([lambda: cast(poll_id, members[0], yes)] * 50)
    receipts = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(receipts) == 1 and len(refusals) == 49
    assert all("already voted" in r.message for r in refusals)
    assert _stored(sessions, poll_id) == (1, 1)


def test_ballots_racing_closes_all_report_the_same_ballot_set(
    sessions: sessionmaker[Session], cast: Cast
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    voters = members[:25] * 2  # 50 casts: each of 25 members tries twice
    jobs: list[Callable[[], Any]] = []
    for person_id in voters:
        jobs.append(lambda p=person_id: cast(poll_id, p, yes))  # type: ignore[misc]
        jobs.append(lambda: _close(sessions, poll_id))
    outcomes = _race(jobs)
    casts, closes = outcomes[0::2], outcomes[1::2]
    digests = set(closes)
    assert len(digests) == 1 and None not in digests, closes
    accepted = {o for o in casts if isinstance(o, str)}
    refused = [o for o in casts if not isinstance(o, str)]
    assert all(isinstance(o, Conflict) for o in refused), refused
    assert all("already voted" in o.message or "has closed" in o.message for o in refused)
    ballots, rights = _stored(sessions, poll_id)
    assert ballots == rights == len(accepted)
    with sessions() as session:
        stored = set(session.scalars(select(Ballot.receipt).where(Ballot.poll_id == poll_id)))
        poll = session.get(Poll, poll_id)
        assert poll is not None
        assert poll.result is not None and poll.result["ballots"] == len(accepted)
    assert stored == accepted


def test_one_vote_per_right_is_a_database_constraint(sessions: sessionmaker[Session]) -> None:
    poll_id, members, yes = _open_decision(sessions)
    _cast(sessions, poll_id, members[0], yes)
    with pytest.raises(IntegrityError), transaction(sessions) as session:
        session.add(
            Participation(
                poll_id=poll_id,
                right_person_id=members[0],
                cast_by_person_id=members[0],
                kind="own",
                weight=1,
            )
        )


def test_stored_order_of_secret_ballots_is_not_casting_order(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    cast_order = [_cast(sessions, poll_id, person_id, yes) for person_id in members]
    _close(sessions, poll_id)
    with sessions() as session:
        # No ORDER BY: the order the database keeps the rows in.
        stored = list(
            session.execute(
                text("SELECT receipt FROM ballot WHERE poll_id = :poll"), {"poll": poll_id}
            ).scalars()
        )
    assert sorted(stored) == sorted(cast_order)
    # Stored all at once at the count, shuffled (by receipt on SQLite, which keeps a table
    # without rowid in key order): equal to casting order only with chance 1 in 30!.
    assert stored != cast_order
