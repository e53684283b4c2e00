"""Input that read as something nobody typed: names that show nothing or turn the text round,
figures in digits other than 0 to 9, member files with a column named twice or a quote never
closed — each refused, saying what is wrong."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization
from veche.actions.follow_up_csv.lines import parse_decimal
from veche.actions.imports import ImportRejected, check_member_rows
from veche.actions.org import check_name
from veche.db import transaction
from veche.decimals import decimal_number
from veche.errors import InvalidInput
from veche.web.inputs_follow_up import ValueIn

#: The tests that read the demo organization load it (see tests/conftest.py).
pytestmark = pytest.mark.demo


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("\u200b", "name shows nothing: write it with at least one visible character"),
        ("\u3164 \u200d", "name shows nothing"),
        ("Ann\u202eevil", "name holds U+202E, a character that changes the direction"),
        ("\u2066Ann\u2069", "name holds U+2066"),
    ],
)
def test_a_name_that_shows_nothing_or_turns_the_text_round_is_refused(
    typed: str, said: str
) -> None:
    with pytest.raises(InvalidInput, match="^" + re.escape(said)):
        check_name(typed, "name")


@pytest.mark.parametrize("name", ["Ann", "Ирина  Петрова", "عائشة", "José", "e\u0301", "🙂"])
def test_names_in_any_script_still_pass(name: str) -> None:
    assert check_name(name, "name") == " ".join(name.split())


@pytest.mark.parametrize("typed", ["1_000", "١٢٣", "１２３", "NaN", "Infinity", "1,5", "", "-"])
def test_a_figure_in_other_digits_is_no_number(typed: str) -> None:
    assert decimal_number(typed) is None
    with pytest.raises(ValidationError, match="valid decimal"):
        ValueIn.model_validate({"indicator_id": 1, "value": typed})


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1250.5", "1250.5"), (" 7 ", "7"), ("-0.25", "-0.25"), ("+3", "3"), (".5", "0.5"),
     ("1e3", "1E+3")],
)  # fmt: skip
def test_a_figure_in_ascii_digits_still_reads(typed: str, read: str) -> None:
    assert decimal_number(typed) == Decimal(read)
    assert ValueIn.model_validate({"indicator_id": 1, "value": typed}).value == Decimal(read)


def _problems(sessions: sessionmaker[Session], text: str) -> list[str]:
    with transaction(sessions) as session:
        organization = demo_organization(session)
        with pytest.raises(ImportRejected) as rejected:
            check_member_rows(session, organization, text, "members.csv")
    return rejected.value.problems


@pytest.mark.one_database  # what the file says is read before any row is looked up
def test_a_column_named_twice_is_refused(sessions: sessionmaker[Session]) -> None:
    text = "name,Name,body,role\nAnn,Bob,General Council,member\n"
    assert _problems(sessions, text) == [
        "line 1: column(s) named more than once: name; name each column once"
    ]


@pytest.mark.one_database
@pytest.mark.parametrize("end", ["\n", "", "\r\n"])
def test_a_quote_never_closed_is_named_where_it_opens(
    sessions: sessionmaker[Session], end: str
) -> None:
    text = (
        "name,body,role\nAnn,General Council,member\n"
        f'"Bob,General Council,member{end}Cleo,General Council,member{end}'
    )
    problems = _problems(sessions, text)
    assert problems == [
        'line 3: a quote (") opens a cell that is never closed, so the rest of the file was '
        'read as that cell; close it, and write a quote inside a quoted cell twice ("")'
    ]


@pytest.mark.one_database
def test_a_quoted_cell_over_two_lines_still_reads(sessions: sessionmaker[Session]) -> None:
    text = 'name,body,role\n"Ann\nLee",General Council,nobody\n'
    assert _problems(sessions, text) == ["line 3: role must be member or alternate, not 'nobody'"]


@pytest.mark.parametrize("written", ["1_000", "١٢٣", "１２３", "NaN", "Infinity", "1,5"])
def test_a_follow_up_file_s_figure_is_read_as_the_pages_read_it(written: str) -> None:
    """The CSV files' figures follow ``veche.decimals`` too: an import takes no figure the
    pages would refuse."""
    with pytest.raises(InvalidInput, match="is not a number"):
        parse_decimal(written)
    assert parse_decimal(" 1250.5 ") == Decimal("1250.5")
