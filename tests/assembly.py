"""A meeting of the demo's General Council driven through the REST API, for voting tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization, general_council_term
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import Membership
from veche.models.org import MembershipRole


def client_key() -> str:
    return secrets.token_urlsafe(16)


def bearer_token(client: TestClient, username: str, password: str) -> dict[str, str]:
    """Log in through the API; the header that carries the token it issues."""
    login = client.post("/api/tokens", json={"username": username, "password": password})
    assert login.status_code == 201, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


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

    def amend(self, **fields: Any) -> None:
        """Change the meeting's own fields (its notice, its venue, …) as the secretary."""
        response = self.client.patch(
            f"/api/meetings/{self.meeting_id}", json=fields, headers=self.secretary
        )
        assert response.status_code == 200, response.text

    def move_on(self, *states: str) -> None:
        """Take the meeting through ``states``, one step each."""
        for state in states:
            response = self.client.post(
                f"/api/meetings/{self.meeting_id}/state",
                json={"state": state},
                headers=self.secretary,
            )
            assert response.status_code == 200, response.text

    def create(self, path: str, **fields: Any) -> dict[str, Any]:
        """Make something through the API (``path`` below /api) as the secretary; its JSON."""
        response = self.client.post(f"/api{path}", json=fields, headers=self.secretary)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def create_poll(self, **spec: Any) -> dict[str, Any]:
        return self.create(f"/meetings/{self.meeting_id}/polls", **spec)

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


class WithAssembly:
    """A base for a test's fixture that holds an ``Assembly``: the meeting's id, and the
    address of the secretary's desk for it."""

    assembly: Assembly

    @property
    def meeting(self) -> int:
        return self.assembly.meeting_id

    @property
    def desk_path(self) -> str:
        return f"/secretary/meetings/{self.meeting}"


@dataclass(frozen=True)
class Convened:
    """What ``convene`` made in a prepared database (``tests.prepared``): the secretary's
    bearer token is stored in it, and so good in every copy."""

    secretary: dict[str, str]
    meeting_id: int
    day: date
    members: list[int]
    alternates: list[int]

    @classmethod
    def of(cls, assembly: Assembly) -> Convened:
        return cls(
            assembly.secretary,
            assembly.meeting_id,
            assembly.day,
            assembly.members,
            assembly.alternates,
        )

    def on(self, client: TestClient) -> Assembly:
        """The ``Assembly`` on ``client``, an application over a copy of the database."""
        return Assembly(
            client,
            dict(self.secretary),
            self.meeting_id,
            self.day,
            list(self.members),
            list(self.alternates),
        )


def convene(
    client: TestClient, sessions: sessionmaker[Session], day: date | None = None
) -> Assembly:
    """Load the demo, log the secretary in and convene a General Council meeting on ``day``."""
    day = day or date.today()
    with transaction(sessions) as session:
        demo_organization(session)
    with sessions() as session:
        term = general_council_term(session)
        seats = session.scalars(select(Membership).where(Membership.term_id == term.id)).all()
        members = sorted(m.person_id for m in seats if m.role == MembershipRole.MEMBER)
        alternates = sorted(m.person_id for m in seats if m.role == MembershipRole.ALTERNATE)
        term_id = term.id
    secretary = bearer_token(client, *DEMO_SECRETARY)
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
