"""The organization's name in every page's header.

A page never reads it from the database: rendering may happen while its request holds
SQLite's writer lock, which a second session of the same thread would wait for forever. Each
process reads it when it starts and again every ``FRESH_FOR`` seconds, in the background
(``keep_site_name_fresh``), so that a rename made by another worker process reaches its pages
within that time; the process that makes a change names the site at once
(``name_the_site``).
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from veche.errors import NotFound
from veche.queries.org import get_organization

#: How often a process reads the name again, in seconds.
FRESH_FOR = 10.0


def site_name(state: State) -> str | None:
    """The organization's short name (or its name) for the header; none before veche is set
    up."""
    name: str | None = getattr(state, "site_name", None)
    return name


def name_the_site(state: State, short_name: str | None, name: str) -> None:
    """Name the site as the organization now is: this process has just set it up or
    renamed it."""
    state.site_name = short_name or name


def read_site_name(sessions: sessionmaker[Session]) -> str | None:
    """The organization's short name (or its name), as the database has it now."""
    with sessions() as session:
        try:
            organization = get_organization(session)
        except NotFound:
            return None
        return organization.short_name or organization.name


async def keep_site_name_fresh(state: State) -> None:
    """Read the name again every ``FRESH_FOR`` seconds, for as long as the app serves, with
    the readers' sessions (which never wait for the writer); while the database cannot
    answer, the pages keep the name last read."""
    while True:
        await asyncio.sleep(FRESH_FOR)
        try:
            state.site_name = await run_in_threadpool(read_site_name, state.read_sessions)
        except SQLAlchemyError:
            continue
