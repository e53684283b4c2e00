"""Drafts and amendments through the pages: a delegate proposes, the chair decides; observers,
delegates deciding and malformed targets are refused and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.page_client import Browser
from tests.web.sitting import DELEGATE, MOTION_TEXT, SittingPages, journal_length
from veche.models import Amendment, Motion
from veche.web.pages.amendments import numbered_lines

#: These prove what the pages show and do; the same actions run through the API, and
#: amendments are stored on both databases in test_meeting_record.py.
#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

PARAGRAPH_ONE = MOTION_TEXT.split("\n\n")[0]


class Drafting(SittingPages):
    @property
    def page(self) -> str:
        return f"/meetings/{self.meeting}/motions/{self.sitting.motion_id}"

    def propose(self, browser: Browser, **form: object) -> Any:
        return browser.post(f"{self.page}/amendments", form)

    def decide(self, browser: Browser, amendment_id: int, **form: object) -> Any:
        return browser.post(f"{self.page}/amendments/{amendment_id}/decision", form)

    def amendments(self) -> list[Amendment]:
        with self.sessions() as session:
            return list(session.scalars(select(Amendment).order_by(Amendment.number)))

    def version(self) -> int:
        with self.sessions() as session:
            motion = session.get(Motion, self.sitting.motion_id)
            assert motion is not None
            return motion.current_version


#: The fixture each test takes: the sitting served as ``Drafting``.
drafting = Drafting.fixture()


def test_lines_and_paragraphs_are_numbered_as_amendments_address_them() -> None:
    lines = numbered_lines("First.\nSecond.\n\nThird.\n")
    assert [(n.number, n.paragraph, n.starts_paragraph) for n in lines] == [
        (1, 1, True),
        (2, 1, False),
        (3, None, False),
        (4, 2, True),
    ]


def test_a_delegate_proposes_and_the_chair_accepts_merges_and_rejects(drafting: Drafting) -> None:
    room = drafting.delegate.get(f"/meetings/{drafting.sitting.meeting_id}").text
    assert drafting.page in room and "Motion 1: On the budget" in room
    page = drafting.delegate.get(drafting.page).text
    assert "Propose an amendment" in page and "The Bureau reports in a year." in page

    made = drafting.propose(
        drafting.delegate,
        paragraph="2",
        new_text="The Bureau reports in six months.",
        reason="Sooner.",
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"].endswith("#amendment-1")
    by_lines = drafting.propose(
        drafting.delegate, first_line="2", last_line="2", new_text="Spending is capped."
    )
    assert by_lines.status_code == 303, by_lines.text
    third = drafting.propose(drafting.delegate, paragraph="1", new_text="The budget is rejected.")
    assert third.status_code == 303, third.text

    page = drafting.delegate.get(drafting.page).text
    assert "Amendment 1 to paragraph 2" in page and "Amendment 2 to line 2" in page
    assert "[struck out: </span>a year" in page and "[inserted: </span>six months" in page
    assert "Reason: Sooner." in page
    assert "Accept" not in page  # deciding is the chair's

    first, second, third_amendment = (a.id for a in drafting.amendments())
    accepted = drafting.decide(drafting.secretary, first, decision="accepted")
    assert accepted.status_code == 303, accepted.text
    merged = drafting.decide(
        drafting.secretary,
        second,
        decision="merged",
        merged_text="Spending is capped at the income.",
    )
    assert merged.status_code == 303, merged.text
    rejected = drafting.decide(drafting.secretary, third_amendment, decision="rejected")
    assert rejected.status_code == 303, rejected.text
    assert drafting.version() == 3
    page = drafting.secretary.get(drafting.page).text
    assert "Current text (version 3)" in page
    assert "Spending is capped at the income." in page and "reports in six months" in page
    assert [a.state.value for a in drafting.amendments()] == ["accepted", "merged", "rejected"]

    before = journal_length(drafting.sessions)
    again = drafting.decide(drafting.secretary, first, decision="rejected")
    assert again.status_code == 409 and "accepted already" in again.text
    assert journal_length(drafting.sessions) == before


def test_wrong_roles_and_bad_targets_are_refused_and_change_nothing(drafting: Drafting) -> None:
    observed = drafting.observer.get(drafting.page).text
    assert "Propose the amendment" not in observed
    assert "as an observer" in observed
    before = journal_length(drafting.sessions)
    refused = drafting.propose(drafting.observer, paragraph="1", new_text="Mine.")
    assert refused.status_code == 403 and "observer" in refused.text
    bad = [
        ({"new_text": "x"}, 422, "choose it under “Paragraph (¶)”"),
        ({"paragraph": "two", "new_text": "x"}, 422, "the paragraph must be a whole number"),
        ({"paragraph": "9", "new_text": "x"}, 422, "there is no paragraph 9"),
        ({"first_line": "3", "last_line": "8", "new_text": "x"}, 422, "there are no lines 3–8"),
        (
            {"paragraph": "1", "new_text": PARAGRAPH_ONE},
            422,
            "changes nothing",
        ),
    ]
    for form, status, words in bad:
        response = drafting.propose(drafting.delegate, **form)
        assert response.status_code == status, (form, response.text)
        assert words in response.text, (form, response.text)
    forged = drafting.delegate.client.post(
        f"{drafting.page}/amendments", data={"paragraph": "1", "new_text": "x"}
    )
    assert forged.status_code == 403
    assert journal_length(drafting.sessions) == before
    assert drafting.amendments() == []

    made = drafting.propose(drafting.delegate, paragraph="1", new_text="Approved.")
    assert made.status_code == 303
    (amendment,) = drafting.amendments()
    before = journal_length(drafting.sessions)
    for browser in (drafting.delegate, drafting.observer):
        response = drafting.decide(browser, amendment.id, decision="accepted")
        assert response.status_code == 403 and "a chair or a secretary" in response.text
    no_wording = drafting.decide(drafting.secretary, amendment.id, decision="merged")
    assert no_wording.status_code == 422 and "needs merged_text" not in no_wording.text
    assert "Type the wording agreed with the drafters in the box" in no_wording.text
    assert f'id="problem-amendment-{amendment.id}" tabindex="-1" autofocus' in no_wording.text
    undecided = drafting.decide(drafting.secretary, amendment.id, decision="proposed")
    assert undecided.status_code == 422
    elsewhere = drafting.secretary.post(
        f"/meetings/{drafting.sitting.meeting_id}/motions/999999/amendments/{amendment.id}/decision",
        {"decision": "accepted"},
    )
    assert elsewhere.status_code == 404
    assert journal_length(drafting.sessions) == before
    with drafting.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Amendment)) == 1
    assert drafting.version() == 1


def test_a_wording_of_white_space_alone_strikes_the_part_out(drafting: Drafting) -> None:
    """The form says "Leave the wording empty to strike the clause out": spaces and line
    breaks alone are empty too — a strike-out, not "[inserted:     ]" — on the page as
    through the API, and in a merged wording."""
    made = drafting.propose(drafting.delegate, paragraph="1", new_text="   \r\n   ")
    assert made.status_code == 303, made.text
    drafting.api.post(
        f"/motions/{drafting.sitting.motion_id}/amendments",
        paragraph=2,
        new_text=" \t ",
        proposer_person_id=DELEGATE,
    )
    spaced, by_api = drafting.amendments()
    assert (spaced.new_text, by_api.new_text) == ("", "")
    page = drafting.delegate.get(drafting.page).text
    assert "[inserted: " not in page and "[struck out: " in page
    merged = drafting.decide(drafting.secretary, spaced.id, decision="merged", merged_text="  ")
    assert merged.status_code == 303, merged.text
    (struck, _) = drafting.amendments()
    assert struck.merged_text == ""
    with drafting.sessions() as session:
        motion = session.get(Motion, drafting.sitting.motion_id)
        assert motion is not None and motion.current_version == 2
    assert PARAGRAPH_ONE not in drafting.secretary.get(drafting.page).text.split("Current text")[1]
