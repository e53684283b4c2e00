"""The projector through the API: what the hall's screen shows, and the chair's choice of it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import Field

from veche.actions.projector import projector_of
from veche.models import Projector
from veche.models.projector import ProjectorShows
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, Transaction
from veche.web.api.types import FromAttributes
from veche.web.deps import CallerDep
from veche.web.inputs_projector import ProjectorIn

router = APIRouter(tags=["projector"], responses=REFUSALS)


class ProjectorOut(FromAttributes):
    meeting_id: int
    shows: ProjectorShows
    poll_id: int | None
    message: str
    changed_at: datetime | None = Field(description="none while the chair has chosen nothing")


def _answer(meeting_id: int, projector: Projector | None) -> ProjectorOut:
    if projector is None:  # a meeting follows itself until the chair chooses otherwise
        return ProjectorOut(
            meeting_id=meeting_id,
            shows=ProjectorShows.FOLLOW,
            poll_id=None,
            message="",
            changed_at=None,
        )
    return ProjectorOut.model_validate(projector)


@router.get("/meetings/{meeting_id}/projector")
def get_projector(meeting: MeetingDep, session: Transaction) -> ProjectorOut:
    """What the meeting's projector shows, as the chair chose it."""
    return _answer(meeting.id, projector_of(session, meeting.id))


@router.put("/meetings/{meeting_id}/projector")
def show_on_projector(
    meeting: MeetingDep, body: ProjectorIn, caller: CallerDep, session: Transaction
) -> ProjectorOut:
    """Choose what the projector shows; every screen showing it changes within a second."""
    return _answer(meeting.id, body.show(session, caller, meeting))
