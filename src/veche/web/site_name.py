"""The organization's name in every page's header.

Each process reads it from the database now and then, not on every page: a rename (from the
secretary's dashboard or ``PATCH /api/organization``) reaches every worker process within
``FRESH_FOR``, and the process that made it at once (``forget_site_name``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import State

from veche.errors import NotFound
from veche.queries.org import get_organization

#: How long a process shows the name it read, in seconds.
FRESH_FOR = 10.0


@dataclass(frozen=True)
class _Read:
    name: str | None
    at: float


def site_name(state: State) -> str | None:
    """The organization's short name (or its name) for the header; none before veche is set
    up. While the database cannot answer (its error page), the name last read."""
    read: _Read | None = getattr(state, "site_name_read", None)
    now = time.monotonic()
    if read is not None and now - read.at < FRESH_FOR:
        return read.name
    sessions = getattr(state, "sessions", None)
    if sessions is None:  # an app that serves no pages of an organization (a test's)
        return None
    try:
        with sessions() as session:
            organization = get_organization(session)
            name: str | None = organization.short_name or organization.name
    except NotFound:
        name = None
    except SQLAlchemyError:
        return read.name if read is not None else None
    state.site_name_read = _Read(name, now)
    return name


def forget_site_name(state: State) -> None:
    """Read the name again for the next page: this process has just changed it."""
    state.site_name_read = None
