"""The floor and the record of the debate: requests to speak, contributions, the meeting's
papers."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.agenda import AgendaItem
from veche.models.base import Entity
from veche.models.columns import (
    AgendaItemId,
    BodyId,
    ContributionId,
    MeetingId,
    PersonId,
    SittingId,
    enum_type,
)
from veche.models.org import Body, Person


class FloorKind(enum.StrEnum):
    SPEECH = "speech"
    POINT_OF_ORDER = "point_of_order"  # heard before any waiting speech


class FloorState(enum.StrEnum):
    WAITING = "waiting"
    SPOKEN = "spoken"
    WITHDRAWN = "withdrawn"


class FloorRequest(Entity):
    """A request for the floor on an item, in the speakers list's order set by the chair."""

    agenda_item_id: Mapped[AgendaItemId] = mapped_column(index=True)
    person_id: Mapped[PersonId]
    kind: Mapped[FloorKind] = mapped_column(enum_type(FloorKind, "floor_kind"))
    state: Mapped[FloorState] = mapped_column(enum_type(FloorState, "floor_state"))
    position: Mapped[int]
    time_limit_seconds: Mapped[int]
    subject: Mapped[str] = mapped_column(String(300), default="")
    contribution_id: Mapped[ContributionId | None]

    item: Mapped[AgendaItem] = relationship()
    person: Mapped[Person] = relationship()


class ContributionKind(enum.StrEnum):
    REPORT = "report"
    CO_REPORT = "co_report"
    SPEECH = "speech"
    POINT_OF_ORDER = "point_of_order"


class Contribution(Entity):
    """A report, co-report, speech or point of order given on an agenda item.

    A body may give a report with or without a person who presents it; whatever is said from
    the floor has a speaker."""

    __table_args__ = (
        CheckConstraint(
            "speaker_person_id IS NOT NULL OR on_behalf_of_body_id IS NOT NULL", name="has_giver"
        ),
    )

    agenda_item_id: Mapped[AgendaItemId] = mapped_column(index=True)
    sitting_id: Mapped[SittingId | None]
    position: Mapped[int]
    kind: Mapped[ContributionKind] = mapped_column(enum_type(ContributionKind, "contribution_kind"))
    speaker_person_id: Mapped[PersonId | None] = mapped_column(index=True)
    on_behalf_of_body_id: Mapped[BodyId | None]
    title: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    full_text: Mapped[str] = mapped_column(Text, default="")
    seconds_used: Mapped[int | None]

    item: Mapped[AgendaItem] = relationship()
    speaker: Mapped[Person | None] = relationship()
    on_behalf_of: Mapped[Body | None] = relationship()


class Document(Entity):
    """A paper of the meeting: with the notice, on an agenda item, or attached to a contribution."""

    meeting_id: Mapped[MeetingId] = mapped_column(index=True)
    agenda_item_id: Mapped[AgendaItemId | None]
    contribution_id: Mapped[ContributionId | None]
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000), default="")
    text: Mapped[str] = mapped_column(Text, default="")
