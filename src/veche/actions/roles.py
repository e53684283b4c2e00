"""Roles and grants: an administrator defines what a role may do and who holds it where.

A role is data (``veche.permissions``): defining a new one, or changing what a built-in one
grants, is a change like any other — checked, journaled, and effective at once, with no code
or route touched.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, could_be_stored, manage_organization, stored_row
from veche.actions.actor import Actor
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import Body, Meeting, Organization, Person, Role, RoleGrant, Term, Unit, User
from veche.models.access import RolePermission
from veche.models.meetings import MeetingState
from veche.permissions import Permission, Scope
from veche.queries.org import in_meeting_body

Holder = TypeVar("Holder", User, Person)

_ROLE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,59}")


@dataclass(frozen=True)
class RoleInfo:
    name: str
    label: str
    permissions: list[Permission]


@dataclass(frozen=True)
class GrantInfo:
    id: int
    role: str
    user_id: int | None
    person_id: int | None
    scope: Scope
    scope_id: int


def list_roles(session: Session) -> list[RoleInfo]:
    """Every role with the permissions it grants, in the order they were defined."""
    known = {permission.value: permission for permission in Permission}
    return [
        RoleInfo(
            role.name,
            role.label,
            sorted(known[p.permission] for p in role.permissions if p.permission in known),
        )
        for role in session.scalars(select(Role).order_by(Role.id))
    ]


def list_grants(session: Session, caller: Caller) -> list[GrantInfo]:
    """Every grant of the caller's organization's accounts and people (administrators only)."""
    organization = manage_organization(session, caller)
    rows = session.execute(
        select(RoleGrant, Role.name)
        .join(Role, Role.id == RoleGrant.role_id)
        .outerjoin(User, User.id == RoleGrant.user_id)
        .outerjoin(Person, Person.id == RoleGrant.person_id)
        .where(
            (User.organization_id == organization.id) | (Person.organization_id == organization.id)
        )
        .order_by(RoleGrant.id)
    )
    return [_grant_info(grant, name) for grant, name in rows]


def do_define_role(
    session: Session,
    caller: Caller,
    name: str,
    permissions: Collection[Permission],
    *,
    label: str = "",
) -> RoleInfo:
    """Create a role, or change what an existing one grants (every holder gains or loses it
    at once)."""
    organization = manage_organization(session, caller)
    if not _ROLE_NAME.fullmatch(name):
        raise InvalidInput(
            f"a role's name is 1 to 60 lower-case letters, digits, '-' or '_', "
            f"starting with a letter, not {name!r}"
        )
    label = " ".join(label.split())[:200]
    role = session.scalar(select(Role).where(Role.name == name))
    if role is None:
        role = Role(name=name, label=label or name.replace("_", " ").capitalize())
        session.add(role)
    elif label:
        role.label = label
    wanted = sorted(set(permissions))
    role.permissions = [RolePermission(permission=p.value) for p in wanted]
    session.flush()
    check_still_managed(session, organization)
    record(
        session,
        caller.actor,
        JournalAction.DEFINE_ROLE,
        {"role": name, "label": role.label, "permissions": [p.value for p in wanted]},
    )
    _announce_to_meetings(session, None, None)
    return RoleInfo(role.name, role.label, wanted)


def do_grant_role(
    session: Session,
    caller: Caller,
    role_name: str,
    *,
    scope: Scope,
    scope_id: int,
    user_id: int | None = None,
    person_id: int | None = None,
) -> GrantInfo:
    """Grant a role to an account or a person of the organization, in one scope of it."""
    organization = manage_organization(session, caller)
    if user_id is not None and person_id is None:
        holder: User | Person = _of_organization(session, User, user_id, organization, "account")
    elif person_id is not None and user_id is None:
        holder = _of_organization(session, Person, person_id, organization, "person")
    else:
        raise InvalidInput("grant the role to an account (user_id) or to a person (person_id)")
    _check_scope(session, organization, scope, scope_id)
    return grant_role(session, caller.actor, role_name, holder, scope=scope, scope_id=scope_id)


def grant_role(
    session: Session,
    actor: Actor,
    role_name: str,
    holder: User | Person,
    *,
    scope: Scope,
    scope_id: int,
) -> GrantInfo:
    """Grant a role to an account or a person, once checked (the set-up of a new
    organization grants its first administrator through this)."""
    role = session.scalar(select(Role).where(Role.name == role_name))
    if role is None:
        raise NotFound(f"there is no role {role_name!r}; GET /api/roles lists them")
    hold_grants(session, holder.organization_id)
    user_id = holder.id if isinstance(holder, User) else None
    person_id = holder.id if isinstance(holder, Person) else None
    held = RoleGrant.user_id == user_id if user_id else RoleGrant.person_id == person_id
    if session.scalar(
        select(RoleGrant.id).where(
            held,
            RoleGrant.role_id == role.id,
            RoleGrant.scope == scope,
            RoleGrant.scope_id == scope_id,
        )
    ):
        raise Conflict(f"the role {role_name!r} is already granted there")
    grant = RoleGrant(
        role=role, user_id=user_id, person_id=person_id, scope=scope, scope_id=scope_id
    )
    session.add(grant)
    session.flush()
    info = _grant_info(grant, role.name)
    record(
        session,
        actor,
        JournalAction.GRANT_ROLE,
        {
            "grant_id": grant.id,
            "role": role.name,
            "user_id": info.user_id,
            "person_id": info.person_id,
            "scope": scope.value,
            "scope_id": scope_id,
        },
    )
    _announce_to_meetings(session, scope, scope_id)
    return info


def hold_grants(session: Session, organization_id: int) -> None:
    """Grants and revocations in an organization made at once wait for each other, each
    reading the grants after the one before: the same grant sent twice at once was made
    twice (revoking one left the role held), and two revocations at once could each leave
    the other the last account able to manage the organization. The organization's row is
    held until the commit; SQLite's writers wait for each other anyway."""
    session.execute(
        select(Organization.id)
        .where(Organization.id == organization_id)
        .with_for_update(key_share=True)
    )


