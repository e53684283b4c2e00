"""Changes to the organization: bodies, terms, units, people, memberships and accounts.

Each asks for ``organization.manage`` in the organization it changes (an account, for
``accounts.manage``) itself, so that the API, the pages, the CLI and the demo loader (an
unrestricted caller) are held to the same rule.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._days import check_span
from veche.actions._invitation import add_participant
from veche.actions._open_polls import check_no_poll_open
from veche.actions.access import Caller, authorize, participant_of
from veche.actions.accounts import check_person_within_reach
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.roles import grant_role
from veche.errors import Conflict, Forbidden, InvalidInput, NotFound
from veche.models import Body, Meeting, Membership, Organization, Person, Term, Unit, User
from veche.models.meetings import MEETING_TRANSITIONS, MeetingState, ParticipantRole
from veche.models.org import MembershipRole
from veche.passwords import check_new_password
from veche.permissions import ADMINISTRATOR, Permission, Scope
from veche.quorum import DEFAULT_QUORUM, Quorum
from veche.security import hash_password

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


#: Unicode's Bidi_Control characters: they reorder the text around them, so that a name
#: shows another name than it holds ("\u202e" turns what follows round).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
#: Letters and symbols that show nothing: the Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
#: What shows nothing by itself: spaces, controls and formats (the zero-width space
#: "\u200b"), unassigned or private code points, halves of characters, lone accents.
_UNSEEN = ("Z", "C", "M")


def check_name(value: str, what: str, max_length: int = 200) -> str:
    """A name or a title as shown: blank ends and runs of spaces made one, at least one
    character that shows, and nothing that turns the text round."""
    name = " ".join(value.split())
    if not name:
        raise InvalidInput(f"{what} must not be empty")
    if len(name) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters")
    turning = next((c for c in name if c in _BIDI_CONTROLS), None)
    if turning is not None:
        raise InvalidInput(
            f"{what} holds U+{ord(turning):04X}, a character that changes the direction the "
            "text is shown in; write it without it"
        )
    if all(c in _BLANK_LETTERS or unicodedata.category(c)[0] in _UNSEEN for c in name):
        raise InvalidInput(f"{what} shows nothing: write it with at least one visible character")
    return name


def check_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f"{value!r} is not an e-mail address")
    return email


def check_role(value: str) -> MembershipRole:
    try:
        return MembershipRole(value.strip().lower())
    except ValueError:
        allowed = " or ".join(role.value for role in MembershipRole)
        raise InvalidInput(f"role must be {allowed}, not {value!r}") from None


def do_create_organization(
    session: Session,
    caller: Caller,
    name: str,
    short_name: str | None = None,
    description: str = "",
) -> Organization:
    """A new organization: set up by whoever runs the server (the demo loader, a script),
    never through the web, where every caller belongs to an organization already."""
    if not caller.unrestricted:
        raise Forbidden("an organization is set up by whoever runs the server, not through the web")
    name = check_name(name, "the organization's name")
    if session.scalar(select(Organization).where(Organization.name == name)):
        raise Conflict(f"an organization named {name!r} exists already")
    org = Organization(name=name, short_name=short_name, description=description)
    session.add(org)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_ORGANIZATION,
        {"organization_id": org.id, "name": name},
    )
    return org


def check_new_body(
    session: Session, organization: Organization, name: str, *, renamed: Body | None = None
) -> str:
    """A body's name, unique in its organization (``renamed``: the body that takes it)."""
    name = check_name(name, "the body's name")
    clash = select(Body).where(Body.organization_id == organization.id, Body.name == name)
    if renamed is not None:
        clash = clash.where(Body.id != renamed.id)
    if session.scalar(clash):
        raise Conflict(f"{organization.name} already has a body named {name!r}")
    return name


def check_max_proxies(max_proxies_per_member: int) -> int:
    if max_proxies_per_member < 0:
        raise InvalidInput("the number of proxies a member may hold cannot be negative")
    return max_proxies_per_member


def check_of_organization(parent: Body | Unit | None, organization_id: int, what: str) -> None:
    """A body or a unit is placed under one of its own organization's alone. The routes load
    ``parent`` from the caller's organization; an action checks for itself, as for a person's
    unit, and says as they do that there is no such ``what`` (a body, a unit)."""
    if parent is not None and parent.organization_id != organization_id:
        raise NotFound(f"there is no {what} {parent.id}")


