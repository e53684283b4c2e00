"""Changes to the organization's records once they exist: the organization itself, its
bodies (moved under another, at any depth), terms, units, people and seats.

Each asks for ``organization.manage`` in the organization it changes, as the actions that
make the records do (``actions/org.py``). A field passed as ``KEEP`` is left as it is, so
that ``None`` can mean "none" where a record may have none: a body's parent, a term's end,
a person's e-mail address or unit, a seat's first or last day. Each checks every field it
is given before it changes one, then sets them and journals them together (``_update``): the
journal entry names the fields that were given, with their new values.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Final, Literal, Protocol, Self, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_mapper

from veche.actions._days import check_span
from veche.actions.access import Caller, authorize, organization_row
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import days_text
from veche.actions.org import (
    check_email,
    check_max_proxies,
    check_name,
    check_new_body,
    check_of_organization,
    check_term_number,
    check_unit_name,
)
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import Body, Meeting, Membership, Organization, Person, Term, Unit
from veche.models.org import MembershipRole
from veche.permissions import Permission
from veche.queries.org import term_label
from veche.quorum import Quorum


class Keep(enum.Enum):
    """What a change passes for a field it leaves alone."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP
#: The type of ``KEEP``, joined to a field's own where a change may leave it alone
#: (``name: str | Kept = KEEP``).
Kept = Literal[Keep.KEEP]


#: The records these changes update.
_Changed = Organization | Body | Term | Unit | Person | Membership


def _update(
    session: Session,
    caller: Caller,
    action: JournalAction,
    row: _Changed,
    named_by: dict[str, int],
    **fields: object,
) -> None:
    """Set on ``row`` the fields a change gives, checked already (those passed as ``KEEP``
    stay as they are), and journal them after the id ``named_by`` names the row by. A body
    or unit given for a field (a body's parent) is journaled by its id (``parent_id``), a
    quorum as it is written ("2/3")."""
    related = object_mapper(row).relationships
    journaled: dict[str, object] = dict(named_by)
    for name, value in fields.items():
        if value is KEEP:
            continue
        setattr(row, name, value)
        if name in related:
            journaled[f"{name}_id"] = value.id if isinstance(value, Body | Unit) else None
        else:
            journaled[name] = str(value) if isinstance(value, Quorum) else value
    record(session, caller.actor, action, journaled)


def do_update_organization(
    session: Session,
    caller: Caller,
    organization: Organization,
    *,
    name: str | Kept = KEEP,
    short_name: str | Kept | None = KEEP,
    description: str | Kept = KEEP,
    publishes_reports: bool | Kept = KEEP,
    publishes_follow_up: bool | Kept = KEEP,
) -> Organization:
    """Rename the organization, describe it, or say whether its reports and the follow-up
    of its resolutions are public."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, organization.id)
    if name is not KEEP:
        name = check_name(name, "the organization's name")
        clash = select(Organization.id).where(
            Organization.name == name, Organization.id != organization.id
        )
        if session.scalar(clash) is not None:
            raise Conflict(f"another organization is named {name!r} already")
    if short_name is not KEEP:
        # Left empty, as a form leaves it, it is none.
        short_name = " ".join((short_name or "").split()) or None
    if description is not KEEP:
        description = description.strip()
    _update(
        session,
        caller,
        JournalAction.UPDATE_ORGANIZATION,
        organization,
        {"organization_id": organization.id},
        name=name,
        short_name=short_name,
        description=description,
        publishes_reports=publishes_reports,
        publishes_follow_up=publishes_follow_up,
    )
    return organization


class _Nested(Protocol):
    """A record placed under another of its kind: a body or a unit."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def parent(self) -> Self | None: ...


_Record = TypeVar("_Record", bound=_Nested)


def _check_not_above_itself(record: _Record, parent: _Record, below: str) -> _Record:
    """``parent``, checked to be neither ``record`` itself nor below it, where the records
    would stand in a circle; ``below`` says in the error how ``parent`` stands to ``record``."""
    seen: set[int] = set()
    above: _Record | None = parent
    while above is not None and above.id not in seen:
        if above.id == record.id:
            where = "itself" if parent.id == record.id else f"{parent.name}, {below}"
            raise InvalidInput(f"{record.name} cannot be placed under {where}")
        seen.add(above.id)
        above = above.parent
    return parent


def check_parent_body(body: Body, parent: Body) -> Body:
    """A body may sit under any other of its organization, at any depth, but not under
    itself or one of its own sub-bodies: the bodies would then stand in a circle."""
    return _check_not_above_itself(body, parent, "one of its sub-bodies")


