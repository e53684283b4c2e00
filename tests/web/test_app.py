"""The web skeleton: health, OpenAPI, the home page, and errors that say what was wrong."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import load_demo_into
from tests.web.live_server import serve
from tests.web.page_client import secretary


@pytest.fixture
def client(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    load_demo_into(sessions)
    with TestClient(create_app(engine)) as client:
        yield client


@pytest.mark.demo
def test_health_names_the_database(client: TestClient, engine: Engine) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == engine.dialect.name


@pytest.mark.demo
def test_openapi_schema_lists_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert {"/api/health", "/api/organization"} <= set(schema["paths"])


@pytest.mark.demo
def test_organization_lists_bodies_with_current_terms(client: TestClient) -> None:
    data = client.get("/api/organization").json()
    council = next(b for b in data["bodies"] if b["name"] == "General Council")
    assert council["current_term"]["label"] == "8th General Council"
    assert (council["current_term"]["members"], council["current_term"]["alternates"]) == (30, 8)
    bureau = next(b for b in data["bodies"] if b["name"] == "Executive Bureau")
    assert bureau["parent"] == "General Council"


@pytest.mark.demo
def test_home_page_lists_bodies_and_current_terms(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    page = response.text
    assert "Riverlands Federation of Trade Unions" in page
    for text in ("General Council", "the 8th General Council", "the 3rd Executive Bureau"):
        assert text in page
    assert "30 members, 8 alternates" in page


@pytest.mark.demo
def test_unknown_path_is_404(client: TestClient) -> None:
    assert client.get("/api/no-such-thing").status_code == 404


@pytest.mark.demo
def test_a_form_address_opened_by_get_is_a_page_leading_back(client: TestClient) -> None:
    """An address only a form posts to, opened again from the history or a restored session,
    is a page of the site (its title, language and menu) saying so and leading back: to the
    meeting's desk or page when the address names a meeting, else home. The API's stays
    JSON."""
    browser = secretary(client.app)  # type: ignore[arg-type]
    leads = {
        "/secretary/meetings/1/access-codes": "/secretary/meetings/1",
        "/secretary/meetings/1/proxies?day=2026-03-14": "/secretary/meetings/1",
        "/secretary/meetings/1/polls/3/paper/counts": "/secretary/meetings/1",
        "/meetings/1/floor/requests": "/meetings/1",
        "/logout": "/",
    }
    for address, back in leads.items():
        answer = browser.get(address)
        assert answer.status_code == 405, (address, answer.text)
        assert "text/html" in answer.headers["content-type"]
        assert "POST" in answer.headers["allow"]
        page = answer.text
        assert '<html lang="en">' in page
        assert "<title>This page is reached through its form · veche</title>" in page
        assert f'<a href="{back}">' in page, (address, page)
        assert "Log out" in page  # the viewer's own menu
    refused = client.put("/api/health")
    assert refused.status_code == 405 and refused.json() == {"detail": "Method Not Allowed"}


def test_empty_database_says_what_to_do(engine: Engine) -> None:
    with TestClient(create_app(engine)) as client:
        response = client.get("/api/organization")
    assert response.status_code == 404
    assert "veche demo" in response.json()["detail"]


@pytest.mark.demo
def test_a_burst_of_readers_does_not_stall_the_server(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """More requests at once than worker threads and pooled connections together.

    A route that only reads keeps its session until its answer is sent, and the answer is
    made on a worker thread: once every worker thread waited for a connection held by an
    answer waiting for a thread, the server stood still until the pool gave up (30 s) and
    then answered 500. Sessions are now rationed below both.
    """
    load_demo_into(sessions)
    burst = 150  # above the 40 worker threads and the pool's 35 connections

    async def ask_all(base: str) -> list[int]:
        limits = httpx2.Limits(max_connections=burst)
        async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=25) as browser:
            answers = await asyncio.gather(
                *(browser.get("/api/health") for _ in range(burst)), return_exceptions=True
            )
        return [a.status_code if isinstance(a, httpx2.Response) else 0 for a in answers]

    with serve(create_app(engine)) as base:
        statuses = asyncio.run(ask_all(base))
    assert statuses == [200] * burst
