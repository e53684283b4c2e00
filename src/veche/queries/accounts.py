"""The organization's accounts with the roles granted to them, for the API and the secretary's
accounts page; read in a fixed number of queries, however many accounts there are."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Row, Select, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, caller_organization
from veche.folding import Folded, fold
from veche.models import Body, Meeting, Organization, Person, Role, RoleGrant, Unit, User
from veche.permissions import Permission, Scope
from veche.queries._listing import paged
from veche.queries._views import view_of
from veche.queries.records import containing


@dataclass(frozen=True)
class AccountGrant:
    """A role granted to an account, or to the person it logs in as, and where it holds, in
    words ("General Council")."""

    id: int
    role: str
    label: str
    scope: Scope
    scope_id: int
    where: str
    #: Granted to the account's person, not to the account: held through it all the same.
    to_person: bool = False


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
    """A person an account may be made for, with what tells namesakes apart, and the user
    name of the account they have already, if any."""

    id: int
    full_name: str
    email: str | None
    username: str | None


@dataclass(frozen=True)
class AccountChoice:
    """An account a role may be granted to, named by its user name and holder."""

    id: int
    username: str
    full_name: str | None
    active: bool


def managed_organization(session: Session, caller: Caller) -> Organization:
    """The caller's organization, for those who manage its accounts."""
    organization = caller_organization(session, caller)
    authorize(session, caller, Permission.ACCOUNTS_MANAGE, organization.id)
    return organization


def _accounts_of(
    organization: Organization,
) -> Select[int, str, int | None, str, bool]:
    return (
        select(User.id, User.username, User.person_id, Person.full_name, User.active)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.organization_id == organization.id)
    )


def list_accounts(
    session: Session, organization: Organization, only: Collection[int]
) -> list[AccountRow]:
    """The organization's accounts of the ids ``only`` by user name, each with the roles
    granted to it (the whole list is read a page at a time: ``find_accounts``)."""
    query = _accounts_of(organization).where(User.id.in_(list(only))).order_by(User.username)
    return _with_grants(session, organization, session.execute(query).all())


#: Accounts listed at once, on the accounts page and by ``GET /api/accounts`` unless it is
#: asked for another number; the words searched for find the others.
ACCOUNTS_A_PAGE = 50


class AccountFilter(BaseModel):
    """Which accounts to list; left empty, every one. The accounts page and
    ``GET /api/accounts`` take it as their query."""

    model_config = ConfigDict(frozen=True)

    q: str = Field(
        default="", max_length=200, description="words in the user name or the holder's name"
    )


def find_accounts(
    session: Session, organization: Organization, wanted: AccountFilter, *, limit: int, offset: int
) -> tuple[int, list[AccountRow]]:
    """(how many accounts match, one page of them by user name), each with the roles granted
    to it: every word of ``wanted.q`` in the user name or the holder's name."""
    query = _accounts_of(organization)
    for word in wanted.q.split():
        query = query.where(containing(User.username, word) | containing(Person.full_name, word))
    total, page = paged(session, query, User.username, limit=limit, offset=offset)
    return total, _with_grants(session, organization, session.execute(page).all())


def _with_grants(
    session: Session,
    organization: Organization,
    rows: Sequence[Row[int, str, int | None, str, bool]],
) -> list[AccountRow]:
    grants = _grants(session, organization, [row.id for row in rows])
    return [view_of(AccountRow, row, grants=grants.get(row.id, [])) for row in rows]


def _grants(
    session: Session, organization: Organization, user_ids: list[int]
) -> dict[int, list[AccountGrant]]:
    if not user_ids:
        return {}
    # A grant to the person an account logs in as is held through the account too: listed
    # with it, or whoever lists the accounts would not see all an account may do.
    account_of_person = {
        person_id: user_id
        for user_id, person_id in session.execute(
            select(User.id, User.person_id).where(
                User.id.in_(user_ids), User.person_id.is_not(None)
            )
        )
    }
    found = session.execute(
        select(
            RoleGrant.id,
            RoleGrant.user_id,
            RoleGrant.person_id,
            Role.name,
            Role.label,
            RoleGrant.scope,
            RoleGrant.scope_id,
        )
        .join(Role, Role.id == RoleGrant.role_id)
        .where(RoleGrant.user_id.in_(user_ids) | RoleGrant.person_id.in_(sorted(account_of_person)))
        .order_by(RoleGrant.id)
    ).all()
    places = _place_names(session, organization, {(row.scope, row.scope_id) for row in found})
    grants: dict[int, list[AccountGrant]] = {}
    for row in found:
        to_person = row.user_id is None
        holder = account_of_person[row.person_id] if to_person else row.user_id
        grants.setdefault(holder, []).append(
            AccountGrant(
                id=row.id,
                role=row.name,
                label=row.label or row.name,
                scope=row.scope,
                scope_id=row.scope_id,
                where=places.get((row.scope, row.scope_id), f"{row.scope.value} {row.scope_id}"),
                to_person=to_person,
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


def people_without_account(
    session: Session, organization: Organization, *, at_most: int
) -> list[PersonChoice] | None:
    """The people an account can be made for (one account a person), by name; ``None`` when
    there are more than ``at_most`` (one query either way)."""
    rows = session.execute(
        _people_of(organization)
        .where(User.id.is_(None))
        .order_by(Person.full_name, Person.id)
        .limit(at_most + 1)
    ).all()
    return [view_of(PersonChoice, row) for row in rows] if len(rows) <= at_most else None


def people_named(session: Session, organization: Organization, name: str) -> list[PersonChoice]:
    """The organization's people whose full name is ``name``, in any case and any script,
    with their accounts."""
    spaced = " ".join(name.split())
    rows = session.execute(
        _people_of(organization).where(_full_name_is(spaced)).order_by(Person.full_name, Person.id)
    )
    return [view_of(PersonChoice, row) for row in rows]


def _full_name_is(spaced: str) -> ColumnElement[bool]:
    # Compared whole (not "containing"): a name typed in full names one person, or namesakes.
    return Folded(Person.full_name) == fold(spaced)


def _people_of(organization: Organization) -> Select[int, str, str | None, str]:
    return (
        select(Person.id, Person.full_name, Person.email, User.username)
        .outerjoin(User, User.person_id == Person.id)
        .where(Person.organization_id == organization.id)
    )


def active_accounts(
    session: Session, organization: Organization, *, at_most: int
) -> list[AccountChoice] | None:
    """The organization's active accounts by user name; ``None`` when there are more than
    ``at_most`` (one query either way)."""
    rows = session.execute(
        _accounts_of(organization).where(User.active).order_by(User.username).limit(at_most + 1)
    ).all()
    return [view_of(AccountChoice, row) for row in rows] if len(rows) <= at_most else None


def accounts_named(session: Session, organization: Organization, typed: str) -> list[AccountChoice]:
    """The organization's accounts whose user name is ``typed`` (user names are kept in
    lower case); else those whose holder's full name it is, in any case (as
    ``people_named``), by user name."""
    spaced = " ".join(typed.split())
    by_username = session.execute(
        _accounts_of(organization).where(User.username == spaced.lower())
    ).all()
    if by_username:
        return [view_of(AccountChoice, row) for row in by_username]
    rows = session.execute(
        _accounts_of(organization).where(_full_name_is(spaced)).order_by(User.username)
    )
    return [view_of(AccountChoice, row) for row in rows]
