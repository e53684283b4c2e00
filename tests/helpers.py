"""Shared test helpers: a loaded demo database, running the CLI."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from veche.db import transaction
from veche.demo import load_demo
from veche.models import Organization


def load_demo_into(sessions: sessionmaker[Session]) -> int:
    """Load the demo organization and return its id."""
    with transaction(sessions) as session:
        org: Organization = load_demo(session)
        return org.id
