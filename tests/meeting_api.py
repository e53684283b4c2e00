"""A thin client for recording a meeting's proceedings through the REST API in tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import Body, Term


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


def demo_api(client: TestClient, sessions: sessionmaker[Session]) -> Api:
    """Load the demo, log its secretary in, and find the General Council's 8th term."""
    with transaction(sessions) as session:
        demo_organization(session)
    with sessions() as session:
        term = session.scalars(select(Term).where(Term.number == 8).order_by(Term.id)).first()
        assert term is not None and term.body.name == "General Council"
        bodies = {b.name: b.id for b in session.scalars(select(Body))}
        term_id = term.id
    username, password = DEMO_SECRETARY
    login = client.post("/api/tokens", json={"username": username, "password": password})
    assert login.status_code == 201, login.text
    secretary = {"Authorization": f"Bearer {login.json()['token']}"}
    return Api(client, secretary, term_id, bodies)
