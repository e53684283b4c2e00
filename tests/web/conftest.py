"""Fixtures shared by the web tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.prepared import prepared
from tests.web.desk_client import Desk, PreparedDesk, open_desk, prepare_desk
from veche.actions.events import LiveEvent, subscribe


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    """The application with its lifespan running: the site key the pages sign with."""
    application = create_app(engine)
    with TestClient(application):
        yield application


@pytest.fixture
def events() -> Iterator[list[LiveEvent]]:
    """Every live event delivered while the test runs (after its transaction commits)."""
    delivered: list[LiveEvent] = []
    unsubscribe = subscribe(delivered.append)
    try:
        yield delivered
    finally:
        unsubscribe()


#: The desk of ``tests.web.desk_client``, in a database prepared once per test process.
prepared_desk = prepared("prepared_desk", prepare_desk)


@pytest.fixture
def desk(
    engine: Engine, sessions: sessionmaker[Session], prepared_desk: PreparedDesk
) -> Iterator[Desk]:
    """The desk of ``tests.web.desk_client`` on the test's copy of the prepared database."""
    with open_desk(engine, sessions, prepared_desk) as found:
        yield found
