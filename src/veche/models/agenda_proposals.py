"""Changes to the draft agenda proposed by delegates, and what the chair made of them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.agenda import AgendaItem, ItemKind
from veche.models.base import Entity
from veche.models.columns import AgendaItemId, MeetingId, PersonId, enum_type
from veche.models.meetings import Meeting
from veche.models.org import Person


class ProposalKind(enum.StrEnum):
    ADD = "add"  # a new item, at the end of the agenda
    REMOVE = "remove"
    MOVE = "move"  # to another position
    RENAME = "rename"


class ProposalState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # applied to the agenda
    REJECTED = "rejected"  # with the reason given


class AgendaProposal(Entity):
    """A delegate's proposed change to the agenda before it is approved, numbered per meeting."""

    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    meeting_id: Mapped[MeetingId]
    number: Mapped[int]
    kind: Mapped[ProposalKind] = mapped_column(enum_type(ProposalKind, "proposal_kind"))
    proposer_person_id: Mapped[PersonId]
    #: The item to remove, move or rename; for an added item, the item made on acceptance.
    agenda_item_id: Mapped[AgendaItemId | None]
    #: That item's title when the proposal was made, as the minutes quote it.
    item_title: Mapped[str] = mapped_column(String(500), default="")
    #: The new item's title (add) or the item's new title (rename).
    title: Mapped[str] = mapped_column(String(500), default="")
    item_kind: Mapped[ItemKind | None] = mapped_column(enum_type(ItemKind, "item_kind"))
    #: The place the item should move to (move).
    position: Mapped[int | None]
    rationale: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ProposalState] = mapped_column(enum_type(ProposalState, "proposal_state"))
    #: Why the chair rejected it (empty when accepted or pending).
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    proposer: Mapped[Person] = relationship()
    item: Mapped[AgendaItem | None] = relationship()
