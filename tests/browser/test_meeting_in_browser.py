"""A sitting in real browsers: a phone votes, the console counts, the projector shows — live."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP, PHONE, Site, log_in_as_secretary, new_context, snapshot
from tests.meeting_api import secretary_api
from tests.web.page_client import access_codes
from tests.web.sitting import PRESENT, open_sitting

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

STAY_MARK = "window.__sameDocument = true"
STILL_SAME_DOCUMENT = "() => window.__sameDocument === true"


def test_a_pushed_update_leaves_the_keyboard_focus_where_it_was(
    chromium: Browser, site: Site
) -> None:
    """A delegate on the keyboard (or a screen reader) stays on the link they were on while
    the polls are pushed anew: another vote opening must not send them to the page's top."""
    assembly = site.assembly
    voter = assembly.members[0]
    assembly.check_in([voter])
    code = access_codes(site.sessions, assembly.meeting_id)[voter]
    phone = new_context(chromium, site, PHONE).new_page()
    phone.goto(f"/login/code#{code}")
    phone.get_by_role("button", name="Enter the meeting").click()
    first = assembly.create_poll(title="Adopt the standing orders", kind="decision")
    assembly.open(int(first["id"]))
    votes = phone.get_by_role("link", name="Vote now")
    expect(votes).to_have_count(1)
    votes.focus()
    focused = "() => document.activeElement.getAttribute('href')"
    href = phone.evaluate(focused)
    assert href and href.endswith(f"/polls/{first['id']}/vote")
    second = assembly.create_poll(title="Adopt the budget", kind="decision")
    assembly.open(int(second["id"]))
    expect(votes).to_have_count(2)
    assert phone.evaluate(focused) == href


