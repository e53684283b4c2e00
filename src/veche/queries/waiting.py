"""What a meeting's record still waits for before its report can be published: results
counted but not announced, and motions voted on whose outcome is not recorded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import Motion, Poll
from veche.models.motions import MotionState
from veche.models.polls import PollState


@dataclass(frozen=True)
class ResultToPublish:
    """A poll counted, its result not yet published (from the console)."""

    poll_id: int
    title: str


@dataclass(frozen=True)
class MotionToRecord:
    """A final motion whose vote is closed, its outcome not yet recorded (on its page)."""

    motion_id: int
    number: int
    title: str


@dataclass(frozen=True)
class Waiting:
    """What the secretary or the chair still has to do for the record to be complete."""

    results: list[ResultToPublish]
    motions: list[MotionToRecord]

    def __bool__(self) -> bool:
        return bool(self.results or self.motions)


def motions_to_record(session: Session, meeting_id: int) -> list[MotionToRecord]:
    """The final motions of the meeting whose vote's result is published, by number: the
    outcome of each waits to be recorded on the motion's page (a result still to publish is
    listed among the results, and its motion is recorded after it)."""
    voted = (
        select(Poll.id)
        .where(Poll.motion_id == Motion.id, Poll.state == PollState.PUBLISHED)
        .exists()
    )
    rows = session.execute(
        select(Motion.id, Motion.number, Motion.title)
        .where(Motion.meeting_id == meeting_id, Motion.state == MotionState.FINAL, voted)
        .order_by(Motion.number)
    )
    return [MotionToRecord(motion_id, number, title) for motion_id, number, title in rows]


def what_waits(session: Session, meeting_id: int) -> Waiting:
    """The results to publish and the motions to record before the report is published."""
    results = session.execute(
        select(Poll.id, Poll.title)
        .where(Poll.meeting_id == meeting_id, Poll.state == PollState.CLOSED)
        .order_by(Poll.id)
    )
    return Waiting(
        results=[ResultToPublish(poll_id, title) for poll_id, title in results],
        motions=motions_to_record(session, meeting_id),
    )
