"""Whether a meeting has a poll open: what a change to who votes, or with what weight, waits
for, since an open poll counts the rights on the roll it opened with."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.errors import Conflict
from veche.models import Poll
from veche.models.polls import PollState


def open_poll(session: Session, meeting_id: int) -> Poll | None:
    """One poll of the meeting that is open, if any."""
    return session.scalar(
        select(Poll).where(Poll.meeting_id == meeting_id, Poll.state == PollState.OPEN).limit(1)
    )


def check_no_poll_open(session: Session, meeting_id: int, doing: str) -> None:
    """Refuse ``doing`` (409) while a poll of the meeting is open."""
    found = open_poll(session, meeting_id)
    if found is not None:
        raise Conflict(f"cannot {doing}: poll {found.id} is still open; close or cancel it first")
