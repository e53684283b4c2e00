"""The organization's records as the API lists them: bodies and units as trees of any
depth, a term's seats, and people found by name a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from veche.folding import Folded, fold
from veche.models import Body, Membership, Organization, Person, Term, Unit
from veche.models.org import MembershipRole
from veche.queries._listing import like_literally, paged
from veche.queries.org import term_label
from veche.queries.roster import PERSON_ROW_LOADS, PersonRow, person_row
from veche.quorum import Quorum


@dataclass(frozen=True)
class TermRow:
    id: int
    body_id: int
    number: int
    label: str  # "8th General Council"
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class BodyNode:
    """A body in its place in the tree: ``depth`` 0 at the top, 1 under a top body …"""

    id: int
    name: str
    parent_id: int | None
    depth: int
    description: str
    quorum: Quorum
    alternates_vote_for_absent: bool
    max_proxies_per_member: int
    sub_body_ids: list[int]
    terms: list[TermRow]


@dataclass(frozen=True)
class UnitNode:
    id: int
    name: str
    kind: str
    parent_id: int | None
    depth: int


Node = TypeVar("Node", Body, Unit)


def _tree_order(rows: Sequence[Node], parent_of: Callable[[Node], int | None]) -> list[Node]:
    """Rows depth first, each followed by those under it, siblings by name. A row whose
    parent is not among them starts a tree of its own."""
    ids = {row.id for row in rows}
    below: dict[int | None, list[Node]] = {}
    for row in sorted(rows, key=lambda row: (row.name, row.id)):
        parent = parent_of(row)
        below.setdefault(parent if parent in ids else None, []).append(row)
    ordered: list[Node] = []
    waiting = list(reversed(below.get(None, [])))
    while waiting:
        row = waiting.pop()
        ordered.append(row)
        waiting.extend(reversed(below.get(row.id, [])))
    return ordered


def _depths(rows: Sequence[Node], parent_of: Callable[[Node], int | None]) -> dict[int, int]:
    """Each row's depth, for rows in tree order (a parent before what lies under it)."""
    depth: dict[int, int] = {}
    for row in rows:
        parent = parent_of(row)
        depth[row.id] = depth[parent] + 1 if parent in depth else 0
    return depth


def term_row(term: Term) -> TermRow:
    return TermRow(
        term.id, term.body_id, term.number, term_label(term), term.starts_on, term.ends_on
    )


def body_tree(
    session: Session, organization: Organization, *, under: int | None = None
) -> list[BodyNode]:
    """The organization's bodies as a tree, each with its terms; ``under``: one body and
    every body below it, at any depth (their depths still counted from the top)."""
    bodies = session.scalars(
        select(Body)
        .where(Body.organization_id == organization.id)
        .options(selectinload(Body.terms))
    ).all()
    ordered = _tree_order(bodies, lambda body: body.parent_id)
    depth = _depths(ordered, lambda body: body.parent_id)  # in the whole tree
    if under is not None:
        ordered = _subtree(ordered, under, lambda body: body.parent_id)
    return [
        BodyNode(
            id=body.id,
            name=body.name,
            parent_id=body.parent_id,
            depth=depth[body.id],
            description=body.description,
            quorum=body.quorum,
            alternates_vote_for_absent=body.alternates_vote_for_absent,
            max_proxies_per_member=body.max_proxies_per_member,
            sub_body_ids=[other.id for other in ordered if other.parent_id == body.id],
            terms=[term_row(term) for term in body.terms],
        )
        for body in ordered
    ]


def _subtree(ordered: list[Node], top: int, parent_of: Callable[[Node], int | None]) -> list[Node]:
    """From rows in tree order, ``top`` and the rows below it."""
    inside: set[int] = {top}
    found = []
    for row in ordered:
        if row.id == top or parent_of(row) in inside:
            inside.add(row.id)
            found.append(row)
    return found


def unit_tree(session: Session, organization: Organization) -> list[UnitNode]:
    """The organization's units (regions, branches …) as a tree, siblings by name."""
    units = session.scalars(select(Unit).where(Unit.organization_id == organization.id)).all()
    ordered = _tree_order(units, lambda unit: unit.parent_id)
    depth = _depths(ordered, lambda unit: unit.parent_id)
    return [
        UnitNode(unit.id, unit.name, unit.kind, unit.parent_id, depth[unit.id]) for unit in ordered
    ]


@dataclass(frozen=True)
class SeatRow:
    """A seat in a term, with its holder."""

    id: int
    person_id: int
    full_name: str
    term_id: int
    role: MembershipRole
    from_date: date | None
    to_date: date | None


def term_seats(session: Session, term: Term) -> list[SeatRow]:
    """A term's seats: members, then alternates, each by name."""
    rows = session.execute(
        select(Membership, Person.full_name)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.term_id == term.id)
        .order_by(
            case((Membership.role == MembershipRole.MEMBER, 0), else_=1),
            Person.full_name,
            Person.id,
        )
    ).all()
    return [
        SeatRow(
            seat.id,
            seat.person_id,
            full_name,
            seat.term_id,
            seat.role,
            seat.from_date,
            seat.to_date,
        )
        for seat, full_name in rows
    ]


def containing(
    column: ColumnElement[str] | InstrumentedAttribute[str], word: str
) -> ColumnElement[bool]:
    """Whether ``column`` contains ``word``, in any case and any script ("željko" finds
    "Željko", "иван" finds "Иван"), the wildcards in it taken literally."""
    return Folded(column).like(f"%{like_literally(fold(word))}%", escape="\\")


def find_people(
    session: Session, organization: Organization, text: str = "", *, limit: int, offset: int
) -> tuple[int, list[PersonRow]]:
    """(how many match, one page of them) by name: every word of ``text`` in the name or the
    e-mail address."""
    query = select(Person).where(Person.organization_id == organization.id)
    for word in text.split():
        query = query.where(
            or_(
                containing(Person.full_name, word),
                containing(func.coalesce(Person.email, ""), word),
            )
        )
    total, page = paged(session, query, Person.full_name, Person.id, limit=limit, offset=offset)
    found = session.scalars(page.options(*PERSON_ROW_LOADS))
    return total, [person_row(person) for person in found]


@dataclass(frozen=True)
class PersonSeat:
    """One of a person's seats, with the ids to change it and find its body."""

    membership_id: int
    term_id: int
    body_id: int
    label: str  # "8th General Council"
    role: MembershipRole
    from_date: date | None
    to_date: date | None


@dataclass(frozen=True)
class PersonRecord:
    id: int
    full_name: str
    email: str | None
    unit_id: int | None
    unit: str | None
    seats: list[PersonSeat]


def person_record(session: Session, person: Person) -> PersonRecord:
    """A person with their unit and every seat they hold or held, newest term first."""
    session.scalars(  # their seats' terms and bodies in one go, not one query each
        select(Person)
        .where(Person.id == person.id)
        .options(*PERSON_ROW_LOADS)
        .execution_options(populate_existing=True)
    ).one()
    seats = sorted(
        person.memberships, key=lambda seat: (seat.term.starts_on, seat.term_id), reverse=True
    )
    return PersonRecord(
        person.id,
        person.full_name,
        person.email,
        person.unit_id,
        person.unit.name if person.unit else None,
        [
            PersonSeat(
                seat.id,
                seat.term_id,
                seat.term.body_id,
                term_label(seat.term),
                seat.role,
                seat.from_date,
                seat.to_date,
            )
            for seat in seats
        ],
    )
