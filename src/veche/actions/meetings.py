"""Meetings: convening, their states, invitations, attendance, substitutes, proxies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, participant_of
from veche.actions.access_codes import card_for_check_in
from veche.actions.actor import Actor
from veche.actions.auth import caller_of
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import (
    AccessCode,
    AgendaItem,
    Attendance,
    Body,
    Meeting,
    Membership,
    Participant,
    Person,
    Poll,
    Proxy,
    Substitution,
    Term,
)
from veche.models.base import utcnow
from veche.models.meetings import (
    MEETING_TRANSITIONS,
    MeetingKind,
    MeetingState,
    Office,
    ParticipantRole,
)
from veche.models.org import MembershipRole
from veche.models.polls import PollState
from veche.models.proceedings import ItemState
from veche.permissions import Permission


def do_create_meeting(
    session: Session,
    caller: Caller,
    term: Term,
    title: str,
    *,
    starts_on: date,
    ends_on: date | None = None,
    kind: MeetingKind = MeetingKind.ORDINARY,
    venue: str = "",
    convened_by: Body | None = None,
    notice: str = "",
) -> Meeting:
    """Create the next meeting of ``term`` and invite every member and alternate in office then."""
    authorize(session, caller, Permission.MEETING_CONVENE, term.body_id)
    title = check_name(title, "the meeting's title", max_length=300)
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise InvalidInput(f"the meeting cannot end ({ends_on}) before it starts ({starts_on})")
    number = (
        session.scalar(select(func.max(Meeting.number)).where(Meeting.term_id == term.id)) or 0
    ) + 1
    meeting = Meeting(
        term_id=term.id,
        number=number,
        title=title,
        kind=kind,
        state=MeetingState.DRAFT,
        venue=venue,
        starts_on=starts_on,
        ends_on=ends_on,
        convened_by_body_id=convened_by.id if convened_by else None,
        notice=notice,
    )
    session.add(meeting)
    session.flush()
    seats = session.scalars(
        select(Membership).where(
            Membership.term_id == term.id,
            or_(Membership.from_date.is_(None), Membership.from_date <= ends_on),
            or_(Membership.to_date.is_(None), Membership.to_date >= starts_on),
        )
    ).all()
    for seat in seats:
        role = (
            ParticipantRole.MEMBER
            if seat.role == MembershipRole.MEMBER
            else ParticipantRole.ALTERNATE
        )
        session.add(Participant(meeting_id=meeting.id, person_id=seat.person_id, role=role))
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_MEETING,
        {
            "meeting_id": meeting.id,
            "term_id": term.id,
            "number": number,
            "title": title,
            "kind": kind,
            "invited": len(seats),
            "convened_by_body_id": meeting.convened_by_body_id,
        },
    )
    return meeting


#: States in which the meeting's business may still be recorded.
RECORDING_STATES = frozenset({MeetingState.DRAFT, MeetingState.CONVENED, MeetingState.IN_SESSION})


def check_in_session(meeting: Meeting, doing: str) -> None:
    if meeting.state is not MeetingState.IN_SESSION:
        raise Conflict(
            f"cannot {doing}: meeting {meeting.id} is {meeting.state.value.replace('_', ' ')}, "
            "not in session"
        )


def check_not_closed(meeting: Meeting, doing: str) -> None:
    if meeting.state not in RECORDING_STATES:
        raise Conflict(
            f"cannot {doing}: meeting {meeting.id} is {meeting.state.value.replace('_', ' ')}"
        )


def check_body_of(session: Session, meeting: Meeting, body_id: int | None) -> Body | None:
    """A body of the meeting's organization, or NotFound."""
    if body_id is None:
        return None
    body = session.get(Body, body_id)
    if body is None or body.organization_id != meeting.term.body.organization_id:
        raise NotFound(f"there is no body {body_id} in this organization")
    return body