def test_a_phone_votes_while_the_console_and_projector_follow_live(
    chromium: Browser, site: Site
) -> None:
    meeting = site.assembly.meeting_id
    voter = site.assembly.members[0]
    site.assembly.check_in(site.assembly.members[:3])
    code = access_codes(site.sessions, meeting)[voter]

    chair_context = new_context(chromium, site, DESKTOP)
    chair = chair_context.new_page()
    log_in_as_secretary(chair)
    chair.goto(f"/meetings/{meeting}/console")
    chair.get_by_label("Question or title").fill("Adopt the agenda")
    chair.get_by_role("button", name="Create the poll").click()
    expect(chair.get_by_role("heading", name="Adopt the agenda")).to_be_visible()

    phone_context = new_context(chromium, site, PHONE)
    phone = phone_context.new_page()
    # The card's QR code opens this address; the page fills the code in from after the '#'.
    phone.goto(f"/login/code#{code}")
    expect(phone.get_by_label("Access code from your card")).to_have_value(code)
    phone.get_by_role("button", name="Enter the meeting").click()
    expect(phone).to_have_url(re.compile(rf"/meetings/{meeting}$"))
    expect(phone.get_by_text("No vote has been opened yet")).to_be_visible()
    phone.evaluate(STAY_MARK)

    projector_context = new_context(chromium, site, DESKTOP)
    projector = projector_context.new_page()
    log_in_as_secretary(projector)
    projector.goto(f"/meetings/{meeting}/projector")
    projector.evaluate(STAY_MARK)

    chair.get_by_role("button", name="Open voting", exact=True).click()
    expect(chair.get_by_test_id("ballots-received")).to_have_text("0")
    chair.evaluate(STAY_MARK)

    # The phone learns of the open poll without a reload, and votes with a confirmation.
    vote = phone.get_by_role("link", name="Vote now")
    expect(vote).to_be_visible()
    assert phone.evaluate(STILL_SAME_DOCUMENT)
    expect(projector.get_by_text("Voting is open")).to_be_visible()
    vote.click()
    phone.get_by_label("yes").check()
    with phone.expect_response(re.compile(r"/review$")) as reviewing:
        phone.get_by_role("button", name="Review my ballot").click()
    expect(phone.get_by_role("heading", name="Check your ballot")).to_be_visible()
    expect(phone.locator(".review .big")).to_have_text("yes")
    snapshot(phone, "delegate-confirm-phone")
    # The client key is made by the page, in the browser: the review page the server sent
    # carries none, and the confirmation carries one the server never sent.
    review_html = reviewing.value.text()
    assert 'name="client_key" value=""' in review_html
    with phone.expect_request(re.compile(r"/ballot$")) as casting:
        phone.get_by_role("button", name="Confirm and cast my ballot").click()
    sent = parse_qs(casting.value.post_data or "")
    key = sent["client_key"][0]
    assert re.fullmatch(r"[0-9a-f]{48}", key) and key not in review_html
    receipt = phone.locator("#receipt").inner_text()
    assert re.fullmatch(r"[0-9a-f]{32}", receipt)
    snapshot(phone, "delegate-receipt-phone")

    # The chair's count and the projector's rise by themselves.
    expect(chair.get_by_test_id("ballots-received")).to_have_text("1")
    expect(projector.get_by_test_id("ballots-received")).to_have_text("1")
    assert chair.evaluate(STILL_SAME_DOCUMENT) and projector.evaluate(STILL_SAME_DOCUMENT)
    snapshot(chair, "chair-console-desktop")
    snapshot(projector, "projector-open-desktop")

    chair.get_by_role("button", name="Close and count", exact=True).click()
    chair.get_by_role("button", name="Close voting and count").click()  # the chair confirms
    expect(chair.get_by_test_id("outcome")).to_contain_text("no quorum")
    expect(projector.get_by_text("The chair will announce the result")).to_be_visible()
    chair.get_by_role("button", name="Publish the result", exact=True).click()
    expect(projector.get_by_test_id("outcome")).to_have_text("No quorum")
    assert projector.evaluate(STILL_SAME_DOCUMENT)
    snapshot(projector, "projector-result-desktop")

    # Back on the phone: the result, and the receipt found on the bulletin board.
    phone.goto(f"/meetings/{meeting}")
    expect(phone.get_by_text("Result:")).to_be_visible()
    snapshot(phone, "delegate-meeting-phone")
    # The search runs in the page: no request the board makes carries the receipt.
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    phone.get_by_role("link", name="Find your receipt on the bulletin board").click()
    phone.get_by_label("Your receipt").fill("0000")
    phone.get_by_role("button", name="Find").click()
    expect(phone.get_by_text("No ballot has this receipt")).to_be_visible()
    phone.get_by_label("Your receipt").fill(f" {receipt.upper()} ")
    phone.get_by_label("Your receipt").press("Enter")
    expect(phone.get_by_text("Found: your ballot is on the board")).to_be_visible()
    expect(phone.locator("tr.mine")).to_contain_text("yes")
    snapshot(phone, "delegate-board-phone")
    assert any("/board" in url for url in requested)
    assert [url for url in requested if receipt in url.lower()] == []
    assert re.search(r"/board$", phone.url)
    # The ballots download as a file `veche count` reads (tests/web/test_bulletin_board.py
    # recounts it); one ballot alone carries its weight, so the weight is withheld.
    with phone.expect_download() as downloading:
        phone.get_by_role("link", name="Download the ballots to recount them").click()
    file = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    assert file["candidates"] == ["yes", "no", "abstain"]
    # The voter finds their own ballot in the file by its receipt, as on the board.
    assert file["ballots"] == [{"ranking": ["yes"], "count": 1, "receipt": receipt.lower()}]
    assert "weights withheld" in file["title"]
    assert downloading.value.suggested_filename.endswith("-ballots.json")
    for context in (chair_context, phone_context, projector_context):
        context.close()


#: A 1366-pixel-wide laptop's screen at 200 % zoom: the page lays out in half the width.
ZOOMED = {"width": 683, "height": 450}
SIZES = {"phone": PHONE, "desktop": DESKTOP, "zoomed": ZOOMED}
#: Whether the page fits its width: wide tables scroll in their own region, not the page.
FITS_ITS_WIDTH = "document.documentElement.scrollWidth <= window.innerWidth"


