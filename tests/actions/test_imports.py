"""Importing members from CSV: all rows or none, with each problem named by its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.helpers import load_demo_into, row_counts
from veche.actions.journal_actions import JournalAction
from veche.cli import app
from veche.models import JournalEntry, Membership, Person

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

HEADER = "name,body,term,role,email,unit,from,to\n"
GOOD_ROWS = [
    "Ilse Varga,General Council,8,member,ilse@riverlands.example,Dockers' Branch,2025-05-01,\n",
    "Ilse Varga,Audit Commission,8,alternate,ilse@riverlands.example,Dockers' Branch,,\n",
    "Tomas Reyes,Executive Bureau,3rd,alternate,,Textile Branch,,2027-05-01\n",
]


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    return row_counts(sessions, Person, Membership, JournalEntry)


def _import(database_url: str, path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", "members", str(path), "--db", database_url])
    return result.exit_code, result.output


def test_a_good_file_imports_people_and_memberships(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    load_demo_into(sessions)
    people, memberships, _ = _counts(sessions)
    path = tmp_path / "members.csv"
    path.write_text(HEADER + "".join(GOOD_ROWS), encoding="utf-8")
    code, output = _import(database_url, path)
    assert code == 0, output
    assert _counts(sessions)[:2] == (people + 2, memberships + 3)
    with sessions() as session:
        ilse = session.scalars(select(Person).where(Person.full_name == "Ilse Varga")).one()
        roles = sorted((m.term.body.name, m.role.value) for m in ilse.memberships)
        assert roles == [("Audit Commission", "alternate"), ("General Council", "member")]
        assert ilse.unit is not None and ilse.unit.name == "Dockers' Branch"
        last = session.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())).first()
        assert last is not None and last.action == JournalAction.IMPORT_MEMBERS
        assert last.actor_name == "system: import members"


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_spreadsheets_semicolons_or_tabs_import_as_commas_do(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path, separator: str
) -> None:
    """Spreadsheets save CSV with semicolons where the comma is the decimal mark."""
    load_demo_into(sessions)
    people, memberships, _ = _counts(sessions)
    path = tmp_path / "members.csv"
    rows = [HEADER, *GOOD_ROWS]
    path.write_text("".join(row.replace(",", separator) for row in rows), encoding="utf-8")
    code, output = _import(database_url, path)
    assert code == 0, output
    assert _counts(sessions)[:2] == (people + 2, memberships + 3)


BAD_ROWS = [
    ("Ann Lee,Board of Lighthouses,8,member,,,,\n", "unknown body 'Board of Lighthouses'"),
    (
        "Ann Lee,General Council,8,chairman,,,,\n",
        "role must be member or alternate, not 'chairman'",
    ),
    ("Ann Lee,General Council,8,member,,,2025-13-01,\n", "malformed date in column 'from'"),
    ("Ann Lee,General Council,8,member,,,01/05/2025,\n", "malformed date in column 'from'"),
    ("Ann Lee,General Council,9,member,,,,\n", "General Council has no term 9"),
    ("Ann Lee,General Council,8,member,not-an-address,,,\n", "is not an e-mail address"),
    ("Ann Lee,General Council,8,member,,Atlantis Branch,,\n", "unknown unit 'Atlantis Branch'"),
    (GOOD_ROWS[0], "duplicate person: Ilse Varga is already listed"),
    ("Ada Arnold,General Council,8,member,person1@riverlands.example,,,\n", "already holds a seat"),
    ("Other Name,Executive Bureau,3,member,ilse@riverlands.example,,,\n", "belongs to Ilse Varga"),
]


@pytest.mark.parametrize(("bad_row", "message"), BAD_ROWS)
def test_one_bad_line_aborts_the_whole_import(
    bad_row: str,
    message: str,
    database_url: str,
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    load_demo_into(sessions)
    before = _counts(sessions)
    path = tmp_path / "members.csv"
    # The bad row comes fourth (line 5), after three good ones that must not be kept either.
    path.write_text(HEADER + "".join(GOOD_ROWS) + bad_row, encoding="utf-8")
    code, output = _import(database_url, path)
    assert code == 2
    assert "line 5:" in output and message in output
    assert "nothing was imported" in output
    assert _counts(sessions) == before


def test_header_problems_are_reported(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    load_demo_into(sessions)
    path = tmp_path / "members.csv"
    path.write_text("name,organ,role,colour\nAnn,General Council,member,red\n", encoding="utf-8")
    code, output = _import(database_url, path)
    assert code == 2
    assert "missing column(s): body" in output and "unknown column(s): organ, colour" in output


def test_a_missing_file_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    code, output = _import(database_url, tmp_path / "nowhere.csv")
    assert code == 2 and "cannot read" in output
