"""Request dependencies: the database session and the caller, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller
from veche.actions.auth import authenticate, caller_of, login_session_caller
from veche.errors import NotAuthenticated
from veche.web.sessions import login_token


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
        return caller_of(found.user, found.person)


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_page_viewer(request: Request, session: SessionDep) -> Caller | None:
    """The caller logged in to the pages by their cookie, or None."""
    token = login_token(request)
    if token is None:
        return None
    with session.begin():
        try:
            return login_session_caller(session, token)
        except NotAuthenticated:
            return None


ViewerDep = Annotated[Caller | None, Depends(get_page_viewer)]


def get_page_caller(viewer: ViewerDep) -> Caller:
    """The caller logged in to the pages; 401 (a redirect to the login page) without one."""
    if viewer is None:
        raise NotAuthenticated("log in to see this page")
    return viewer


PageCallerDep = Annotated[Caller, Depends(get_page_caller)]
