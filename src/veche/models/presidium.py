"""A meeting's presidium, formed or elected, and its sittings with their chairs."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, Timestamped
from veche.models.meetings import _enum
from veche.models.org import Person


class PresidiumSource(enum.StrEnum):
    FORMED = "formed"  # named by the convening body
    ELECTED = "elected"  # elected by the meeting in an election poll


class PresidiumMember(Timestamped, Base):
    """A seat in the meeting's chairing board."""

    __tablename__ = "presidium_member"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[PresidiumSource] = mapped_column(_enum(PresidiumSource, "presidium_source"))
    formed_by_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"))
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("poll.id"))

    person: Mapped[Person] = relationship()


class Sitting(Timestamped, Base):
    """One sitting of the meeting on one of its days, with the presidium member who chairs it."""

    __tablename__ = "sitting"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    number: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    chair_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))

    chair: Mapped[Person] = relationship()
