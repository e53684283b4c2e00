"""The live event stream of a meeting, for every role's page."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from veche.actions.access import access_meeting
from veche.actions.auth import login_session_caller
from veche.errors import NotAuthenticated
from veche.web.errors import refusal_answer
from veche.web.live import Broker, EventStreamResponse, TooManyStreams, last_event_id
from veche.web.sessions import login_token

if TYPE_CHECKING:  # the fragment cache renders pages: it imports this package
    from veche.web.fragment_cache import FragmentStore

router = APIRouter()


def _check_access(factory: sessionmaker[Session], token: str, meeting_id: int) -> int | None:
    """The person the login names, once they are known to see the meeting."""
    # A short transaction of its own, in a worker thread: the stream holds no connection.
    with factory() as session, session.begin():
        caller = login_session_caller(session, token)
        access_meeting(session, caller, meeting_id)
        return caller.person_id


@router.get("/meetings/{meeting_id}/events", response_model=None)
async def meeting_events(meeting_id: int, request: Request) -> EventStreamResponse | JSONResponse:
    """Server-Sent Events: a type and ids per change, never what a ballot says or who cast it.

    A process holding as many streams as it may answers 503 with Retry-After at once, before
    it asks the database anything: a crowd reconnecting must not cost the others their pages.
    A login the live fragments know is usually answered ahead of this route, from memory
    (``veche.web.fragment_cache``): a hall whose Wi-Fi came back reconnects without thousands
    of database reads; here come the others.
    """
    broker: Broker = request.app.state.broker
    store: FragmentStore = request.app.state.fragments
    token = login_token(request)
    try:
        broker.check_room()
        if token is None:
            raise NotAuthenticated("log in to follow the meeting live")
        viewer = await store.viewer(request, meeting_id)
        if not store.sees(viewer, meeting_id):
            person_id = await run_in_threadpool(
                _check_access, request.app.state.sessions, token, meeting_id
            )
            viewer = replace(viewer, person_id=person_id)
        stream = broker.open(meeting_id, last_event_id(request), viewer, viewer.person_id)
    except TooManyStreams as error:
        return refusal_answer(error)
    store.replayed(stream)
    return EventStreamResponse(broker, stream)
