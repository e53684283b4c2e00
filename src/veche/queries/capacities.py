"""In which capacity each person attended a meeting, from their seats on the days they came.

Nobody enters a capacity: it is read from the seats a person held, on a day they attended,
in the meeting's term and in the terms of every body below the meeting's body, at any
depth. A person is counted once, in their first capacity in this order: the innermost body
first (a bureau's presidium, then the bureau, then the committee), members before
alternates; then those invited as members or alternates without a seat; then observers,
by category in the order they were invited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
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
_ROLE_RANK = {MembershipRole.MEMBER: 0, MembershipRole.ALTERNATE: 1}


def attendance_by_capacity(
    session: Session, meeting: Meeting, *, names: bool = True
) -> list[CapacityGroup]:
    """Everyone who attended on any day, grouped by capacity, groups in the order above;
    without ``names``, how many in each group only: a communiqué names nobody, and sorting
    the thousands a congress brings costs it time."""
    came = select(Attendance.id).where(Attendance.participant_id == Participant.id).exists()
    attended = session.execute(
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
    ).all()

    body = meeting.term.body
    tree = body_tree(session, body.organization, under=body.id)
    # Deeper bodies first; bodies at one depth in the tree's order (siblings by name).
    place = {node.id: (-node.depth, index) for index, node in enumerate(tree)}
    labels = {node.id: node.name for node in tree}
    labels[body.id] = term_label(meeting.term)
    seats = _first_seats(session, meeting, [node.id for node in tree[1:]], place)

    observer_order: dict[str, int] = {}
    groups: dict[_Rank, tuple[CapacityGroup, list[str]]] = {}
    for participant_id, person_id, full_name, role, category in attended:
        seat = seats.get(person_id)
        if seat is not None:
            (depth, index, role_rank), body_id = seat
            key: _Rank = (0, depth, index, role_rank)
            group = CapacityGroup(
                "member" if role_rank == 0 else "alternate", labels[body_id], "", 0, []
            )
        elif role is ParticipantRole.OBSERVER:
            # Categories in the order they were invited; uncategorised observers last.
            first = observer_order.setdefault(category, participant_id)
            key = (2, first, 0, 0) if category else (3, 0, 0, 0)
            group = CapacityGroup("observer", None, category, 0, [])
        else:
            key = (1, 0 if role is ParticipantRole.MEMBER else 1, 0, 0)
            group = CapacityGroup(role.value, None, "", 0, [])
        groups.setdefault(key, (group, []))[1].append(full_name)
    return [
        CapacityGroup(
            group.role,
            group.body,
            group.category,
            len(people),
            sorted(people, key=natural_key) if names else [],
        )
        for _key, (group, people) in sorted(groups.items(), key=lambda entry: entry[0])
    ]


def _first_seats(
    session: Session,
    meeting: Meeting,
    sub_body_ids: list[int],
    place: dict[int, tuple[int, int]],
) -> dict[int, tuple[tuple[int, int, int], int]]:
    """Each attending person's first seat held on a day they attended: its rank and body."""
    day = Attendance.day
    held = session.execute(
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
    ).all()
    first: dict[int, tuple[tuple[int, int, int], int]] = {}
    for person_id, role, body_id in held:
        rank = (*place[body_id], _ROLE_RANK[role])
        if person_id not in first or rank < first[person_id][0]:
            first[person_id] = (rank, body_id)
    return first
