"""Who takes part in a meeting: invitations, observers by category, offices, voting weights."""

from __future__ import annotations

from sqlalchemy.orm import Session

from veche.actions._invitation import add_participant
from veche.actions._open_polls import check_no_poll_open
from veche.actions.access import Caller, authorize, participant_of
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_not_closed, check_person_of, check_record_open
from veche.actions.org import check_name
from veche.actions.org_updates import KEEP, Kept
from veche.errors import Conflict, InvalidInput
from veche.models import Meeting, Participant, Person
from veche.models.meetings import Office, ParticipantRole
from veche.permissions import Permission


def _check_not_invited(session: Session, meeting: Meeting, person: Person) -> None:
    """A person takes part in a meeting in one place only: one invitation each."""
    if participant_of(session, meeting.id, person.id) is not None:
        raise Conflict(f"{person.full_name} is already invited to this meeting")


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
    people = [check_person_of(session, meeting, person_id) for person_id in person_ids]
    for person in people:
        _check_not_invited(session, meeting, person)
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


def participant_in(session: Session, meeting: Meeting, person_id: int) -> Participant:
    participant = participant_of(session, meeting.id, person_id)
    if participant is None:
        raise InvalidInput("that person is not a participant of this meeting")
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


#: A voting part in a meeting, as a refusal names it.
_AS = {ParticipantRole.MEMBER: "a member", ParticipantRole.ALTERNATE: "an alternate member"}


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
    check_record_open(meeting, "invite anyone")
    person = check_person_of(session, meeting, person_id)
    _check_not_invited(session, meeting, person)
    check_weight(weight)
    if role != ParticipantRole.OBSERVER:
        # A right given while a poll is open would vote in it on a roll it was not on, at a
        # weight nobody could question before the count: the same rule as a weight's change.
        check_no_poll_open(session, meeting.id, f"invite person {person_id} as {_AS[role]}")
    return add_participant(
        session, caller.actor, meeting.id, person.id, role, category=category, weight=weight
    )


def do_update_participant(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    person_id: int,
    *,
    office: Office | Kept | None = KEEP,
    weight: int | None = None,
) -> Participant:
    """Give a participant an office (chair, secretary, teller; None for none) or a voting
    weight; what is not given (``KEEP``, a weight of None) stays as it is."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    check_record_open(meeting, "change a participant's office or weight")
    participant = participant_in(session, meeting, person_id)
    if weight is not None and weight != participant.weight:
        check_weight(weight)
        # An open poll counts the rights used at the weight they were used with, and the
        # rest at today's: a change in between would leave its ballots and rights unequal.
        check_no_poll_open(session, meeting.id, f"change the voting weight of person {person_id}")
    if office is not KEEP:
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
            "office": participant.office,
            "weight": participant.weight,
        },
    )
    # An office changes what its holder may do, a weight the rights present the quorum counts.
    queue_event(session, meeting.id, LiveEventType.PARTICIPANTS_CHANGED)
    return participant
