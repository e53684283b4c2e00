"""The organization's accounts with the roles granted to them, for the API and the secretary's
accounts page; read in a fixed number of queries, however many accounts there are."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, caller_organization
from veche.models import Body, Meeting, Organization, Person, Role, RoleGrant, Unit, User
from veche.permissions import Permission, Scope
from veche.queries._views import view_of


@dataclass(frozen=True)
class AccountGrant:
    """A role granted to an account, and where it holds, in words ("General Council")."""

    id: int
    role: str
    label: str
    scope: Scope
    scope_id: int
    where: str


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    person_id: int | None
    full_name: str | None
    active: bool
    grants: list[AccountGrant]


@dataclass(frozen=True)
class PersonChoice:
    id: int
    full_name: str


def managed_organization(session: Session, caller: Caller) -> Organization:
    """The caller's organization, for those who manage its accounts."""
    organization = caller_organization(session, caller)
    authorize(session, caller, Permission.ACCOUNTS_MANAGE, organization.id)
    return organization


def list_accounts(
    session: Session, organization: Organization, only: Collection[int] | None = None
) -> list[AccountRow]:
    """The organization's accounts by user name (or just those ``only`` names), each with
    the roles granted to it."""
    query = (
        select(User.id, User.username, User.person_id, Person.full_name, User.active)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.organization_id == organization.id)
        .order_by(User.username)
    )
    if only is not None:
        query = query.where(User.id.in_(list(only)))
    rows = session.execute(query).all()
    grants = _grants(session, organization, [row.id for row in rows])
    return [view_of(AccountRow, row, grants=grants.get(row.id, [])) for row in rows]


def _grants(
    session: Session, organization: Organization, user_ids: list[int]
) -> dict[int, list[AccountGrant]]:
    if not user_ids:
        return {}
    found = session.execute(
        select(
            RoleGrant.id,
            RoleGrant.user_id,
            Role.name,
            Role.label,
            RoleGrant.scope,
            RoleGrant.scope_id,
        )
        .join(Role, Role.id == RoleGrant.role_id)
        .where(RoleGrant.user_id.in_(user_ids))
        .order_by(RoleGrant.id)
    ).all()
    places = _place_names(session, organization, {(row.scope, row.scope_id) for row in found})
    grants: dict[int, list[AccountGrant]] = {}
    for row in found:
        grants.setdefault(row.user_id, []).append(
            AccountGrant(
                id=row.id,
                role=row.name,
                label=row.label or row.name,
                scope=row.scope,
                scope_id=row.scope_id,
                where=places.get((row.scope, row.scope_id), f"{row.scope.value} {row.scope_id}"),
            )
        )
    return grants


def _place_names(
    session: Session, organization: Organization, places: set[tuple[Scope, int]]
) -> dict[tuple[Scope, int], str]:
    """Where each grant holds, named: one query per kind of scope that is granted in."""
    wanted: dict[Scope, list[int]] = {}
    for scope, scope_id in places:
        wanted.setdefault(scope, []).append(scope_id)
    names = {(Scope.ORGANIZATION, organization.id): "the whole organization"}
    for scope, model in ((Scope.BODY, Body), (Scope.UNIT, Unit)):
        if scope in wanted:
            for row_id, name in session.execute(
                select(model.id, model.name).where(model.id.in_(wanted[scope]))
            ):
                names[(scope, row_id)] = name
    if Scope.MEETING in wanted:
        for row_id, title in session.execute(
            select(Meeting.id, Meeting.title).where(Meeting.id.in_(wanted[Scope.MEETING]))
        ):
            names[(Scope.MEETING, row_id)] = f"{title} (meeting {row_id})"
    return names


def people_without_account(session: Session, organization: Organization) -> list[PersonChoice]:
    """The people an account can be made for (one account a person), by name."""
    rows = session.execute(
        select(Person.id, Person.full_name)
        .outerjoin(User, User.person_id == Person.id)
        .where(Person.organization_id == organization.id, User.id.is_(None))
        .order_by(Person.full_name, Person.id)
    )
    return [PersonChoice(row.id, row.full_name) for row in rows]
