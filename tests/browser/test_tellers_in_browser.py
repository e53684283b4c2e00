"""The secretary's agenda page and the tellers' ballot entry in a real browser, keyboard first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP, PHONE, Site, log_in_as_secretary, new_context, snapshot

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_tellers_type_ranked_ballots_from_the_keyboard(chromium: Browser, site: Site) -> None:
    meeting = site.assembly.meeting_id
    for title in ("Opening of the meeting", "Report of the Executive Bureau"):
        site.assembly.create(f"/meetings/{meeting}/agenda", title=title, time_budget_minutes=30)
    poll = site.assembly.create_poll(
        title="Choose the venue", kind="choice", method="irv", options=["North", "South", "East"]
    )
    site.assembly.open(int(poll["id"]))
    site.assembly.check_in(site.assembly.members[:2])  # paper ballots fill rights present
    entry = f"/secretary/meetings/{meeting}/polls/{poll['id']}/paper/ballots"
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = new_context(chromium, site, viewport)
        page = context.new_page()
        log_in_as_secretary(page)
        page.goto(f"/secretary/meetings/{meeting}/agenda")
        expect(
            page.get_by_role("heading", name="2. Report of the Executive Bureau")
        ).to_be_visible()
        snapshot(page, f"secretary-agenda-{size}")
        page.goto(entry)
        snapshot(page, f"paper-ballots-{size}")
        context.close()

    context = new_context(chromium, site, DESKTOP)
    page = context.new_page()
    log_in_as_secretary(page)
    page.goto(entry)
    # The field has the focus on arrival and after each ballot: type, Enter, type, Enter.
    # (Asserted before typing: a keystroke sent before the browser applies the autofocus
    # would be lost.)
    field = page.locator("#entry")
    expect(field).to_be_focused()
    page.keyboard.type("3 1 2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Ballot 1 added: 3 1 2")
    expect(field).to_be_focused()
    page.keyboard.type("1 1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("candidate 1 appears twice")
    expect(field).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="This lot: 2 ballots")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("East › North › South"))).to_be_visible()
    page.get_by_role("button", name="Record these 2 ballots").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("2 paper ballots recorded")
    counted = site.assembly.client.get(
        f"/api/polls/{poll['id']}/count", headers=site.assembly.secretary
    )
    assert counted.status_code == 200 and counted.json()["paper"] == 2
    context.close()

    # The lot recorded is listed on the tellers' page, on a phone, to withdraw if mistyped.
    context = new_context(chromium, site, PHONE)
    page = context.new_page()
    log_in_as_secretary(page)
    page.goto(f"/secretary/meetings/{meeting}/paper")
    withdraw = page.get_by_role("button", name=re.compile(r"^Withdraw lot \d+\W+Choose the venue"))
    expect(withdraw).to_be_visible()
    snapshot(page, "tellers-lots-phone")
    # A withdrawal says why, for the minutes: the form asks before it is sent.
    withdraw.click()
    reason = page.get_by_label(re.compile(r"^Why is lot \d+ withdrawn"))
    expect(reason).to_be_focused()
    reason.fill("Both ballots were typed in the wrong order")
    withdraw.click()
    expect(page.get_by_role("status")).to_contain_text("2 paper ballots taken out")
    context.close()
