"""A meeting's agenda: its items in order and the state each is in."""

from __future__ import annotations

import enum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Entity
from veche.models.columns import BodyId, MeetingId, PersonId, enum_type
from veche.models.meetings import Meeting
from veche.models.org import Body, Person
from veche.models.states import Transitions


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


class AgendaItem(Entity):
    """A point of the agenda, with its rapporteur, time budget and speaking rules."""

    meeting_id: Mapped[MeetingId] = mapped_column(index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ItemKind] = mapped_column(enum_type(ItemKind, "item_kind"))
    state: Mapped[ItemState] = mapped_column(enum_type(ItemState, "item_state"))
    rapporteur_person_id: Mapped[PersonId | None]
    rapporteur_body_id: Mapped[BodyId | None]
    time_budget_minutes: Mapped[int] = mapped_column(default=0)
    #: The time limit of one speech from the floor, in seconds.
    speech_seconds: Mapped[int] = mapped_column(default=300)
    #: How many times one person may take the floor on this item (points of order aside).
    speeches_per_person: Mapped[int] = mapped_column(default=1)
    speakers_list_closed: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[Meeting] = relationship()
    rapporteur: Mapped[Person | None] = relationship()
    rapporteur_body: Mapped[Body | None] = relationship()
