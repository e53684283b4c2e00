"""Request dependencies: the database session and settings, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request; routes that change state open ``session.begin()`` themselves."""
    with _sessions(request)() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
