"""Meetings through the API: convene, invite, check in, substitutes, proxies, attendance."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, model_validator

from veche.actions.access import access_meeting
from veche.actions.access_codes import IssuedCode
from veche.actions.stand_ins import do_revoke_proxy, proxy_on_arrival
from veche.models import Meeting
from veche.models.meetings import MeetingKind, Office, ParticipantRole
from veche.queries.attendance import attendance_count
from veche.queries.meeting_list import MeetingFilter, find_meetings
from veche.queries.proceedings import meeting_name
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, Transaction
from veche.web.api.types import FromAttributes, Id, PageQuery
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs import MeetingIn
from veche.web.inputs_participants import (
    AccessCardsIn,
    AttendanceIn,
    CheckInUndoIn,
    CodeCheckInIn,
    InviteIn,
    ParticipantUpdate,
    ProxyIn,
    SubstitutionIn,
)

router = APIRouter(tags=["meetings"], responses=REFUSALS)


class MeetingOut(BaseModel):
    id: int
    term_id: int
    number: int = Field(description="its number in the term")
    title: str
    name: str = Field(description='e.g. "8th Enlarged Plenary Meeting of the 8th General Council"')
    kind: MeetingKind
    state: str
    venue: str
    starts_on: date
    ends_on: date
    convened_by_body_id: int | None
    notice: str

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        # A meeting's name is not a column: it is put into words from its number, kind,
        # title and term. Every other field is the meeting's attribute of that name.
        if isinstance(data, Meeting):
            fields = {name: getattr(data, name) for name in cls.model_fields if name != "name"}
            return fields | {"name": meeting_name(data)}
        return data


@router.post("/meetings", status_code=201)
def create_meeting(body: MeetingIn, caller: CallerDep, session: Transaction) -> MeetingOut:
    """Convene a meeting of a term, numbered as given or the term's next; its members and
    alternates are invited."""
    return MeetingOut.model_validate(body.convene(session, caller))


class MeetingsOut(BaseModel):
    total: int = Field(description="how many match, on every page")
    meetings: list[MeetingOut]


@router.get("/meetings")
def list_meetings(
    caller: CallerDep,
    session: SessionDep,
    wanted: Annotated[MeetingFilter, Query()],
    page: PageQuery,
) -> MeetingsOut:
    """The meetings the caller may see (by their place in them or a grant), newest first,
    a page at a time; filtered by body, term, state and dates."""
    total, found = find_meetings(session, caller, wanted, limit=page.limit, offset=page.offset)
    return MeetingsOut(
        total=total, meetings=[MeetingOut.model_validate(meeting) for meeting in found]
    )


@router.get("/meetings/{meeting_id}")
def get_meeting(meeting: MeetingDep) -> MeetingOut:
    return MeetingOut.model_validate(meeting)


class ParticipantOut(FromAttributes):
    person_id: int
    role: ParticipantRole
    category: str
    office: Office | None
    weight: int


@router.post("/meetings/{meeting_id}/participants", status_code=201)
def invite(
    meeting: MeetingDep, body: InviteIn, caller: CallerDep, session: Transaction
) -> ParticipantOut:
    """Invite a person by name: an observer (with a category for the report) or a delegate."""
    return ParticipantOut.model_validate(body.invite(session, caller, meeting))


@router.patch("/meetings/{meeting_id}/participants/{person_id}")
def update_participant(
    meeting_id: Id, person_id: Id, body: ParticipantUpdate, caller: CallerDep, session: Transaction
) -> ParticipantOut:
    """Give a participant an office (chair, secretary, teller) or a voting weight; what is
    left out stays as it is."""
    meeting = access_meeting(session, caller, meeting_id)
    return ParticipantOut.model_validate(body.update(session, caller, meeting, person_id))


class AttendanceOut(FromAttributes):
    day: date
    attended: dict[str, int] = Field(
        description="by role: those checked in on the day, whether or not they checked out since"
    )
    present: dict[str, int] = Field(
        description="by role: those checked in and not checked out since (at the day's end, "
        "for a day gone by)"
    )
    invited: dict[str, int]
    substitutes: int = Field(description="alternates present standing in for absent members")
    rights_present: int = Field(
        description="voting rights present, each by its weight: members in person, and absent "
        "members' rights held by a proxy or a substitute present; what the quorum counts"
    )
    rights_total: int = Field(description="every member's right, by weight")


@router.post("/meetings/{meeting_id}/attendance")
def check_in(
    meeting: MeetingDep, body: AttendanceIn, caller: CallerDep, session: Transaction
) -> AttendanceOut:
    """Check people in (or out, with present=false) for a day, one or many at once."""
    day = body.record(session, caller, meeting)
    return AttendanceOut.model_validate(attendance_count(session, meeting, day))


@router.post("/meetings/{meeting_id}/attendance/undo")
def undo_check_in(
    meeting: MeetingDep, body: CheckInUndoIn, caller: CallerDep, session: Transaction
) -> AttendanceOut:
    """Undo a check-in made by mistake: that day's attendance goes as if never recorded."""
    day = body.undo(session, caller, meeting)
    return AttendanceOut.model_validate(attendance_count(session, meeting, day))


