"""A meeting of the demo's General Council driven through the REST API, for voting tests."""

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
from veche.models import Membership, Term
from veche.models.org import MembershipRole


def client_key() -> str:
    return secrets.token_urlsafe(16)


@dataclass
class Assembly:
    """The secretary's client, and a bearer token for every member and alternate."""

    client: TestClient
    secretary: dict[str, str]
    meeting_id: int
    day: date
    members: list[int]
    alternates: list[int]
    tokens: dict[int, dict[str, str]] = field(default_factory=dict)

    def as_person(self, person_id: int) -> dict[str, str]:
        if person_id not in self.tokens:
            response = self.client.post(f"/api/people/{person_id}/tokens", headers=self.secretary)
            assert response.status_code == 201, response.text
            self.tokens[person_id] = {"Authorization": f"Bearer {response.json()['token']}"}
        return self.tokens[person_id]

    def check_in(self, person_ids: list[int]) -> dict[str, Any]:
        response = self.client.post(
            f"/api/meetings/{self.meeting_id}/attendance",
            json={"person_ids": person_ids, "day": self.day.isoformat()},
            headers=self.secretary,
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def create_poll(self, **spec: Any) -> dict[str, Any]:
        response = self.client.post(
            f"/api/meetings/{self.meeting_id}/polls", json=spec, headers=self.secretary
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def open(self, poll_id: int) -> None:
        response = self.client.post(
            f"/api/polls/{poll_id}/open", json={"day": self.day.isoformat()}, headers=self.secretary
        )
        assert response.status_code == 200, response.text

    def vote(self, poll_id: int, person_id: int, choice: dict[str, Any], **extra: Any) -> Any:
        body = {"choice": choice, "client_key": extra.pop("key", None) or client_key(), **extra}
        return self.client.post(
            f"/api/polls/{poll_id}/ballots", json=body, headers=self.as_person(person_id)
        )

    def close(self, poll_id: int) -> dict[str, Any]:
        response = self.client.post(f"/api/polls/{poll_id}/close", headers=self.secretary)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def result(self, poll_id: int) -> dict[str, Any]:
        response = self.client.get(f"/api/polls/{poll_id}/result", headers=self.secretary)
        assert response.status_code == 200, response.text
        return dict(response.json())


def convene(
    client: TestClient, sessions: sessionmaker[Session], day: date | None = None
) -> Assembly:
    """Load the demo, log the secretary in and convene a General Council meeting on ``day``."""
    day = day or date.today()
    with transaction(sessions) as session:
        demo_organization(session)
    with sessions() as session:
        term = session.scalars(select(Term).where(Term.number == 8).order_by(Term.id)).first()
        assert term is not None and term.body.name == "General Council"
        seats = session.scalars(select(Membership).where(Membership.term_id == term.id)).all()
        members = sorted(m.person_id for m in seats if m.role == MembershipRole.MEMBER)
        alternates = sorted(m.person_id for m in seats if m.role == MembershipRole.ALTERNATE)
        term_id = term.id
    username, password = DEMO_SECRETARY
    login = client.post("/api/tokens", json={"username": username, "password": password})
    assert login.status_code == 201, login.text
    secretary = {"Authorization": f"Bearer {login.json()['token']}"}
    meeting = client.post(
        "/api/meetings",
        json={
            "term_id": term_id,
            "title": "Plenary Meeting",
            "starts_on": day.isoformat(),
            "kind": "enlarged",
        },
        headers=secretary,
    )
    assert meeting.status_code == 201, meeting.text
    return Assembly(client, secretary, meeting.json()["id"], day, members, alternates)
