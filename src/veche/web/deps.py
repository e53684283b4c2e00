"""Request dependencies: the database session and settings, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.auth import authenticate
from veche.errors import NotAuthenticated


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request; routes that change state open ``session.begin()`` themselves."""
    with _sessions(request)() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_caller(
    session: Annotated[Session, Depends(get_session)],
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    """The caller named by an ``Authorization: Bearer …`` header; 401 without a valid one."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send an Authorization: Bearer <token> header (POST /api/tokens)")
    with session.begin():  # ended here, so that the route can open its own transaction
        found = authenticate(session, token.strip())
        user = found.user
        person = found.person if found.person is not None else (user.person if user else None)
    if user is not None:
        actor, organization_id = Actor.of(user), user.organization_id
    elif person is not None:
        actor, organization_id = Actor(None, person.full_name), person.organization_id
    else:
        raise NotAuthenticated("the bearer token belongs to no one; log in again")
    person_id = person.id if person is not None else None
    return Caller(
        actor=actor,
        person_id=person_id,
        is_admin=bool(user and user.is_admin),
        organization_id=organization_id,
    )


CallerDep = Annotated[Caller, Depends(get_caller)]
