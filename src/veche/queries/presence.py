"""Who is present on a day of a meeting: checked in that day and not checked out since.

The one definition of "present", read by the rights to vote, the quorum, the secretary's
desk and the rules for substitutes alike.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import BindParameter, ColumnElement, Date, and_, bindparam, select
from sqlalchemy.orm import Session

from veche.models import Attendance
from veche.sql import OneOf


def present_on(
    attendance: type[Attendance], day: date | BindParameter[date]
) -> ColumnElement[bool]:
    """The condition that an attendance row (of ``Attendance`` or an alias of it) shows its
    participant present on ``day``."""
    return and_(attendance.day == day, attendance.checked_out_at.is_(None))


def present_among(session: Session, participant_ids: Collection[int], day: date) -> set[int]:
    """Which of these participants are present on ``day``."""
    if not participant_ids:
        return set()
    return set(session.scalars(_PRESENT_AMONG, {"ids": list(participant_ids), "day": day}))


# Built once: a burst of ballots asks it for every group.
_PRESENT_AMONG = select(Attendance.participant_id).where(
    OneOf(Attendance.participant_id, "ids"), present_on(Attendance, bindparam("day", type_=Date))
)
