"""A thin client for recording a meeting's proceedings through the REST API in tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import bearer_token
from tests.helpers import demo_organization, general_council_term
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo import DEMO_SECRETARY
from veche.models import Body


@dataclass
class Api:
    """The secretary's client, tokens for delegates, and assertions on every answer."""

    client: TestClient
    secretary: dict[str, str]
    term_id: int
    bodies: dict[str, int]
    tokens: dict[int, dict[str, str]] = field(default_factory=dict)

    def call(
        self, verb: str, path: str, /, expect: int = 200, as_person: int | None = None, **body: Any
    ) -> Any:
        headers = self.person(as_person) if as_person is not None else self.secretary
        response = self.client.request(
            verb, "/api" + path, json=body if body else None, headers=headers
        )
        assert response.status_code == expect, f"{verb} {path}: {response.text}"
        return (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else response
        )

    def post(self, path: str, /, expect: int = 201, **body: Any) -> Any:
        return self.call("POST", path, expect, **body)

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def person(self, person_id: int) -> dict[str, str]:
        if person_id not in self.tokens:
            token = self.post(f"/people/{person_id}/tokens")["token"]
            self.tokens[person_id] = {"Authorization": f"Bearer {token}"}
        return self.tokens[person_id]

    def new_meeting(self, day: date, **fields: Any) -> dict[str, Any]:
        """Create a plenary meeting of the term starting on ``day``."""
        meeting: dict[str, Any] = self.post(
            "/meetings",
            term_id=self.term_id,
            title="Plenary Meeting",
            starts_on=day.isoformat(),
            **fields,
        )
        return meeting

    def move_on(self, meeting_id: int, *states: str) -> None:
        """Take the meeting through ``states``, one step each."""
        for state in states:
            self.post(f"/meetings/{meeting_id}/state", 200, state=state)

    def check_in(self, meeting_id: int, day: date, person_ids: list[int]) -> None:
        self.call(
            "POST",
            f"/meetings/{meeting_id}/attendance",
            person_ids=person_ids,
            day=day.isoformat(),
        )

    def vote(self, poll_id: int, person_id: int, choice: dict[str, Any]) -> None:
        self.call(
            "POST",
            f"/polls/{poll_id}/ballots",
            201,
            as_person=person_id,
            choice=choice,
            client_key=secrets.token_urlsafe(16),
        )

    def decide(
        self, meeting_id: int, day: date, title: str, votes: dict[str, list[int]], **link: Any
    ) -> dict[str, Any]:
        """A named decision on ``day``: create, open, cast ``votes`` (choice → voters), close."""
        poll = self.post(
            f"/meetings/{meeting_id}/polls",
            title=title,
            kind="decision",
            method="majority",
            secrecy="named",
            **link,
        )
        self.call("POST", f"/polls/{poll['id']}/open", day=day.isoformat())
        options = {o["label"]: o["id"] for o in poll["options"]}
        for choice, voters in votes.items():
            for voter in voters:
                self.vote(poll["id"], voter, {"option": options[choice]})
        closed: dict[str, Any] = self.call("POST", f"/polls/{poll['id']}/close")
        self.call("POST", f"/polls/{poll['id']}/publish")
        return closed


@dataclass(frozen=True)
class ApiKeys:
    """What an ``Api`` knows beside its client: kept by a prepared database (``tests.prepared``),
    whose bearer tokens are stored in it and so good in every copy."""

    secretary: dict[str, str]
    term_id: int
    bodies: dict[str, int]
    tokens: dict[int, dict[str, str]]

    def api(self, client: TestClient) -> Api:
        return Api(client, self.secretary, self.term_id, self.bodies, dict(self.tokens))


def keys_of(api: Api) -> ApiKeys:
    return ApiKeys(api.secretary, api.term_id, api.bodies, dict(api.tokens))


@contextmanager
def demo_api_on(url: str) -> Iterator[Api]:
    """The demo secretary's ``Api`` on an application over the database at ``url``, for a
    preparation; the engine is closed after, which folds SQLite's WAL back into the file."""
    engine = make_engine(url)
    try:
        with TestClient(create_app(engine)) as client:
            yield demo_api(client, make_sessionmaker(engine))
    finally:
        engine.dispose()


def secretary_api(
    client: TestClient, headers: dict[str, str], sessions: sessionmaker[Session]
) -> Api:
    """An ``Api`` for a demo already loaded: the General Council's 8th term and the bodies."""
    with sessions() as session:
        term_id = general_council_term(session).id
        bodies = {b.name: b.id for b in session.scalars(select(Body))}
    return Api(client, headers, term_id, bodies)


def demo_api(client: TestClient, sessions: sessionmaker[Session]) -> Api:
    """Load the demo, log its secretary in, and find the General Council's 8th term."""
    with transaction(sessions) as session:
        demo_organization(session)
    return secretary_api(client, bearer_token(client, *DEMO_SECRETARY), sessions)