def do_create_body(
    session: Session,
    caller: Caller,
    organization: Organization,
    name: str,
    *,
    parent: Body | None = None,
    description: str = "",
    quorum: Quorum = DEFAULT_QUORUM,
    alternates_vote_for_absent: bool = True,
    max_proxies_per_member: int = 0,
) -> Body:
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, organization.id)
    check_of_organization(parent, organization.id, "body")
    name = check_new_body(session, organization, name)
    quorum = quorum.checked()
    check_max_proxies(max_proxies_per_member)
    body = Body(
        organization=organization,
        name=name,
        parent=parent,
        description=description,
        quorum=quorum,
        alternates_vote_for_absent=alternates_vote_for_absent,
        max_proxies_per_member=max_proxies_per_member,
    )
    session.add(body)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_BODY,
        {"body_id": body.id, "name": name, "parent_id": parent.id if parent else None},
    )
    return body


def check_term_number(session: Session, body: Body, number: int) -> None:
    """A body numbers its terms from 1, each number once."""
    if number < 1:
        raise InvalidInput(f"a term's number must be at least 1, not {number}")
    taken = select(Term.id).where(Term.body_id == body.id, Term.number == number)
    if session.scalar(taken) is not None:
        raise Conflict(f"{body.name} already has a term numbered {number}")


def do_create_term(
    session: Session,
    caller: Caller,
    body: Body,
    starts_on: date,
    *,
    number: int | None = None,
    ends_on: date | None = None,
) -> Term:
    """Open a new term of ``body``; its number follows the last one unless given."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, body.organization_id)
    last = session.scalar(select(Term).where(Term.body_id == body.id).order_by(Term.number.desc()))
    if number is None:
        number = last.number + 1 if last else 1
    check_term_number(session, body, number)
    check_span("the term", starts_on, ends_on)
    term = Term(body=body, number=number, starts_on=starts_on, ends_on=ends_on)
    session.add(term)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_TERM,
        {
            "term_id": term.id,
            "body_id": body.id,
            "number": number,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return term


def check_unit_name(
    session: Session,
    organization_id: int,
    name: str,
    parent: Unit | None,
    *,
    renamed: Unit | None = None,
) -> str:
    """A unit's name, unique among its siblings (``renamed``: the unit that takes it)."""
    name = check_name(name, "the unit's name")
    siblings = select(Unit).where(
        Unit.organization_id == organization_id,
        Unit.name == name,
        Unit.parent_id == parent.id if parent else Unit.parent_id.is_(None),
    )
    if renamed is not None:
        siblings = siblings.where(Unit.id != renamed.id)
    if session.scalar(siblings):
        where = f"under {parent.name}" if parent else "at the top level"
        raise Conflict(f"a unit named {name!r} exists already {where}")
    return name


def do_create_unit(
    session: Session,
    caller: Caller,
    organization: Organization,
    name: str,
    *,
    kind: str = "unit",
    parent: Unit | None = None,
) -> Unit:
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, organization.id)
    check_of_organization(parent, organization.id, "unit")
    name = check_unit_name(session, organization.id, name, parent)
    kind = check_name(kind, "the unit's kind", max_length=60)
    unit = Unit(organization_id=organization.id, name=name, kind=kind, parent=parent)
    session.add(unit)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_UNIT,
        {
            "unit_id": unit.id,
            "name": name,
            "kind": kind,
            "parent_id": parent.id if parent else None,
        },
    )
    return unit


def do_create_person(
    session: Session,
    caller: Caller,
    organization: Organization,
    full_name: str,
    *,
    email: str | None = None,
    unit: Unit | None = None,
) -> Person:
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, organization.id)
    if unit is not None and unit.organization_id != organization.id:
        raise NotFound(f"there is no unit {unit.id} in {organization.name}")
    full_name = check_name(full_name, "the person's name")
    email = check_email(email)
    if email and session.scalar(
        select(Person).where(Person.organization_id == organization.id, Person.email == email)
    ):
        raise Conflict(f"a person with the e-mail address {email} exists already")
    person = Person(organization_id=organization.id, full_name=full_name, email=email, unit=unit)
    session.add(person)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_PERSON,
        {"person_id": person.id, "full_name": full_name, "unit_id": unit.id if unit else None},
    )
    return person


