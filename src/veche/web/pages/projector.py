"""The projector: a full-screen page for the hall — the item and speaker, the current poll."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from veche.models import Meeting
from veche.models.base import utcnow
from veche.models.polls import PollState
from veche.queries.floor import floor_of
from veche.queries.polls import live_count
from veche.queries.sitting import chart_rounds, current_poll, meeting_polls
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.pages._render import render_meeting

router = APIRouter(include_in_schema=False)


def projector_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    current = current_poll(meeting_polls(session, meeting))
    published = current is not None and current.state is PollState.PUBLISHED
    return {
        "meeting": meeting,
        "current": current,
        "count": live_count(session, current) if current is not None else None,
        # The hall sees a result once the chair publishes it, never before.
        "rounds": chart_rounds(current.result) if published and current is not None else [],
        "published": published,
        "floor": floor_of(session, meeting.id),
        "server_now": utcnow(),
    }


@router.get("/meetings/{meeting_id}/projector", response_class=HTMLResponse)
def projector(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """What the hall sees on the big screen."""
    return render_meeting(
        request,
        session,
        caller,
        meeting_id,
        "projector/projector.html",
        lambda meeting: projector_context(session, meeting),
    )


@router.get("/meetings/{meeting_id}/projector/current", response_class=HTMLResponse)
def projector_current(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    return render_meeting(
        request,
        session,
        caller,
        meeting_id,
        "projector/_projector_current.html",
        lambda meeting: projector_context(session, meeting),
    )
