"""What each change of the debate asks for, declared once (the speakers list, contributions,
papers, amendments): the API's JSON body and the pages' form (``Annotated[Model, Form()]``),
each making its change through the same action."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from veche.actions._text import Target
from veche.actions.access import Caller, access_meeting_row
from veche.actions.contributions import ContributionSpec, do_add_document, do_record_contribution
from veche.actions.motions import AmendmentSpec, do_decide_amendment, do_propose_amendment
from veche.actions.speakers import do_close_speakers_list, do_order_speakers, do_request_floor
from veche.models import (
    AgendaItem,
    Amendment,
    Contribution,
    Document,
    FloorRequest,
    Meeting,
    Motion,
)
from veche.models.base import MAX_INT
from veche.models.debate import ContributionKind, FloorKind
from veche.models.motions import AmendmentState
from veche.web.api.types import Id
from veche.web.form_fields import typed_numbers

#: The longest text a document may hold, typed in or read from a file.
MAX_DOCUMENT_TEXT = 500_000


class ItemForm(BaseModel):
    """The agenda item a page's form acts on: the pages name it in the form, within the
    meeting of their address; the API names it in its path."""

    item_id: Id

    def item(self, session: Session, caller: Caller, meeting_id: int) -> AgendaItem:
        return access_meeting_row(
            session, caller, AgendaItem, self.item_id, meeting_id, "agenda item"
        )


# --- The speakers list ---------------------------------------------------------------------


class FloorIn(BaseModel):
    """A request for the floor: a speech, or a point of order (heard first)."""

    person_id: Id | None = Field(default=None, description="default: the caller")
    kind: FloorKind = FloorKind.SPEECH
    subject: str = Field(default="", max_length=300)

    def request(self, session: Session, caller: Caller, item: AgendaItem) -> FloorRequest:
        return do_request_floor(
            session, caller, item, person_id=self.person_id, kind=self.kind, subject=self.subject
        )


class FloorForm(FloorIn, ItemForm):
    """``FloorIn`` as a delegate's page posts it, with the item under discussion."""


class OrderIn(BaseModel):
    """The new order of the waiting speeches: every one, once."""

    request_ids: list[Id] = Field(max_length=10_000)

    def order(self, session: Session, caller: Caller, item: AgendaItem) -> list[FloorRequest]:
        return do_order_speakers(session, caller, item, self.request_ids)


class OrderForm(OrderIn, ItemForm):
    """``OrderIn`` as the console posts it: the ids in the new order, one field each."""


class ListClosedIn(BaseModel):
    """Close the speakers list (those waiting still speak), or open it again."""

    closed: bool = True

    def close(self, session: Session, caller: Caller, item: AgendaItem) -> AgendaItem:
        return do_close_speakers_list(session, caller, item, closed=self.closed)


class ListClosedForm(ListClosedIn, ItemForm):
    """``ListClosedIn`` as the console posts it."""


class ContributionIn(BaseModel):
    """A report, co-report, speech or point of order, as the secretary records it: a report
    may be given by a body, with or without the person who presented it."""

    kind: ContributionKind
    speaker_person_id: Id | None = Field(
        default=None, description="who spoke or presented; a report by a body may name none"
    )
    title: str = Field(default="", max_length=500)
    summary: str = Field(default="", max_length=50_000)
    full_text: str = Field(default="", max_length=500_000)
    seconds_used: int | None = Field(default=None, ge=0, le=360_000)
    on_behalf_of_body_id: Id | None = Field(default=None, description="the reporting body")
    sitting_id: Id | None = None

    def record(self, session: Session, caller: Caller, item: AgendaItem) -> Contribution:
        return do_record_contribution(session, caller, item, ContributionSpec(**self.model_dump()))


# --- Papers --------------------------------------------------------------------------------


class DocumentIn(BaseModel):
    """A paper: with the notice, on an agenda item, or attached to a contribution; a link to
    where it is published, or its text."""

    title: str = Field(min_length=1, max_length=300)
    url: str = Field(default="", max_length=1000)
    text: str = Field(default="", max_length=MAX_DOCUMENT_TEXT)
    agenda_item_id: Id | None = None
    contribution_id: Id | None = None

    def add(self, session: Session, caller: Caller, meeting: Meeting) -> Document:
        return do_add_document(session, caller, meeting, **self.model_dump())


class DocumentForm(DocumentIn):
    """``DocumentIn`` as the papers page posts it: the item's number is typed in. A file
    uploaded beside it is the page's to read into ``text``."""

    _numbers = typed_numbers(
        {
            "agenda_item_id": "the agenda item must be given by its number",
            "contribution_id": "the contribution must be given by its number",
        }
    )


# --- Amendments ----------------------------------------------------------------------------


class AmendmentIn(BaseModel):
    """New wording for a clause (by the number the text gives it), a paragraph or a range of
    lines of a draft's current version."""

    clause: str | None = Field(
        default=None,
        max_length=40,
        description="the clause replaced, by its number as the text writes it: 2, 2.1, 3 b)",
    )
    paragraph: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="the paragraph replaced, from 1"
    )
    first_line: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="or the first line replaced"
    )
    last_line: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="and the last (default: first_line)"
    )
    new_text: str = Field(max_length=200_000, description="the new wording; empty deletes")
    reason: str = Field(default="", max_length=20_000)
    proposer_person_id: Id | None = Field(default=None, description="default: the caller")
    panel_id: Id | None = Field(default=None, description="proposed by a panel, by its chair")

    def propose(self, session: Session, caller: Caller, motion: Motion) -> Amendment:
        return do_propose_amendment(session, caller, motion, self.spec())

    def spec(self) -> AmendmentSpec:
        return AmendmentSpec(
            target=Target(self.paragraph, self.first_line, self.last_line),
            new_text=self.new_text,
            reason=self.reason,
            proposer_person_id=self.proposer_person_id,
            panel_id=self.panel_id,
            clause=self.clause,
        )


#: What the amendment form says when a number field holds something else.
_TARGET_FIELDS = {
    "paragraph": "the paragraph must be a whole number",
    "first_line": "the first line must be a whole number",
    "last_line": "the last line must be a whole number",
}


class AmendmentForm(AmendmentIn):
    """``AmendmentIn`` as the draft's page posts it: the numbers are typed in, and wording
    left empty (a form sends nothing for it) deletes, as an empty ``new_text`` does."""

    new_text: str = Field(
        default="", max_length=200_000, description="the new wording; empty deletes"
    )

    _numbers = typed_numbers(_TARGET_FIELDS)


class DecisionIn(BaseModel):
    """The drafters' decision on an amendment: accepted, merged in an agreed wording, or
    rejected."""

    decision: AmendmentState = Field(description="accepted, merged or rejected")
    merged_text: str | None = Field(default=None, max_length=200_000)

    def decide(self, session: Session, caller: Caller, amendment: Amendment) -> Amendment:
        return do_decide_amendment(
            session, caller, amendment, self.decision, merged_text=self.merged_text
        )


class DecisionForm(DecisionIn):
    """``DecisionIn`` as the draft's page posts it: the agreed wording goes with a merge
    only, whatever the page's text box held when another button was pressed."""

    @model_validator(mode="before")
    @classmethod
    def _as_posted(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("decision") != AmendmentState.MERGED:
            return {name: value for name, value in data.items() if name != "merged_text"}
        return data
