"""A meeting's proceedings: presidium, sittings, agenda, speakers, motions, panels, resolutions."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, Timestamped
from veche.models.meetings import Meeting, _enum
from veche.models.org import Body, Person
from veche.models.states import Transitions


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


class ItemKind(enum.StrEnum):
    REPORT = "report"  # a report followed by discussion
    MOTION = "motion"
    ELECTION = "election"
    INFORMATION = "information"


class ItemState(enum.StrEnum):
    PLANNED = "planned"  # on the agenda, not yet taken up
    WITHDRAWN = "withdrawn"  # taken off the agenda before it was approved
    OPEN = "open"  # under discussion
    CLOSED = "closed"


#: planned → open → closed; a planned item may be withdrawn instead, before the agenda's approval.
ITEM_TRANSITIONS = Transitions(
    {
        ItemState.PLANNED: (ItemState.OPEN, ItemState.WITHDRAWN),
        ItemState.OPEN: (ItemState.CLOSED,),
    },
    steps={"take up": ItemState.OPEN, "close": ItemState.CLOSED, "withdraw": ItemState.WITHDRAWN},
)


class AgendaItem(Timestamped, Base):
    """A point of the agenda, with its rapporteur, time budget and speaking rules."""

    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind"))
    state: Mapped[ItemState] = mapped_column(_enum(ItemState, "item_state"))
    rapporteur_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    rapporteur_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"))
    time_budget_minutes: Mapped[int] = mapped_column(Integer, default=0)
    #: The time limit of one speech from the floor, in seconds.
    speech_seconds: Mapped[int] = mapped_column(Integer, default=300)
    #: How many times one person may take the floor on this item (points of order aside).
    speeches_per_person: Mapped[int] = mapped_column(Integer, default=1)
    speakers_list_closed: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[Meeting] = relationship()
    rapporteur: Mapped[Person | None] = relationship()
    rapporteur_body: Mapped[Body | None] = relationship()


class ContributionKind(enum.StrEnum):
    REPORT = "report"
    CO_REPORT = "co_report"
    SPEECH = "speech"
    POINT_OF_ORDER = "point_of_order"


class Contribution(Timestamped, Base):
    """A report, co-report, speech or point of order given on an agenda item."""

    __tablename__ = "contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    sitting_id: Mapped[int | None] = mapped_column(ForeignKey("sitting.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ContributionKind] = mapped_column(_enum(ContributionKind, "contribution_kind"))
    speaker_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    on_behalf_of_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"))
    title: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    full_text: Mapped[str] = mapped_column(Text, default="")
    seconds_used: Mapped[int | None] = mapped_column(Integer)

    item: Mapped[AgendaItem] = relationship()
    speaker: Mapped[Person] = relationship()
    on_behalf_of: Mapped[Body | None] = relationship()


class FloorKind(enum.StrEnum):
    SPEECH = "speech"
    POINT_OF_ORDER = "point_of_order"  # heard before any waiting speech


class FloorState(enum.StrEnum):
    WAITING = "waiting"
    SPOKEN = "spoken"
    WITHDRAWN = "withdrawn"


class FloorRequest(Timestamped, Base):
    """A request for the floor on an item, in the speakers list's order set by the chair."""

    __tablename__ = "floor_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[FloorKind] = mapped_column(_enum(FloorKind, "floor_kind"))
    state: Mapped[FloorState] = mapped_column(_enum(FloorState, "floor_state"))
    position: Mapped[int] = mapped_column(Integer)
    time_limit_seconds: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300), default="")
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contribution.id"))

    item: Mapped[AgendaItem] = relationship()
    person: Mapped[Person] = relationship()


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


class Motion(Timestamped, Base):
    """A draft resolution or a proposal, with versioned Markdown text."""

    __tablename__ = "motion"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    submitter_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"))
    state: Mapped[MotionState] = mapped_column(_enum(MotionState, "motion_state"))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
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

    __tablename__ = "motion_sponsor"

    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    role: Mapped[SponsorRole] = mapped_column(_enum(SponsorRole, "sponsor_role"))
    position: Mapped[int] = mapped_column(Integer)

    person: Mapped[Person] = relationship()


class MotionVersion(Timestamped, Base):
    """One version of a motion's text; a new one follows each accepted or merged amendment."""

    __tablename__ = "motion_version"
    __table_args__ = (UniqueConstraint("motion_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")


class AmendmentState(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"  # applied as proposed
    MERGED = "merged"  # applied in a wording agreed with the drafters
    REJECTED = "rejected"


class Amendment(Timestamped, Base):
    """A proposed change to one paragraph or a range of lines of a motion's text."""

    __tablename__ = "amendment"
    __table_args__ = (UniqueConstraint("motion_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"))
    number: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int | None] = mapped_column(Integer)
    first_line: Mapped[int | None] = mapped_column(Integer)
    last_line: Mapped[int | None] = mapped_column(Integer)
    #: The text the amendment replaces, as it stood in the base version.
    original_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    proposer_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panel.id"))
    state: Mapped[AmendmentState] = mapped_column(_enum(AmendmentState, "amendment_state"))
    #: For a merged amendment, the wording that was applied instead of ``new_text``.
    merged_text: Mapped[str | None] = mapped_column(Text)
    result_version: Mapped[int | None] = mapped_column(Integer)

    motion: Mapped[Motion] = relationship()
    proposer: Mapped[Person | None] = relationship()
    panel: Mapped[Panel | None] = relationship()


class Panel(Timestamped, Base):
    """A study-and-consultative group examining the drafts on one or more items."""

    __tablename__ = "panel"
    __table_args__ = (UniqueConstraint("meeting_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    name: Mapped[str] = mapped_column(String(300))
    chair_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    meeting: Mapped[Meeting] = relationship()
    chair: Mapped[Person | None] = relationship()


class PanelItem(Base):
    """An agenda item a panel examines."""

    __tablename__ = "panel_item"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id"), primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), primary_key=True)


class PanelMember(Base):
    """A person who sits on a panel."""

    __tablename__ = "panel_member"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)


class Recommendation(Timestamped, Base):
    """Advice a panel sends to the drafters about a motion."""

    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    text: Mapped[str] = mapped_column(Text)


class Resolution(Timestamped, Base):
    """An adopted motion: its number in the meeting, final text and the vote that adopted it."""

    __tablename__ = "resolution"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), unique=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    #: The vote in words: "adopted unanimously", "adopted 112 to 3, 5 abstaining".
    result: Mapped[str] = mapped_column(String(200))
    votes_yes: Mapped[int] = mapped_column(Integer)
    votes_no: Mapped[int] = mapped_column(Integer)
    votes_abstain: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)


class Document(Timestamped, Base):
    """A paper of the meeting: with the notice, on an agenda item, or attached to a contribution."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contribution.id"))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000), default="")
    text: Mapped[str] = mapped_column(Text, default="")
