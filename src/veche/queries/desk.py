"""The secretary's desk at the scale of a congress: participants found by name, role and
presence a page at a time; people for a form's choice found by a few letters of their name;
the cards printed since a form was shown; and the registers the desk exports (attendance by
day with each one's capacity, the roll-calls and the results of the polls)."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased

from veche.actions.access import Caller, holds, result_visible
from veche.models import (
    AccessCode,
    Attendance,
    Meeting,
    Participant,
    Person,
    Poll,
    Proxy,
    Substitution,
    Unit,
)
from veche.models.meetings import ParticipantRole
from veche.models.polls import Secrecy
from veche.permissions import Permission
from veche.queries._listing import paged, where_given
from veche.queries._views import view_of
from veche.queries.capacities import CapacityGroup, first_seats
from veche.queries.org import term_label
from veche.queries.polls import SHOWN, roll_call
from veche.queries.presence import present_on
from veche.queries.proceedings import ParticipantRow, participant_rows, participants
from veche.queries.record import PollRecord, read_record
from veche.queries.records import body_tree, containing

# --- The participants' list ----------------------------------------------------------------


class Presence(enum.StrEnum):
    """Whether a participant is present on the desk's day."""

    PRESENT = "present"
    ABSENT = "absent"


@dataclass(frozen=True)
class DeskFilter:
    """What the desk's list looks for; every field left empty matches everyone."""

    #: Every word in the name (or an observer's category), in any case.
    words: str = ""
    role: ParticipantRole | None = None
    presence: Presence | None = None


@dataclass(frozen=True, slots=True)
class DeskRow:
    """A participant as the desk lists them, with their attendance on the desk's day."""

    participant: ParticipantRow
    #: Checked in and not checked out since.
    present: bool
    #: Checked in on the day, whether or not checked out since: a check-in to undo.
    attended: bool = False


def _present(day: date) -> ColumnElement[bool]:
    """The condition that the participant (``Participant``) is present on ``day``."""
    return exists().where(Attendance.participant_id == Participant.id, present_on(Attendance, day))


def _attended(day: date) -> ColumnElement[bool]:
    """The condition that the participant (``Participant``) was checked in on ``day``."""
    return exists().where(Attendance.participant_id == Participant.id, Attendance.day == day)


def desk_participants(
    session: Session, meeting_id: int, day: date, wanted: DeskFilter, *, limit: int, offset: int
) -> tuple[int, list[DeskRow]]:
    """(how many participants match, one page of them by name) with their presence on
    ``day``: two queries, whatever the meeting's size."""
    here = _present(day)
    query = participant_rows(meeting_id).add_columns(here, _attended(day))
    query = where_given(query, (Participant.role, wanted.role))
    for word in wanted.words.split():
        query = query.where(
            containing(Person.full_name, word) | containing(Participant.category, word)
        )
    if wanted.presence is Presence.PRESENT:
        query = query.where(here)
    elif wanted.presence is Presence.ABSENT:
        query = query.where(~here)
    total, page = paged(session, query, Person.full_name, Person.id, limit=limit, offset=offset)
    rows = [
        DeskRow(ParticipantRow(*participant), bool(present), bool(attended))
        for *participant, present, attended in session.execute(page)
    ]
    return total, rows


# --- People to choose on a form ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """A person a form offers to choose, with what tells namesakes apart."""

    person_id: int
    full_name: str
    #: A participant's role (and an observer's category); a person's unit, if any.
    role: str
    about: str


def invitable(
    session: Session, meeting: Meeting, words: str, *, limit: int
) -> tuple[int, list[Choice]]:
    """(how many match, the first ``limit`` by name): the people of the meeting's
    organization not invited to it, every word of ``words`` in their name or e-mail."""
    invited = exists().where(
        Participant.meeting_id == meeting.id, Participant.person_id == Person.id
    )
    query = (
        select(Person.id, Person.full_name, Unit.name)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(Person.organization_id == meeting.term.body.organization_id, ~invited)
    )
    for word in words.split():
        query = query.where(
            containing(Person.full_name, word) | containing(func.coalesce(Person.email, ""), word)
        )
    total, page = paged(session, query, Person.full_name, Person.id, limit=limit, offset=0)
    found = [Choice(person, name, "", unit or "") for person, name, unit in session.execute(page)]
    return total, found


