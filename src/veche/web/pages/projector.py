"""The projector: a full-screen page for the hall — the item and speaker, the current poll."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from veche.models import Meeting
from veche.models.base import utcnow
from veche.models.polls import PollState
from veche.queries.floor import floor_of
from veche.queries.polls import live_count
from veche.queries.sitting import chart_rounds, current_poll, meeting_polls
from veche.web.pages._page import add_meeting_view

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


add_meeting_view(
    router,
    "/meetings/{meeting_id}/projector",
    "projector",
    "projector/projector.html",
    projector_context,
    about="What the hall sees on the big screen.",
)
add_meeting_view(
    router,
    "/meetings/{meeting_id}/projector/current",
    "projector_current",
    "projector/_projector_current.html",
    projector_context,
    about="The screen's current poll and speaker, re-fetched on every live event.",
)
