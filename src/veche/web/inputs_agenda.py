"""What each change of the agenda asks for, declared once: items, their order, and the changes
delegates propose. The API takes each model as its JSON body and the pages as their form
(``Annotated[Model, Form()]``); each model makes its change through the same action."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.agenda import ItemSpec, do_add_item, do_move_item, do_update_item
from veche.actions.agenda_proposals import (
    MAX_RATIONALE,
    ProposalSpec,
    do_accept_agenda_proposal,
    do_propose_agenda_change,
    do_reject_agenda_proposal,
)
from veche.collation import typed_name
from veche.errors import InvalidInput
from veche.models import AgendaItem, AgendaProposal, Meeting
from veche.models.agenda import ItemKind
from veche.models.agenda_proposals import ProposalKind
from veche.models.base import MAX_INT
from veche.queries.proceedings import ParticipantRow, participants
from veche.web.api.types import Id
from veche.web.form_fields import typed_numbers

# --- Items ---------------------------------------------------------------------------------


class ItemIn(BaseModel):
    """An agenda item as the secretary writes it: its wording, rapporteur and speaking rules."""

    title: str = Field(min_length=1, max_length=500)
    kind: ItemKind = ItemKind.REPORT
    description: str = Field(default="", max_length=20_000)
    rapporteur_person_id: Id | None = None
    rapporteur_body_id: Id | None = None
    time_budget_minutes: int = Field(default=0, ge=0, le=10_000)
    speech_seconds: int = Field(default=300, ge=1, le=36_000)
    speeches_per_person: int = Field(default=1, ge=1, le=100)

    def spec(self) -> ItemSpec:
        return ItemSpec(**self.model_dump())

    def add(self, session: Session, caller: Caller, meeting: Meeting) -> AgendaItem:
        """The item, at the end of the agenda (``do_add_item``)."""
        return do_add_item(session, caller, meeting, self.spec())

    def update(self, session: Session, caller: Caller, item: AgendaItem) -> AgendaItem:
        """The item as written now (``do_update_item``)."""
        return do_update_item(session, caller, item, self.spec())


#: The item form's lists, with the words of their refusals.
ITEM_CHOICES = {
    "rapporteur_person_id": "the rapporteur must be chosen from the list",
    "rapporteur_body_id": "the reporting body must be chosen from the list",
}


def rapporteur_names(rows: Iterable[ParticipantRow]) -> dict[str, int]:
    """The names the agenda page offers for the rapporteur, each a participant's person: the
    full name, or for namesakes the name with their role and number, so each names one."""
    counted = Counter(typed_name(row.full_name) for row in rows)
    return {
        row.full_name
        if counted[typed_name(row.full_name)] == 1
        else f"{row.full_name} ({row.role}, {row.person_id})": row.person_id
        for row in rows
    }


class ItemForm(ItemIn):
    """``ItemIn`` as the agenda page posts it: the reporting body chosen from a list, the first
    entry of which (none) is sent empty, and the rapporteur typed by name (the page offers the
    participants' names as it is typed; ``rapporteur_names``), or left empty for none."""

    rapporteur: str | None = Field(default=None, max_length=300)

    _numbers = typed_numbers(ITEM_CHOICES)

    def item(self, session: Session, meeting_id: int) -> ItemIn:
        """The item with its rapporteur found by the name typed: a participant's, else the
        refusal says so. A form without the field gives the rapporteur by id, as the API."""
        fields = self.model_dump(exclude={"rapporteur"})
        if self.rapporteur is not None:
            typed = typed_name(self.rapporteur)
            names = rapporteur_names(participants(session, meeting_id))
            found = [person for name, person in names.items() if typed_name(name) == typed]
            if typed and not found:
                raise InvalidInput(
                    f"no participant of the meeting is named {self.rapporteur.strip()!r}: "
                    "choose the rapporteur from the names offered, or leave it empty"
                )
            fields["rapporteur_person_id"] = found[0] if found else None
        return ItemIn(**fields)

    def add(self, session: Session, caller: Caller, meeting: Meeting) -> AgendaItem:
        return self.item(session, meeting.id).add(session, caller, meeting)

    def update(self, session: Session, caller: Caller, item: AgendaItem) -> AgendaItem:
        return self.item(session, item.meeting_id).update(session, caller, item)


#: One place up or down the agenda, as the agenda page's arrows move an item.
STEPS = {"up": -1, "down": 1}


class MoveIn(BaseModel):
    """Where an item goes: to a position, or one place up or down."""

    position: int | None = Field(default=None, ge=1, le=MAX_INT, description="the new position")
    direction: str | None = Field(
        default=None, max_length=10, description="up or down: one place, instead of a position"
    )

    @field_validator("direction")
    @classmethod
    def _up_or_down(cls, direction: str | None) -> str | None:
        if direction is not None and direction not in STEPS:
            raise PydanticCustomError(
                "direction", "an item moves up or down, not {given}", {"given": repr(direction)}
            )
        return direction

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if (self.position is None) == (self.direction is None):
            raise PydanticCustomError(
                "move",
                "give the item's new position, or a direction (up or down), and not both",
            )
        return self

    def move(self, session: Session, caller: Caller, item: AgendaItem) -> AgendaItem:
        """The item at its new place (``do_move_item``); the items between shift over."""
        position = item.position + STEPS[self.direction] if self.direction else self.position
        assert position is not None  # one of the two is given: see _one_way
        return do_move_item(session, caller, item, position)


# --- Proposed changes ----------------------------------------------------------------------


class ProposalIn(BaseModel):
    """A change a delegate proposes to the draft agenda: add, remove, move or rename an item."""

    kind: ProposalKind
    title: str = Field(default="", max_length=500, description="the new item's, or the new title")
    item_kind: ItemKind | None = Field(
        default=None, description="for a new item; report if left out"
    )
    agenda_item_id: Id | None = Field(default=None, description="the item to remove, move, rename")
    position: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="where to move the item"
    )
    rationale: str = Field(default="", max_length=MAX_RATIONALE)

    def propose(self, session: Session, caller: Caller, meeting: Meeting) -> AgendaProposal:
        """The proposal, pending, in the caller's name (``do_propose_agenda_change``)."""
        given = self.model_dump(exclude={"agenda_item_id"})
        spec = ProposalSpec(**given, item_id=self.agenda_item_id)
        return do_propose_agenda_change(session, caller, meeting, spec)


