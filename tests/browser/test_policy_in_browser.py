"""The Content-Security-Policy in a real browser: no page needs anything it refuses, and
the browser understands every header."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.browser.conftest import DESKTOP, Site, log_in_as_secretary, new_context

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_the_pages_keep_to_their_content_security_policy(chromium: Browser, site: Site) -> None:
    meeting = site.assembly.meeting_id
    site.assembly.check_in(site.assembly.members[:3])
    context = new_context(chromium, site, DESKTOP)
    page = context.new_page()
    refused: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", note)
    log_in_as_secretary(page)
    for path in ("/", "/secretary", f"/secretary/meetings/{meeting}", "/public"):
        page.goto(path)
    # The live pages: htmx starts, the stream opens, and its first event fetches a fragment.
    for path, fragment in (
        (f"/meetings/{meeting}", f"/meetings/{meeting}/room"),
        (f"/meetings/{meeting}/console", f"/meetings/{meeting}/console/current"),
        (f"/meetings/{meeting}/projector", f"/meetings/{meeting}/projector/current"),
    ):
        with page.expect_response(re.compile(re.escape(fragment) + "$")):
            page.goto(path)
    # The access cards show their QR codes as data: images.
    page.goto(f"/secretary/meetings/{meeting}")
    page.get_by_role("button", name="Print cards for every participant").click()
    qr_code = page.locator(".access-card img").first
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    # A report carries its stylesheet inline, allowed by its hash.
    page.goto(f"/meetings/{meeting}/reports/communique")
    assert "Georgia" in page.evaluate("getComputedStyle(document.body).fontFamily")
    context.close()
    assert refused == []
