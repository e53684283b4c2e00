"""Proxy limits and paper ballots hold when requests race, on SQLite and PostgreSQL alike.

Each thread has its own session and transaction, as each request of a real server does.
A racing write pauses just before it is flushed, so that every rival has made its checks by
then — unless a lock made it wait, which is what these tests are about.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _cast, _open_decision, _race
from tests.helpers import ADMIN, ballots_held, demo_organization, general_council_term, term_members
from veche.actions.access import access_meeting, access_poll
from veche.actions.attendance import do_check_out
from veche.actions.closing import do_close_poll
from veche.actions.meetings import do_create_meeting
from veche.actions.polls import PaperLot, do_enter_paper_ballots
from veche.actions.stand_ins import do_grant_proxy
from veche.db import transaction
from veche.errors import Conflict, Forbidden
from veche.models import Ballot, JournalEntry, Participation, Poll, Proxy
from veche.models.polls import BallotSource

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

PAUSE = 0.3  # seconds a racing write waits before it is flushed


@contextmanager
def _paused_before_writing(sessions: sessionmaker[Session], *models: type[Any]) -> Iterator[None]:
    """Every INSERT into these models' tables waits a moment before it goes to the database."""
    engine = sessions.kw["bind"]
    inserts = tuple(f"INSERT INTO {model.__tablename__} " for model in models)

    def pause(*args: Any) -> None:
        if args[2].lstrip().startswith(inserts):  # (connection, cursor, statement, …)
            time.sleep(PAUSE)

    event.listen(engine, "before_cursor_execute", pause)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", pause)


def _meeting(sessions: sessionmaker[Session], max_proxies: int) -> tuple[int, list[int]]:
    """A General Council meeting today whose body lets a member hold ``max_proxies``."""
    with transaction(sessions) as session:
        demo_organization(session)
        term = general_council_term(session)
        term.body.max_proxies_per_member = max_proxies
        meeting = do_create_meeting(session, ADMIN, term, "Plenary", starts_on=date.today())
        return meeting.id, term_members(session, term)


def _grant(sessions: sessionmaker[Session], meeting_id: int, grantor: int, holder: int) -> int:
    with transaction(sessions) as session:
        meeting = access_meeting(session, ADMIN, meeting_id)
        proxy = do_grant_proxy(
            session, ADMIN, meeting, grantor_person_id=grantor, holder_person_id=holder
        )
        return proxy.id


def _proxies(sessions: sessionmaker[Session]) -> list[tuple[int, int]]:
    with sessions() as session:
        return [(g, h) for g, h in session.execute(select(Proxy.grantor_id, Proxy.holder_id))]


def _granted(outcomes: list[Any]) -> list[int]:
    refused = [o for o in outcomes if not isinstance(o, int)]
    assert all(isinstance(o, Conflict) for o in refused), refused
    return [o for o in outcomes if isinstance(o, int)]


def test_racing_grants_to_one_holder_keep_the_bodys_limit(
    sessions: sessionmaker[Session],
) -> None:
    meeting_id, members = _meeting(sessions, max_proxies=2)
    holder, grantors = members[0], members[1:9]
    jobs: list[Callable[[], Any]] = [
        lambda g=grantor: _grant(sessions, meeting_id, g, holder)  # type: ignore[misc]
        for grantor in grantors
    ]
    with _paused_before_writing(sessions, Proxy):
        outcomes = _race(jobs)
    assert len(_granted(outcomes)) == 2
    refusals = [o.message for o in outcomes if isinstance(o, Conflict)]
    assert all("already holds 2 proxies" in message for message in refusals), refusals
    assert len(_proxies(sessions)) == 2


def test_racing_grants_form_no_cycle_and_no_chain(sessions: sessionmaker[Session]) -> None:
    meeting_id, members = _meeting(sessions, max_proxies=2)
    a, b, c, d, e = members[:5]
    pairs = [(a, b), (b, a), (c, d), (d, e), (e, c)]  # a two-way cycle and a triangle
    jobs: list[Callable[[], Any]] = [
        lambda g=grantor, h=holder: _grant(sessions, meeting_id, g, h)  # type: ignore[misc]
        for grantor, holder in pairs
    ]
    with _paused_before_writing(sessions, Proxy):
        outcomes = _race(jobs)
    _granted(outcomes)
    assert sum(isinstance(o, int) for o in outcomes[:2]) == 1
    assert sum(isinstance(o, int) for o in outcomes[2:]) == 1
    proxies = _proxies(sessions)
    grantors, holders = {g for g, _ in proxies}, {h for _, h in proxies}
    # No one both gives and holds a proxy: then no chain, and so no cycle, can exist.
    assert len(proxies) == 2 and grantors.isdisjoint(holders), proxies