#: What each kind of proposal takes, beside its kind and rationale.
PROPOSAL_FIELDS = {
    ProposalKind.ADD: ("title", "item_kind"),
    ProposalKind.REMOVE: ("agenda_item_id",),
    ProposalKind.MOVE: ("agenda_item_id", "position"),
    ProposalKind.RENAME: ("agenda_item_id", "title"),
}


#: The proposal form's numbers, with the words of their refusals.
PROPOSAL_NUMBERS = {
    "agenda_item_id": "the agenda item must be a whole number",
    "position": "the position must be a whole number",
}


class ProposalForm(ProposalIn):
    """``ProposalIn`` as the proposals page posts it: of what is sent, only the fields its kind
    takes are kept, and numbers typed or chosen are refused in the form's words."""

    @model_validator(mode="before")
    @classmethod
    def _as_posted(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("kind") not in PROPOSAL_FIELDS:
            return data
        taken = PROPOSAL_FIELDS[ProposalKind(data["kind"])]
        unused = {"title", "item_kind", "agenda_item_id", "position"} - set(taken)
        return {name: value for name, value in data.items() if name not in unused}

    _numbers = typed_numbers(PROPOSAL_NUMBERS)

    @field_validator("item_kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        choices = [kind.value for kind in ItemKind]
        if isinstance(value, str) and value not in choices:
            raise PydanticCustomError(
                "item_kind",
                "an item's kind is one of {choices}, not {given}",
                {"choices": ", ".join(choices), "given": repr(value)},
            )
        return value


class ProposalRejectionIn(BaseModel):
    """Why a proposal is turned down, as the minutes will give it."""

    reason: str = Field(default="", max_length=2000, description="why, when rejected")

    def reject(self, session: Session, caller: Caller, proposal: AgendaProposal) -> None:
        """The proposal, rejected; the agenda stays as it is (``do_reject_agenda_proposal``)."""
        do_reject_agenda_proposal(session, caller, proposal, self.reason)


class ProposalDecisionIn(ProposalRejectionIn):
    """The chair's or the secretary's decision on a proposal."""

    decision: Literal["accepted", "rejected"]

    def decide(self, session: Session, caller: Caller, proposal: AgendaProposal) -> None:
        """The change applied to the agenda (``do_accept_agenda_proposal``), or rejected."""
        if self.decision == "accepted":
            do_accept_agenda_proposal(session, caller, proposal)
        else:
            self.reject(session, caller, proposal)