def do_update_meeting(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    title: str | None = None,
    venue: str | None = None,
    notice: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    convened_by_body_id: int | None = None,
) -> Meeting:
    """Change the convocation — title, days, venue, notice, convening body — until the session opens."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    if meeting.state not in (MeetingState.DRAFT, MeetingState.CONVENED):
        raise Conflict(
            f"meeting {meeting.id} is {meeting.state.value.replace('_', ' ')}; "
            "its convocation can change only before the session opens"
        )
    new_starts = starts_on or meeting.starts_on
    new_ends = ends_on or (
        meeting.ends_on if starts_on is None else max(new_starts, meeting.ends_on)
    )
    if new_ends < new_starts:
        raise InvalidInput(f"the meeting cannot end ({new_ends}) before it starts ({new_starts})")
    body = check_body_of(session, meeting, convened_by_body_id)
    if title is not None:
        meeting.title = check_name(title, "the meeting's title", max_length=300)
    if venue is not None:
        meeting.venue = " ".join(venue.split())
    if notice is not None:
        meeting.notice = notice.strip()
    if body is not None:
        meeting.convened_by_body_id = body.id
    meeting.starts_on, meeting.ends_on = new_starts, new_ends
    record(
        session,
        caller.actor,
        JournalAction.UPDATE_MEETING,
        {
            "meeting_id": meeting.id,
            "title": meeting.title,
            "venue": meeting.venue,
            "notice": meeting.notice,
            "starts_on": meeting.starts_on,
            "ends_on": meeting.ends_on,
            "convened_by_body_id": meeting.convened_by_body_id,
        },
    )
    queue_event(session, meeting.id, LiveEventType.MEETING_CHANGED)
    return meeting


def do_change_meeting_state(
    session: Session, caller: Caller, meeting: Meeting, state: MeetingState
) -> Meeting:
    """Move the meeting one step on: convene it, open the session, close it, publish the report."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    if state is meeting.state:
        return meeting
    MEETING_TRANSITIONS.check_move(meeting.state, state, f"meeting {meeting.id}")
    if state is MeetingState.CONVENED and not meeting.notice:
        raise Conflict(
            f"write the notice of meeting {meeting.id} (PATCH its notice) before convening it"
        )
    if state is MeetingState.CLOSED:
        _check_nothing_open(session, meeting)
    meeting.state = state
    record(
        session,
        caller.actor,
        JournalAction.CHANGE_MEETING_STATE,
        {"meeting_id": meeting.id, "state": state},
    )
    queue_event(session, meeting.id, LiveEventType.MEETING_STATE_CHANGED)
    return meeting


def _check_nothing_open(session: Session, meeting: Meeting) -> None:
    open_item = session.scalar(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.state == ItemState.OPEN
        )
    )
    if open_item is not None:
        raise Conflict(f"agenda item {open_item.position} is still open; close it first")
    _check_no_poll_open(session, meeting, f"close meeting {meeting.id}")


def _check_no_poll_open(session: Session, meeting: Meeting, doing: str) -> None:
    open_poll = session.scalar(
        select(Poll).where(Poll.meeting_id == meeting.id, Poll.state == PollState.OPEN)
    )
    if open_poll is not None:
        raise Conflict(
            f"cannot {doing}: poll {open_poll.id} is still open; close or cancel it first"
        )


def do_invite_observers(
    session: Session, caller: Caller, meeting: Meeting, category: str, person_ids: list[int]
) -> list[Participant]:
    """Invite observers in a category ("chairs of regional committees"), kept for the report."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    check_not_closed(meeting, "invite observers")
    category = check_name(category, "the observers' category")
    if not person_ids:
        raise InvalidInput("name at least one person to invite")
    if len(set(person_ids)) != len(person_ids):
        raise InvalidInput("a person is listed twice")
    people = [_person(session, person_id, meeting) for person_id in person_ids]
    for person in people:
        if participant_of(session, meeting.id, person.id) is not None:
            raise Conflict(f"{person.full_name} is already invited to meeting {meeting.id}")
    invited = [
        Participant(
            meeting_id=meeting.id,
            person_id=person.id,
            role=ParticipantRole.OBSERVER,
            category=category,
        )
        for person in people
    ]
    session.add_all(invited)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.INVITE_OBSERVERS,
        {"meeting_id": meeting.id, "category": category, "person_ids": person_ids},
    )
    queue_event(session, meeting.id, LiveEventType.PARTICIPANTS_CHANGED)
    return invited


def _person(session: Session, person_id: int, meeting: Meeting) -> Person:
    person = session.get(Person, person_id)
    organization_id = meeting.term.body.organization_id
    if person is None or person.organization_id != organization_id:
        raise NotFound(f"there is no person {person_id} in this organization")
    return person


def _participant(session: Session, meeting: Meeting, person_id: int) -> Participant:
    participant = participant_of(session, meeting.id, person_id)
    if participant is None:
        raise InvalidInput(f"person {person_id} is not a participant of meeting {meeting.id}")
    return participant


#: The most votes one right may carry. Far above any delegate's mandate, and low enough that
#: rights summed over any hall never come near the limit of a database integer.
MAX_WEIGHT = 1_000_000


def check_weight(weight: int) -> int:
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        raise InvalidInput(
            f"a voting weight must be a whole number from 1 to {MAX_WEIGHT:,}, not {weight!r}"
        )
    return weight


def do_invite(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    person_id: int,
    *,
    role: ParticipantRole = ParticipantRole.OBSERVER,
    category: str = "",
    weight: int = 1,
) -> Participant:
    """Invite someone by name: an observer (with the category kept for the report) or a delegate."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    person = _person(session, person_id, meeting)
    if participant_of(session, meeting.id, person.id) is not None:
        raise Conflict(f"{person.full_name} is already invited to meeting {meeting.id}")
    check_weight(weight)
    participant = Participant(
        meeting_id=meeting.id, person_id=person.id, role=role, category=category, weight=weight
    )
    session.add(participant)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.INVITE,
        {"meeting_id": meeting.id, "person_id": person.id, "role": role, "category": category},
    )
    return participant