def participants_named(
    session: Session,
    meeting_id: int,
    words: str,
    roles: Collection[ParticipantRole],
    *,
    limit: int,
) -> tuple[int, list[Choice]]:
    """(how many match, the first ``limit`` by name): the meeting's participants in
    ``roles``, every word of ``words`` in their name."""
    query = (
        select(Participant.person_id, Person.full_name, Participant.role, Participant.category)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.meeting_id == meeting_id, Participant.role.in_(list(roles)))
    )
    for word in words.split():
        query = query.where(containing(Person.full_name, word))
    total, page = paged(session, query, Person.full_name, Person.id, limit=limit, offset=0)
    found = [
        Choice(person, name, role.value, category)
        for person, name, role, category in session.execute(page)
    ]
    return total, found


# --- Stand-ins -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StandIn:
    """One person's vote held by another: a proxy, or an alternate for a member on a day."""

    #: The member whose vote it is.
    member: str
    #: Who holds it: the proxy's holder, or the alternate.
    holder: str
    #: The member's person id (a proxy is taken back by it).
    member_person_id: int = 0


def _names_of(session: Session, participant_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(participant_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Participant.id, Person.full_name)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.id.in_(ids))
    )
    return {participant_id: name for participant_id, name in rows}


def proxies(session: Session, meeting_id: int) -> list[StandIn]:
    """The meeting's proxies, by the name of the member who gave each."""
    grantor = aliased(Participant)
    pairs = session.execute(
        select(Proxy.grantor_id, Proxy.holder_id, grantor.person_id)
        .join(grantor, grantor.id == Proxy.grantor_id)
        .where(Proxy.meeting_id == meeting_id)
    ).all()
    names = _names_of(session, [person for pair in pairs for person in pair[:2]])
    found = [
        StandIn(names[grantor_id], names[holder_id], person_id)
        for grantor_id, holder_id, person_id in pairs
    ]
    return sorted(found, key=lambda stand_in: stand_in.member)


def substitutions(session: Session, meeting_id: int, day: date) -> list[StandIn]:
    """The alternates standing in for members on ``day``, by the member's name."""
    pairs = session.execute(
        select(Substitution.member_id, Substitution.alternate_id).where(
            Substitution.meeting_id == meeting_id, Substitution.day == day
        )
    ).all()
    names = _names_of(session, [person for pair in pairs for person in pair])
    found = [StandIn(names[member], names[alternate]) for member, alternate in pairs]
    return sorted(found, key=lambda stand_in: stand_in.member)


# --- Access cards --------------------------------------------------------------------------


def newest_card(session: Session, meeting_id: int) -> int:
    """The number of the newest access card printed for the meeting (0 before any): a form
    that prints cards carries it, to know the cards printed after it was shown."""
    newest = session.scalar(
        select(func.max(AccessCode.id)).where(AccessCode.meeting_id == meeting_id)
    )
    return int(newest or 0)


def cards_printed_since(
    session: Session, meeting_id: int, newest: int, person_ids: Collection[int] | None
) -> int:
    """How many cards of the meeting were printed after card ``newest`` for these people
    (every participant, for None)."""
    query = select(func.count()).where(AccessCode.meeting_id == meeting_id, AccessCode.id > newest)
    if person_ids is not None:
        query = query.where(AccessCode.person_id.in_(list(person_ids)))
    return int(session.scalar(query) or 0)


# --- The registers the desk exports --------------------------------------------------------


