"""Who attended and who is present: counts by role, and the voting rights that count toward a
quorum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from veche.actions.rights import rights_in_hall
from veche.models import Attendance, Meeting, Participant, Substitution
from veche.models.meetings import ParticipantRole
from veche.queries.presence import present_on


@dataclass(frozen=True)
class AttendanceCount:
    day: date
    #: By role (member, alternate, observer): those checked in on the day, whether or not
    #: they checked out since — who attended it, as the minutes and the register count them.
    attended: dict[str, int]
    #: By role: those checked in and not checked out since — present now, or at the end of a
    #: day gone by.
    present: dict[str, int]
    invited: dict[str, int]
    substitutes: int  # alternates present standing in for absent members
    #: The voting rights that can be used (members present, and absent members' rights held
    #: by a proxy or a substitute present), each counted by its weight: what the quorum counts.
    rights_present: int
    #: Every member's right, each counted by its weight: what the quorum is a share of.
    rights_total: int


def attendance_count(session: Session, meeting: Meeting, day: date) -> AttendanceCount:
    # Invited, attended and present in one pass over the participants: a congress brings
    # thousands. A participant has one attendance row a day at most, so the join adds no rows.
    by_role = session.execute(
        select(
            Participant.role,
            func.count(),
            func.count(Attendance.id),
            func.count(case((present_on(Attendance, day), Attendance.id))),
        )
        .outerjoin(
            Attendance, (Attendance.participant_id == Participant.id) & (Attendance.day == day)
        )
        .where(Participant.meeting_id == meeting.id)
        .group_by(Participant.role)
    ).all()
    member_attendance = aliased(Attendance)
    alternate_attendance = aliased(Attendance)
    substitutes = session.scalar(
        select(func.count())
        .select_from(Substitution)
        .join(
            alternate_attendance,
            (alternate_attendance.participant_id == Substitution.alternate_id)
            & present_on(alternate_attendance, day),
        )
        .outerjoin(
            member_attendance,
            (member_attendance.participant_id == Substitution.member_id)
            & present_on(member_attendance, day),
        )
        .where(
            Substitution.meeting_id == meeting.id,
            Substitution.day == day,
            member_attendance.id.is_(None),
        )
    )
    return AttendanceCount(
        day=day,
        attended={role.value: came for role, _, came, _ in by_role if came},
        present={role.value: present for role, _, _, present in by_role if present},
        invited={role.value: invited for role, invited, _, _ in by_role},
        substitutes=substitutes or 0,
        rights_present=sum(rights_in_hall(session, meeting.id, day).values()),
        rights_total=rights_total(session, meeting.id),
    )


def rights_total(session: Session, meeting_id: int) -> int:
    """Every member's voting right, each counted by its weight."""
    total = session.scalar(
        select(func.coalesce(func.sum(Participant.weight), 0)).where(
            Participant.meeting_id == meeting_id, Participant.role == ParticipantRole.MEMBER
        )
    )
    return int(total or 0)
