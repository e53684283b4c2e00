"""The projector: a full-screen page for the hall, showing what the chair chose — the item, the
speaker, a poll and its result, a message, or nothing — or the meeting as it goes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from veche.method_names import majority_rule_name, method_name
from veche.models import Meeting
from veche.models.polls import PollKind
from veche.queries.projector import projector_screen
from veche.web.pages._page import add_meeting_view
from veche.web.pages._render import context_of

router = APIRouter()


def projector_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    screen = projector_screen(session, meeting)
    poll = screen.poll
    decision = poll is not None and poll.kind is PollKind.DECISION
    return {
        **context_of(screen),
        # A decision by the majority it needs ("Two-thirds of the votes cast"), anything
        # else by its counting method.
        "majority": majority_rule_name(poll.method_options) if decision and poll else None,
        "counted_by": method_name(poll.method) if poll is not None and not decision else None,
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
    about="The screen as the chair chose it, re-fetched on every live event.",
)
