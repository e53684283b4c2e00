"""Response headers: a strict Content-Security-Policy the pages live with, no camera, no
framing, HSTS over HTTPS only, and nothing a logged-in person saw kept in the browser's cache."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, convene
from tests.web.live_server import served_to_the_secretary
from tests.web.page_client import secretary
from veche.reports.document import Document, Paragraph
from veche.reports.render import to_html
from veche.web.headers import POLICY

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]  # headers do not depend on it

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "veche" / "web" / "templates"


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def _directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        found[name] = values
    return found


def test_a_page_runs_only_this_sites_scripts_and_cannot_be_framed(client: TestClient) -> None:
    response = client.get("/")
    policy = _directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["style-src"][0] == "'self'" and "'unsafe-inline'" not in policy["style-src"]
    assert policy["img-src"] == ["'self'", "data:"]  # the access cards' QR codes
    assert policy["connect-src"] == ["'self'"]  # htmx and the live stream
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert "microphone=()" in response.headers["permissions-policy"]


def test_strict_transport_security_only_over_https(app: FastAPI) -> None:
    assert "strict-transport-security" not in TestClient(app).get("/").headers
    over_https = TestClient(app, base_url="https://testserver").get("/")
    assert over_https.headers["strict-transport-security"] == "max-age=31536000"


def test_every_page_and_api_answer_is_kept_out_of_the_cache(
    app: FastAPI, client: TestClient
) -> None:
    """After logout, the Back button on a shared phone must not show the last delegate's page."""
    logged_in = secretary(app)
    answers = {
        "home page": client.get("/"),
        "login page": client.get("/login"),
        "secretary's page": logged_in.get("/secretary"),
        "refused page": client.get("/secretary", follow_redirects=False),
        "missing page": logged_in.get("/meetings/999999"),
        "API answer": client.get("/api/organization"),
        "API refusal": client.get("/api/meetings/1"),
        "ballot box": client.post("/api/polls/1/ballots", json={}),
        "API docs": client.get("/api/docs"),
    }
    kept = {name: a.headers.get_list("cache-control") for name, a in answers.items()}
    assert kept == {name: ["no-store"] for name in answers}


def test_static_files_may_be_kept_but_are_checked_again(client: TestClient) -> None:
    response = client.get("/static/veche.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"  # their names carry no version
    again = client.get("/static/veche.js", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304


def test_a_document_naming_no_icon_finds_the_sites(client: TestClient) -> None:
    """A report or a summing-up is a document of its own, without the pages' icon link: the
    browser's ``/favicon.ico`` is sent to the icon the pages name, not answered 404."""
    asked = client.get("/favicon.ico", follow_redirects=False)
    assert asked.status_code == 301
    assert asked.headers["location"] == "/static/favicon.svg"
    icon = client.get(asked.headers["location"])
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert (
        '<link rel="icon" href="/static/favicon.svg"'
        in (TEMPLATES / "shared/base.html").read_text()
    )


def test_the_live_stream_keeps_its_one_cache_control(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with TestClient(create_app(engine)) as api:
        assembly: Assembly = convene(api, sessions)
    with served_to_the_secretary(create_app(engine)) as browser:
        path = f"/meetings/{assembly.meeting_id}/events"
        with browser.stream("GET", path, timeout=10) as stream:
            assert stream.status_code == 200
            assert stream.headers.get_list("cache-control") == ["no-store"]
            assert "content-security-policy" in stream.headers
            assert next(stream.iter_lines()).startswith("retry:")


def test_the_api_docs_page_may_load_swagger_ui_and_nothing_else_may(client: TestClient) -> None:
    docs = _directives(client.get("/api/docs").headers["content-security-policy"])
    assert "https://cdn.jsdelivr.net" in docs["script-src"]
    assert docs["frame-ancestors"] == ["'none'"]
    for path in ("/", "/api/openapi.json", "/api/docsx"):
        assert "cdn.jsdelivr.net" not in client.get(path).headers["content-security-policy"]


def test_the_reports_inline_stylesheet_is_allowed_by_its_hash() -> None:
    """A report is one HTML file with its style inside; served as a page it keeps its look."""
    page = to_html(Document("Communiqué", blocks=[Paragraph("Adopted.")]))
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in _directives(POLICY.decode())["style-src"]


@pytest.mark.parametrize(
    "forbidden",
    [
        r"<script(?![^>]*\bsrc=)",  # an inline script
        r"<style\b",
        r"\sstyle=",
        r"\son[a-z]+=",  # an inline event handler
        r"javascript:",
        r"\shx-on",  # htmx would eval it
        r"hx-(?:vals|vars)=['\"]\s*js:",
    ],
)
def test_no_template_needs_what_the_policy_forbids(forbidden: str) -> None:
    found = [
        f"{template.relative_to(TEMPLATES)}: {match.group(0)}"
        for template in sorted(TEMPLATES.rglob("*.html"))
        for match in re.finditer(forbidden, template.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_htmx_is_told_not_to_add_an_inline_style_nor_to_eval() -> None:
    base = (TEMPLATES / "shared" / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
