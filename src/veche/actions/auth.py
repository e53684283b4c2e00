"""Bearer tokens for the API: issued for a password login or to a person by the secretary."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.actor import Actor
from veche.actions.journal import record
from veche.errors import NotAuthenticated
from veche.models import ApiToken, Person, User
from veche.security import password_matches


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def do_issue_token(
    session: Session, actor: Actor, *, user: User | None = None, person: Person | None = None
) -> str:
    """A new token for ``user`` or ``person``; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=token_digest(token), user=user, person=person))
    session.flush()
    record(
        session,
        actor,
        "issue_token",
        {"user_id": user.id if user else None, "person_id": person.id if person else None},
    )
    return token


def do_login(session: Session, username: str, password: str) -> str:
    """Check a password and issue a token; the same message for every failure, not to help guessing."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active or not password_matches(user.password_hash, password):
        raise NotAuthenticated("the user name or the password is wrong")
    return do_issue_token(session, Actor.of(user), user=user, person=user.person)


def authenticate(session: Session, token: str) -> ApiToken:
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if found is None or (found.user is not None and not found.user.active):
        raise NotAuthenticated("the bearer token is not valid; log in again")
    return found