def do_add_membership(
    session: Session,
    caller: Caller,
    person: Person,
    term: Term,
    role: MembershipRole,
    *,
    from_date: date | None = None,
    to_date: date | None = None,
) -> Membership:
    """Give ``person`` a seat in ``term`` of a body of their organization; they are invited to
    the term's meetings not yet closed within the seat's dates."""
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, person.organization_id)
    if term.body.organization_id != person.organization_id:
        raise NotFound(f"there is no term {term.id} in {person.full_name}'s organization")
    existing = session.scalar(
        select(Membership).where(Membership.person_id == person.id, Membership.term_id == term.id)
    )
    if existing:
        raise Conflict(
            f"{person.full_name} is already {existing.role.value} of term {term.number} "
            f"of {term.body.name}"
        )
    check_span("the membership", from_date, to_date)
    membership = Membership(
        person=person, term=term, role=role, from_date=from_date, to_date=to_date
    )
    session.add(membership)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ADD_MEMBERSHIP,
        {
            "membership_id": membership.id,
            "person_id": person.id,
            "term_id": term.id,
            "role": role,
            "from_date": from_date,
            "to_date": to_date,
        },
    )
    _invite_to_meetings_ahead(session, caller, membership)
    return membership


def seat_role(seat: MembershipRole) -> ParticipantRole:
    """The part a seat gives its holder in the body's meetings: a member's, or an alternate's."""
    return ParticipantRole.MEMBER if seat == MembershipRole.MEMBER else ParticipantRole.ALTERNATE


#: The states of a meeting that still takes participants: those before it is closed.
_NOT_YET_CLOSED = tuple(
    state for state in MeetingState if not MEETING_TRANSITIONS.reached(state, MeetingState.CLOSED)
)


def _invite_to_meetings_ahead(session: Session, caller: Caller, seat: Membership) -> None:
    """Invite the holder of a new seat to the term's meetings not yet closed that fall within
    the seat's dates, as a meeting invites those seated when it is created. A person the
    meeting invited already (as an observer, say) keeps the place they were given."""
    query = select(Meeting).where(
        Meeting.term_id == seat.term_id, Meeting.state.in_(_NOT_YET_CLOSED)
    )
    if seat.from_date is not None:
        query = query.where(Meeting.ends_on >= seat.from_date)
    if seat.to_date is not None:
        query = query.where(Meeting.starts_on <= seat.to_date)
    role = seat_role(seat.role)
    for meeting in session.scalars(query.order_by(Meeting.starts_on, Meeting.id)).all():
        if participant_of(session, meeting.id, seat.person_id) is not None:
            continue
        # A voting place given while a poll is open would vote on a roll it was not on.
        check_no_poll_open(
            session, meeting.id, f"give person {seat.person_id} a place in meeting {meeting.id}"
        )
        add_participant(
            session, caller.actor, meeting.id, seat.person_id, role, membership_id=seat.id
        )


def check_no_account(session: Session, person: Person) -> None:
    """A person has one login at most (the account's ``person_id`` is unique)."""
    taken = session.scalar(select(User.username).where(User.person_id == person.id))
    if taken is not None:
        raise Conflict(f"{person.full_name} has an account already: {taken!r}")


def do_create_user(
    session: Session,
    caller: Caller,
    organization: Organization,
    username: str,
    password: str,
    *,
    person: Person | None = None,
    administrator: bool = False,
) -> User:
    """A login for the organization, for one of its people or none; an ``administrator``
    holds that role in all of it, so only those who manage the organization make one."""
    authorize(session, caller, Permission.ACCOUNTS_MANAGE, organization.id)
    if administrator:
        authorize(session, caller, Permission.ORGANIZATION_MANAGE, organization.id)
    if person is not None and person.organization_id != organization.id:
        raise NotFound(f"there is no person {person.id} in {organization.name}")
    username = check_name(username, "the user name", max_length=100).lower()
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"the user name {username!r} is taken")
    if person is not None:
        check_no_account(session, person)
        # A login for a person who may do more than the caller would hand the caller those
        # rights (a person-level administrator's grant, a chair's office).
        check_person_within_reach(session, caller, person, "be given a login")
    check_new_password(password, username)
    user = User(
        organization_id=organization.id,
        username=username,
        password_hash=hash_password(password),
        person=person,
    )
    session.add(user)
    session.flush()
    # The journal names the account, never the password or its hash.
    record(
        session,
        caller.actor,
        JournalAction.CREATE_USER,
        {"user_id": user.id, "username": username, "person_id": person.id if person else None},
    )
    if administrator:
        grant_role(
            session,
            caller.actor,
            ADMINISTRATOR,
            user,
            scope=Scope.ORGANIZATION,
            scope_id=organization.id,
        )
    return user