def do_update_participant(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    person_id: int,
    *,
    office: Office | None,
    weight: int | None = None,
) -> Participant:
    """Give a participant an office (chair, secretary, teller) or a voting weight."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    participant = _participant(session, meeting, person_id)
    if weight is not None and weight != participant.weight:
        check_weight(weight)
        # An open poll counts the rights used at the weight they were used with, and the
        # rest at today's: a change in between would leave its ballots and rights unequal.
        _check_no_poll_open(session, meeting, f"change the voting weight of person {person_id}")
    participant.office = office
    if weight is not None:
        participant.weight = weight
    record(
        session,
        caller.actor,
        JournalAction.UPDATE_PARTICIPANT,
        {
            "meeting_id": meeting.id,
            "person_id": person_id,
            "office": office,
            "weight": participant.weight,
        },
    )
    return participant


def check_meeting_day(meeting: Meeting, day: date) -> date:
    if not meeting.starts_on <= day <= meeting.ends_on:
        raise InvalidInput(
            f"{day} is not a day of meeting {meeting.id} ({meeting.starts_on} to {meeting.ends_on})"
        )
    return day


def do_check_in(
    session: Session, caller: Caller, meeting: Meeting, person_id: int, day: date
) -> Attendance:
    """Record a participant present on ``day``; checking in twice is harmless."""
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    check_meeting_day(meeting, day)
    participant = _participant(session, meeting, person_id)
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
    card = card_for_check_in(session, meeting, code)
    on = check_meeting_day(meeting, day or date.today())
    participant = _participant(session, meeting, card.person_id)
    return _mark_present(session, caller.actor, participant, on, via="access card at the door")


#: A participant logging in with their card is taken to be in the hall only while the
#: meeting is convened or sitting, on one of its days: cards are handed out at the venue.
ARRIVAL_STATES = frozenset({MeetingState.CONVENED, MeetingState.IN_SESSION})


def do_check_in_on_login(session: Session, card: AccessCode, today: date) -> CheckIn | None:
    """Check in the holder of a card just used to log in, if ``today`` is a meeting day."""
    meeting = card.meeting
    if meeting.state not in ARRIVAL_STATES or not meeting.starts_on <= today <= meeting.ends_on:
        return None
    participant = _participant(session, meeting, card.person_id)
    return _mark_present(
        session, caller_of(None, card.person).actor, participant, today, via="access code login"
    )


def do_check_out(
    session: Session, caller: Caller, meeting: Meeting, person_id: int, day: date
) -> None:
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    participant = _participant(session, meeting, person_id)
    attendance = session.scalar(
        select(Attendance).where(Attendance.participant_id == participant.id, Attendance.day == day)
    )
    if attendance is None or attendance.checked_out_at is not None:
        raise Conflict(f"person {person_id} is not checked in on {day}")
    attendance.checked_out_at = utcnow()
    record(
        session,
        caller.actor,
        JournalAction.CHECK_OUT,
        {"meeting_id": meeting.id, "person_id": person_id, "day": day},
    )
    queue_event(session, meeting.id, LiveEventType.ATTENDANCE_CHANGED)


def is_present(session: Session, participant: Participant, day: date) -> bool:
    return (
        session.scalar(
            select(Attendance.id).where(
                Attendance.participant_id == participant.id,
                Attendance.day == day,
                Attendance.checked_out_at.is_(None),
            )
        )
        is not None
    )


def do_substitute(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    member_person_id: int,
    alternate_person_id: int,
    day: date,
) -> Substitution:
    """Pair an alternate with an absent member for ``day``, if the body's rules allow it."""
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    check_meeting_day(meeting, day)
    body = meeting.term.body
    if not body.alternates_vote_for_absent:
        raise Conflict(
            f"the rules of the {body.name} do not let alternates vote for absent members"
        )
    member = _participant(session, meeting, member_person_id)
    alternate = _participant(session, meeting, alternate_person_id)
    if member.role != ParticipantRole.MEMBER:
        raise InvalidInput(f"{member.person.full_name} is not a member and has no vote to pass on")
    if alternate.role != ParticipantRole.ALTERNATE:
        raise InvalidInput(f"{alternate.person.full_name} is not an alternate member")
    if is_present(session, member, day):
        raise Conflict(f"{member.person.full_name} is present on {day} and votes in person")
    clash = session.scalar(
        select(Substitution).where(
            Substitution.day == day,
            or_(Substitution.member_id == member.id, Substitution.alternate_id == alternate.id),
        )
    )
    if clash is not None:
        raise Conflict(
            f"{clash.alternate.person.full_name} already stands in for "
            f"{clash.member.person.full_name} on {day}"
        )
    substitution = Substitution(
        meeting_id=meeting.id, day=day, member_id=member.id, alternate_id=alternate.id
    )
    session.add(substitution)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SUBSTITUTE,
        {
            "meeting_id": meeting.id,
            "day": day,
            "member_person_id": member_person_id,
            "alternate_person_id": alternate_person_id,
        },
    )
    return substitution


