"""The live event stream of a meeting, for every role's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import access_meeting
from veche.actions.auth import login_session_caller
from veche.errors import NotAuthenticated
from veche.web.live import Broker, event_stream
from veche.web.sessions import login_token

router = APIRouter(include_in_schema=False)


@router.get("/meetings/{meeting_id}/events")
def meeting_events(meeting_id: int, request: Request) -> StreamingResponse:
    """Server-Sent Events: a type and ids per change, never what a ballot says or who cast it."""
    token = login_token(request)
    if token is None:
        raise NotAuthenticated("log in to follow the meeting live")
    factory: sessionmaker[Session] = request.app.state.sessions
    # Checked in a short transaction of its own: the stream holds no database connection.
    with factory() as session, session.begin():
        access_meeting(session, login_session_caller(session, token), meeting_id)
    broker: Broker = request.app.state.broker
    return StreamingResponse(
        event_stream(broker, meeting_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
