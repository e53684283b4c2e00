"""What the database refuses, or fails at, is answered with a refusal on both databases, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened
from tests.helpers import row_count
from tests.term_meetings import another_meeting
from veche.models import Meeting

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@pytest.fixture
def assembly(engine: Engine, convened: Convened) -> Iterator[Assembly]:
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield convened.on(client)


def _meetings(sessions: sessionmaker[Session]) -> int:
    return row_count(sessions, Meeting)


def test_text_with_a_nul_character_is_refused_and_changes_nothing(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    before = _meetings(sessions)
    answer = assembly.client.post(
        "/api/meetings",
        json=another_meeting(assembly, "Plenary\u0000Meeting"),
        headers=assembly.secretary,
    )
    assert answer.status_code == 422, answer.text
    assert "NUL" in answer.json()["detail"]
    assert _meetings(sessions) == before


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_a_number_no_column_holds_is_a_refusal_on_the_pages_too(
    assembly: Assembly, number: int
) -> None:
    # Pages take ids as plain integers; PostgreSQL's integer holds 2**31 - 1 at most.
    answer = assembly.client.get(f"/public/meetings/{number}/communique")
    assert answer.status_code == 422, answer.text
    assert "too large" in answer.text


def _failing(error: Exception) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), 503),
        (IntegrityError("INSERT …", {}, Exception("duplicate key")), 409),
    ],
    ids=["database-gone", "clash"],
)
def test_a_database_failure_is_a_refusal_that_says_what_to_do(
    assembly: Assembly, monkeypatch: pytest.MonkeyPatch, error: Exception, status: int
) -> None:
    monkeypatch.setattr("veche.web.api.rows.access_meeting", _failing(error))
    answer = assembly.client.get(f"/api/meetings/{assembly.meeting_id}", headers=assembly.secretary)
    assert answer.status_code == status, answer.text
    assert "try again" in answer.json()["detail"]
    if status == 503:
        assert int(answer.headers["retry-after"]) > 0
