"""A convened General Council whose polls' bulletin boards the tests read: through the API as
the secretary or as any person, with weights set and polls voted, closed and published."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.apps import create_app
from tests.assembly import Assembly, Convened, WithAssembly


@dataclass
class Hall(WithAssembly):
    app: FastAPI
    assembly: Assembly

    def get(self, path: str, person_id: int | None = None) -> Any:
        """``path`` as the secretary, or as ``person_id``."""
        headers = self.assembly.secretary if person_id is None else self.as_person(person_id)
        return self.assembly.client.get(path, headers=headers)

    def as_person(self, person_id: int) -> dict[str, str]:
        return self.assembly.as_person(person_id)

    def weigh(self, person_id: int, weight: int) -> None:
        response = self.assembly.client.patch(
            f"/api/meetings/{self.meeting}/participants/{person_id}",
            json={"weight": weight},
            headers=self.assembly.secretary,
        )
        assert response.status_code == 200, response.text

    def vote_all(self, poll: dict[str, Any], choices: dict[int, dict[str, Any]]) -> None:
        for person_id, choice in choices.items():
            response = self.assembly.vote(int(poll["id"]), person_id, choice)
            assert response.status_code == 201, response.text

    def decision(self, title: str, votes: dict[int, str]) -> int:
        """A secret decision, opened, voted ``votes`` (person: option's label) and closed."""
        poll = self.assembly.create_poll(title=title, kind="decision")
        ids = {option["label"]: {"option": int(option["id"])} for option in poll["options"]}
        self.assembly.open(int(poll["id"]))
        self.vote_all(poll, {person: ids[label] for person, label in votes.items()})
        self.assembly.close(int(poll["id"]))
        return int(poll["id"])

    def publish(self, poll_id: int) -> None:
        published = self.assembly.client.post(
            f"/api/polls/{poll_id}/publish", headers=self.assembly.secretary
        )
        assert published.status_code == 200, published.text

    def close_and_publish(self, poll_id: int) -> dict[str, Any]:
        """Close, publish: the result."""
        self.assembly.close(poll_id)
        self.publish(poll_id)
        return self.assembly.result(poll_id)


@contextmanager
def board_hall(engine: Engine, convened: Convened) -> Iterator[Hall]:
    """The hall, on an application of the test's own, started as a server starts it."""
    application = create_app(engine)
    with TestClient(application) as client:
        yield Hall(application, convened.on(client))
