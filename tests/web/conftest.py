"""Fixtures shared by the web tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.apps import create_app
from tests.prepared import prepared
from tests.web.desk_client import prepare_desk


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    """The application with its lifespan running: the site key the pages sign with, the
    header's name from the settings."""
    application = create_app(engine)
    with TestClient(application):
        yield application


#: The desk of ``tests.web.desk_client``, in a database prepared once per test process.
prepared_desk = prepared("prepared_desk", prepare_desk)