def do_update_body(
    session: Session,
    caller: Caller,
    body: Body,
    *,
    name: str | Kept = KEEP,
    description: str | Kept = KEEP,
    quorum: Quorum | Kept = KEEP,
    parent: Body | Kept | None = KEEP,
    alternates_vote_for_absent: bool | Kept = KEEP,
    max_proxies_per_member: int | Kept = KEEP,
) -> Body:
    """Rename a body, change its rules (the quorum, alternates, proxies), or move it under
    another body or to the top. Meetings already counted keep the quorum they were
    counted with; what changes applies from the next count."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, body.organization_id)
    if name is not KEEP:
        name = check_new_body(session, body.organization, name, renamed=body)
    if description is not KEEP:
        description = description.strip()
    if quorum is not KEEP:
        quorum = quorum.checked()
    if parent is not KEEP and parent is not None:
        check_of_organization(parent, body.organization_id, "body")
        check_parent_body(body, parent)
    if max_proxies_per_member is not KEEP:
        max_proxies_per_member = check_max_proxies(max_proxies_per_member)
    _update(
        session,
        caller,
        JournalAction.UPDATE_BODY,
        body,
        {"body_id": body.id},
        name=name,
        description=description,
        quorum=quorum,
        parent=parent,
        alternates_vote_for_absent=alternates_vote_for_absent,
        max_proxies_per_member=max_proxies_per_member,
    )
    return body


def do_update_term(
    session: Session,
    caller: Caller,
    term: Term,
    *,
    number: int | Kept = KEEP,
    starts_on: date | Kept = KEEP,
    ends_on: date | Kept | None = KEEP,
) -> Term:
    """Renumber a term or change its dates; its meetings must still fall within them."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, term.body.organization_id)
    if number is not KEEP and number != term.number:
        check_term_number(session, term.body, number)
    new_starts, new_ends = _check_new_dates(
        "the term", (starts_on, ends_on), (term.starts_on, term.ends_on)
    )
    _check_meetings_within(session, term, new_starts, new_ends)
    _update(
        session,
        caller,
        JournalAction.UPDATE_TERM,
        term,
        {"term_id": term.id},
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    return term


#: A first day: a term has one; a seat may have none.
_Start = TypeVar("_Start", bound=date | None)


def _check_new_dates(
    what: str,
    given: tuple[_Start | Kept, date | Kept | None],
    current: tuple[_Start, date | None],
) -> tuple[_Start, date | None]:
    """The first and last days a change leaves ``what`` with (those it keeps, as they
    are), checked: the last not before the first."""
    starts = given[0] if given[0] is not KEEP else current[0]
    ends = given[1] if given[1] is not KEEP else current[1]
    check_span(what, starts, ends)
    return starts, ends


def _check_meetings_within(session: Session, term: Term, starts: date, ends: date | None) -> None:
    """A term's meetings are held within its dates (see ``actions.meetings``), so its dates
    do not move past one of them."""
    outside = [Meeting.starts_on < starts]
    if ends is not None:
        outside.append(Meeting.ends_on > ends)
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.term_id == term.id, or_(*outside))
        .order_by(Meeting.starts_on)
        .limit(1)
    )
    if meeting is not None:
        until = f" to {ends}" if ends is not None else ""
        raise Conflict(
            f"meeting {meeting.id} of the {term_label(term)} "
            f"({days_text(meeting.starts_on, meeting.ends_on)}) would fall outside the term's "
            f"new dates ({starts}{until}); move the meeting first"
        )


def check_parent_unit(unit: Unit, parent: Unit) -> Unit:
    """As a body, a unit may not sit under itself or one of the units below it."""
    return _check_not_above_itself(unit, parent, "a unit below it")


def do_update_unit(
    session: Session,
    caller: Caller,
    unit: Unit,
    *,
    name: str | Kept = KEEP,
    kind: str | Kept = KEEP,
    parent: Unit | Kept | None = KEEP,
) -> Unit:
    """Rename a unit, say what kind it is (a region, a branch), or move it in the tree;
    grants in a unit then hold in the units newly below it."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, unit.organization_id)
    new_parent = parent if parent is not KEEP else unit.parent
    if new_parent is not None:
        check_of_organization(new_parent, unit.organization_id, "unit")
        check_parent_unit(unit, new_parent)
    if name is not KEEP or parent is not KEEP:
        # Unique among its siblings: among its new ones when it moves.
        checked = check_unit_name(
            session,
            unit.organization_id,
            unit.name if name is KEEP else name,
            new_parent,
            renamed=unit,
        )
        if name is not KEEP:
            name = checked
    if kind is not KEEP:
        kind = check_name(kind, "the unit's kind", max_length=60)
    _update(
        session,
        caller,
        JournalAction.UPDATE_UNIT,
        unit,
        {"unit_id": unit.id},
        name=name,
        kind=kind,
        parent=parent,
    )
    return unit


def do_update_person(
    session: Session,
    caller: Caller,
    person: Person,
    *,
    full_name: str | Kept = KEEP,
    email: str | Kept | None = KEEP,
    unit: Unit | Kept | None = KEEP,
) -> Person:
    """Correct a person's name or e-mail address, or move them to another unit."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, person.organization_id)
    if full_name is not KEEP:
        full_name = check_name(full_name, "the person's name")
    if email is not KEEP:
        email = check_email(email)
        if email is not None:
            clash = select(Person.id).where(
                Person.organization_id == person.organization_id,
                Person.email == email,
                Person.id != person.id,
            )
            if session.scalar(clash) is not None:
                raise Conflict(f"another person has the e-mail address {email} already")
    if unit is not KEEP and unit is not None and unit.organization_id != person.organization_id:
        raise NotFound(f"there is no unit {unit.id} in {person.full_name}'s organization")
    _update(
        session,
        caller,
        JournalAction.UPDATE_PERSON,
        person,
        {"person_id": person.id},
        full_name=full_name,
        email=email,
        unit=unit,
    )
    return person


def organization_membership(session: Session, caller: Caller, membership_id: int) -> Membership:
    """A seat in a body of the caller's organization by id; 404 for another organization's."""
    return organization_row(session, caller, Membership, membership_id, "membership")


def do_update_membership(
    session: Session,
    caller: Caller,
    membership: Membership,
    *,
    role: MembershipRole | Kept = KEEP,
    from_date: date | Kept | None = KEEP,
    to_date: date | Kept | None = KEEP,
) -> Membership:
    """Change a seat: member or alternate, its first day, or its last (to end it). Meetings
    convened already keep the participants they invited."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, membership.person.organization_id)
    _check_new_dates(
        "the membership", (from_date, to_date), (membership.from_date, membership.to_date)
    )
    _update(
        session,
        caller,
        JournalAction.UPDATE_MEMBERSHIP,
        membership,
        {"membership_id": membership.id},
        role=role,
        from_date=from_date,
        to_date=to_date,
    )
    return membership
