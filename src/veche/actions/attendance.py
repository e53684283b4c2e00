"""Attendance: participants checked in and out on a day of the meeting, at the desk, at the
door with their access card, or as they log in with it; and a check-in made by mistake undone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize
from veche.actions.access_codes import card_for_check_in
from veche.actions.actor import Actor
from veche.actions.auth import caller_of
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_meeting_day, check_record_open
from veche.actions.participants import participant_in
from veche.errors import Conflict
from veche.models import (
    AccessCode,
    Attendance,
    JournalEntry,
    Meeting,
    Participant,
    Participation,
    Person,
    Poll,
    Substitution,
)
from veche.models.base import utcnow
from veche.models.meetings import MeetingState, ParticipantRole
from veche.models.polls import PollKind, PollState, RightKind
from veche.permissions import Permission


def check_attendance_change(
    session: Session, caller: Caller, meeting: Meeting, person_id: int, day: date, doing: str
) -> Participant:
    """The participant whose presence on ``day`` the caller records (``doing`` says how, for
    a refusal): one who may record attendance, while the meeting's record is open, on one of
    its days."""
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    check_record_open(meeting, doing)
    check_meeting_day(meeting, day)
    return participant_in(session, meeting, person_id)


def do_check_in(
    session: Session, caller: Caller, meeting: Meeting, person_id: int, day: date
) -> Attendance:
    """Record a participant present on ``day``; checking in twice is harmless."""
    participant = check_attendance_change(
        session, caller, meeting, person_id, day, "check anyone in"
    )
    return _mark_present(session, caller.actor, participant, day).attendance


@dataclass(frozen=True)
class CheckIn:
    """A participant's presence on a day, and whether they had been checked in already."""

    participant: Participant
    attendance: Attendance
    already_present: bool


def _mark_present(
    session: Session, actor: Actor, participant: Participant, day: date, *, via: str = ""
) -> CheckIn:
    attendance = session.scalar(
        select(Attendance).where(Attendance.participant_id == participant.id, Attendance.day == day)
    )
    if attendance is not None and attendance.checked_out_at is None:
        return CheckIn(participant, attendance, already_present=True)
    if attendance is None:
        attendance = Attendance(participant_id=participant.id, day=day, checked_in_at=utcnow())
        session.add(attendance)
    else:
        attendance.checked_out_at = None
    session.flush()
    payload: dict[str, object] = {
        "meeting_id": participant.meeting_id,
        "person_id": participant.person_id,
        "day": day,
    }
    if via:
        payload["via"] = via
    record(session, actor, JournalAction.CHECK_IN, payload)
    queue_event(session, participant.meeting_id, LiveEventType.ATTENDANCE_CHANGED)
    return CheckIn(participant, attendance, already_present=False)


def do_check_in_by_code(
    session: Session, caller: Caller, meeting: Meeting, code: str, day: date | None = None
) -> CheckIn:
    """Check in the holder of an access card at the door, on ``day`` (today by default).

    The card is read, not used up: its holder can still log in with it.
    """
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    check_record_open(meeting, "check anyone in")
    card = card_for_check_in(session, meeting, code)
    on = check_meeting_day(meeting, day or date.today())
    participant = participant_in(session, meeting, card.person_id)
    return _mark_present(session, caller.actor, participant, on, via="access card at the door")


#: A participant logging in with their card is taken to be in the hall only while the
#: meeting sits, on one of its days: cards are handed out at the venue, but a card tried at
#: home before the session opens is no arrival.
ARRIVAL_STATES = frozenset({MeetingState.IN_SESSION})


def do_check_in_on_login(session: Session, card: AccessCode, today: date) -> CheckIn | None:
    """Check in the holder of a card just used to log in, if ``today`` is a meeting day."""
    meeting = card.meeting
    if meeting.state not in ARRIVAL_STATES or not meeting.starts_on <= today <= meeting.ends_on:
        return None
    participant = participant_in(session, meeting, card.person_id)
    return _mark_present(
        session, caller_of(None, card.person).actor, participant, today, via="access code login"
    )


def do_check_out(
    session: Session, caller: Caller, meeting: Meeting, person_id: int, day: date
) -> None:
    participant = check_attendance_change(
        session, caller, meeting, person_id, day, "check anyone out"
    )
    attendance = session.scalar(
        select(Attendance).where(Attendance.participant_id == participant.id, Attendance.day == day)
    )
    if attendance is None or attendance.checked_out_at is not None:
        raise Conflict(f"{participant.person.full_name} is not checked in on {day}")
    _hold_the_days_polls(session, meeting, day)
    attendance.checked_out_at = utcnow()
    record(
        session,
        caller.actor,
        JournalAction.CHECK_OUT,
        {"meeting_id": meeting.id, "person_id": person_id, "day": day},
    )
    queue_event(session, meeting.id, LiveEventType.ATTENDANCE_CHANGED)


