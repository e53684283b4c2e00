"""Browser tests in a real Chromium (Debian's package), driven by Playwright for Python."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, convene
from tests.conftest import wants_demo
from tests.web.live_server import serve
from veche.db import make_engine, make_sessionmaker
from veche.demo import DEMO_SECRETARY
from veche.web.live import Broker

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling hosts this network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/static/test-only/axe.min.js"  # answered by the test, not by the server
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
#: Every step's screens are saved only when asked (``VECHE_SCREENSHOTS=1 make test``): a
#: full-page picture costs the browser a third of a second or more, a quarter of the
#: congress test's time, and nothing is asserted on it (axe reads the page itself). A
#: failing test saves its screens whatever this says.
SCREENSHOTS = os.environ.get("VECHE_SCREENSHOTS") == "1"
PHONE = {"width": 390, "height": 844}
# Assertions wait as long as actions do (15 s, below): CI runs the suite on a busy machine,
# where a page answered in 5 s failed a congress's check-in at the door (stop 34).
expect.set_options(timeout=15_000)
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Fails, never skips, when Chromium is missing: `make test` installs it.

    Module-scoped: Playwright's sync API runs an event loop in this thread while it is
    open, which later tests that start one of their own must not find.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def no_script_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every page a test opens, in any browser profile, runs its scripts without an uncaught
    error: a test reading the page would not otherwise see a script that stopped midway
    (keeping focus across live updates once did, on every pushed fragment)."""
    errors: list[str] = []
    opened = Browser.new_context

    def new_context(browser: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = opened(browser, *args, **kwargs)

        def watch(page: Page) -> None:
            page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

        context.on("page", watch)
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield
    assert errors == [], "\n".join(errors)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Browser tests run one server process, on SQLite."""
    path = tmp_path / "veche.sqlite3"
    template = "sqlite_demo_template" if wants_demo(request) else "sqlite_template"
    shutil.copy(request.getfixturevalue(template), path)
    yield f"sqlite:///{path}"


@dataclass
class Site:
    url: str
    assembly: Assembly
    sessions: sessionmaker[Session]
    #: The server's live streams, for a test that drops them as a lost Wi-Fi would.
    broker: Broker


@pytest.fixture
def site(database_url: str) -> Iterator[Site]:
    """The demo with a meeting convened today, served over HTTP by a real server."""
    engine: Engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    app = create_app(engine)
    try:
        with TestClient(app) as client:
            assembly = convene(client, sessions)
        with serve(app) as url:
            yield Site(url, assembly, sessions, app.state.broker)
    finally:
        engine.dispose()


class ServedSite(Protocol):
    """Anything a real server answers for: the demo's ``Site``, or a test's own world."""

    @property
    def url(self) -> str: ...


def new_context(chromium: Browser, site: ServedSite, viewport: dict[str, int]) -> BrowserContext:
    """A fresh browser profile on the site, at ``viewport``, patient enough for a busy machine."""
    context = chromium.new_context(base_url=site.url, viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context


def log_in_as_secretary(page: Page) -> None:
    """Log in through the login page as the demo's secretary, who lands on their desk."""
    username, password = DEMO_SECRETARY
    page.goto("/login")
    page.get_by_label("User name", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/secretary$"))


def check_accessibility(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (from npm) on the page; the serious and critical WCAG 2.2 AA violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing; run `npm ci` (`make test` does)")
    # A click that leads to a page returns once the page starts loading: judged before its
    # stylesheet applies, a page's header read as targets too small (a CI run, under load).
    page.wait_for_load_state("load")
    # The pages' Content-Security-Policy runs scripts from their own site only, never inline:
    # axe is handed to the page as one of the site's files.
    page.route(
        f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )
    page.add_script_tag(url=AXE_URL)
    page.unroute(f"**{AXE_URL}")
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: "tag", values:
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def snapshot(page: Page, name: str, quality: int = 80) -> None:
    """Check the page with axe, and save a full-page screenshot under
    test-artifacts/screenshots/ when ``SCREENSHOTS`` asks. (JPEG: a full page's PNG took
    Chromium three times as long to encode.)"""
    save_screen(page, name, quality)
    assert check_accessibility(page) == [], name


def save_screen(page: Page, name: str, quality: int = 80, *, anyway: bool = False) -> None:
    """The page's full-page screenshot, as ``name``.jpeg, when asked (or ``anyway``: a
    failure's)."""
    if SCREENSHOTS or anyway:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{name}.jpeg"), full_page=True, type="jpeg", quality=quality
        )
