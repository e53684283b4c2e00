"""In which capacity each person attended a meeting, from their seats on the days they came.

Nobody enters a capacity: it is read from the seats a person held, on a day they attended
(checked in that day, whether or not they checked out before its end, as the minutes' table
and the attendance register count them; a check-in undone is none), in the meeting's term
and in the terms of every body below the meeting's body, at any depth. A person is counted once, in their first capacity in this order: the innermost body
first (a bureau's presidium, then the bureau, then the committee), members before
alternates; then those invited as members or alternates without a seat; then observers,
by category in the order they were invited.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from veche.collation import natural_key
from veche.models import Attendance, Meeting, Membership, Participant, Person, Term
from veche.models.meetings import ParticipantRole
from veche.models.org import MembershipRole
from veche.queries.org import term_label
from veche.queries.records import body_tree


@dataclass(frozen=True)
class CapacityGroup:
    """Those who attended in one capacity."""

    #: "member" or "alternate": of ``body`` by a seat, or invited as one without a seat
    #: (``body`` None); "observer": invited in ``category``.
    role: str
    #: Whose seat: the meeting's term ("8th General Council") or a body below it.
    body: str | None
    category: str  # an observer's category; "" for none
    number: int  # how many attended in it
    people: list[str]  # by name, in natural order; none when read without names


#: Orders the groups: a seat's place in the bodies, else where the invitation comes.
_Rank = tuple[int, int, int, int]
#: What a group is, beside how many: its role, whose seat, an observer's category.
_Capacity = tuple[str, str | None, str]
#: A person's first seat: its rank (deeper bodies first, the body's place at its depth,
#: member before alternate) and its body's id.
_Seat = tuple[tuple[int, int, int], int]
_ROLE_RANK = {MembershipRole.MEMBER: 0, MembershipRole.ALTERNATE: 1}


def attendance_by_capacity(
    session: Session, meeting: Meeting, *, names: bool = True
) -> list[CapacityGroup]:
    """Everyone who attended on any day, grouped by capacity, groups in the order above;
    without ``names``, how many in each group only: a communiqué names nobody, and the
    thousands a congress brings are then counted by the database rather than read one by
    one."""
    body = meeting.term.body
    tree = body_tree(session, body.organization, under=body.id)
    # Deeper bodies first; bodies at one depth in the tree's order (siblings by name).
    place = {node.id: (-node.depth, index) for index, node in enumerate(tree)}
    labels = {node.id: node.name for node in tree}
    labels[body.id] = term_label(meeting.term)
    sub_body_ids = [node.id for node in tree[1:]]
    seats = first_seats(session, meeting, sub_body_ids, place)

    capacities: dict[_Rank, _Capacity] = {}
    numbers: Counter[_Rank] = Counter()
    people: defaultdict[_Rank, list[str]] = defaultdict(list)
    came = select(Attendance.id).where(Attendance.participant_id == Participant.id).exists()
    if names:
        observer_order: dict[str, int] = {}
        for participant_id, person_id, full_name, role, category in session.execute(
            select(
                Participant.id,
                Participant.person_id,
                Person.full_name,
                Participant.role,
                Participant.category,
            )
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.meeting_id == meeting.id, came)
            .order_by(Participant.id)
        ):
            seat = seats.get(person_id)
            if seat is not None:
                key, capacities[key] = _seated(seat, labels)
            else:
                # Categories in the order they were invited.
                first = (
                    observer_order.setdefault(category, participant_id)
                    if role is ParticipantRole.OBSERVER
                    else 0
                )
                key, capacities[key] = _unseated(role, category, first)
            numbers[key] += 1
            people[key].append(full_name)
    else:
        for seat in seats.values():
            key, capacities[key] = _seated(seat, labels)
            numbers[key] += 1
        seated = _seats_held(meeting, sub_body_ids).subquery()
        for role, category, number, first in session.execute(
            select(
                Participant.role,
                Participant.category,
                func.count(),
                func.min(Participant.id),
            )
            .where(
                Participant.meeting_id == meeting.id,
                came,
                Participant.person_id.not_in(select(seated.c.person_id)),
            )
            .group_by(Participant.role, Participant.category)
        ):
            key, capacities[key] = _unseated(role, category, first)
            numbers[key] += number
    return [
        CapacityGroup(*capacities[key], numbers[key], sorted(people[key], key=natural_key))
        for key in sorted(capacities)
    ]


def _seated(seat: _Seat, labels: dict[int, str]) -> tuple[_Rank, _Capacity]:
    (depth, index, role_rank), body_id = seat
    role = "member" if role_rank == 0 else "alternate"
    return (0, depth, index, role_rank), (role, labels[body_id], "")


def _unseated(role: ParticipantRole, category: str, first_invited: int) -> tuple[_Rank, _Capacity]:
    """The group of one who came without a seat: invited as a member or alternate, or an
    observer of a category (``first_invited``: the category's first participant who came);
    uncategorised observers last."""
    if role is ParticipantRole.OBSERVER:
        rank: _Rank = (2, first_invited, 0, 0) if category else (3, 0, 0, 0)
        return rank, ("observer", None, category)
    return (1, 0 if role is ParticipantRole.MEMBER else 1, 0, 0), (role.value, None, "")


def _seats_held(meeting: Meeting, sub_body_ids: list[int]) -> Select[int, MembershipRole, int]:
    """The seats (person, role, body) held on a day their holder attended the meeting."""
    day = Attendance.day
    return (
        select(Membership.person_id, Membership.role, Term.body_id)
        .distinct()
        .join(Term, Term.id == Membership.term_id)
        .join(
            Participant,
            (Participant.person_id == Membership.person_id)
            & (Participant.meeting_id == meeting.id),
        )
        .join(Attendance, Attendance.participant_id == Participant.id)
        .where(
            # The meeting's own body by the meeting's term; those below by any term then.
            or_(Term.id == meeting.term_id, Term.body_id.in_(sub_body_ids)),
            Term.starts_on <= day,
            or_(Term.ends_on.is_(None), Term.ends_on >= day),
            or_(Membership.from_date.is_(None), Membership.from_date <= day),
            or_(Membership.to_date.is_(None), Membership.to_date >= day),
        )
    )


def first_seats(
    session: Session,
    meeting: Meeting,
    sub_body_ids: list[int],
    place: dict[int, tuple[int, int]],
) -> dict[int, _Seat]:
    """Each attending person's first seat held on a day they attended: its rank and body."""
    first: dict[int, _Seat] = {}
    for person_id, role, body_id in session.execute(_seats_held(meeting, sub_body_ids)):
        rank = (*place[body_id], _ROLE_RANK[role])
        if person_id not in first or rank < first[person_id][0]:
            first[person_id] = (rank, body_id)
    return first
