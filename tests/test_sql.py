"""veche.sql: one list parameter for many values, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import create_engine, select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import load_demo_into
from veche.models import Person
from veche.sql import OneOf

BY_ID = select(Person.full_name).where(OneOf(Person.id, "ids")).order_by(Person.id)
BY_NAME = select(Person.id).where(OneOf(Person.full_name, "names")).order_by(Person.id)


def test_one_of_finds_exactly_the_listed_values_whatever_their_number(
    sessions: sessionmaker[Session],
) -> None:
    load_demo_into(sessions)
    with sessions() as session:
        people = session.execute(select(Person.id, Person.full_name).order_by(Person.id)).all()
        for count in (1, 2, 7, len(people)):
            wanted = people[:count]
            names = session.scalars(BY_ID, {"ids": [p.id for p in wanted]}).all()
            assert names == [p.full_name for p in wanted]
        assert session.scalars(BY_ID, {"ids": []}).all() == []
        assert session.scalars(BY_ID, {"ids": [-1, people[3].id]}).all() == [people[3].full_name]


def test_statements_that_differ_only_in_their_one_of_are_not_confused(
    sessions: sessionmaker[Session],
) -> None:
    """The statement cache tells them apart by column and parameter name."""
    load_demo_into(sessions)
    with sessions() as session:
        first = session.execute(select(Person.id, Person.full_name).order_by(Person.id)).first()
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