def do_undo_check_in(
    session: Session, caller: Caller, meeting: Meeting, person_id: int, day: date
) -> None:
    """Take back a check-in made by mistake (the wrong card scanned, the wrong row clicked):
    the participant's attendance on ``day`` goes as if never recorded, where checking out
    would leave them attending. Refused once the record shows them there: they used a voting
    right that day, their own or one they held, stood in for a member, or were counted present
    by a decision closed that day (its quorum and majority took their right)."""
    participant = check_attendance_change(
        session, caller, meeting, person_id, day, "undo a check-in"
    )
    attendance = session.scalar(
        select(Attendance).where(Attendance.participant_id == participant.id, Attendance.day == day)
    )
    name = participant.person.full_name
    if attendance is None:
        raise Conflict(f"{name} was not checked in on {day}: there is no check-in to undo")
    _hold_the_days_polls(session, meeting, day)
    _check_no_trace(session, participant, day)
    _check_not_in_a_quorum(session, participant, day)
    session.delete(attendance)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.UNDO_CHECK_IN,
        {"meeting_id": meeting.id, "person_id": person_id, "day": day},
    )
    queue_event(session, meeting.id, LiveEventType.ATTENDANCE_CHANGED)


def _hold_the_days_polls(session: Session, meeting: Meeting, day: date) -> None:
    """Lock the day's open polls, as a close locks them, before a participant leaves the
    record of the day: they wait for the ballots being stored and hold back the next ones,
    which then find the participant gone, so that the journal never shows a ballot cast by
    someone it had already checked out (on PostgreSQL; SQLite lets one writer in at a time
    anyway)."""
    session.execute(
        select(Poll.id)
        .where(Poll.meeting_id == meeting.id, Poll.day == day, Poll.state == PollState.OPEN)
        .with_for_update()
    )


def _check_no_trace(session: Session, participant: Participant, day: date) -> None:
    """Conflict if the record shows ``participant`` in the hall on ``day``: a voting right
    they used in a poll of that day (their own, a proxy's, or as a substitute), or a member
    they stood in for."""
    name = participant.person.full_name
    then = f"cannot undo the check-in of {name} on {day}"
    instead = "check them out instead if they left"
    used = session.execute(
        select(Poll.title, Participation.kind, Person.full_name)
        .join(Participation, Participation.poll_id == Poll.id)
        .join(Person, Person.id == Participation.right_person_id)
        .where(
            Poll.meeting_id == participant.meeting_id,
            Poll.day == day,
            Participation.cast_by_person_id == participant.person_id,
        )
        .order_by(Poll.id)
        .limit(1)
    ).first()
    if used is not None:
        title, kind, whose = used
        how = {
            RightKind.OWN: "they voted in",
            RightKind.PROXY: f"they cast the vote of {whose}, whose proxy they hold, in",
            RightKind.SUBSTITUTE: f"they voted for {whose}, standing in for them, in",
        }[kind]
        raise Conflict(f"{then}: {how} “{title}” that day; {instead}")
    stood_in = session.scalar(
        select(Person.full_name)
        .join(Participant, Participant.person_id == Person.id)
        .join(Substitution, Substitution.member_id == Participant.id)
        .where(Substitution.alternate_id == participant.id, Substitution.day == day)
    )
    if stood_in is not None:
        raise Conflict(f"{then}: they stand in for {stood_in} that day; {instead}")


def _check_not_in_a_quorum(session: Session, participant: Participant, day: date) -> None:
    """Conflict if a decision of ``day`` closed while the member ``participant`` was present:
    its count took their right as present (its quorum, a majority of members present), and
    the close's journal entry keeps that figure, which the minutes must not contradict.

    Whether they were present at a close is read from the journal, entry by entry (their
    check-ins, check-outs and undoings of that day against the closes): their attendance row
    keeps only the first check-in and the last check-out."""
    if participant.role is not ParticipantRole.MEMBER:
        return  # an alternate's presence counted only standing in, which _check_no_trace finds
    closed: dict[int, str] = {
        poll_id: title
        for poll_id, title in session.execute(
            select(Poll.id, Poll.title).where(
                Poll.meeting_id == participant.meeting_id,
                Poll.day == day,
                Poll.kind == PollKind.DECISION,
                Poll.state.in_((PollState.CLOSED, PollState.PUBLISHED)),
            )
        )
    }
    if not closed:
        return
    payload = JournalEntry.payload
    entries = session.execute(
        select(JournalEntry.action, payload["poll_id"].as_integer())
        .where(
            or_(
                and_(
                    JournalEntry.action == JournalAction.CLOSE_POLL.value,
                    payload["poll_id"].as_integer().in_(list(closed)),
                ),
                and_(
                    JournalEntry.action.in_(_ATTENDANCE_ACTIONS),
                    payload["meeting_id"].as_integer() == participant.meeting_id,
                    payload["person_id"].as_integer() == participant.person_id,
                    payload["day"].as_string() == day.isoformat(),
                ),
            )
        )
        .order_by(JournalEntry.seq)
    )
    present = False
    for action, poll_id in entries:
        if action == JournalAction.CLOSE_POLL.value:
            if present:
                raise Conflict(
                    f"cannot undo the check-in of {participant.person.full_name} on {day}: the "
                    f"quorum of “{closed[poll_id]}”, closed that day, counted them present; "
                    "check them out instead if they left"
                )
        else:
            present = action == JournalAction.CHECK_IN.value


#: The journal's entries that change a participant's presence on a day.
_ATTENDANCE_ACTIONS = (
    JournalAction.CHECK_IN.value,
    JournalAction.CHECK_OUT.value,
    JournalAction.UNDO_CHECK_IN.value,
)
