"""What a meeting's projector shows, as the chair chose it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, utcnow
from veche.models.columns import MeetingId, PollId, enum_type
from veche.models.polls import Poll


class ProjectorShows(enum.StrEnum):
    """What the hall's screen shows."""

    #: The meeting as it goes: a vote while it is open, its result until the floor moves on,
    #: else the speaker and the item under discussion. A meeting starts so.
    FOLLOW = "follow"
    ITEM = "item"  # the item under discussion
    SPEAKER = "speaker"  # who has the floor, the timer, who speaks next
    POLL = "poll"  # one poll: its question, the ballots received, its result once published
    MESSAGE = "message"  # words the chair typed
    BLANK = "blank"  # nothing but the meeting's name


class Projector(Base):
    """The chair's choice for a meeting's projector; a meeting without one follows itself."""

    __table_args__ = (
        CheckConstraint("(shows = 'poll') = (poll_id IS NOT NULL)", name="poll_shown"),
        CheckConstraint("shows <> 'message' OR message <> ''", name="message_typed"),
    )

    meeting_id: Mapped[MeetingId] = mapped_column(primary_key=True)
    shows: Mapped[ProjectorShows] = mapped_column(enum_type(ProjectorShows, "projector_shows"))
    poll_id: Mapped[PollId | None]
    message: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    poll: Mapped[Poll | None] = relationship()