def do_grant_proxy(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    grantor_person_id: int,
    holder_person_id: int,
) -> Proxy:
    """Entrust a member's vote to another member, within the body's limit per holder.

    Proxies do not pass on: no member both gives and holds one, so no chain or cycle forms.
    """
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    # Every rule below reads proxies that another grant may be adding at this moment: the
    # meeting's row, locked, makes grants in one meeting wait for each other (on PostgreSQL;
    # SQLite lets one writer in at a time anyway). Without the key, so that rows referring to
    # the meeting can still be written meanwhile.
    session.execute(
        select(Meeting.id).where(Meeting.id == meeting.id).with_for_update(key_share=True)
    )
    body = meeting.term.body
    grantor = _participant(session, meeting, grantor_person_id)
    holder = _participant(session, meeting, holder_person_id)
    if grantor.id == holder.id:
        raise InvalidInput("a member cannot hold their own proxy")
    for who in (grantor, holder):
        if who.role != ParticipantRole.MEMBER:
            raise InvalidInput(
                f"{who.person.full_name} is not a member; proxies pass between members"
            )
    if body.max_proxies_per_member < 1:
        raise Conflict(f"the rules of the {body.name} allow no proxies")
    existing = session.scalar(select(Proxy).where(Proxy.grantor_id == grantor.id))
    if existing is not None:
        raise Conflict(
            f"{grantor.person.full_name} has already given a proxy to {existing.holder.person.full_name}"
        )
    if session.scalar(select(Proxy).where(Proxy.grantor_id == holder.id)) is not None:
        raise Conflict(
            f"{holder.person.full_name} has given their own vote away and cannot hold proxies"
        )
    held_by_grantor = session.scalar(
        select(func.count()).select_from(Proxy).where(Proxy.holder_id == grantor.id)
    )
    if held_by_grantor:
        raise Conflict(
            f"{grantor.person.full_name} holds {held_by_grantor} proxies and cannot give their "
            "own vote away; proxies are not passed on"
        )
    held = session.scalar(select(func.count()).where(Proxy.holder_id == holder.id)) or 0
    if held >= body.max_proxies_per_member:
        raise Conflict(
            f"{holder.person.full_name} already holds {held} proxies, "
            f"the most the {body.name} allows"
        )
    proxy = Proxy(meeting_id=meeting.id, grantor_id=grantor.id, holder_id=holder.id)
    session.add(proxy)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.GRANT_PROXY,
        {
            "meeting_id": meeting.id,
            "grantor_person_id": grantor_person_id,
            "holder_person_id": holder_person_id,
        },
    )
    return proxy
