"""A meeting's presidium, formed or elected, and its sittings with their chairs."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Entity
from veche.models.columns import BodyId, MeetingId, PersonId, PollId, enum_type
from veche.models.org import Person


class PresidiumSource(enum.StrEnum):
    FORMED = "formed"  # named by the convening body
    ELECTED = "elected"  # elected by the meeting in an election poll


class PresidiumMember(Entity):
    """A seat in the meeting's chairing board."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    meeting_id: Mapped[MeetingId]
    person_id: Mapped[PersonId]
    position: Mapped[int]
    source: Mapped[PresidiumSource] = mapped_column(enum_type(PresidiumSource, "presidium_source"))
    formed_by_body_id: Mapped[BodyId | None]
    poll_id: Mapped[PollId | None]

    person: Mapped[Person] = relationship()


class Sitting(Entity):
    """One sitting of the meeting on one of its days, with the presidium member who chairs it."""

    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    meeting_id: Mapped[MeetingId]
    number: Mapped[int]
    day: Mapped[date]
    chair_person_id: Mapped[PersonId]

    chair: Mapped[Person] = relationship()
