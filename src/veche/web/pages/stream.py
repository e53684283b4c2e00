"""The live event stream of a meeting, for every role's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from veche.actions.access import access_meeting
from veche.actions.auth import login_session_caller
from veche.errors import NotAuthenticated
from veche.web.errors import refusal_answer
from veche.web.live import Broker, TooManyStreams, event_stream
from veche.web.sessions import login_token

router = APIRouter(include_in_schema=False)

#: Ids longer than this are nobody's: the stream resyncs instead of looking them up.
_LONGEST_EVENT_ID = 64


def _check_access(factory: sessionmaker[Session], token: str, meeting_id: int) -> None:
    # A short transaction of its own, in a worker thread: the stream holds no connection.
    with factory() as session, session.begin():
        access_meeting(session, login_session_caller(session, token), meeting_id)


def _last_event_id(request: Request) -> str | None:
    """The last event the browser saw: the header its EventSource sends when it reconnects,
    else the query parameter the page's script adds when it opens a new EventSource (which
    sends no header)."""
    seen = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    return seen if seen and len(seen) <= _LONGEST_EVENT_ID else None


@router.get("/meetings/{meeting_id}/events", response_model=None)
async def meeting_events(meeting_id: int, request: Request) -> StreamingResponse | JSONResponse:
    """Server-Sent Events: a type and ids per change, never what a ballot says or who cast it.

    A process holding as many streams as it may answers 503 with Retry-After at once, before
    it asks the database anything: a crowd reconnecting must not cost the others their pages.
    """
    broker: Broker = request.app.state.broker
    token = login_token(request)
    try:
        broker.check_room()
        if token is None:
            raise NotAuthenticated("log in to follow the meeting live")
        await run_in_threadpool(_check_access, request.app.state.sessions, token, meeting_id)
        stream = broker.open(meeting_id, _last_event_id(request))
    except TooManyStreams as error:
        return refusal_answer(error)
    return StreamingResponse(
        event_stream(broker, stream),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        # Also when the client leaves before the first byte, which never starts the stream.
        background=BackgroundTask(broker.close, stream),
    )
