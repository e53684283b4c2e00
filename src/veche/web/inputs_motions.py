"""What submitting a draft, amending it by clause, setting up a panel and its advice ask for,
declared once: the API's JSON body and the pages' form, each making its change through the same
action."""

from __future__ import annotations

import enum
import re
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.motions import MotionSpec, access_motion, do_submit_motion
from veche.actions.panels import (
    do_add_panel_members,
    do_create_panel,
    do_recommend,
    require_panel_chair,
)
from veche.errors import Conflict, InvalidInput
from veche.i18n import _
from veche.models import Meeting, Motion, Panel, Recommendation
from veche.models.motions import AmendmentState
from veche.queries import proceedings
from veche.web.api.types import Id
from veche.web.form_fields import typed_numbers
from veche.web.inputs_debate import AmendmentForm
from veche.web.inputs_presidium import TypedName, named_participants


class MotionIn(BaseModel):
    """A draft resolution or a proposal: submitted by a body, by people, or by a body with the
    people who present it."""

    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=200_000, description="Markdown")
    agenda_item_id: Id | None = None
    submitter_body_id: Id | None = None
    submitter_person_ids: list[Id] = Field(default_factory=list, max_length=1000)
    supporter_person_ids: list[Id] = Field(default_factory=list, max_length=10_000)

    def submit(self, session: Session, caller: Caller, meeting: Meeting) -> Motion:
        spec = MotionSpec(
            title=self.title,
            text=self.text,
            agenda_item_id=self.agenda_item_id,
            submitter_body_id=self.submitter_body_id,
            submitter_person_ids=tuple(self.submitter_person_ids),
            supporter_person_ids=tuple(self.supporter_person_ids),
        )
        return do_submit_motion(session, caller, meeting, spec)


#: What the form for a new draft says when a choice holds something else than a number.
_CHOSEN = {
    "agenda_item_id": "the agenda item must be chosen from the list",
    "submitter_body_id": "the submitting body must be chosen from the list",
}


class MotionForm(MotionIn):
    """``MotionIn`` as the drafts page posts it: the item and the body chosen from lists (left
    empty: none); a participant tabling a draft in their own name sends their own person."""

    _numbers = typed_numbers(_CHOSEN)


class ClauseAmendmentForm(AmendmentForm):
    """``AmendmentForm`` as the draft's page posts it: the clause picked from those the text
    numbers, or none when a paragraph or lines are named instead."""

    @field_validator("clause", mode="before")
    @classmethod
    def _picked(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value

    # A panel's chair chooses to propose in their own name (none) or on behalf of a panel.
    _panel_chosen = typed_numbers({"panel_id": "the panel must be chosen from those offered"})


class PanelIn(BaseModel):
    """A panel on one or more items, with its members and its chairs (none, one or several,
    in the order named; each sits on it too)."""

    name: str = Field(min_length=1, max_length=300)
    agenda_item_ids: list[Id] = Field(min_length=1, max_length=100)
    chair_person_ids: list[Id] = Field(default_factory=list, max_length=100)
    member_person_ids: list[Id] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="before")
    @classmethod
    def _chairs_as_a_list(cls, data: Any) -> Any:
        # The field was once a single chair_person_id: say so, rather than create the panel
        # without the chair a client still sends that way.
        if isinstance(data, dict) and "chair_person_id" in data:
            raise PydanticCustomError(
                "chair_person_ids",
                "a panel's chairs are a list: send chair_person_ids, e.g. [{given}], "
                "instead of chair_person_id",
                {"given": str(data["chair_person_id"])[:20]},
            )
        return data

    def create(self, session: Session, caller: Caller, meeting: Meeting) -> Panel:
        return do_create_panel(session, caller, meeting, **self.model_dump())


