"""Draft resolutions: motions, their versions and sponsors, amendments, study panels, and the
resolutions adopted."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.agenda import AgendaItem
from veche.models.base import Base, Entity
from veche.models.columns import (
    AgendaItemId,
    BodyId,
    MeetingId,
    MotionId,
    PanelId,
    PersonId,
    PollId,
    enum_type,
)
from veche.models.meetings import Meeting
from veche.models.org import Body, Person
from veche.models.states import Transitions


class MotionState(enum.StrEnum):
    DRAFT = "draft"  # open to amendment
    FINAL = "final"  # submitted for the vote; the text is frozen
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: draft → final → adopted or rejected; a motion not yet voted on may be withdrawn instead.
MOTION_TRANSITIONS = Transitions(
    {
        MotionState.DRAFT: (MotionState.FINAL, MotionState.WITHDRAWN),
        MotionState.FINAL: (MotionState.ADOPTED, MotionState.REJECTED, MotionState.WITHDRAWN),
    },
    steps={"finalize": MotionState.FINAL, "withdraw": MotionState.WITHDRAWN},
)


class Motion(Entity):
    """A draft resolution or a proposal, with versioned Markdown text."""

    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    meeting_id: Mapped[MeetingId]
    agenda_item_id: Mapped[AgendaItemId | None] = mapped_column(index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    submitter_body_id: Mapped[BodyId | None]
    state: Mapped[MotionState] = mapped_column(enum_type(MotionState, "motion_state"))
    current_version: Mapped[int] = mapped_column(default=1)
    #: What the panels made of the draft, recorded when the final draft is submitted.
    panel_outcome: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    submitter_body: Mapped[Body | None] = relationship()
    versions: Mapped[list[MotionVersion]] = relationship(order_by="MotionVersion.number")
    sponsors: Mapped[list[MotionSponsor]] = relationship(order_by="MotionSponsor.position")


class SponsorRole(enum.StrEnum):
    SUBMITTER = "submitter"
    SUPPORTER = "supporter"


class MotionSponsor(Base):
    """A person who submitted or supports a motion."""

    motion_id: Mapped[MotionId] = mapped_column(primary_key=True)
    person_id: Mapped[PersonId] = mapped_column(primary_key=True)
    role: Mapped[SponsorRole] = mapped_column(enum_type(SponsorRole, "sponsor_role"))
    position: Mapped[int]

    person: Mapped[Person] = relationship()


class MotionVersion(Entity):
    """One version of a motion's text; a new one follows each accepted or merged amendment."""

    __table_args__ = (UniqueConstraint("motion_id", "number"),)

    motion_id: Mapped[MotionId]
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")


class AmendmentState(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"  # applied as proposed
    MERGED = "merged"  # applied in a wording agreed with the drafters
    REJECTED = "rejected"


class Amendment(Entity):
    """A proposed change to one paragraph or a range of lines of a motion's text."""

    __table_args__ = (UniqueConstraint("motion_id", "number"),)

    motion_id: Mapped[MotionId]
    number: Mapped[int]
    base_version: Mapped[int]
    paragraph: Mapped[int | None]
    first_line: Mapped[int | None]
    last_line: Mapped[int | None]
    #: The text the amendment replaces, as it stood in the base version.
    original_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    proposer_person_id: Mapped[PersonId | None]
    panel_id: Mapped[PanelId | None]
    state: Mapped[AmendmentState] = mapped_column(enum_type(AmendmentState, "amendment_state"))
    #: For a merged amendment, the wording that was applied instead of ``new_text``.
    merged_text: Mapped[str | None] = mapped_column(Text)
    result_version: Mapped[int | None]

    motion: Mapped[Motion] = relationship()
    proposer: Mapped[Person | None] = relationship()
    panel: Mapped[Panel | None] = relationship()


class Panel(Entity):
    """A study-and-consultative group examining the drafts on one or more items."""

    __table_args__ = (UniqueConstraint("meeting_id", "name"),)

    meeting_id: Mapped[MeetingId]
    name: Mapped[str] = mapped_column(String(300))

    meeting: Mapped[Meeting] = relationship()
    chairs: Mapped[list[PanelChair]] = relationship(order_by="PanelChair.position")


class PanelChair(Base):
    """A person who chairs a panel: a panel guided by several senior members has several, in
    the order it lists them."""

    panel_id: Mapped[PanelId] = mapped_column(primary_key=True)
    person_id: Mapped[PersonId] = mapped_column(primary_key=True)
    position: Mapped[int]

    person: Mapped[Person] = relationship()


class PanelItem(Base):
    """An agenda item a panel examines."""

    panel_id: Mapped[PanelId] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[AgendaItemId] = mapped_column(primary_key=True)


class PanelMember(Base):
    """A person who sits on a panel."""

    panel_id: Mapped[PanelId] = mapped_column(primary_key=True)
    person_id: Mapped[PersonId] = mapped_column(primary_key=True)


class Recommendation(Entity):
    """Advice a panel sends to the drafters about a motion."""

    panel_id: Mapped[PanelId] = mapped_column(index=True)
    motion_id: Mapped[MotionId] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)


class Resolution(Entity):
    """An adopted motion: its number in the meeting, final text and the vote that adopted it."""

    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    meeting_id: Mapped[MeetingId]
    motion_id: Mapped[MotionId] = mapped_column(unique=True)
    poll_id: Mapped[PollId]
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    #: The vote in words: "adopted unanimously", "adopted 112 to 3, 5 abstaining".
    result: Mapped[str] = mapped_column(String(200))
    votes_yes: Mapped[int]
    votes_no: Mapped[int]
    votes_abstain: Mapped[int]
    effective_on: Mapped[date]
