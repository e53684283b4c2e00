"""What each change of a meeting's people asks for, declared once: invitations, offices and
voting weights, attendance at the desk and at the door, access cards, substitutes and
proxies. The API takes each
model as its JSON body and the secretary's desk as its form (``Annotated[Model, Form()]``);
each model makes its change through the same action."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.access_codes import IssuedCode, do_issue_access_codes
from veche.actions.attendance import CheckIn, do_check_in, do_check_in_by_code, do_check_out
from veche.actions.org_updates import KEEP, Kept
from veche.actions.participants import MAX_WEIGHT, do_invite, do_update_participant
from veche.actions.stand_ins import do_grant_proxy, do_substitute
from veche.models import Meeting, Participant
from veche.models.meetings import Office, ParticipantRole
from veche.queries.sitting import meeting_day
from veche.web.api.types import Id

# --- Invitations and offices ---------------------------------------------------------------


class InviteIn(BaseModel):
    """A person invited by name: an observer (with a category for the report) or a delegate."""

    person_id: Id
    role: ParticipantRole = ParticipantRole.OBSERVER
    category: str = Field(default="", max_length=200)
    weight: int = Field(default=1, ge=1, le=MAX_WEIGHT, description=f"1 to {MAX_WEIGHT:,}")

    def invite(self, session: Session, caller: Caller, meeting: Meeting) -> Participant:
        """The participant (``do_invite``)."""
        return do_invite(session, caller, meeting, **self.model_dump())


class ParticipantUpdate(BaseModel):
    """A participant's office or voting weight; what is left out stays as it is."""

    office: Office | None = Field(
        default=None, description="chair, secretary or teller; null for none"
    )
    weight: int | None = Field(
        default=None, ge=1, le=MAX_WEIGHT, description=f"1 to {MAX_WEIGHT:,}"
    )

    def office_given(self) -> Office | Kept | None:
        """The office to hold from now, or ``KEEP`` when the change names none."""
        return self.office if "office" in self.model_fields_set else KEEP

    def update(
        self, session: Session, caller: Caller, meeting: Meeting, person_id: int
    ) -> Participant:
        """The participant as changed (``do_update_participant``)."""
        return do_update_participant(
            session, caller, meeting, person_id, office=self.office_given(), weight=self.weight
        )


class OfficeForm(ParticipantUpdate):
    """``ParticipantUpdate`` as the desk posts it for one participant, named in the form: the
    office is chosen from a list whose first entry (none) is sent empty, so the form always
    gives one."""

    person_id: Id

    def office_given(self) -> Office | Kept | None:
        return self.office


# --- Attendance ----------------------------------------------------------------------------


class AttendanceIn(BaseModel):
    """People checked in (or out) for a day of the meeting, one or many at once."""

    person_ids: list[Id] = Field(min_length=1, max_length=10_000)
    day: date | None = Field(
        default=None,
        description="today's date when left out, kept within the meeting's days (its first "
        "day before it, its last after it)",
    )
    present: bool = Field(default=True, description="false checks them out")

    def record(self, session: Session, caller: Caller, meeting: Meeting) -> date:
        """Each one checked in (``do_check_in``) or out (``do_check_out``); the day."""
        day = self.day or meeting_day(meeting, date.today())
        for person_id in self.person_ids:
            if self.present:
                do_check_in(session, caller, meeting, person_id, day)
            else:
                do_check_out(session, caller, meeting, person_id, day)
        return day


class _OneParticipant(BaseModel):
    """A desk form that names one participant (``person_id``: their row's, or the one chosen
    from a list) where the API takes a list of them; an empty choice names nobody."""

    @model_validator(mode="before")
    @classmethod
    def _as_list(cls, data: Any) -> Any:
        if isinstance(data, dict) and "person_ids" not in data:
            chosen = data.get("person_id")
            if chosen not in (None, ""):
                return {**data, "person_ids": [chosen]}
        return data


class AttendanceForm(_OneParticipant, AttendanceIn):
    """``AttendanceIn`` as a row of the desk's list posts it: one participant."""


class CodeCheckInIn(BaseModel):
    """At the door: the holder of an access card, checked in by its code, typed or scanned."""

    code: str = Field(min_length=1, max_length=40, description="as printed on the card")
    day: date | None = Field(default=None, description="today when left out")

    def check_in(self, session: Session, caller: Caller, meeting: Meeting) -> CheckIn:
        """The holder's presence, and whether they were present already
        (``do_check_in_by_code``)."""
        return do_check_in_by_code(session, caller, meeting, self.code, self.day)


# --- Access cards --------------------------------------------------------------------------


class AccessCardsIn(BaseModel):
    """New access cards, one per participant: every one of them, or those named."""

    person_ids: list[Id] | None = Field(
        default=None, max_length=10_000, description="every participant when left out"
    )

    def issue(self, session: Session, caller: Caller, meeting: Meeting) -> list[IssuedCode]:
        """The cards with their codes, shown this once (``do_issue_access_codes``)."""
        return do_issue_access_codes(session, caller, meeting, self.person_ids)


class AccessCardsForm(_OneParticipant, AccessCardsIn):
    """``AccessCardsIn`` as the desk posts it: one participant's new card, or everyone's."""


# --- Substitutes and proxies ---------------------------------------------------------------


class SubstitutionIn(BaseModel):
    member_person_id: Id
    alternate_person_id: Id
    day: date

    def substitute(self, session: Session, caller: Caller, meeting: Meeting) -> None:
        do_substitute(session, caller, meeting, **self.model_dump())


class ProxyIn(BaseModel):
    grantor_person_id: Id
    holder_person_id: Id

    def grant(self, session: Session, caller: Caller, meeting: Meeting) -> None:
        do_grant_proxy(session, caller, meeting, **self.model_dump())
