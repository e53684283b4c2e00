"""An id in a JSON body is a whole number: ``true`` or ``1.0`` is refused (422, naming the
field and what was sent) and changes nothing, where pydantic's lax reading would have taken
either for 1. Text ("1") stays allowed, as a form's fields are text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import demo_api

#: The input is parsed before anything is stored, alike on both databases.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as client:
        yield client


@pytest.mark.parametrize(("sent", "said"), [(True, "true"), (1.0, "1.0"), (2.0, "2.0")])
def test_an_id_that_is_a_flag_or_a_fraction_is_refused(
    client: TestClient, sessions: sessionmaker[Session], sent: object, said: str
) -> None:
    api = demo_api(client, sessions)
    meeting = api.new_meeting(date.today())["id"]
    before = api.get(f"/meetings/{meeting}/participants")
    answer = client.post(
        f"/api/meetings/{meeting}/participants",
        json={"person_id": sent, "role": "observer"},
        headers=api.secretary,
    )
    assert answer.status_code == 422, answer.text
    assert "person_id" in answer.text and f"an id is a whole number, not {said}" in answer.text
    assert api.get(f"/meetings/{meeting}/participants") == before


def test_an_id_sent_as_text_is_read(client: TestClient, sessions: sessionmaker[Session]) -> None:
    api = demo_api(client, sessions)
    meeting = api.new_meeting(date.today())["id"]
    outsider = api.post("/people", full_name="Tekla Textual")["id"]
    answer = client.post(
        f"/api/meetings/{meeting}/participants",
        json={"person_id": str(outsider), "role": "observer"},
        headers=api.secretary,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["person_id"] == outsider