@router.get("/meetings/{meeting_id}/attendance")
def get_attendance(meeting: MeetingDep, day: date, session: Transaction) -> AttendanceOut:
    """Who is present on a day, by role, and the voting rights counted toward the quorum."""
    return AttendanceOut.model_validate(attendance_count(session, meeting, day))


class CodeCheckInOut(BaseModel):
    person_id: int
    full_name: str
    role: ParticipantRole
    category: str
    day: date
    already_present: bool
    message: str
    proxy: str | None = Field(
        description="what became of the proxy the person gave, now they are present: they "
        "vote in person and its holder no longer votes for them, and a ballot the holder already "
        "cast with it in a poll still open stands (as the desk's page says it); null when they "
        "gave none"
    )


@router.post("/meetings/{meeting_id}/attendance/code")
def check_in_by_code(
    meeting: MeetingDep, body: CodeCheckInIn, caller: CallerDep, session: Transaction
) -> CodeCheckInOut:
    """At the door: check in the holder of an access card by its code (typed or scanned)."""
    found = body.check_in(session, caller, meeting)
    person = found.participant.person
    day = found.attendance.day
    message = (
        f"{person.full_name} was already checked in on {day}"
        if found.already_present
        else f"{person.full_name} is checked in on {day}"
    )
    return CodeCheckInOut(
        person_id=person.id,
        full_name=person.full_name,
        role=found.participant.role,
        category=found.participant.category,
        day=day,
        already_present=found.already_present,
        message=message,
        proxy=proxy_on_arrival(session, meeting, person.id, day),
    )


@router.post("/meetings/{meeting_id}/access-codes", status_code=201)
def issue_access_codes(
    meeting: MeetingDep, body: AccessCardsIn, caller: CallerDep, session: Transaction
) -> list[IssuedCode]:
    """New access cards for every participant (or those named), each with a code shown
    this once; the earlier cards of those people stop working."""
    return body.issue(session, caller, meeting)


@router.post("/meetings/{meeting_id}/substitutions", status_code=201)
def substitute(
    meeting: MeetingDep, body: SubstitutionIn, caller: CallerDep, session: Transaction
) -> SubstitutionIn:
    """An alternate stands in for an absent member on a day, if the body allows it."""
    body.substitute(session, caller, meeting)
    return body


@router.post("/meetings/{meeting_id}/proxies", status_code=201)
def grant_proxy(
    meeting: MeetingDep, body: ProxyIn, caller: CallerDep, session: Transaction
) -> ProxyIn:
    """A member entrusts their vote to another member, within the body's limit."""
    body.grant(session, caller, meeting)
    return body


@router.delete("/meetings/{meeting_id}/proxies/{grantor_person_id}", status_code=204)
def revoke_proxy(
    meeting: MeetingDep, grantor_person_id: Id, caller: CallerDep, session: Transaction
) -> Response:
    """Take back the proxy a member gave; a ballot its holder cast with it already stands."""
    do_revoke_proxy(session, caller, meeting, grantor_person_id=grantor_person_id)
    return Response(status_code=204)
