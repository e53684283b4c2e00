"""Request dependencies: the database session and the caller, as Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller, held_permissions
from veche.actions.auth import login_session_caller, token_caller
from veche.db import SESSIONS_AT_ONCE
from veche.errors import NotAuthenticated
from veche.permissions import Permission, Scope
from veche.web.sessions import login_token


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


#: Requests that must not change anything (RFC 9110, safe methods).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for one request; routes that change state open ``session.begin()`` themselves.

    Under a burst, sessions are what runs out. A route that only reads keeps its connection
    (on SQLite, the writer's lock too) until the session closes after the answer is sent, and
    the answer is serialised on a worker thread. Were there more sessions than connections,
    every worker thread could end up waiting for a connection held by an answer waiting for
    a worker thread: the server would stand still until the pool gave up. So at most
    ``SESSIONS_AT_ONCE`` requests hold a session; the rest wait without holding a thread.
    An async dependency, so that closing the session needs no worker thread either.
    """
    factory = _sessions(request)
    if request.method in READING_METHODS:
        # A page or a GET of the API only reads: on SQLite it need not queue for the writer.
        factory = request.app.state.read_sessions
    with factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, max_concurrency=SESSIONS_AT_ONCE)]


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """A session for reading only (see ``veche.db.make_reader``): it never waits for writers."""
    factory: sessionmaker[Session] = request.app.state.read_sessions
    with factory() as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session, max_concurrency=SESSIONS_AT_ONCE)]


AuthorizationHeader = Annotated[str | None, Header()]


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header; 401 without one."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send an Authorization: Bearer <token> header (POST /api/tokens)")
    return token.strip()


def bearer_caller(session: Session, authorization: str | None) -> Caller:
    """The caller named by an ``Authorization: Bearer …`` header; 401 without a valid one."""
    token = bearer_token(authorization)
    with session.begin():  # ended here, so that the route can open its own transaction
        return token_caller(session, token)


def get_caller(session: ReadSessionDep, authorization: AuthorizationHeader = None) -> Caller:
    """The caller named by an ``Authorization: Bearer …`` header; 401 without a valid one."""
    return bearer_caller(session, authorization)


CallerDep = Annotated[Caller, Depends(get_caller)]


#: Whoever holds one of these in the organization has the secretary's pages in their menu.
DESK_PERMISSIONS = frozenset({Permission.ORGANIZATION_MANAGE, Permission.ACCOUNTS_MANAGE})


def get_page_viewer(request: Request, session: ReadSessionDep) -> Caller | None:
    """The caller logged in to the pages by their cookie, or None (kept as
    ``request.state.viewer``).

    A whole page (not an htmx fragment, which has no menu) also learns whether its viewer
    has the secretary's pages (``request.state.desk``, read by the page's header)."""
    token = login_token(request)
    if token is None:
        return None
    with session.begin():
        try:
            caller = login_session_caller(session, token)
        except NotAuthenticated:
            return None
        if request.headers.get("hx-request") != "true" and caller.organization_id is not None:
            held = held_permissions(session, caller, Scope.ORGANIZATION, caller.organization_id)
            request.state.desk = bool(held & DESK_PERMISSIONS)
        # An error page shows the same header as the page refused (pages/_render.py).
        request.state.viewer = caller
        return caller


ViewerDep = Annotated[Caller | None, Depends(get_page_viewer)]


def get_page_caller(viewer: ViewerDep) -> Caller:
    """The caller logged in to the pages; 401 (a redirect to the login page) without one."""
    if viewer is None:
        raise NotAuthenticated("log in to see this page")
    return viewer


PageCallerDep = Annotated[Caller, Depends(get_page_caller)]