def do_revoke_grant(session: Session, caller: Caller, grant_id: int) -> None:
    """Take a grant back; its holder loses what it gave them at once."""
    organization = manage_organization(session, caller)
    hold_grants(session, organization.id)
    grant = stored_row(session, RoleGrant, grant_id)
    if grant is None or not _grant_in(session, grant, organization):
        raise NotFound(f"there is no grant {grant_id} in this organization")
    scope, scope_id = grant.scope, grant.scope_id
    session.delete(grant)
    session.flush()
    check_still_managed(session, organization)
    record(session, caller.actor, JournalAction.REVOKE_ROLE, {"grant_id": grant_id})
    _announce_to_meetings(session, scope, scope_id)


#: The meetings whose pages may be open and follow them live: those not yet closed.
_LIVE = (MeetingState.DRAFT, MeetingState.CONVENED, MeetingState.IN_SESSION)


def _announce_to_meetings(session: Session, scope: Scope | None, scope_id: int | None) -> None:
    """Who may do what changed in the meetings a grant in ``scope`` reaches (None: every
    meeting, as a role's permissions changed): each whose pages are open announces it, so
    that the permissions its pages keep are read again at once (``veche.web.fragment_cache``)
    rather than within minutes. A grant in a unit reaches no meeting."""
    if scope is Scope.UNIT:
        return
    live = select(Meeting.id).join(Term, Term.id == Meeting.term_id).where(Meeting.state.in_(_LIVE))
    if scope is Scope.MEETING:
        live = live.where(Meeting.id == scope_id)
    elif scope is Scope.BODY:
        live = live.where(Term.body_id == scope_id)
    elif scope is Scope.ORGANIZATION:
        live = live.join(Body, Body.id == Term.body_id).where(Body.organization_id == scope_id)
    for meeting_id in session.scalars(live.order_by(Meeting.id)):
        queue_event(session, meeting_id, LiveEventType.GRANTS_CHANGED)


def check_still_managed(session: Session, organization: Organization) -> None:
    """Refuse a change that would leave no active account able to manage the organization:
    nobody could then grant the role back but the operator, from the command line."""
    managing = (
        select(RoleGrant.id)
        .join(RolePermission, RolePermission.role_id == RoleGrant.role_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RolePermission.permission == Permission.ORGANIZATION_MANAGE.value,
            RoleGrant.scope == Scope.ORGANIZATION,
            RoleGrant.scope_id == organization.id,
            User.active.is_(True),
        )
        .limit(1)
    )
    if session.scalar(managing) is None:
        raise Conflict(
            "this would leave no account able to manage the organization; "
            "grant another account a role with organization.manage first"
        )


def _grant_info(grant: RoleGrant, role_name: str) -> GrantInfo:
    return GrantInfo(
        grant.id, role_name, grant.user_id, grant.person_id, grant.scope, grant.scope_id
    )


def _grant_in(session: Session, grant: RoleGrant, organization: Organization) -> bool:
    holder = (
        session.get(User, grant.user_id) if grant.user_id else session.get(Person, grant.person_id)
    )
    return holder is not None and holder.organization_id == organization.id


def _of_organization(
    session: Session, model: type[Holder], row_id: int, organization: Organization, what: str
) -> Holder:
    row = stored_row(session, model, row_id)
    if row is None or row.organization_id != organization.id:
        raise NotFound(f"there is no {what} {row_id} in this organization")
    return row


def _check_scope(session: Session, organization: Organization, scope: Scope, scope_id: int) -> None:
    """The scope must be the organization itself or lie in it."""
    if scope is Scope.ORGANIZATION:
        found = scope_id == organization.id
    elif not could_be_stored(scope_id):
        found = False
    elif scope is Scope.BODY:
        found = (
            session.scalar(select(Body.organization_id).where(Body.id == scope_id))
            == organization.id
        )
    elif scope is Scope.UNIT:
        found = (
            session.scalar(select(Unit.organization_id).where(Unit.id == scope_id))
            == organization.id
        )
    else:
        found = (
            session.scalar(in_meeting_body(select(Body.organization_id), scope_id))
            == organization.id
        )
    if not found:
        raise NotFound(f"there is no {scope.value} {scope_id} in this organization")
