"""The searches' fold of text: each database folds a column as Python folds the words typed,
for names in any script, so what is typed in any case finds what is stored."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, create_engine, literal, select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.orm import Session, sessionmaker

from veche.folding import Folded, fold
from veche.models import Person
from veche.queries.records import containing

#: Letters of every script Python's Unicode knows: a character the database's newer Unicode
#: alone has assigned may fold there and not here. Never NUL, which no database of veche's
#: stores, nor a lone surrogate, which no UTF-8 text holds.
LETTERS = st.characters(exclude_categories=("Cs", "Cn"), exclude_characters="\x00")
#: How a letter may be typed: in capitals, in small letters, or as it stands.
CASES: list[Callable[[str], str]] = [str.upper, str.lower, str]


def test_names_in_any_script_fold_alike_in_any_case() -> None:
    for stored, typed in [
        ("Jürgen Ölmez", "ÖLMEZ"),
        ("Иван Петров", "иван"),
        ("Νίκος Παπαδόπουλος", "ΝΊΚΟΣ"),  # a capital sigma has no final form
        ("İlker Şahin", "ILKER ŞAHİN"),
        ("Željko Đurić", "đurić"),
        ("Groß", "GROẞ"),
    ]:
        assert fold(typed) in fold(stored), (stored, typed)
    assert fold("Ada LOVELACE") == "ada lovelace"


@st.composite
def typed_in_another_case(draw: st.DrawFn) -> tuple[str, str, str]:
    """A name, a part of it, and that part as a secretary might type it: each letter in
    either case."""
    name = draw(st.text(LETTERS, min_size=1, max_size=12))
    start = draw(st.integers(0, len(name) - 1))
    part = name[start : draw(st.integers(start + 1, len(name)))]
    cases = draw(st.lists(st.sampled_from(CASES), min_size=len(part), max_size=len(part)))
    return name, part, "".join(case(letter) for case, letter in zip(cases, part, strict=True))


def test_the_database_finds_what_python_finds(sessions: sessionmaker[Session]) -> None:
    """Whether a name holds the words typed is the same question on SQLite, on PostgreSQL
    and in Python; and a part of a name typed as it stands is always found."""

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(typed_in_another_case())
    def check(example: tuple[str, str, str]) -> None:
        name, part, typed = example
        stored = literal(name, String())
        with sessions() as session:
            folded, found, found_as_it_stands = session.execute(
                select(Folded(stored), containing(stored, typed), containing(stored, part))
            ).one()
        assert folded == fold(name)
        assert bool(found) == (fold(typed) in fold(name))
        assert found_as_it_stands

    check()


@given(st.text(LETTERS, min_size=1, max_size=12), st.data())
def test_a_part_of_a_name_as_it_stands_folds_into_its_folded_name(
    name: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    assert fold(name[start:end]) in fold(name)


#: Made without connecting: only their ways of writing SQL are used.
_POSTGRESQL = create_engine("postgresql+psycopg://compile@localhost/only").dialect


def test_each_database_folds_with_what_it_has() -> None:
    """SQLite lowers ASCII itself and calls the function each connection is given for the
    rest; PostgreSQL 17 and later lower with their built-in provider whatever the database's
    locale, older servers as the database's LC_CTYPE lowers."""
    query = select(Person.id).where(Folded(Person.full_name) == "ölmez")
    name = "person.full_name"
    assert (
        f"WHERE CASE WHEN length({name}) <> length(CAST({name} AS BLOB)) "
        f"THEN veche_fold({name}) ELSE lower({name}) END = ?"
    ) in str(query.compile(dialect=SQLiteDialect_pysqlite()))
    for version, lowered in [
        ((18, 1), 'lower((person.full_name) COLLATE "pg_c_utf8")'),
        ((17, 0), 'lower((person.full_name) COLLATE "pg_c_utf8")'),
        ((16, 4), "lower(person.full_name)"),
    ]:
        _POSTGRESQL.server_version_info = version
        compiled = str(query.compile(dialect=_POSTGRESQL))
        assert f"WHERE replace({lowered}, 'ς', 'σ') = %(param_1)s" in compiled, compiled
