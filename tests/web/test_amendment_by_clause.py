"""Amending a draft by the clauses its text numbers: the clauses found, the API and the page
naming a clause by its number, the change previewed and shown as words struck and inserted
(never a line diff), in the page and in the motion book."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import Api
from tests.web.page_client import Browser
from tests.web.sitting import OBSERVER, PreparedSitting, journal_length, serve_sitting
from veche.actions._clauses import clause_at, clauses, find_clause
from veche.errors import InvalidInput
from veche.models import Amendment
from veche.text_diff import Edit, Piece, edits, word_diff

#: The sitting (tests/web/sitting.py) starts from the demo organization.
pytestmark = pytest.mark.demo

DELEGATE = 7
CLAUSED = (
    "The Council:\n"
    "\n"
    "1. approves the budget;\n"
    "2. caps spending:\n"
    "   a) on travel, at the income;\n"
    "   b) on rent, at last year's;\n"
    "3. asks the Bureau to report in a year.\n"
    "\n"
    "Done at the seat of the Council.\n"
)


def test_clauses_are_found_by_the_numbers_the_text_gives_them() -> None:
    found = [(c.label, c.key, c.first_line, c.last_line) for c in clauses(CLAUSED)]
    assert found == [
        ("1.", ("1",), 3, 3),
        ("2.", ("2",), 4, 6),  # with its lettered sub-clauses
        ("2. a)", ("2", "a"), 5, 5),
        ("2. b)", ("2", "b"), 6, 6),
        ("3.", ("3",), 7, 7),  # not the closing line after the blank one
    ]
    # However it is typed: "3", "3.", "2b", "2 b)", "2(b)".
    assert find_clause(CLAUSED, "3").first_line == 7
    assert find_clause(CLAUSED, "3.").first_line == 7
    assert {find_clause(CLAUSED, typed).first_line for typed in ("2b", "2 b)", "2(b)")} == {6}
    decimal = "1.1 Scope.\n1.2 Terms:\n  more terms.\n\n2024 was a year.\n"
    assert [(c.label, c.first_line, c.last_line) for c in clauses(decimal)] == [
        ("1.1", 1, 1),
        ("1.2", 2, 3),  # "2024 was …" starts no clause, and ends 1.2 after the blank line
    ]
    assert clause_at(CLAUSED, 4, 6) == find_clause(CLAUSED, "2")
    assert clause_at(CLAUSED, 4, 5) is None


@pytest.mark.parametrize(
    ("text", "wanted", "says"),
    [
        (CLAUSED, "4", "there is no clause 4: the text numbers 1., 2., 2. a), 2. b), 3."),
        (CLAUSED, "clause 2", "name a clause by its number as the text writes it"),
        ("1. One.\n\n1. Again.\n", "1", "more than one clause 1. (on lines 1 and 3)"),
        ("No numbers here.\n", "1", "the text numbers no clauses"),
    ],
)
def test_a_clause_not_there_is_refused_saying_what_is(text: str, wanted: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        find_clause(text, wanted)
    assert says in refused.value.message


def test_a_change_reads_as_words_struck_and_inserted() -> None:
    before = "3. asks the Bureau to report in a year."
    after = "3. asks the Bureau to report in six months."
    assert word_diff(before, after) == [
        Piece("same", "3. asks the Bureau to report in "),
        Piece("struck", "a year"),  # one change, not two around a kept space
        Piece("inserted", "six months"),
        Piece("same", "."),
    ]
    assert edits(before, after) == [Edit("a year", "six months", "to report in")]
    assert edits("1. approves the budget;", "1. approves the budget and the plan;") == [
        Edit("", "and the plan", "approves the budget")
    ]
    # Most words changed: better read whole than as a list of edits.
    assert edits("1. approves the budget;", "1. rejects every plan outright.") is None


@dataclass
class Clauses:
    sessions: sessionmaker[Session]
    api: Api
    meeting_id: int
    motion_id: int
    secretary: Browser
    delegate: Browser
    observer: Browser

    @property
    def page(self) -> str:
        return f"/meetings/{self.meeting_id}/motions/{self.motion_id}"

    def amendments(self) -> list[Amendment]:
        with self.sessions() as session:
            return list(session.scalars(select(Amendment).order_by(Amendment.number)))


def _claused_motion(api: Api, sitting: PreparedSitting) -> int:
    motion = api.post(
        f"/meetings/{sitting.meeting_id}/motions",
        title="On spending",
        text=CLAUSED,
        agenda_item_id=sitting.sitting.item_ids[0],
        submitter_body_id=api.bodies["Executive Bureau"],
    )
    return int(motion["id"])


def test_the_api_amends_a_clause_by_its_number(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    """On both databases: the action the page uses too."""
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        motion = _claused_motion(api, sitting)
        made = api.post(
            f"/motions/{motion}/amendments",
            as_person=DELEGATE,
            clause="3",
            new_text="3. asks the Bureau to report in six months.",
        )
        assert made["original_text"] == "3. asks the Bureau to report in a year."
        assert made["target"] == "line 7"
        with sessions() as session:
            stored = session.get(Amendment, made["id"])
            assert stored is not None
            assert (stored.first_line, stored.last_line, stored.paragraph) == (7, 7, None)
        whole = api.post(
            f"/motions/{motion}/amendments",
            as_person=DELEGATE,
            clause="2",
            new_text="2. caps spending at the income.",
        )
        assert whole["original_text"].splitlines()[0] == "2. caps spending:"
        assert len(whole["original_text"].splitlines()) == 3  # with its sub-clauses
        before = journal_length(sessions)
        refusals: list[tuple[dict[str, object], str]] = [
            ({"clause": "9"}, "there is no clause 9"),
            ({"clause": "2", "paragraph": 1}, "name a clause, a paragraph or lines"),
        ]
        for body, says in refusals:
            refused = api.call(
                "POST",
                f"/motions/{motion}/amendments",
                422,
                as_person=DELEGATE,
                new_text="x",
                **body,
            )
            assert says in refused["detail"], refused
        assert journal_length(sessions) == before


@pytest.fixture
def claused(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Clauses]:
    with serve_sitting(engine, sessions, sitting, [DELEGATE, OBSERVER]) as served:
        motion = _claused_motion(served.api, sitting)
        yield Clauses(
            sessions,
            served.api,
            sitting.meeting_id,
            motion,
            served.secretary,
            served.phones[DELEGATE],
            served.phones[OBSERVER],
        )


@pytest.mark.one_database
def test_the_page_shows_the_clauses_and_opens_one_to_edit_in_place(claused: Clauses) -> None:
    page = claused.delegate.get(claused.page).text
    assert '<th scope="col">Clause</th>' in page
    assert "?clause=2.%20b%29#propose" in page  # "Amend" beside clause 2. b)
    assert '<option value="3.">Clause 3. · line 7</option>' in page
    opened = claused.delegate.get(f"{claused.page}?clause=3").text
    assert '<option value="3." selected>' in opened
    assert "autofocus>3. asks the Bureau to report in a year.</textarea>" in opened
    fragment = claused.delegate.get(
        f"{claused.page}/amendment-form?clause=2&reason=Thrift", headers={"HX-Request": "true"}
    ).text
    assert fragment.lstrip().startswith('<section class="panel" id="propose"')
    assert "<html" not in fragment and "autofocus" not in fragment  # the cursor stays put
    assert "2. caps spending:\n   a) on travel, at the income;" in fragment
    assert ">Thrift</textarea>" in fragment
    # Observers read the text, without the form or the links to amend.
    observed = claused.observer.get(claused.page).text
    assert "?clause=" not in observed and "Propose the amendment" not in observed


@pytest.mark.one_database
def test_a_paragraph_picked_by_no_number_opens_nothing(claused: Clauses) -> None:
    # "²" is a digit to str.isdigit, not to int(): the page answered 500.
    for path in (claused.page, f"{claused.page}/amendment-form"):
        opened = claused.delegate.get(path, params={"paragraph": "²"})
        assert opened.status_code == 200, opened.text
        assert "autofocus>" not in opened.text


@pytest.mark.one_database
def test_a_preview_shows_the_change_before_it_is_sent(claused: Clauses) -> None:
    form = {"clause": "3.", "new_text": "3. asks the Bureau to report in six months."}
    before = journal_length(claused.sessions)
    htmx = claused.delegate.post(
        f"{claused.page}/amendments/preview", form, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 200, htmx.text
    assert "<html" not in htmx.text
    assert "Preview: the change to clause 3" in htmx.text
    assert '<del><span class="visually-hidden">[struck out: </span>a year' in htmx.text
    assert "[inserted: </span>six months" in htmx.text
    plain = claused.delegate.post(f"{claused.page}/amendments/preview", form)
    assert plain.status_code == 200 and "<html" in plain.text
    assert "Preview: the change to clause 3" in plain.text
    assert "six months.</textarea>" in plain.text  # the form stays as typed
    wrong = claused.delegate.post(
        f"{claused.page}/amendments/preview",
        {"clause": "3", "new_text": "3. asks the Bureau to report in a year."},
        headers={"HX-Request": "true"},
    )
    assert 'role="alert"' in wrong.text and "it changes nothing" in wrong.text
    assert "the same as clause 3; it changes nothing" in wrong.text  # not "clause 3.;"
    refused = claused.delegate.post(
        f"{claused.page}/amendments/preview", {"clause": "9", "new_text": "9. More."}
    )
    assert refused.status_code == 422
    assert "there is no clause 9" in refused.text and "9. More.</textarea>" in refused.text
    assert journal_length(claused.sessions) == before
    assert claused.amendments() == []


@pytest.mark.one_database
def test_a_clause_amended_from_the_page_shows_as_words_struck_and_inserted(
    claused: Clauses,
) -> None:
    made = claused.delegate.post(
        f"{claused.page}/amendments",
        {
            "clause": "3.",
            "new_text": "3. asks the Bureau to report in six months.",
            "reason": "Sooner.",
        },
    )
    assert made.status_code == 303, made.text
    (amendment,) = claused.amendments()
    assert (amendment.first_line, amendment.last_line) == (7, 7)
    assert amendment.original_text == "3. asks the Bureau to report in a year."
    page = claused.delegate.get(claused.page).text
    assert "Amendment 1 to clause 3" in page
    assert "[struck out: </span>a year" in page and "[inserted: </span>six months" in page
    assert "@@" not in page and "+++" not in page

    refused = claused.delegate.post(
        f"{claused.page}/amendments", {"clause": "7", "new_text": "7. Kept as typed."}
    )
    assert refused.status_code == 422
    assert "there is no clause 7" in refused.text and "7. Kept as typed.</textarea>" in refused.text
    assert len(claused.amendments()) == 1

    accepted = claused.secretary.post(
        f"{claused.page}/amendments/{amendment.id}/decision", {"decision": "accepted"}
    )
    assert accepted.status_code == 303, accepted.text
    book = claused.secretary.get(f"/meetings/{claused.meeting_id}/reports/motions")
    assert book.status_code == 200, book.text
    assert "Amendment 1 to clause 3" in book.text
    assert "Strike out “a year” and insert “six months”." in book.text
    assert "@@" not in book.text
    # The minutes' table of amendments names the part as the motion book does.
    minutes = claused.secretary.get(f"/meetings/{claused.meeting_id}/reports/minutes")
    assert minutes.status_code == 200, minutes.text
    assert "<td>clause 3</td>" in minutes.text and "line 7" not in minutes.text


@pytest.mark.one_database
def test_an_amendment_naming_no_part_is_refused_in_the_forms_words_at_the_form(
    claused: Clauses,
) -> None:
    """The refusal said "a paragraph or a first_line (with last_line)", fields the form does not
    show, at the bottom of a page that opened at its top."""
    before = journal_length(claused.sessions)
    empty = claused.delegate.post(f"{claused.page}/amendments", {"new_text": "More."})
    assert empty.status_code == 422
    said = empty.text.split('id="amendment-problem" tabindex="-1" autofocus>')[1].split("<")[0]
    assert "“Clause”" in said and "“Or name a range of lines instead”" in said, said
    assert "first_line (" not in empty.text and "More.</textarea>" in empty.text
    both = claused.delegate.post(
        f"{claused.page}/amendments/preview",
        {"clause": "3.", "first_line": "2", "new_text": "More."},
        headers={"HX-Request": "true"},
    )
    assert "not both" in both.text and "a paragraph or lines" not in both.text
    half = claused.delegate.post(
        f"{claused.page}/amendments", {"last_line": "3", "new_text": "More."}
    )
    assert half.status_code == 422 and "“From line”" in half.text
    assert journal_length(claused.sessions) == before
    # An observer hears first that they may not propose, whatever they named.
    observed = claused.observer.post(f"{claused.page}/amendments", {"new_text": "More."})
    assert "“Clause”" not in observed.text
    assert claused.amendments() == []
