"""Meetings through the API: convene, invite, check in, substitutes, proxies, attendance."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from veche.actions.access import access_meeting
from veche.actions.attendance import do_check_in, do_check_in_by_code, do_check_out
from veche.actions.participants import MAX_WEIGHT, do_invite, do_update_participant
from veche.actions.stand_ins import do_grant_proxy, do_substitute
from veche.models import Meeting
from veche.models.meetings import MeetingKind, Office, ParticipantRole
from veche.queries.attendance import attendance_count
from veche.queries.proceedings import meeting_name
from veche.queries.sitting import meetings_seen
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs import MeetingIn

router = APIRouter(tags=["meetings"], responses=REFUSALS)


class MeetingOut(BaseModel):
    id: int
    term_id: int
    number: int
    title: str
    name: str = Field(description='e.g. "8th Enlarged Plenary Meeting of the 8th General Council"')
    kind: MeetingKind
    state: str
    venue: str
    starts_on: date
    ends_on: date
    convened_by_body_id: int | None
    notice: str

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingOut:
        return cls(
            id=meeting.id,
            term_id=meeting.term_id,
            number=meeting.number,
            title=meeting.title,
            name=meeting_name(meeting),
            kind=meeting.kind,
            state=meeting.state.value,
            venue=meeting.venue,
            starts_on=meeting.starts_on,
            ends_on=meeting.ends_on,
            convened_by_body_id=meeting.convened_by_body_id,
            notice=meeting.notice,
        )


@router.post("/meetings", status_code=201)
def create_meeting(body: MeetingIn, caller: CallerDep, session: SessionDep) -> MeetingOut:
    """Convene the next meeting of a term; its members and alternates are invited."""
    with session.begin():
        return MeetingOut.of(body.convene(session, caller))


@router.get("/meetings")
def list_meetings(caller: CallerDep, session: SessionDep) -> list[MeetingOut]:
    """The meetings the caller may see (by their place in them or a grant), newest first."""
    return [MeetingOut.of(meeting) for meeting in meetings_seen(session, caller)]


@router.get("/meetings/{meeting_id}")
def get_meeting(meeting_id: Id, caller: CallerDep, session: SessionDep) -> MeetingOut:
    return MeetingOut.of(access_meeting(session, caller, meeting_id))


class InviteIn(BaseModel):
    person_id: Id
    role: ParticipantRole = ParticipantRole.OBSERVER
    category: str = Field(default="", max_length=200)
    weight: int = Field(default=1, ge=1, le=MAX_WEIGHT, description=f"1 to {MAX_WEIGHT:,}")


class ParticipantOut(BaseModel):
    person_id: int
    role: ParticipantRole
    category: str
    office: Office | None
    weight: int


@router.post("/meetings/{meeting_id}/participants", status_code=201)
def invite(
    meeting_id: Id, body: InviteIn, caller: CallerDep, session: SessionDep
) -> ParticipantOut:
    """Invite a person by name: an observer (with a category for the report) or a delegate."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        p = do_invite(
            session,
            caller,
            meeting,
            body.person_id,
            role=body.role,
            category=body.category,
            weight=body.weight,
        )
        return ParticipantOut.model_validate(p, from_attributes=True)


class ParticipantUpdate(BaseModel):
    office: Office | None = None
    weight: int | None = Field(
        default=None, ge=1, le=MAX_WEIGHT, description=f"1 to {MAX_WEIGHT:,}"
    )


@router.patch("/meetings/{meeting_id}/participants/{person_id}")
def update_participant(
    meeting_id: Id, person_id: Id, body: ParticipantUpdate, caller: CallerDep, session: SessionDep
) -> ParticipantOut:
    """Give a participant an office (chair, secretary, teller) or a voting weight."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        p = do_update_participant(
            session, caller, meeting, person_id, office=body.office, weight=body.weight
        )
        return ParticipantOut.model_validate(p, from_attributes=True)


class CheckIn(BaseModel):
    person_ids: list[Id] = Field(min_length=1, max_length=10_000)
    day: date
    present: bool = True


class AttendanceOut(BaseModel):
    day: date
    present: dict[str, int]
    invited: dict[str, int]
    substitutes: int
    rights_present: int = Field(
        description="voting rights present, each by its weight: members in person, and absent "
        "members' rights held by a proxy or a substitute present; what the quorum counts"
    )
    rights_total: int = Field(description="every member's right, by weight")


def _attendance(session: SessionDep, meeting: Meeting, day: date) -> AttendanceOut:
    counted = attendance_count(session, meeting, day)
    return AttendanceOut(
        day=day,
        present=counted.present,
        invited=counted.invited,
        substitutes=counted.substitutes,
        rights_present=counted.rights_present,
        rights_total=counted.rights_total,
    )


@router.post("/meetings/{meeting_id}/attendance")
def check_in(
    meeting_id: Id, body: CheckIn, caller: CallerDep, session: SessionDep
) -> AttendanceOut:
    """Check people in (or out, with present=false) for a day, one or many at once."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        for person_id in body.person_ids:
            if body.present:
                do_check_in(session, caller, meeting, person_id, body.day)
            else:
                do_check_out(session, caller, meeting, person_id, body.day)
    return _attendance(session, meeting, body.day)


@router.get("/meetings/{meeting_id}/attendance")
def get_attendance(
    meeting_id: Id, day: date, caller: CallerDep, session: SessionDep
) -> AttendanceOut:
    """Who is present on a day, by role, and the voting rights counted toward the quorum."""
    return _attendance(session, access_meeting(session, caller, meeting_id), day)


class CodeCheckInIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, description="as printed on the card")
    day: date | None = Field(default=None, description="today when left out")


class CodeCheckInOut(BaseModel):
    person_id: int
    full_name: str
    role: ParticipantRole
    category: str
    day: date
    already_present: bool
    message: str


@router.post("/meetings/{meeting_id}/attendance/code")
def check_in_by_code(
    meeting_id: Id, body: CodeCheckInIn, caller: CallerDep, session: SessionDep
) -> CodeCheckInOut:
    """At the door: check in the holder of an access card by its code (typed or scanned)."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        found = do_check_in_by_code(session, caller, meeting, body.code, body.day)
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
        )


class SubstitutionIn(BaseModel):
    member_person_id: Id
    alternate_person_id: Id
    day: date


@router.post("/meetings/{meeting_id}/substitutions", status_code=201)
def substitute(
    meeting_id: Id, body: SubstitutionIn, caller: CallerDep, session: SessionDep
) -> SubstitutionIn:
    """An alternate stands in for an absent member on a day, if the body allows it."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        do_substitute(
            session,
            caller,
            meeting,
            member_person_id=body.member_person_id,
            alternate_person_id=body.alternate_person_id,
            day=body.day,
        )
    return body


class ProxyIn(BaseModel):
    grantor_person_id: Id
    holder_person_id: Id


@router.post("/meetings/{meeting_id}/proxies", status_code=201)
def grant_proxy(meeting_id: Id, body: ProxyIn, caller: CallerDep, session: SessionDep) -> ProxyIn:
    """A member entrusts their vote to another member, within the body's limit."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        do_grant_proxy(
            session,
            caller,
            meeting,
            grantor_person_id=body.grantor_person_id,
            holder_person_id=body.holder_person_id,
        )
    return body
