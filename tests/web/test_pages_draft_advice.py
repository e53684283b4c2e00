"""The draft's page for those who decide its amendments: each panel's advice shown on it (which
panel, when, the text), beside the amendments it names; once the meeting is closed, no step the
actions would refuse offered, and a line saying so; and whoever may propose only for a panel
told why."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.sitting import DELEGATE
from tests.web.test_pages_panel_work import OTHER_CHAIR, PanelPages
from veche.queries.motion_page import amendments_named

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture),
#: whose first item has a draft (its paragraphs numbered, no clauses).
pytestmark = pytest.mark.demo

draft_pages = PanelPages.fixture()


def _article(page: str, number: int) -> str:
    """Amendment ``number``'s part of the draft's page."""
    start = page.index(f'id="amendment-{number}"')
    return page[start : page.index("</article>", start)]


def test_the_amendments_a_line_of_advice_names() -> None:
    assert amendments_named("The panel advises adopting amendment 1.") == [1]
    assert amendments_named("Amendments 2, 12 and 3 go too far; amendment 2 most.") == [2, 12, 3]
    assert amendments_named("Amend the second paragraph.") == []
    assert amendments_named("No amendment 0x1, amendment1 or amendments.") == []


def test_the_panels_advice_is_shown_beside_the_amendments_it_names(
    draft_pages: PanelPages,
) -> None:
    pages = draft_pages
    budget = pages.panel("Budget panel", DELEGATE)
    rules = pages.panel("Rules panel", OTHER_CHAIR)
    for paragraph, wording in (("2", "The Bureau reports in six months."), ("1", "Approved.")):
        made = pages.delegate.post(
            f"{pages.motion_page}/amendments", {"paragraph": paragraph, "new_text": wording}
        )
        assert made.status_code == 303, made.text
    sent = pages.advise(budget, advice_1="adopt", text="Sooner is better.")
    assert sent.status_code == 303, sent.text
    # The meeting's secretary sends the other panel's, in words alone: one naming amendment 2,
    # one naming none.
    for words in ("We advise rejecting amendment 2.", "Keep the reporting."):
        other = pages.secretary.post(
            f"{pages.page(rules)}/recommendations",
            {"motion_id": pages.sitting.motion_id, "text": words},
        )
        assert other.status_code == 303, other.text

    page = pages.secretary.get(pages.motion_page).text
    section = page[page.index('id="advice"') : page.index('id="amendments-heading"')]
    assert section.count("<li>") == 3
    told = [html.unescape(part) for part in section.split("<li>")[1:]]
    assert "The panel Budget panel" in told[0] and "<time datetime=" in told[0]
    assert "The panel advises adopting amendment 1.<br>Sooner is better." in told[0]
    assert "The panel Rules panel" in told[1] and "We advise rejecting amendment 2." in told[1]
    assert "Keep the reporting." in told[2]

    first, second = _article(page, 1), _article(page, 2)
    advice = first.index('data-testid="advice-on-1"')
    assert "The panel Budget panel" in first[advice:]
    assert "The panel advises adopting amendment 1." in first[advice:]
    assert "Sooner is better." not in first and "Rules panel" not in first
    assert advice < first.index(">Accept<")  # read before deciding
    assert "We advise rejecting amendment 2." in second and "Budget panel" not in second
    assert "Keep the reporting." not in first + second

    # The drafters read it too, where they read the amendments.
    drafter = pages.delegate.get(pages.motion_page).text
    assert 'data-testid="advice-on-1"' in drafter and "Keep the reporting." in drafter
    # A draft no panel advised on shows no such section.
    another = pages.secretary.get(f"/meetings/{pages.meeting}/motions/{_another_draft(pages)}")
    assert another.status_code == 200 and 'id="advice"' not in another.text


def _another_draft(pages: PanelPages) -> int:
    made = pages.api.post(
        f"/meetings/{pages.meeting}/motions",
        title="On the rules",
        text="The rules stand.\n",
        agenda_item_id=pages.sitting.item_id,
        submitter_body_id=pages.api.bodies["Executive Bureau"],
    )
    return int(made["id"])


def test_a_closed_meeting_s_draft_offers_no_step_the_actions_refuse(
    draft_pages: PanelPages,
) -> None:
    pages = draft_pages
    pages.panel("Budget panel", DELEGATE)
    made = pages.delegate.post(
        f"{pages.motion_page}/amendments", {"paragraph": "2", "new_text": "Six months."}
    )
    assert made.status_code == 303, made.text
    open_page = pages.secretary.get(pages.motion_page).text
    for offered in (">Accept<", "Merge in an agreed wording", "Freeze the final text"):
        assert offered in open_page
    assert 'data-testid="meeting-closed"' not in open_page

    pages.api.post(f"/agenda-items/{pages.sitting.item_id}/close", 200)
    pages.api.move_on(pages.meeting, "closed", "report_published")
    for browser in (pages.secretary, pages.delegate):
        page = browser.get(pages.motion_page).text
        for refused in (
            ">Accept<",
            ">Reject<",
            "Merge in an agreed wording",
            "Freeze the final text",
            "Propose an amendment",
            'name="panel_id"',
            "Amend<span",
            "Withdraw the motion",
        ):
            assert refused not in page, refused
        closed = re.search(r'data-testid="meeting-closed">([^<]*)<', page)
        assert closed is not None
        assert closed.group(1).startswith("The meeting is closed and its report published")
        assert "this draft takes no more amendments" in page
        assert "Amendment 1 to paragraph 2" in page  # still read
    # As the actions refuse them.
    proposed = pages.delegate.post(
        f"{pages.motion_page}/amendments", {"paragraph": "1", "new_text": "Other words."}
    )
    assert proposed.status_code == 409
    assert "meeting 1 is closed, and its report published" in proposed.text
    withdrawn = pages.api.post(f"/motions/{pages.sitting.motion_id}/withdraw", 409)
    assert "cannot withdraw motion" in withdrawn["detail"]


def test_the_secretary_offered_only_the_panel_is_told_why(draft_pages: PanelPages) -> None:
    pages = draft_pages
    panel = pages.panel("Budget panel", DELEGATE)
    form = pages.secretary.get(pages.motion_page).text
    assert f'name="panel_id" value="{panel}" checked' in form
    assert 'name="panel_id" value=""' not in form
    why = html.unescape(form.split('data-testid="panel-only">')[1].split("</p>")[0])
    assert why.startswith("Not in your own name: you take no part in this meeting")
    # As the action refuses it: proposed in their own name, it is refused.
    own = pages.secretary.post(
        f"{pages.motion_page}/amendments",
        {"paragraph": "2", "new_text": "Six months.", "panel_id": ""},
    )
    assert own.status_code == 422 and "is not a participant of meeting" in own.text
    # A member who chairs the panel is offered both, with no such line.
    member = pages.delegate.get(pages.motion_page).text
    assert 'name="panel_id" value=""' in member and 'data-testid="panel-only"' not in member
