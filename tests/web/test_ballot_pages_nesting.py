"""The ballot pages read back the choice their review page carries: text that is no such
choice, however deeply nested, gets the page's refusal (or fills in nothing), never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Convened, client_key
from tests.web.page_client import Browser, delegates
from veche.models import Participation
from veche.web.pages._ballots import filled_from_choice, json_or_none

#: What the pages send and show; the ballot's own checks are proven on both databases
#: through the API (tests/web/test_polls_api.py). From the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

#: Deeper than Python's JSON reader goes: it raises RecursionError, not ValueError.
TOO_DEEP = ["[" * 19000 + "]" * 19, "[" * 15000, '{"option": ' + "[" * 19000]
#: As deep as the reader goes on its own, well short of the form field's 20,000 characters.
DEEP_BUT_READ = [
    '{"option": ' + "[" * 400 + "]" * 400 + "}",
    '{"ranking": [' + "[" * 400 + "]" * 400 + "]}",
    "[" * 400 + "]" * 400,
]


@dataclass
class Booth:
    voter: Browser
    base: str
    poll_id: int
    api: TestClient
    token: dict[str, str]


@pytest.fixture
def booth(engine: Engine, sessions: sessionmaker[Session], convened: Convened) -> Iterator[Booth]:
    app = create_app(engine)
    with TestClient(app) as client:
        assembly = convened.on(client)
        voter = assembly.members[0]
        assembly.check_in([voter])
        poll = assembly.create_poll(title="Adopt the agenda", kind="decision")
        assembly.open(int(poll["id"]))
        browser = delegates(app, sessions, assembly.meeting_id, [voter])[0].browser
        base = f"/meetings/{assembly.meeting_id}/polls/{poll['id']}"
        yield Booth(browser, base, poll["id"], client, assembly.as_person(voter))


@pytest.mark.parametrize("choice", TOO_DEEP + DEEP_BUT_READ)
def test_a_confirmed_ballot_nested_too_deep_is_refused_and_stores_nothing(
    booth: Booth, sessions: sessionmaker[Session], choice: str
) -> None:
    answer = booth.voter.post(
        f"{booth.base}/ballot", {"choice": choice, "client_key": client_key()}
    )
    assert answer.status_code == 422, answer.text[:300]
    with sessions() as session:
        cast = select(func.count()).where(Participation.poll_id == booth.poll_id)
        assert session.scalar(cast) == 0


@pytest.mark.parametrize("choice", TOO_DEEP + DEEP_BUT_READ)
def test_changing_a_ballot_nested_too_deep_starts_from_an_empty_one(
    booth: Booth, choice: str
) -> None:
    answer = booth.voter.post(f"{booth.base}/review", {"again": "1", "choice": choice})
    assert answer.status_code == 200, answer.text[:300]
    assert "checked" not in answer.text.split("<main")[1]


@pytest.mark.parametrize("body", TOO_DEEP)
def test_the_api_refuses_json_nested_too_deep_with_a_4xx(booth: Booth, body: str) -> None:
    """The ballot box reads its body with pydantic, which stops at its own depth; every other
    route's body is read first in the same way (``web/readable_bodies.py``), and refused alike,
    saying why."""
    json_body = booth.token | {"content-type": "application/json"}
    ballot = f'{{"choice": {{"option": {body}}}, "client_key": "{client_key()}"}}'
    cast = booth.api.post(f"/api/polls/{booth.poll_id}/ballots", content=ballot, headers=json_body)
    assert cast.status_code == 422, cast.text[:300]
    route = booth.api.post(f"/api/polls/{booth.poll_id}/paper", content=body, headers=json_body)
    assert route.status_code == 422, route.text[:300]
    assert "nested too deeply" in route.json()["detail"]


def test_only_a_choice_of_numbers_fills_the_ballot_in_again() -> None:
    assert filled_from_choice('{"option": 3}') == {"option": ["3"]}
    assert filled_from_choice('{"ranking": [4, 2]}') == {"rank_4": ["1"], "rank_2": ["2"]}
    assert filled_from_choice('{"scores": {"4": 7}}') == {"score_4": ["7"]}
    for sent in [*TOO_DEEP, *DEEP_BUT_READ, '{"options": [[1]]}', '{"scores": {"4": [7]}}']:
        assert filled_from_choice(sent) == {}
    assert json_or_none("[" * 19000) is None and json_or_none("not JSON") is None
