"""A meeting in session with its agenda approved and an item under discussion, made through the
REST API: for the pages of the floor, the drafts and the documents, and the resolutions registry.

Tests that take the ``sitting`` fixture (tests/conftest.py) start from a copy of a template
database that holds the demo and this sitting, opened once per test process by
``prepare_sitting``: some fifty requests that each of those tests made again before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import row_count
from tests.meeting_api import Api, demo_api
from tests.web.page_client import Browser, delegates, secretary
from veche.db import make_engine, make_sessionmaker
from veche.models import JournalEntry

MOTION_TEXT = (
    "The Council approves the budget.\n"
    "Spending stays within the income.\n"
    "\n"
    "The Bureau reports in a year.\n"
)
#: Members checked in: more than half of the General Council's thirty, so votes carry.
PRESENT = list(range(1, 17))
#: The person the prepared sitting has as an observer (the heads of departments).
OBSERVER = 45
#: A member present, whose phone the pages' tests use beside the observer's.
DELEGATE = 7


@dataclass
class Sitting:
    meeting_id: int
    item_ids: list[int]
    motion_id: int
    day: date

    @property
    def item_id(self) -> int:
        """The item under discussion: ``open_sitting`` takes up the first."""
        return self.item_ids[0]


class WithSitting:
    """A base for a test's fixture that holds the ``Sitting``: its meeting's id."""

    sitting: Sitting

    @property
    def meeting(self) -> int:
        return self.sitting.meeting_id


def open_sitting(
    api: Api,
    *,
    items: int = 2,
    observers: tuple[int, ...] = (),
    day: date | None = None,
) -> Sitting:
    """Convene an enlarged meeting on ``day`` (today), approve its agenda and take up item 1."""
    day = day or date.today()
    m = api.new_meeting(day, kind="enlarged", notice="The Bureau convenes the Council.")["id"]
    item_ids = [
        api.post(
            f"/meetings/{m}/agenda",
            title=f"Item {n}" if n > 1 else "On the budget",
            speech_seconds=120,
        )["id"]
        for n in range(1, items + 1)
    ]
    motion = api.post(
        f"/meetings/{m}/motions",
        title="On the budget",
        text=MOTION_TEXT,
        agenda_item_id=item_ids[0],
        submitter_body_id=api.bodies["Executive Bureau"],
    )
    if observers:
        api.post(
            f"/meetings/{m}/observers", category="heads of departments", person_ids=list(observers)
        )
    api.move_on(m, "convened", "in_session")
    api.check_in(m, day, PRESENT)
    closed = api.decide(m, day, "Agenda", {"yes": PRESENT}, approves_agenda=True)
    assert closed["outcome"] == "adopted", closed
    api.post(f"/agenda-items/{item_ids[0]}/open", 200)
    return Sitting(m, item_ids, motion["id"], day)


def journal_length(sessions: sessionmaker[Session]) -> int:
    return row_count(sessions, JournalEntry)


@dataclass(frozen=True)
class PreparedSitting:
    """The sitting in a template database, and what a test needs to go on from it in a copy:
    its ids, and the bearer tokens of the secretary and of the members who voted on the
    agenda (stored in the template, so good in every copy)."""

    sitting: Sitting
    secretary: dict[str, str]
    term_id: int
    bodies: dict[str, int]
    tokens: dict[int, dict[str, str]]

    @property
    def meeting_id(self) -> int:
        return self.sitting.meeting_id

    def api(self, client: TestClient) -> Api:
        """The secretary's ``Api`` on ``client``, as ``demo_api`` and ``open_sitting`` left it."""
        return Api(client, self.secretary, self.term_id, self.bodies, dict(self.tokens))

    def adopt(self, api: Api, title: str, text: str) -> dict[str, Any]:
        """A new draft of the Executive Bureau's, made final, adopted by the members present
        and settled: the resolution it became, in the registry."""
        motion = api.post(
            f"/meetings/{self.meeting_id}/motions",
            title=title,
            text=text,
            submitter_body_id=self.bodies["Executive Bureau"],
        )["id"]
        api.post(f"/motions/{motion}/final", expect=200)
        closed = api.decide(
            self.meeting_id, self.sitting.day, title, {"yes": PRESENT}, motion_id=motion
        )
        assert closed["outcome"] == "adopted", closed
        settled: dict[str, Any] = api.post(f"/motions/{motion}/settle", expect=200)["resolution"]
        return settled


@dataclass(frozen=True)
class Registry:
    """The resolutions registry, ``GET /api/resolutions``, as the secretary reads it."""

    client: TestClient
    api: Api

    def query(self, **params: Any) -> Response:
        return self.client.get("/api/resolutions", params=params, headers=self.api.secretary)

    def listed(self, **params: Any) -> dict[str, Any]:
        """The registry's answer to a query it takes: a page of resolutions and their total."""
        answer = self.query(**params)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found


@contextmanager
def registry_with(
    engine: Engine, sitting: PreparedSitting, resolutions: dict[str, str]
) -> Iterator[Registry]:
    """The application on ``engine`` (a copy of the sitting), with ``resolutions`` (each title's
    text) adopted at the sitting in this order: its registry."""
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        for title, text in resolutions.items():
            sitting.adopt(api, title, text)
        yield Registry(client, api)


def prepare_sitting(url: str) -> PreparedSitting:
    """Open the sitting, with ``OBSERVER`` invited, in the database at ``url`` (which holds
    the demo): what each test that takes the ``sitting`` fixture finds in its copy."""
    engine = make_engine(url)
    try:
        with TestClient(create_app(engine)) as client:
            api = demo_api(client, make_sessionmaker(engine))
            sitting = open_sitting(api, observers=(OBSERVER,))
    finally:
        engine.dispose()  # the last connection to close folds SQLite's WAL back into the file
    return PreparedSitting(sitting, api.secretary, api.term_id, api.bodies, api.tokens)


@dataclass
class Served:
    """The application on a copy of the prepared sitting, with browsers logged in to it."""

    app: FastAPI
    api: Api
    secretary: Browser
    #: A browser for each person asked for, logged in by access code.
    phones: dict[int, Browser]


@contextmanager
def serve_sitting(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting, people: list[int]
) -> Iterator[Served]:
    """Start the application on ``engine`` (a copy of the sitting) and log the secretary and
    ``people`` in."""
    app = create_app(engine)
    with TestClient(app) as client:
        phones = {
            d.person_id: d.browser for d in delegates(app, sessions, sitting.meeting_id, people)
        }
        yield Served(app, sitting.api(client), secretary(app), phones)


@dataclass
class SittingPages(WithSitting):
    """The sitting served for the pages' tests: the secretary's API token and browser, and the
    phones of ``DELEGATE`` and ``OBSERVER``."""

    api: Api
    sessions: sessionmaker[Session]
    sitting: Sitting
    secretary: Browser
    delegate: Browser
    observer: Browser

    @classmethod
    def fixture(cls) -> Any:
        """A fixture that serves the sitting as ``cls`` to each test, with them logged in.
        Assign it to a module-level name, which names the fixture (as ``tests.prepared``)."""

        @pytest.fixture
        def served(
            engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
        ) -> Iterator[SittingPages]:
            with serve_sitting(engine, sessions, sitting, [DELEGATE, OBSERVER]) as served:
                phones = served.phones
                yield cls(
                    served.api,
                    sessions,
                    sitting.sitting,
                    served.secretary,
                    phones[DELEGATE],
                    phones[OBSERVER],
                )

        return served