class PanelForm(PanelIn):
    """``PanelIn`` as the panels page posts it: the items ticked (none ticked is the action's
    to refuse, on the form), the chairs and the members typed by name, in order (the page
    offers the participants' names as they are typed)."""

    agenda_item_ids: list[Id] = Field(default_factory=list, max_length=100)
    chairs: list[TypedName] = Field(default_factory=list, max_length=100)
    members: list[TypedName] = Field(default_factory=list, max_length=1000)

    def create(self, session: Session, caller: Caller, meeting: Meeting) -> Panel:
        chairs = named_participants(session, meeting.id, self.chairs, "each chair")
        members = named_participants(session, meeting.id, self.members, "each member")
        given = self.model_copy(
            update={
                "chair_person_ids": [*self.chair_person_ids, *chairs],
                "member_person_ids": [*self.member_person_ids, *members],
            }
        )
        fields = given.model_dump(include=set(PanelIn.model_fields))
        return do_create_panel(session, caller, meeting, **fields)


class MembersIn(BaseModel):
    """People who join a panel."""

    person_ids: list[Id] = Field(min_length=1, max_length=10_000)

    def add(self, session: Session, caller: Caller, panel: Panel) -> Panel:
        """The panel with them on it (``do_add_panel_members``)."""
        return do_add_panel_members(session, caller, panel, self.person_ids)


class MembersForm(MembersIn):
    """``MembersIn`` as the panels page posts it: the people typed by name."""

    person_ids: list[Id] = Field(default_factory=list, max_length=10_000)
    members: list[TypedName] = Field(default_factory=list, max_length=1000)

    def add(self, session: Session, caller: Caller, panel: Panel) -> Panel:
        named = named_participants(session, panel.meeting_id, self.members, "each new member")
        person_ids = [*self.person_ids, *named]
        if not person_ids:
            raise InvalidInput("name at least one participant to add to the panel")
        return do_add_panel_members(session, caller, panel, person_ids)


class RecommendationIn(BaseModel):
    """A panel's advice to the drafters on a draft of one of its items."""

    motion_id: Id
    text: str = Field(min_length=1, max_length=50_000)

    def recommend(self, session: Session, caller: Caller, panel: Panel) -> Recommendation:
        """The advice recorded (``do_recommend``)."""
        motion = access_motion(session, caller, self.motion_id)
        return do_recommend(session, caller, panel, motion, self.text)


class Advice(enum.StrEnum):
    """What a panel may advise the drafters to do with an amendment still proposed."""

    ADOPT = "adopt"
    REJECT = "reject"


#: A field of the panel's form that gives its advice on an amendment, by its number.
_ADVICE_FIELD = re.compile(r"advice_(.*)", re.DOTALL)


class RecommendationForm(RecommendationIn):
    """``RecommendationIn`` as the panel's page posts it: beside the text, the panel's advice
    on each amendment still proposed (``advice_<number>``: adopt or reject; left empty,
    none), written at the head of the text, a line each, in the amendments' order."""

    text: str = Field(default="", max_length=50_000)
    advice: dict[int, Advice] = Field(default_factory=dict, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _as_posted(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        advice = {}
        for name, value in data.items():
            if (found := _ADVICE_FIELD.fullmatch(str(name))) and value:
                advice[found.group(1)] = value
        return {key: value for key, value in data.items() if key != "advice"} | {"advice": advice}

    def recommend(self, session: Session, caller: Caller, panel: Panel) -> Recommendation:
        motion = access_motion(session, caller, self.motion_id)
        # Asked first, as the action asks it: the amendments named are looked for only then.
        require_panel_chair(session, caller, panel)
        return do_recommend(session, caller, panel, motion, self.in_words(session, motion))

    def in_words(self, session: Session, motion: Motion) -> str:
        """The recommendation's text: the advice on each amendment, then the text typed."""
        states = {a.number: a.state for a in proceedings.amendments(session, motion.id)}
        words = {
            Advice.ADOPT: _("The panel advises adopting amendment %(number)s."),
            Advice.REJECT: _("The panel advises rejecting amendment %(number)s."),
        }
        lines = []
        for number, advice in sorted(self.advice.items()):
            state = states.get(number)
            if state is None:
                raise InvalidInput(f"motion {motion.number} has no amendment {number}")
            if state is not AmendmentState.PROPOSED:
                raise Conflict(
                    f"amendment {number} is {state.value} already: advise on the amendments "
                    "still proposed"
                )
            lines.append(words[advice] % {"number": number})
        return "\n".join([*lines, self.text.strip()]).strip()
