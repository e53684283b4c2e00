"""A drafting panel's work through the pages: its chair finds the panel's page from the
meeting page, advises the drafters on a draft (on each amendment, and in words) and proposes
an amendment on the panel's behalf — through the API's own inputs and actions; a refusal comes
back at its form as typed and changes nothing; a delegate who chairs no panel is refused."""

from __future__ import annotations

import html
from typing import Any

import pytest
from sqlalchemy import select

from tests.web.sitting import DELEGATE, SittingPages, journal_length
from veche.models import Amendment, Recommendation

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture),
#: whose first item has a draft (its paragraphs numbered, no clauses).
pytestmark = pytest.mark.demo

#: A member present who chairs the other panel, not the delegate.
OTHER_CHAIR = 8


class PanelPages(SittingPages):
    def panel(self, name: str, chair: int, item: int | None = None) -> int:
        """A panel on ``item`` (the draft's, by default) with its ``chair``, formed by the
        secretary through the API."""
        made = self.api.post(
            f"/meetings/{self.meeting}/panels",
            name=name,
            agenda_item_ids=[item or self.sitting.item_id],
            chair_person_ids=[chair],
            member_person_ids=[],
        )
        return int(made["id"])

    def page(self, panel_id: int) -> str:
        return f"/meetings/{self.meeting}/panels/{panel_id}"

    @property
    def motion_page(self) -> str:
        return f"/meetings/{self.meeting}/motions/{self.sitting.motion_id}"

    def advise(self, panel_id: int, **form: object) -> Any:
        sent = {"motion_id": self.sitting.motion_id, **form}
        return self.delegate.post(f"{self.page(panel_id)}/recommendations", sent)

    def recommendations(self) -> list[tuple[int, str]]:
        with self.sessions() as session:
            found = session.scalars(select(Recommendation).order_by(Recommendation.id))
            return [(r.panel_id, r.text) for r in found]

    def amendments(self) -> list[Amendment]:
        with self.sessions() as session:
            return list(session.scalars(select(Amendment).order_by(Amendment.number)))


panel_pages = PanelPages.fixture()


def test_a_panel_chair_finds_the_panel_and_sends_its_advice(panel_pages: PanelPages) -> None:
    pages = panel_pages
    panel = pages.panel("Budget panel", DELEGATE)
    other = pages.panel("Rules panel", OTHER_CHAIR)
    room = pages.delegate.get(f"/meetings/{pages.meeting}").text
    assert f'href="{pages.page(panel)}"' in room and "My panel: Budget panel" in room
    assert pages.page(other) not in room
    proposed = pages.delegate.post(
        f"{pages.motion_page}/amendments",
        {"paragraph": "2", "new_text": "The Bureau reports in six months."},
    )
    assert proposed.status_code == 303, proposed.text

    shown = pages.delegate.get(pages.page(panel))
    assert shown.status_code == 200, shown.text
    assert "Motion 1: On the budget" in shown.text
    assert "Amendment 1 to paragraph 2" in shown.text and "six months" in shown.text
    assert 'name="advice_1"' in shown.text

    sent = pages.advise(panel, advice_1="adopt", text="  Sooner is better.\n")
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith(f"#draft-{pages.sitting.motion_id}")
    advice = "The panel advises adopting amendment 1.\nSooner is better."
    assert pages.recommendations() == [(panel, advice)]
    # The API reads the same advice on the draft.
    motion = pages.api.get(f"/motions/{pages.sitting.motion_id}")
    assert [r["text"] for r in motion["recommendations"]] == [advice]
    again = pages.delegate.get(pages.page(panel)).text
    assert "The panel advises adopting amendment 1.<br>Sooner is better." in again

    # In words alone, without advice on the amendments.
    words = pages.advise(panel, advice_1="", text="Keep the reporting.")
    assert words.status_code == 303, words.text
    assert pages.recommendations()[-1] == (panel, "Keep the reporting.")


