"""Who is calling, and the few helpers that load guarded rows only for those allowed to see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.actor import Actor
from veche.errors import Forbidden, NotFound
from veche.models import Meeting, Organization, Participant, Poll
from veche.models.base import MAX_INT, Base
from veche.models.meetings import Office
from veche.models.polls import PollState

#: Offices that run a meeting's business (polls, attendance, proxies).
MANAGING_OFFICES = frozenset({Office.CHAIR, Office.SECRETARY})
#: Offices that may enter counted paper ballots.
TELLING_OFFICES = frozenset({Office.CHAIR, Office.SECRETARY, Office.TELLER})


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the journal's actor, their person (if any), and admin rights."""

    actor: Actor
    person_id: int | None
    is_admin: bool
    organization_id: int | None


def participant_of(session: Session, meeting_id: int, person_id: int | None) -> Participant | None:
    if person_id is None:
        return None
    return session.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting_id, Participant.person_id == person_id
        )
    )


def _office(session: Session, caller: Caller, meeting_id: int) -> Office | None:
    participant = participant_of(session, meeting_id, caller.person_id)
    return participant.office if participant else None


def require_manager(session: Session, caller: Caller, meeting: Meeting) -> None:
    """Only an administrator, or the meeting's chair or secretary, runs its business."""
    if caller.is_admin or _office(session, caller, meeting.id) in MANAGING_OFFICES:
        return
    raise Forbidden(f"only the chair or the secretary of meeting {meeting.id} may do this")


def is_manager(session: Session, caller: Caller, meeting: Meeting) -> bool:
    return caller.is_admin or _office(session, caller, meeting.id) in MANAGING_OFFICES


def require_teller(session: Session, caller: Caller, meeting: Meeting) -> None:
    if caller.is_admin or _office(session, caller, meeting.id) in TELLING_OFFICES:
        return
    raise Forbidden(
        f"only a teller, the chair or the secretary of meeting {meeting.id} may do this"
    )


def could_be_stored(row_id: int) -> bool:
    """Whether a number could be a row's id: others (a client's 2**63) would make the database
    driver fail before the database could answer that there is no such row."""
    return 1 <= row_id <= MAX_INT


def access_meeting(session: Session, caller: Caller, meeting_id: int) -> Meeting:
    """A meeting the caller may see: administrators, and the meeting's participants."""
    meeting = session.get(Meeting, meeting_id) if could_be_stored(meeting_id) else None
    if meeting is None:
        raise NotFound(f"there is no meeting {meeting_id}")
    if not caller.is_admin and participant_of(session, meeting_id, caller.person_id) is None:
        raise Forbidden(f"you are not a participant of meeting {meeting_id}")
    return meeting


def access_poll(session: Session, caller: Caller, poll_id: int, *, lock: bool = False) -> Poll:
    """A poll of a meeting the caller may see; ``lock`` takes the row for a change of state."""
    query = select(Poll).where(Poll.id == poll_id)
    if lock:
        query = query.with_for_update()
    poll = session.scalar(query) if could_be_stored(poll_id) else None
    if poll is None:
        raise NotFound(f"there is no poll {poll_id}")
    access_meeting(session, caller, poll.meeting_id)
    return poll


Row = TypeVar("Row", bound=Base)


def access_row(session: Session, caller: Caller, model: type[Row], row_id: int, what: str) -> Row:
    """A row that belongs to a meeting (by its ``meeting_id``) the caller may see."""
    row = session.get(model, row_id) if could_be_stored(row_id) else None
    if row is None:
        raise NotFound(f"there is no {what} {row_id}")
    access_meeting(session, caller, row.meeting_id)  # type: ignore[attr-defined]
    return row


def manage_organization(session: Session, caller: Caller) -> Organization:
    """The caller's organization, for changing it: people, bodies, terms, meetings; admins only."""
    if not caller.is_admin:
        raise Forbidden("only an administrator may change the organization's records")
    organization = session.get(Organization, caller.organization_id)
    if organization is None:
        raise NotFound("your account belongs to no organization")
    return organization


def may_see_result(session: Session, caller: Caller, poll: Poll) -> bool:
    """Everyone sees a published result; the chair and the secretary see it once closed."""
    if poll.state is PollState.PUBLISHED:
        return True
    return poll.state is PollState.CLOSED and is_manager(session, caller, poll.meeting)
