"""Meetings as far as voting needs them: who takes part, who is present, who stands in for whom."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, Entity
from veche.models.columns import BodyId, Id, MeetingId, ParticipantId, PersonId, TermId, enum_type
from veche.models.org import Body, Person, Term
from veche.models.states import Transitions


class MeetingKind(enum.StrEnum):
    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"
    ENLARGED = "enlarged"


class MeetingState(enum.StrEnum):
    DRAFT = "draft"
    CONVENED = "convened"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    REPORT_PUBLISHED = "report_published"


#: draft → convened → in session → closed → report published, one step at a time.
MEETING_TRANSITIONS = Transitions(
    {
        MeetingState.DRAFT: (MeetingState.CONVENED,),
        MeetingState.CONVENED: (MeetingState.IN_SESSION,),
        MeetingState.IN_SESSION: (MeetingState.CLOSED,),
        MeetingState.CLOSED: (MeetingState.REPORT_PUBLISHED,),
    }
)


class Meeting(Entity):
    """One sitting of a body's term, numbered within the term, over one or more days."""

    __table_args__ = (UniqueConstraint("term_id", "number"),)

    term_id: Mapped[TermId]
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind, "meeting_kind"))
    state: Mapped[MeetingState] = mapped_column(enum_type(MeetingState, "meeting_state"))
    venue: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    convened_by_body_id: Mapped[BodyId | None]
    notice: Mapped[str] = mapped_column(Text, default="")

    term: Mapped[Term] = relationship()
    convened_by: Mapped[Body | None] = relationship()
    participants: Mapped[list[Participant]] = relationship(back_populates="meeting")


class ParticipantRole(enum.StrEnum):
    MEMBER = "member"
    ALTERNATE = "alternate"
    OBSERVER = "observer"


class Office(enum.StrEnum):
    """A duty in the meeting beside the participant's role."""

    CHAIR = "chair"
    SECRETARY = "secretary"
    TELLER = "teller"


class Participant(Entity):
    """A person invited to a meeting, with their role; members carry a voting weight."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    meeting_id: Mapped[MeetingId]
    person_id: Mapped[PersonId] = mapped_column(index=True)
    role: Mapped[ParticipantRole] = mapped_column(enum_type(ParticipantRole, "participant_role"))
    #: For observers: the category they were invited in ("chairs of regional committees").
    category: Mapped[str] = mapped_column(String(200), default="")
    office: Mapped[Office | None] = mapped_column(enum_type(Office, "office"))
    #: Votes this participant's own right carries (a delegate carrying their branch's size).
    weight: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()


class Attendance(Base):
    """A participant checked in on one day of the meeting (and perhaps out again)."""

    __table_args__ = (UniqueConstraint("participant_id", "day"),)

    id: Mapped[Id]
    participant_id: Mapped[ParticipantId]
    day: Mapped[date] = mapped_column(index=True)
    checked_in_at: Mapped[datetime]
    checked_out_at: Mapped[datetime | None]

    participant: Mapped[Participant] = relationship()


class Substitution(Entity):
    """An alternate standing in for an absent member on one day, if the body's rules allow."""

    __table_args__ = (
        UniqueConstraint("member_id", "day"),
        UniqueConstraint("alternate_id", "day"),
    )

    meeting_id: Mapped[MeetingId] = mapped_column(index=True)
    day: Mapped[date]
    member_id: Mapped[ParticipantId]
    alternate_id: Mapped[ParticipantId]

    member: Mapped[Participant] = relationship(foreign_keys="Substitution.member_id")
    alternate: Mapped[Participant] = relationship(foreign_keys="Substitution.alternate_id")


class Proxy(Entity):
    """A member's vote entrusted to another member for the meeting; each is a voting right."""

    __table_args__ = (UniqueConstraint("grantor_id"),)

    meeting_id: Mapped[MeetingId] = mapped_column(index=True)
    grantor_id: Mapped[ParticipantId]
    holder_id: Mapped[ParticipantId] = mapped_column(index=True)

    grantor: Mapped[Participant] = relationship(foreign_keys="Proxy.grantor_id")
    holder: Mapped[Participant] = relationship(foreign_keys="Proxy.holder_id")


class PublishedReport(Entity):
    """A document of a meeting's report as it was published (``reports/published.py``):
    the communiqué and the minutes, rendered at the publication and kept as canonical text,
    whose SHA-256 the publication's journal entry records. Every reading of a published
    report shows this text, never a new rendering, and ``veche verify`` holds it against
    the entry and against a rendering of the record as it stands."""

    __table_args__ = (UniqueConstraint("meeting_id", "kind"),)

    meeting_id: Mapped[MeetingId]
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    #: The veche that rendered it: only the same version is expected to render it alike.
    veche_version: Mapped[str] = mapped_column(String(40))
