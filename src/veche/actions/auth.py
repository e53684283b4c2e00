"""Logging in: the password check, signing bearer tokens in, login sessions for the pages."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import NotAuthenticated
from veche.models import AccessCode, ApiToken, LoginSession, Person, User
from veche.models.base import utcnow
from veche.security import password_matches
from veche.sql import OneOf

#: How long a page login lasts: a long meeting day, not weeks on a borrowed phone.
SESSION_LIFETIME = timedelta(hours=16)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: Every failed password login says this, whatever failed, not to help guessing.
WRONG_PASSWORD = "the user name or the password is wrong"


@dataclass(frozen=True)
class CheckedPassword:
    """An account whose password was right, and the hash it was checked against."""

    user_id: int
    password_hash: str


def check_password(readers: sessionmaker[Session], username: str, password: str) -> CheckedPassword:
    """The active account with this name and password; the same message for every failure.

    The hash is read in a transaction of its own, and checked once that has ended: the slow
    check holds no connection, nor SQLite's writer lock, while it runs or waits for its turn.
    An unknown name and a disabled account are checked against a hash all the same, so that
    every failure takes as long as a wrong password and timing tells no names.
    """
    with readers() as session, session.begin():
        found = session.execute(
            select(User.id, User.password_hash, User.active).where(
                User.username == username.strip().lower()
            )
        ).one_or_none()
    matches = password_matches(found.password_hash if found else None, password)
    if found is None or not found.active or not matches:
        raise NotAuthenticated(WRONG_PASSWORD)
    return CheckedPassword(found.id, found.password_hash)


def checked_account(session: Session, checked: CheckedPassword) -> User:
    """The account whose password was checked, unless it was disabled or its password
    changed in the meantime."""
    user = session.get(User, checked.user_id)
    if user is None or not user.active or user.password_hash != checked.password_hash:
        raise NotAuthenticated(WRONG_PASSWORD)
    return user


_token_person = aliased(Person)
#: Tokens with their accounts and persons, built once: it is asked on every API request.
_TOKEN_HOLDERS = (
    select(
        ApiToken.token_hash,
        User.id.label("user_id"),
        User.username,
        User.active,
        User.organization_id.label("user_organization_id"),
        _token_person.id.label("person_id"),
        _token_person.full_name,
        _token_person.organization_id.label("person_organization_id"),
    )
    .select_from(ApiToken)
    .outerjoin(User, User.id == ApiToken.user_id)
    .outerjoin(_token_person, _token_person.id == func.coalesce(ApiToken.person_id, User.person_id))
    .where(ApiToken.expires_at > bindparam("now"), ApiToken.revoked_at.is_(None))
)
_ONE_TOKEN = _TOKEN_HOLDERS.where(ApiToken.token_hash == bindparam("digest"))
_SOME_TOKENS = _TOKEN_HOLDERS.where(OneOf(ApiToken.token_hash, "digests"))


def token_caller(session: Session, token: str) -> Caller:
    """The caller a bearer token stands for, read in one query."""
    found = session.execute(
        _ONE_TOKEN, {"digest": token_digest(token), "now": utcnow()}
    ).one_or_none()
    caller = _holder_caller(found)
    if isinstance(caller, NotAuthenticated):
        raise caller
    return caller


def token_callers(
    session: Session, tokens: Collection[str]
) -> dict[str, Caller | NotAuthenticated]:
    """The caller each bearer token stands for, or why it stands for no one: one query for
    them all (a burst of ballots signs its voters in together)."""
    digests = {token_digest(token): token for token in tokens}
    found = {
        row.token_hash: row
        for row in session.execute(_SOME_TOKENS, {"digests": list(digests), "now": utcnow()})
    }
    return {token: _holder_caller(found.get(digest)) for digest, token in digests.items()}


def _holder_caller(found: Row[*tuple[Any, ...]] | None) -> Caller | NotAuthenticated:
    if found is None:
        return NotAuthenticated(
            "the bearer token is not valid (it has expired, was revoked, or is mistyped): "
            "log in again for a new one"
        )
    if found.user_id is not None and not found.active:
        return NotAuthenticated("this account is disabled: ask an administrator to enable it")
    holder = found._asdict()
    del holder["active"], holder["token_hash"]
    try:
        return _caller(**holder)
    except NotAuthenticated as refusal:
        return refusal


def caller_of(user: User | None, person: Person | None, card: AccessCode | None = None) -> Caller:
    """The caller a token or a login session stands for: a user account, or a person alone;
    one logged in with an access ``card`` acts only in its meeting (``Caller.card_meeting_id``)."""
    person = person if person is not None else (user.person if user else None)
    caller = _caller(
        user_id=user.id if user else None,
        username=user.username if user else "",
        user_organization_id=user.organization_id if user else None,
        person_id=person.id if person else None,
        full_name=person.full_name if person else "",
        person_organization_id=person.organization_id if person else None,
    )
    if card is None:
        return caller
    return replace(caller, card_meeting_id=card.meeting_id)


def _caller(
    *,
    user_id: int | None,
    username: str | None,
    user_organization_id: int | None,
    person_id: int | None,
    full_name: str | None,
    person_organization_id: int | None,
) -> Caller:
    """Acting as the account if there is one, else as the person; the fields are named as
    ``_TOKEN_HOLDERS`` reads them."""
    if user_id is not None:
        actor, organization_id = Actor(user_id, username or ""), user_organization_id
    elif person_id is not None:
        actor, organization_id = Actor(None, full_name or ""), person_organization_id
    else:
        raise NotAuthenticated("this login belongs to no one; log in again")
    return Caller(
        actor=actor,
        person_id=person_id,
        unrestricted=False,
        organization_id=organization_id,
    )


def do_open_login_session(
    session: Session,
    *,
    user: User | None = None,
    person: Person | None = None,
    card: AccessCode | None = None,
    via: str,
) -> str:
    """Start a page login for ``user`` or ``person`` (with ``card``, the access card it was
    made with); the plain token is returned, never stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=token_digest(token),
            user=user,
            person=person,
            access_code_id=card.id if card is not None else None,
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    session.flush()
    caller = caller_of(user, person, card)
    record(
        session,
        caller.actor,
        JournalAction.LOG_IN,
        {"user_id": user.id if user else None, "person_id": caller.person_id, "via": via},
    )
    return token


def login_session_caller(session: Session, token: str) -> Caller:
    """The caller of a live page login; NotAuthenticated once it has ended or expired."""
    found = session.scalar(
        select(LoginSession).where(LoginSession.token_hash == token_digest(token))
    )
    ended = NotAuthenticated("your login has ended; log in again")
    if found is None or found.expires_at <= utcnow():
        raise ended
    if found.user is not None:
        if not found.user.active:
            raise NotAuthenticated("this account is disabled")
        return caller_of(found.user, found.person)
    # A login without an account was made with an access card. One from before migration
    # 0024 names no card, so no meeting to keep it to: it logs in again with its card.
    card = session.get(AccessCode, found.access_code_id) if found.access_code_id else None
    if card is None:
        raise ended
    return caller_of(None, found.person, card)


def do_close_login_session(session: Session, token: str) -> None:
    """Log out: the session's row goes, so a copy of the cookie no longer works anywhere."""
    found = session.scalar(
        select(LoginSession).where(LoginSession.token_hash == token_digest(token))
    )
    if found is None:
        return
    caller = caller_of(found.user, found.person)
    session.delete(found)
    record(session, caller.actor, JournalAction.LOG_OUT, {"person_id": caller.person_id})
