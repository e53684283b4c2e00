"""The follow-up in a real browser: a unit's reporter files the period's report on a phone (one
field refused and corrected), the secretary returns it from the desk, the reporter corrects
and submits it again, the secretary accepts it, and a delegate reads the summing-up's chart
from the meeting's page on a phone. Every page checked with axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.apps import create_app
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    check_accessibility,
    log_in_as_secretary,
    new_context,
    snapshot,
)
from tests.web.follow_up_world import PASSWORD, FollowUpWorld, build_follow_up
from tests.web.live_server import serve
from veche.db import make_engine

#: It starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@dataclass(frozen=True)
class Served:
    url: str
    world: FollowUpWorld


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    """The follow-up of tests/web/follow_up_world.py, served by a real server."""
    world = build_follow_up(database_url)
    engine = make_engine(database_url)
    try:
        with serve(create_app(engine)) as url:
            yield Served(url, world)
    finally:
        engine.dispose()


def _log_in(page: Page, username: str, then: str) -> None:
    """Log in through the login page, landing on ``then`` (where one lands unasked: none)."""
    page.goto("/login" if then in ("/meetings", "/reporting") else f"/login?next={then}")
    page.get_by_label("User name", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_a_report_filed_on_a_phone_reaches_the_summing_up(
    chromium: Browser, served: Served
) -> None:
    w = served.world
    reporter_context = new_context(chromium, served, PHONE)
    reporter = reporter_context.new_page()
    _log_in(reporter, w.reporter, "/reporting")  # where one who only reports lands
    assert check_accessibility(reporter) == []
    reporter.get_by_role("link", name="Rail and Transport Branch · First half of 2026").click()
    figure = reporter.get_by_label("Members paying dues")
    expect(figure).to_be_visible()
    figure.fill("260")
    reporter.get_by_label("Where the goal stands").select_option(label="at risk")
    reporter.get_by_role("button", name="Submit the report").click()
    # The reason the status needs, asked at its field; what was typed is still there.
    reason = reporter.get_by_label("Why (needed unless not started or on track)")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reporter.locator(f"#reason_{w.goal_id}-error")).to_contain_text("say why (reason)")
    expect(figure).to_have_value("260")
    snapshot(reporter, "follow-up-report-refused-phone")
    reason.fill("Two depots closed in the spring.")
    reporter.get_by_role("button", name="Submit the report").click()
    expect(reporter.get_by_role("status")).to_have_text("Report submitted for review.")

    desk_context = new_context(chromium, served, DESKTOP)
    desk = desk_context.new_page()
    log_in_as_secretary(desk)
    desk.get_by_role("link", name="Follow-up").click()
    assert check_accessibility(desk) == []
    desk.get_by_role("link", name="First half of 2026").click()
    expect(desk.get_by_test_id("coverage")).to_have_text("0 of 2 units reported")
    desk.get_by_label("What Rail and Transport Branch should correct").fill(
        "Count the new depot's members too."
    )
    desk.get_by_role("button", name="Return").click()
    expect(desk.get_by_role("status")).to_have_text("Rail and Transport Branch's report returned.")

    reporter.reload()
    expect(reporter.get_by_test_id("return-reason")).to_contain_text(
        "Count the new depot's members too."
    )
    expect(reporter.get_by_label("Add a file")).to_be_visible()
    snapshot(reporter, "follow-up-report-returned-phone")  # checked with axe too
    figure.fill("275")
    reporter.get_by_label("Where the goal stands").select_option(label="on track")
    reporter.get_by_role("button", name="Submit the report").click()
    expect(reporter.get_by_role("status")).to_have_text("Report submitted for review.")
    reporter_context.close()

    desk.reload()
    desk.get_by_role("button", name="Accept the report of Rail and Transport Branch").click()
    expect(desk.get_by_test_id("coverage")).to_have_text("1 of 2 units reported")
    expect(desk.locator("figure.target-chart svg title")).to_have_text("1 Members paying dues")
    snapshot(desk, "follow-up-desk-desktop")
    desk_context.close()

    delegate_context = new_context(chromium, served, PHONE)
    delegate = delegate_context.new_page()
    _log_in(delegate, w.delegate, f"/meetings/{w.meeting_id}")
    delegate.get_by_role("link", name="The summing-up of the goals").click()
    snapshot(delegate, "follow-up-summing-up-list-phone")
    delegate.get_by_role("link", name="Summing-up of First half of 2026").click()
    chart = delegate.locator("svg[role=img]").first
    expect(chart).to_be_visible()
    expect(chart.locator("desc")).to_contain_text(
        "Second half of 2025: 230; First half of 2026: 275. Target: 1,200."
    )
    # The chart's table: each period's figure, and how many units reported it.
    expect(
        delegate.get_by_role("row", name="First half of 2026 275 1 / 2", exact=True)
    ).to_be_visible()
    expect(delegate.get_by_text("1 of 2 units reported on their goals")).to_be_visible()
    assert check_accessibility(delegate) == []
    # Set for the phone's width, the page never scrolls sideways, and leads back.
    assert delegate.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    delegate.get_by_role("link", name="Back to the meeting").click()
    expect(delegate.get_by_role("link", name="The summing-up of the goals")).to_be_visible()
    delegate_context.close()
