"""veche.sql: one list parameter for many values, and many rows in one insert, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import general_council_term, load_demo_into
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.meetings import do_create_meeting
from veche.actions.polls import do_create_poll
from veche.db import transaction
from veche.models import Ballot, JournalEntry, Person
from veche.models.polls import BallotSource, PollKind
from veche.sql import OneOf, insert_rows

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

BY_ID = select(Person.full_name).where(OneOf(Person.id, "ids")).order_by(Person.id)
BY_NAME = select(Person.id).where(OneOf(Person.full_name, "names")).order_by(Person.id)
PEOPLE = select(Person.id, Person.full_name).order_by(Person.id)


@pytest.fixture
def demo(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The sessions of a database holding the demo organization, on each database."""
    load_demo_into(sessions)
    return sessions


def test_one_of_finds_exactly_the_listed_values_whatever_their_number(
    demo: sessionmaker[Session],
) -> None:
    with demo() as session:
        people = session.execute(PEOPLE).all()
        for count in (1, 2, 7, len(people)):
            wanted = people[:count]
            names = session.scalars(BY_ID, {"ids": [p.id for p in wanted]}).all()
            assert names == [p.full_name for p in wanted]
        assert session.scalars(BY_ID, {"ids": []}).all() == []
        assert session.scalars(BY_ID, {"ids": [-1, people[3].id]}).all() == [people[3].full_name]


def test_statements_that_differ_only_in_their_one_of_are_not_confused(
    demo: sessionmaker[Session],
) -> None:
    """The statement cache tells them apart by column and parameter name."""
    with demo() as session:
        first = session.execute(PEOPLE).first()
        assert first is not None
        assert session.scalars(BY_ID, {"ids": [first.id]}).all() == [first.full_name]
        assert session.scalars(BY_NAME, {"names": [first.full_name]}).all() == [first.id]
        # The same statement but for the column: a cache keyed on the statement's shape
        # alone would run the first one's SQL for the second.
        by_id = select(Person.id).where(OneOf(Person.id, "values"))
        by_name = select(Person.id).where(OneOf(Person.full_name, "values"))
        assert session.scalars(by_id, {"values": [first.id]}).all() == [first.id]
        assert session.scalars(by_name, {"values": [first.full_name]}).all() == [first.id]


#: Made without connecting: only its way of writing SQL is used.
_POSTGRESQL = create_engine("postgresql+psycopg://compile@localhost/only").dialect


def test_one_of_is_a_plain_condition_that_indexes_can_serve() -> None:
    """As ``IN (…)`` on SQLite, with no ``= 1`` after it (which hides the column from its
    index), and as one array on PostgreSQL."""
    on_sqlite = str(BY_ID.compile(dialect=SQLiteDialect_pysqlite()))
    assert "WHERE person.id IN (__[POSTCOMPILE_ids]) ORDER BY" in on_sqlite
    on_postgresql = str(BY_ID.compile(dialect=_POSTGRESQL))
    assert "person.id = ANY (%(ids)s::INTEGER[])" in on_postgresql


_SYSTEM = Caller(Actor(None, "system: test"), None, True, None)


def _journal_rows(first_seq: int) -> list[dict[str, Any]]:
    at = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)
    tricky = ['quote " and \\ backslash', "comma, {brace}", "Ünïcödé — ✓", "", "NULL"]
    return [
        {
            "seq": first_seq + n,
            "at": at + timedelta(seconds=n),
            "action": f"test_{n}",
            "actor_id": None,
            "actor_name": text,
            "payload": {"text": text, "nested": {"list": [n, None, True]}, "n": n},
            "prev_hash": "0" * 64,
            "hash": f"{n:064x}",
        }
        for n, text in enumerate(tricky)
    ]


def test_insert_rows_stores_every_value_as_given(sessions: sessionmaker[Session]) -> None:
    load_demo_into(sessions)
    with transaction(sessions) as session:
        term = general_council_term(session)
        meeting = do_create_meeting(session, _SYSTEM, term, "Plenary", starts_on=date.today())
        poll = do_create_poll(
            session, _SYSTEM, meeting, title="Decide", kind=PollKind.DECISION, method="majority"
        )
        session.flush()
        poll_id = poll.id
    with transaction(sessions) as session:
        first_seq = (session.scalar(select(func.max(JournalEntry.seq))) or 0) + 100
        rows = _journal_rows(first_seq)
        insert_rows(session.connection(), JournalEntry, rows)
        ballots = [
            {
                "poll_id": poll_id,
                "receipt": f"test-receipt-{n}",
                "choice": {"ranking": [3, 1, 2], "note": 'a "quoted" choice'} if n else "yes",
                "weight": n + 1,
                "source": BallotSource.PAPER if n else BallotSource.ELECTRONIC,
                "voter_person_id": None,
                "cast_by_person_id": None,
            }
            for n in range(3)
        ]
        insert_rows(session.connection(), Ballot, ballots)
    with sessions() as session:
        stored = session.scalars(
            select(JournalEntry).where(JournalEntry.seq >= first_seq).order_by(JournalEntry.seq)
        ).all()
        assert [{column: getattr(entry, column) for column in rows[0]} for entry in stored] == rows
        kept = session.scalars(
            select(Ballot)
            .where(Ballot.receipt.startswith("test-receipt-"))
            .order_by(Ballot.receipt)
        ).all()
        assert [{column: getattr(b, column) for column in ballots[0]} for b in kept] == ballots


def test_insert_rows_inserts_all_or_nothing(sessions: sessionmaker[Session]) -> None:
    """A unique constraint refuses the whole group, which is how the ballot writer knows to
    try its rows one by one."""
    load_demo_into(sessions)
    with transaction(sessions) as session:
        first_seq = (session.scalar(select(func.max(JournalEntry.seq))) or 0) + 100
        before = session.scalar(select(func.count()).select_from(JournalEntry))
        rows = _journal_rows(first_seq)
        rows[-1]["seq"] = rows[0]["seq"]
        with pytest.raises(IntegrityError), session.begin_nested():
            insert_rows(session.connection(), JournalEntry, rows)
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == before


def test_insert_rows_refuses_a_value_json_cannot_carry(sessions: sessionmaker[Session]) -> None:
    load_demo_into(sessions)
    rows = _journal_rows(10_000)
    rows[1]["actor_name"] = object()
    with transaction(sessions) as session, pytest.raises((TypeError, StatementError)):
        insert_rows(session.connection(), JournalEntry, rows)