class DayAttendance(enum.StrEnum):
    """A participant's attendance on a day, as the register gives it."""

    #: Checked in, and not checked out by the day's end (or by now, on the day itself).
    PRESENT = "present"
    #: Checked in, then checked out: they attended, and had left by the day's end.
    CHECKED_OUT = "checked out"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A participant in the attendance register."""

    full_name: str
    role: str
    category: str
    office: str | None
    weight: int
    #: Who they attended as, as the communiqué counts them: by the first seat they held on a
    #: day they came; by their invitation if they held none or never came.
    capacity: CapacityGroup
    #: Their attendance on each of the register's days, in order.
    attendance: list[DayAttendance]


@dataclass(frozen=True)
class AttendanceRegister:
    days: list[date]
    rows: list[RegisterRow]


def attendance_register(session: Session, meeting: Meeting, days: list[date]) -> AttendanceRegister:
    """Every participant by name, with their capacity and their attendance on each of
    ``days``: present at its end, checked out before it, or absent."""
    seats = participants(session, meeting.id)
    came: dict[int, dict[date, DayAttendance]] = {}
    if days:
        for participant_id, day, checked_out_at in session.execute(
            select(Attendance.participant_id, Attendance.day, Attendance.checked_out_at)
            .join(Participant, Participant.id == Attendance.participant_id)
            .where(Participant.meeting_id == meeting.id, Attendance.day.in_(days))
        ):
            came.setdefault(participant_id, {})[day] = (
                DayAttendance.PRESENT if checked_out_at is None else DayAttendance.CHECKED_OUT
            )
    capacities = _capacities(session, meeting)
    rows = [
        view_of(
            RegisterRow,
            seat,
            capacity=capacities.get(seat.person_id)
            or _invited_as(ParticipantRole(seat.role), seat.category),
            attendance=[came.get(seat.id, {}).get(day, DayAttendance.ABSENT) for day in days],
        )
        for seat in seats
    ]
    return AttendanceRegister(days, rows)


def _capacities(session: Session, meeting: Meeting) -> dict[int, CapacityGroup]:
    """By person, the seat those who came attended in (see ``veche.queries.capacities``)."""
    body = meeting.term.body
    tree = body_tree(session, body.organization, under=body.id)
    place = {node.id: (-node.depth, index) for index, node in enumerate(tree)}
    labels = {node.id: node.name for node in tree}
    labels[body.id] = term_label(meeting.term)
    seats = first_seats(session, meeting, [node.id for node in tree[1:]], place)
    return {
        person_id: CapacityGroup(
            "member" if role_rank == 0 else "alternate", labels[body_id], "", 1, []
        )
        for person_id, ((_depth, _index, role_rank), body_id) in seats.items()
    }


def _invited_as(role: ParticipantRole, category: str) -> CapacityGroup:
    """The capacity of one who held no seat when they came, or never came: their invitation."""
    return CapacityGroup(
        role.value, None, category if role is ParticipantRole.OBSERVER else "", 1, []
    )


@dataclass(frozen=True, slots=True)
class RollCallRow:
    poll: str
    day: date | None
    voter: str
    choice: Any
    weight: int
    #: Who cast it, when another than the voter did (a proxy's holder, an alternate).
    cast_by: str | None


def roll_calls(session: Session, caller: Caller, meeting: Meeting) -> list[RollCallRow]:
    """Every named vote of the meeting's polls whose result the caller may see (published,
    or closed for those who see results before then), poll by poll as they closed."""
    sees_closed = holds(session, caller, Permission.RESULTS_SEE_CLOSED, meeting.id)
    polls = session.scalars(
        select(Poll)
        .where(
            Poll.meeting_id == meeting.id,
            Poll.secrecy == Secrecy.NAMED,
            Poll.state.in_(SHOWN),
        )
        .order_by(Poll.closed_at, Poll.id)
    ).all()
    return [
        RollCallRow(
            poll.title, poll.day, vote["voter"], vote["choice"], vote["weight"], vote["cast_by"]
        )
        for poll in polls
        if result_visible(poll.state, sees_closed)
        for vote in roll_call(session, poll)
    ]


@dataclass(frozen=True)
class PollResults:
    """The results of a meeting's polls that the caller may see, with their agenda items."""

    polls: list[PollRecord]
    #: Each agenda item's position and title, by its id.
    items: dict[int, tuple[int, str]]


def poll_results(session: Session, caller: Caller, meeting: Meeting) -> PollResults:
    """The closed polls as the minutes record them, but for those whose result the caller
    may not see yet."""
    record = read_record(session, meeting, motions=False)
    sees_closed = holds(session, caller, Permission.RESULTS_SEE_CLOSED, meeting.id)
    states = dict(
        session.execute(select(Poll.id, Poll.state).where(Poll.meeting_id == meeting.id)).all()
    )
    return PollResults(
        polls=[poll for poll in record.polls if result_visible(states[poll.id], sees_closed)],
        items={item.id: (item.position, item.title) for item in record.items},
    )