def test_a_panel_chair_proposes_an_amendment_on_behalf_of_the_panel(
    panel_pages: PanelPages,
) -> None:
    pages = panel_pages
    panel = pages.panel("Budget panel", DELEGATE)
    work = pages.delegate.get(pages.page(panel)).text
    linked = f"{pages.motion_page}?panel_id={panel}#propose"
    assert html.escape(linked) in work or linked in work
    form = pages.delegate.get(f"{pages.motion_page}?panel_id={panel}").text
    assert f'name="panel_id" value="{panel}" checked' in form
    assert 'name="panel_id" value="">' in form  # a member may still propose in their own name
    # Picking a paragraph to amend keeps the panel chosen, with scripts and without.
    assert f"?paragraph=2&amp;panel_id={panel}#propose" in form
    picked = pages.delegate.get(
        f"{pages.motion_page}/amendment-form?paragraph=2&focus=true&panel_id={panel}"
    ).text
    assert f'name="panel_id" value="{panel}" checked' in picked

    made = pages.delegate.post(
        f"{pages.motion_page}/amendments",
        {
            "paragraph": "1",
            "new_text": "The Council approves the budget as amended.",
            "panel_id": panel,
        },
    )
    assert made.status_code == 303, made.text
    own = pages.delegate.post(
        f"{pages.motion_page}/amendments",
        {"paragraph": "2", "new_text": "The Bureau reports twice.", "panel_id": ""},
    )
    assert own.status_code == 303, own.text
    assert [(a.panel_id, a.proposer_person_id) for a in pages.amendments()] == [
        (panel, None),
        (None, DELEGATE),
    ]
    page = pages.delegate.get(pages.motion_page).text
    assert "Proposed by the panel Budget panel" in page


def test_a_refusal_comes_back_at_the_form_as_typed_and_changes_nothing(
    panel_pages: PanelPages,
) -> None:
    pages = panel_pages
    panel = pages.panel("Budget panel", DELEGATE)
    before = journal_length(pages.sessions)
    empty = pages.advise(panel, text="   ")
    assert empty.status_code == 422
    assert "a recommendation must say something" in empty.text
    assert f'id="draft-{pages.sitting.motion_id}-error"' in empty.text

    unknown = pages.advise(panel, advice_9="reject", text="Typed before the refusal.")
    assert unknown.status_code == 422
    assert "motion 1 has no amendment 9" in unknown.text
    assert "Typed before the refusal.</textarea>" in unknown.text
    assert pages.recommendations() == []
    assert journal_length(pages.sessions) == before

    # A panel that does not examine the draft's item proposes nothing on it.
    other_item = pages.sitting.item_ids[1]
    elsewhere = pages.panel("Elsewhere", DELEGATE, other_item)
    before = journal_length(pages.sessions)
    refused = pages.delegate.post(
        f"{pages.motion_page}/amendments",
        {"paragraph": "1", "new_text": "Other words.", "panel_id": elsewhere},
    )
    assert refused.status_code == 422
    assert "does not examine the item of motion 1" in refused.text
    assert "Other words.</textarea>" in refused.text
    assert pages.amendments() == [] and journal_length(pages.sessions) == before


def test_advice_on_an_amendment_already_decided_is_refused(panel_pages: PanelPages) -> None:
    pages = panel_pages
    panel = pages.panel("Budget panel", DELEGATE)
    made = pages.api.post(
        f"/motions/{pages.sitting.motion_id}/amendments",
        paragraph=2,
        new_text="The Bureau reports in six months.",
        proposer_person_id=DELEGATE,
    )
    pages.api.post(f"/amendments/{made['id']}/decision", 200, decision="rejected")
    refused = pages.advise(panel, advice_1="adopt")
    assert refused.status_code == 409
    assert "amendment 1 is rejected already" in refused.text
    assert pages.recommendations() == []


def test_a_delegate_who_chairs_no_panel_is_refused(panel_pages: PanelPages) -> None:
    pages = panel_pages
    other = pages.panel("Rules panel", OTHER_CHAIR)
    before = journal_length(pages.sessions)
    assert pages.delegate.get(pages.page(other)).status_code == 403
    assert pages.observer.get(pages.page(other)).status_code == 403
    refused = pages.advise(other, text="Adopt it all.")
    assert refused.status_code == 403
    assert "only a chair of the panel “Rules panel”" in html.unescape(refused.text)
    by_panel = pages.delegate.post(
        f"{pages.motion_page}/amendments",
        {"paragraph": "1", "new_text": "Other words.", "panel_id": other},
    )
    assert by_panel.status_code == 403
    assert pages.recommendations() == [] and pages.amendments() == []
    assert journal_length(pages.sessions) == before
    # The form offers the delegate no panel, only their own name.
    assert 'name="panel_id"' not in pages.delegate.get(pages.motion_page).text
    # The meeting's secretary may act for any panel, as the API lets them.
    assert pages.secretary.get(pages.page(other)).status_code == 200
    assert pages.secretary.get(f"/meetings/{pages.meeting}/panels/987654").status_code == 404
