"""Pages name each other by route, carry the CSRF field from one place, and refuse a row of
another meeting.

Templates write no page's address themselves (``{{ path("console", meeting_id=…) }}``), so
an address is written once, in its route; every form that posts carries ``{{ csrf_field }}``;
and an address that names a row of a meeting answers 404 for another meeting's row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import veche
from tests.apps import create_app
from tests.assembly import convene
from tests.web.page_client import secretary
from veche.web.pages import ROUTERS, page_path

TEMPLATES = Path(veche.__file__).parent / "web" / "templates"
#: An address written into a page: every one but the static files and FastAPI's API docs.
_WRITTEN = re.compile(
    r'\b(?:href|action|hx-get|src|formaction|sse-connect)="/(?!static/|api/docs")'
)
_PATH_CALL = re.compile(r"path\('(\w+)'((?:, \w+=[^,)]+)*)\)")
_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL)
PAGES = {
    route.name: route
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute)
}


def _templates() -> list[tuple[str, str]]:
    return [
        (path.relative_to(TEMPLATES).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES.rglob("*.html"))
    ]


def test_templates_live_in_a_folder_by_role() -> None:
    assert {name.split("/")[0] for name, _ in _templates()} == {
        "public",
        "delegate",
        "meeting",
        "chair",
        "projector",
        "reporter",
        "secretary",
        "shared",
    }


def test_a_page_path_is_its_routes_address() -> None:
    for name, route in PAGES.items():
        params = {param: 7 for param in route.param_convertors}
        assert page_path(name, **params) == route.url_path_for(name, **params)
    assert page_path("poll_step", meeting_id=3, poll_id=9, step="open") == (
        "/meetings/3/console/polls/9/open"
    )
    with pytest.raises(LookupError, match="no page named 'nowhere'"):
        page_path("nowhere")
    with pytest.raises(LookupError, match="takes the parameters meeting_id"):
        page_path("console", poll_id=3)


def test_templates_write_no_address_and_name_pages_that_exist() -> None:
    for name, text in _templates():
        assert _WRITTEN.findall(text) == [], f"{name}: use path('…') for a page's address"
        for page, arguments in _PATH_CALL.findall(text):
            assert page in PAGES, f"{name} names no page: {page}"
            given = set(re.findall(r", (\w+)=", arguments))
            assert given == set(PAGES[page].param_convertors), f"{name}: path('{page}', …)"


def test_every_form_that_posts_carries_the_csrf_field_from_one_place() -> None:
    for name, text in _templates():
        assert "csrf_token" not in text, f"{name}: write {{{{ csrf_field }}}} instead"
        for form in _FORM.findall(text):
            if 'method="post"' in form:
                assert form.count("{{ csrf_field }}") == 1, f"{name}: {form[:120]}"


@pytest.mark.one_database  # refused before anything is read or stored
def test_every_page_that_takes_a_form_refuses_it_without_this_browsers_token(
    engine: Engine,
) -> None:
    # The app adds the check to every page router as it mounts it: no page can forget it.
    with TestClient(create_app(engine)) as client:
        for route in PAGES.values():
            path = route.url_path_for(route.name, **dict.fromkeys(route.param_convertors, 1))
            for method in (route.methods or set()) - {"GET", "HEAD"}:
                refused = client.request(method, path, data={"title": "x"})
                assert refused.status_code == 403, f"{method} {path}"
                assert "security token is missing" in refused.text, f"{method} {path}"


@pytest.mark.one_database  # the schema is the app's, whatever its database
def test_pages_stay_out_of_the_apis_schema(engine: Engine) -> None:
    with TestClient(create_app(engine)) as client:
        schema = client.get("/api/openapi.json").json()
    assert schema["paths"]
    assert all(path.startswith("/api/") for path in schema["paths"])


@pytest.mark.demo
def test_an_address_naming_another_meetings_row_is_not_found(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    app = create_app(engine)
    with TestClient(app) as client:
        here = convene(client, sessions)
        there = convene(client, sessions)
        poll_id = there.create_poll(title="Elsewhere", kind="decision")["id"]
        browser = secretary(app)
        m = here.meeting_id
        elsewhere = browser.get(f"/meetings/{m}/polls/{poll_id}/vote")
        assert elsewhere.status_code == 404
        assert f"meeting {m} has no poll {poll_id}" in elsewhere.text
        stepped = browser.post(f"/meetings/{m}/console/polls/{poll_id}/open")
        assert stepped.status_code == 404 and f"meeting {m} has no poll" in stepped.text
