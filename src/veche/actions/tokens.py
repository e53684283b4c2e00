"""Bearer tokens of the API: issued to last a while, listed, and revoked before their time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from veche.actions.access import Caller, holds, refusal, stored_row
from veche.actions.accounts import check_person_within_reach, check_within_reach
from veche.actions.actor import Actor
from veche.actions.auth import token_digest
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Forbidden, NotFound
from veche.models import ApiToken, Person, User
from veche.models.base import utcnow
from veche.permissions import Permission


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued; the plain token exists only here, to be shown once."""

    id: int
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown of a token: never the token, which is not stored anyway."""

    id: int
    label: str
    created_at: datetime
    expires_at: datetime
    user_id: int | None
    username: str | None
    person_id: int | None
    full_name: str | None


def do_issue_token(
    session: Session,
    actor: Actor,
    *,
    user: User | None = None,
    person: Person | None = None,
    lifetime: timedelta,
    label: str = "",
) -> IssuedToken:
    """A new token for ``user`` or ``person`` that works for ``lifetime``."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    issued = ApiToken(
        token_hash=token_digest(token),
        user=user,
        person=person,
        label=label,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(issued)
    session.flush()
    record(
        session,
        actor,
        JournalAction.ISSUE_TOKEN,
        {
            "token_id": issued.id,
            "user_id": user.id if user else None,
            "person_id": person.id if person else None,
        },
    )
    return IssuedToken(issued.id, token, issued.expires_at)


_holder_person = aliased(Person)
#: Tokens with the account and the person they stand for (as ``auth._TOKEN_HOLDERS`` reads
#: them: a token of an account stands for the account's person).
_TOKENS = (
    select(
        ApiToken.id,
        ApiToken.label,
        ApiToken.created_at,
        ApiToken.expires_at,
        User.id.label("user_id"),
        User.username,
        _holder_person.id.label("person_id"),
        _holder_person.full_name,
    )
    .select_from(ApiToken)
    .outerjoin(User, User.id == ApiToken.user_id)
    .outerjoin(
        _holder_person, _holder_person.id == func.coalesce(ApiToken.person_id, User.person_id)
    )
)


def _held_by(caller: Caller) -> ColumnElement[bool]:
    """The caller's tokens: those of their account, and those issued to their person."""
    held = []
    if caller.actor.user_id is not None:
        held.append(ApiToken.user_id == caller.actor.user_id)
    if caller.person_id is not None:
        held.append(and_(ApiToken.user_id.is_(None), ApiToken.person_id == caller.person_id))
    return or_(false(), *held)


def _of_organization(caller: Caller) -> ColumnElement[bool]:
    """Every token of the caller's organization: its accounts', and its people's."""
    return or_(
        User.organization_id == caller.organization_id,
        and_(
            ApiToken.user_id.is_(None),
            _holder_person.organization_id == caller.organization_id,
        ),
    )


def manages_accounts(session: Session, caller: Caller) -> bool:
    """Whether the caller may see, issue and revoke other people's tokens in their organization."""
    organization = caller.organization_id
    return organization is not None and holds(
        session, caller, Permission.ACCOUNTS_MANAGE, organization
    )


def _refusal(session: Session, caller: Caller) -> str:
    return refusal(session, Permission.ACCOUNTS_MANAGE, caller.organization_id or 0)


def do_issue_person_token(
    session: Session, caller: Caller, person_id: int, *, lifetime: timedelta
) -> IssuedToken:
    """Issue a bearer token to a person of the caller's organization (a delegate without an
    account); only those who manage accounts may, and only for a person who may do nothing
    they may not (``check_within_reach``): the token acts as that person."""
    if not manages_accounts(session, caller):
        raise Forbidden(_refusal(session, caller))
    person = stored_row(session, Person, person_id)
    if person is None or person.organization_id != caller.organization_id:
        raise NotFound(f"there is no person {person_id} in this organization")
    check_person_within_reach(session, caller, person, "be given a token that acts as them")
    return do_issue_token(
        session,
        caller.actor,
        person=person,
        lifetime=lifetime,
        label=f"issued by {caller.actor.name}"[:100],
    )


def list_tokens(session: Session, caller: Caller, *, everyone: bool = False) -> list[TokenInfo]:
    """The caller's tokens that still work, oldest first; with ``everyone``, an
    administrator's list of every such token of the organization."""
    if everyone and not manages_accounts(session, caller):
        raise Forbidden(f"{_refusal(session, caller)}; leave out all=true to list your own tokens")
    rows = session.execute(
        _TOKENS.where(
            _of_organization(caller) if everyone else _held_by(caller),
            ApiToken.expires_at > utcnow(),
            ApiToken.revoked_at.is_(None),
        ).order_by(ApiToken.created_at, ApiToken.id)
    )
    return [TokenInfo(**row._asdict()) for row in rows]


def do_revoke_token(session: Session, caller: Caller, token_id: int) -> None:
    """Revoke one of the caller's tokens, or, for those who manage accounts, any token of the
    organization whose holder may do nothing they may not: it stops working at once, for
    ballots too."""
    own = _held_by(caller)
    allowed = own
    if manages_accounts(session, caller):
        allowed = or_(allowed, _of_organization(caller))
    found = session.execute(
        _TOKENS.add_columns(own.label("own")).where(
            ApiToken.id == token_id, ApiToken.revoked_at.is_(None), allowed
        )
    ).one_or_none()
    if found is None:
        raise NotFound(
            f"there is no token {token_id} that you may revoke: GET /api/tokens lists yours"
        )
    if not found.own:
        check_within_reach(
            session,
            caller,
            user_id=found.user_id,
            person_id=found.person_id,
            whose=f"the holder of token {token_id}",
            doing="revoke it",
        )
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
    record(
        session,
        caller.actor,
        JournalAction.REVOKE_TOKEN,
        {"token_id": token_id, "user_id": found.user_id, "person_id": found.person_id},
    )