def _enter(sessions: sessionmaker[Session], poll_id: int, option: int, count: int) -> int:
    with transaction(sessions) as session:
        poll = access_poll(session, ADMIN, poll_id)  # unlocked, as the tellers' page loads it
        return do_enter_paper_ballots(session, ADMIN, poll, [PaperLot({"option": option}, count)])


def _ballots(sessions: sessionmaker[Session], poll_id: int) -> dict[BallotSource, int]:
    with sessions() as session:
        return ballots_held(session, poll_id)


def test_racing_paper_lots_add_no_more_ballots_than_rights(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, members, yes = _open_decision(sessions)  # every member present: 30 rights
    assert len(members) == 30
    jobs: list[Callable[[], Any]] = [lambda: _enter(sessions, poll_id, yes, 20)] * 3
    with _paused_before_writing(sessions, Ballot):
        outcomes = _race(jobs)
    assert outcomes.count(20) == 1
    refusals = [o for o in outcomes if o != 20]
    assert all(isinstance(o, Conflict) for o in refusals), refusals
    assert all("only 10 voting rights are unused" in o.message for o in refusals)
    assert _ballots(sessions, poll_id) == {BallotSource.PAPER: 20}


def test_electronic_ballots_racing_a_paper_lot_stay_within_the_rights(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    jobs: list[Callable[[], Any]] = [lambda: _enter(sessions, poll_id, yes, 25)]
    jobs += [
        lambda p=person_id: _cast(sessions, poll_id, p, yes)  # type: ignore[misc]
        for person_id in members[:10]
    ]
    with _paused_before_writing(sessions, Ballot, Participation):
        outcomes = _race(jobs)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, Conflict) for o in refused), refused
    stored = _ballots(sessions, poll_id)
    assert sum(stored.values()) <= 30, stored
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)
    with sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None and poll.result is not None
        assert poll.result["details"]["yes"] == sum(stored.values())


def test_racing_electronic_ballots_fill_only_the_rights_left_beside_paper(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    assert _enter(sessions, poll_id, yes, 25) == 25  # 5 of the 30 rights are left
    jobs: list[Callable[[], Any]] = [
        lambda p=person_id: _cast(sessions, poll_id, p, yes)  # type: ignore[misc]
        for person_id in members[:10]
    ]
    with _paused_before_writing(sessions, Ballot, Participation):
        outcomes = _race(jobs)
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 5 and sum(isinstance(o, str) for o in outcomes) == 5, outcomes
    assert all("only 0 voting rights are unused" in o.message for o in refused)
    assert _ballots(sessions, poll_id) == {BallotSource.PAPER: 25, BallotSource.ELECTRONIC: 5}


def test_voters_checked_out_while_their_ballots_are_stored_leave_after_them(
    sessions: sessionmaker[Session],
) -> None:
    """A check-out racing its voter's ballot waits for it (the day's open polls locked, as a
    close locks them): the journal never shows a ballot cast by someone it had checked out
    before, which `veche verify` would have to take for a forgery."""
    poll_id, members, yes = _open_decision(sessions)
    voters = members[:6]
    jobs: list[Callable[[], Any]] = []
    for person_id in voters:
        jobs.append(lambda p=person_id: _cast(sessions, poll_id, p, yes))  # type: ignore[misc]
        jobs.append(lambda p=person_id: _check_out(sessions, poll_id, p))  # type: ignore[misc]
    with _paused_before_writing(sessions, Participation):
        outcomes = _race(jobs)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    # A ballot after its voter left is refused as from someone not present.
    assert all(isinstance(o, Conflict | Forbidden) for o in refused), refused
    with sessions() as session:
        entries = session.execute(
            select(JournalEntry.action, JournalEntry.payload)
            .where(JournalEntry.action.in_(["cast_ballot", "check_out"]))
            .order_by(JournalEntry.seq)
        ).all()
    gone: set[int] = set()
    for action, payload in entries:
        if action == "check_out":
            gone.add(payload["person_id"])
        else:
            assert payload["cast_by_person_id"] not in gone, entries


def _check_out(sessions: sessionmaker[Session], poll_id: int, person_id: int) -> None:
    with transaction(sessions) as session:
        poll = access_poll(session, ADMIN, poll_id)
        assert poll.day is not None
        do_check_out(session, ADMIN, poll.meeting, person_id, poll.day)
