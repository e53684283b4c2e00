"""The presidium — formed by the convening body or elected — and the chair of each sitting."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, meeting_row, participant_of
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_body_of, check_meeting_day, check_not_closed
from veche.errors import Conflict, InvalidInput
from veche.models import Body, Meeting, Poll, PresidiumMember, Sitting
from veche.models.polls import PollKind, PollState
from veche.models.presidium import PresidiumSource
from veche.permissions import Permission


def _check_no_presidium(session: Session, meeting: Meeting) -> None:
    seated = session.scalar(select(func.count()).where(PresidiumMember.meeting_id == meeting.id))
    if seated:
        raise Conflict("this meeting has its presidium already")


def _check_participants(session: Session, meeting: Meeting, person_ids: list[int]) -> None:
    for person_id in person_ids:
        if participant_of(session, meeting.id, person_id) is None:
            raise InvalidInput(
                f"person {person_id} is not a participant of meeting {meeting.id}; invite them first"
            )


def _seat(
    session: Session,
    meeting: Meeting,
    person_ids: list[int],
    source: PresidiumSource,
    *,
    body_id: int | None = None,
    poll_id: int | None = None,
) -> list[PresidiumMember]:
    if not person_ids:
        raise InvalidInput("a presidium needs at least one member")
    if len(set(person_ids)) != len(person_ids):
        raise InvalidInput("a person is named twice for the presidium")
    _check_participants(session, meeting, person_ids)
    seats = [
        PresidiumMember(
            meeting_id=meeting.id,
            person_id=person_id,
            position=position,
            source=source,
            formed_by_body_id=body_id,
            poll_id=poll_id,
        )
        for position, person_id in enumerate(person_ids, start=1)
    ]
    session.add_all(seats)
    session.flush()
    return seats


def _check_forms_presidium(meeting: Meeting, body: Body) -> Body:
    """``body``, checked to be one that may form the meeting's presidium: the meeting's own
    body, a body above it, or the body that convened the meeting."""
    if body.id == meeting.convened_by_body_id:
        return body
    own = meeting.term.body
    seen: set[int] = set()
    above: Body | None = own
    while above is not None and above.id not in seen:
        if above.id == body.id:
            return body
        seen.add(above.id)
        above = above.parent
    raise InvalidInput(
        f"the {body.name} cannot form the presidium of meeting {meeting.id}: it neither "
        f"convened the meeting nor is the {own.name} or a body above it; name one of those, "
        "or none for the body that convened the meeting"
    )


def do_form_presidium(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    person_ids: list[int],
    *,
    formed_by_body_id: int | None = None,
) -> list[PresidiumMember]:
    """Seat the presidium the convening body (or the meeting's body, or one above it) formed,
    in the order given."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    check_not_closed(meeting, "form the presidium")
    body = check_body_of(session, meeting, formed_by_body_id or meeting.convened_by_body_id)
    if body is not None:
        _check_forms_presidium(meeting, body)
    _check_no_presidium(session, meeting)
    seats = _seat(
        session,
        meeting,
        person_ids,
        PresidiumSource.FORMED,
        body_id=body.id if body else None,
    )
    record(
        session,
        caller.actor,
        JournalAction.FORM_PRESIDIUM,
        {
            "meeting_id": meeting.id,
            "person_ids": person_ids,
            "formed_by_body_id": body.id if body else None,
        },
    )
    queue_event(session, meeting.id, LiveEventType.PRESIDIUM_CHANGED)
    return seats


def check_seats_presidium(session: Session, meeting: Meeting, poll: Poll) -> list[int]:
    """The persons an election of the meeting elected, in the order elected, if it can seat
    the presidium: closed, and every one elected a person nominated (``poll_option.person_id``)
    who takes part in the meeting; a candidate typed as a name cannot sit in it. The presidium
    page asks it of each election to offer only those."""
    if poll.meeting_id != meeting.id:
        raise InvalidInput("that poll is not a poll of this meeting")
    if poll.kind is not PollKind.ELECTION:
        raise InvalidInput(f"“{poll.title}” is not an election")
    if poll.state not in (PollState.CLOSED, PollState.PUBLISHED):
        raise Conflict(f"“{poll.title}” is {poll.state.value}; close it to know who was elected")
    elected = list((poll.result or {}).get("elected", []))
    by_label = {option.label: option.person_id for option in poll.options}
    if not elected:
        raise Conflict(f"“{poll.title}” elected no person who can sit in the presidium")
    typed = [label for label in elected if by_label.get(label) is None]
    if typed:
        raise Conflict(
            f"“{poll.title}” elected no person who can sit in the presidium: “{typed[0]}” "
            "stood as a name typed, not as a person nominated; to seat a presidium by "
            "election, nominate its candidates as persons on the election's candidates page "
            "before it opens"
        )
    person_ids = [person_id for label in elected if (person_id := by_label[label]) is not None]
    _check_participants(session, meeting, person_ids)
    return person_ids


def do_seat_elected_presidium(
    session: Session, caller: Caller, meeting: Meeting, poll: Poll
) -> list[PresidiumMember]:
    """Seat the candidates an election poll of this meeting elected, in the order elected."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    check_not_closed(meeting, "seat the presidium")
    person_ids = check_seats_presidium(session, meeting, poll)
    _check_no_presidium(session, meeting)
    seats = _seat(session, meeting, person_ids, PresidiumSource.ELECTED, poll_id=poll.id)
    record(
        session,
        caller.actor,
        JournalAction.SEAT_ELECTED_PRESIDIUM,
        {"meeting_id": meeting.id, "poll_id": poll.id, "person_ids": person_ids},
    )
    queue_event(session, meeting.id, LiveEventType.PRESIDIUM_CHANGED)
    return seats


def do_add_sitting(
    session: Session, caller: Caller, meeting: Meeting, *, day: date, chair_person_id: int
) -> Sitting:
    """Open the next sitting on one of the meeting's days, chaired by a member of the presidium."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    check_not_closed(meeting, "add a sitting")
    check_meeting_day(meeting, day)
    in_presidium = session.scalar(
        select(PresidiumMember.id).where(
            PresidiumMember.meeting_id == meeting.id,
            PresidiumMember.person_id == chair_person_id,
        )
    )
    if in_presidium is None:
        raise InvalidInput(
            f"person {chair_person_id} is not in the presidium of meeting {meeting.id}; "
            "a sitting is chaired by a member of the presidium"
        )
    last = session.scalar(select(func.max(Sitting.number)).where(Sitting.meeting_id == meeting.id))
    if last is not None:
        last_day = session.scalar(
            select(Sitting.day).where(Sitting.meeting_id == meeting.id, Sitting.number == last)
        )
        if last_day is not None and day < last_day:
            raise InvalidInput(f"sitting {last} was on {last_day}; the next cannot be earlier")
    sitting = Sitting(
        meeting_id=meeting.id, number=(last or 0) + 1, day=day, chair_person_id=chair_person_id
    )
    session.add(sitting)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ADD_SITTING,
        {
            "meeting_id": meeting.id,
            "sitting_id": sitting.id,
            "number": sitting.number,
            "day": day,
            "chair_person_id": chair_person_id,
        },
    )
    queue_event(session, meeting.id, LiveEventType.SITTING_ADDED, sitting_id=sitting.id)
    return sitting


def check_sitting(session: Session, meeting: Meeting, sitting_id: int | None) -> Sitting | None:
    if sitting_id is None:
        return None
    return meeting_row(session, Sitting, sitting_id, meeting.id, "sitting")
