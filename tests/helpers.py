"""Shared test helpers: a loaded demo database, cheap password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from veche import security
from veche.db import transaction
from veche.demo import DEMO_NAME, load_demo
from veche.models import Organization


def use_cheap_password_hashing() -> None:
    """argon2id at its lightest (one pass over 1 MiB) for the test process: the real
    parameters cost a fifth of a second a hash, and the tests log in thousands of times.
    Hashes keep their parameters, so a hash made here verifies anywhere."""
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def demo_organization(session: Session) -> Organization:
    """The demo organization: there already when the test's database is a copy of the demo
    template (tests marked ``demo``), loaded now otherwise."""
    found = session.scalar(select(Organization).where(Organization.name == DEMO_NAME))
    return found if found is not None else load_demo(session)


def load_demo_into(sessions: sessionmaker[Session]) -> int:
    """Load the demo organization (unless the database has it already) and return its id."""
    with transaction(sessions) as session:
        return demo_organization(session).id