# One test per size, so that the sizes run side by side on the test processes.
@pytest.mark.parametrize("size", list(SIZES))
def test_every_roles_main_page_at_phone_and_desktop_size_and_zoomed(
    chromium: Browser, site: Site, size: str
) -> None:
    meeting = site.assembly.meeting_id
    site.assembly.check_in(site.assembly.members[:2])
    poll = site.assembly.create_poll(
        title="Elect the auditors", kind="election", method="scottish-stv", seats=2
    )
    del poll
    motion = site.assembly.create(
        f"/meetings/{meeting}/motions",
        title="On the budget",
        text="The budget is approved.\n\nThe Bureau reports in a year.\n",
        submitter_person_ids=[site.assembly.members[0]],
    )
    site.assembly.create(
        f"/motions/{motion['id']}/amendments",
        paragraph=2,
        new_text="The Bureau reports in six months.",
        proposer_person_id=site.assembly.members[0],
    )
    paper = site.assembly.create(
        f"/meetings/{meeting}/documents",
        title="Report of the Bureau",
        text="# The year\n\nMembership grew.",
    )
    pages = {
        "home": "/",
        "login": "/login",
        "public": "/public",
        "secretary": "/secretary",
        "secretary-people": "/secretary/people",
        "secretary-accounts": "/secretary/accounts",
        "my-password": "/me/password",
        "secretary-desk": f"/secretary/meetings/{meeting}",
        "chair-console": f"/meetings/{meeting}/console",
        "projector": f"/meetings/{meeting}/projector",
        "delegate": f"/meetings/{meeting}",
        "my-meetings": "/meetings",
        "drafts": f"/meetings/{meeting}/motions",
        "motion": f"/meetings/{meeting}/motions/{motion['id']}",
        "documents": f"/meetings/{meeting}/documents",
        "document": f"/meetings/{meeting}/documents/{paper['id']}",
    }
    context = new_context(chromium, site, SIZES[size])
    page = context.new_page()
    log_in_as_secretary(page)
    for name, path in pages.items():
        page.goto(path)
        snapshot(page, f"{name}-{size}")
        assert page.evaluate(FITS_ITS_WIDTH), f"{name} scrolls sideways at {size} size"
    page.goto(f"/secretary/meetings/{meeting}")
    page.get_by_role("button", name="Print cards for every participant").click()
    expect(page.locator(".access-card").first).to_be_visible()
    snapshot(page, f"access-cards-{size}")
    context.close()


def test_voting_works_from_the_keyboard_alone(chromium: Browser, site: Site) -> None:
    meeting = site.assembly.meeting_id
    voter = site.assembly.members[0]
    site.assembly.check_in([voter])
    poll = site.assembly.create_poll(title="Adopt the minutes", kind="decision", method="majority")
    site.assembly.open(int(poll["id"]))
    code = access_codes(site.sessions, meeting)[voter]
    context = new_context(chromium, site, PHONE)
    page = context.new_page()
    page.goto("/login/code")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Access code from your card").focus()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting}$"))
    page.get_by_role("link", name="Vote now").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Review my ballot")).to_be_visible()
    # Tab forward to the first choice; arrows move between choices as in any radio group.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") != ""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Review my ballot"
    page.keyboard.press("Enter")
    expect(page.locator(".review .big")).to_have_text("no")
    confirm = page.get_by_role("button", name="Confirm and cast my ballot")
    expect(confirm).to_be_enabled()  # once the page's script has made the client key
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your ballot is cast")).to_be_visible()
    context.close()


def test_the_floor_follows_live_with_a_running_timer(chromium: Browser, site: Site) -> None:
    api = secretary_api(site.assembly.client, site.assembly.secretary, site.sessions)
    sitting = open_sitting(api)
    meeting, speaker = sitting.meeting_id, PRESENT[6]
    code = access_codes(site.sessions, meeting)[speaker]

    chair_context = new_context(chromium, site, DESKTOP)
    chair = chair_context.new_page()
    log_in_as_secretary(chair)
    chair.goto(f"/meetings/{meeting}/console")
    chair.evaluate(STAY_MARK)

    phone_context = new_context(chromium, site, PHONE)
    phone = phone_context.new_page()
    phone.goto(f"/login/code#{code}")
    phone.get_by_role("button", name="Enter the meeting").click()
    phone.goto(f"/meetings/{meeting}")
    phone.get_by_role("button", name="Ask for the floor").click()
    expect(phone.get_by_test_id("my-place")).to_contain_text("You are number 1 in the list.")
    phone.evaluate(STAY_MARK)

    # The chair's list learns of the request by itself; giving the floor reaches the phone.
    give = chair.get_by_role("button", name=re.compile("^Give the floor to "))
    expect(give).to_be_visible()
    assert chair.evaluate(STILL_SAME_DOCUMENT)
    give.click()
    expect(phone.get_by_text("You have the floor.")).to_be_visible()
    assert phone.evaluate(STILL_SAME_DOCUMENT)
    clock = phone.get_by_role("timer")
    shown = clock.inner_text()
    assert re.fullmatch(r"[12]:\d\d", shown)
    expect(clock).not_to_have_text(shown)  # it counts down in the browser
    snapshot(phone, "delegate-floor-phone")
    snapshot(chair, "chair-floor-desktop")

    projector = chair_context.new_page()
    projector.goto(f"/meetings/{meeting}/projector")
    expect(projector.get_by_test_id("speaker")).to_be_visible()
    snapshot(projector, "projector-floor-desktop")
    for context in (chair_context, phone_context):
        context.close()
