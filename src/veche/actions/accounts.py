"""Accounts: those who manage them reset passwords, deactivate and reactivate accounts;
everyone with an account changes their own password. Creating one is ``org.do_create_user``.

Managing asks for ``accounts.manage`` in the caller's organization, and never reaches an
account that may do more than the caller (else a clerk could reset the administrator's
password and log in as the administrator). A new password meets the rule of
``veche.passwords`` and is hashed before the transaction opens (``NewPassword``): argon2id
takes a fifth of a second and 64 MiB, and no transaction should hold SQLite's writer lock,
which every ballot waits for, that long.

A reset, a deactivation and a change of one's own password end the account's other logins:
its page logins are deleted and its API tokens revoked, so whoever knew the old password (or
holds a copied cookie or token) is out at once. A reactivated account starts with none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from veche.actions.access import (
    Caller,
    authorize,
    caller_organization,
    held_permissions,
    reach_of,
    stored_row,
)
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.roles import check_still_managed, hold_grants
from veche.errors import Conflict, Forbidden, NotFound
from veche.models import ApiToken, LoginSession, Organization, Person, User
from veche.models.base import utcnow
from veche.passwords import check_new_password
from veche.permissions import Permission, Scope
from veche.security import hash_password

#: Said to a caller who logged in without an account and asks to change their password.
NO_ACCOUNT = (
    "you logged in without an account (with an access card, or a token issued to you): "
    "there is no password to change"
)


@dataclass(frozen=True)
class NewPassword:
    """A password that meets the rule, hashed already. The plain text is kept only to check
    it against the account's name, and never shown (``repr``) or stored."""

    plain: str = field(repr=False)
    hash: str = field(repr=False)

    @classmethod
    def of(cls, password: str, username: str | None = None) -> NewPassword:
        """Checked first (a refused password costs no hash), then hashed."""
        check_new_password(password, username)
        return cls(password, hash_password(password))


@dataclass(frozen=True)
class LoginsEnded:
    login_sessions: int
    tokens: int


def end_logins(session: Session, user: User, *, keep: str | None = None) -> LoginsEnded:
    """Delete the account's page logins and revoke its API tokens that still work, but the
    one whose digest is ``keep`` (the login the change is made through, if it is this
    account's: changing one's password does not log oneself out)."""
    logins = select(LoginSession.id).where(LoginSession.user_id == user.id)
    tokens = select(ApiToken.id).where(
        ApiToken.user_id == user.id,
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > utcnow(),
    )
    if keep is not None:
        logins = logins.where(LoginSession.token_hash != keep)
        tokens = tokens.where(ApiToken.token_hash != keep)
    login_ids = session.scalars(logins).all()
    for login in session.scalars(select(LoginSession).where(LoginSession.id.in_(login_ids))):
        session.delete(login)
    token_ids = session.scalars(tokens).all()
    if token_ids:
        session.execute(
            update(ApiToken).where(ApiToken.id.in_(token_ids)).values(revoked_at=utcnow())
        )
    session.flush()
    return LoginsEnded(len(login_ids), len(token_ids))


def managed_account(session: Session, caller: Caller, account_id: int) -> User:
    """An account of the caller's organization that the caller may manage, locked for the
    change; 403 without ``accounts.manage``, 404 for another organization's."""
    organization = caller_organization(session, caller)
    authorize(session, caller, Permission.ACCOUNTS_MANAGE, organization.id)
    user = stored_row(session, User, account_id, lock=True)
    if user is None or user.organization_id != organization.id:
        raise NotFound(f"there is no account {account_id} in this organization")
    _check_not_above(session, caller, user)
    return user


def _check_not_above(session: Session, caller: Caller, user: User) -> None:
    """Refuse to manage another account that may do what the caller may not."""
    if user.id == caller.actor.user_id:
        return
    check_within_reach(
        session,
        caller,
        user_id=user.id,
        person_id=user.person_id,
        whose=f"the account {user.username!r}",
        doing="manage it",
    )


def check_person_within_reach(session: Session, caller: Caller, person: Person, doing: str) -> None:
    """``check_within_reach`` for a person given a way in of their own (a login, a token)."""
    check_within_reach(
        session, caller, user_id=None, person_id=person.id, whose=person.full_name, doing=doing
    )


def check_within_reach(
    session: Session,
    caller: Caller,
    *,
    user_id: int | None,
    person_id: int | None,
    whose: str,
    doing: str,
) -> None:
    """Refuse (403) to give or take a way in (a password, a token) for an account or a person
    who may do anything the caller may not, wherever they may: through the roles granted to
    the account or to its person, anywhere, the person's places and offices in meetings, and
    the panels they chair (``reach_of``). Else a clerk who manages accounts would become the
    chair, the administrator or a panel's chair, by resetting their password or taking a
    token for them."""
    if caller.unrestricted:
        return
    organization_id = caller.organization_id
    everywhere = (
        held_permissions(session, caller, Scope.ORGANIZATION, organization_id)
        if organization_id is not None
        else frozenset()
    )
    beyond: set[str] = set()
    for (scope, scope_id), theirs in reach_of(
        session, user_id=user_id, person_id=person_id
    ).items():
        missing = theirs - everywhere
        if missing:  # a grant in the organization holds everywhere; else ask where they hold
            missing -= held_permissions(session, caller, scope, scope_id)
        beyond.update(permission.value for permission in missing)
    if beyond:
        raise Forbidden(
            f"{whose} holds permissions you do not ({', '.join(sorted(beyond))}) through "
            f"their roles, places, offices or the panels they chair; only someone who holds "
            f"them may {doing}"
        )


def do_reset_password(
    session: Session, caller: Caller, account_id: int, new: NewPassword, *, keep: str | None = None
) -> User:
    """Give an account a new password (its holder forgot theirs, or it became known); its
    logins end, but the caller's own one (``keep``) when the account is theirs."""
    user = managed_account(session, caller, account_id)
    check_new_password(new.plain, user.username)
    user.password_hash = new.hash
    ended = end_logins(session, user, keep=keep)
    _journal(session, caller, JournalAction.RESET_PASSWORD, user, ended)
    return user


def do_deactivate_account(session: Session, caller: Caller, account_id: int) -> User:
    """Close an account: it can no longer log in, and its logins and tokens end at once. The
    last account able to manage the organization stays (409)."""
    # Deactivations and revocations wait for each other, from their first step (before the
    # account's row is locked, which would deadlock two of them): two administrators closing
    # each other's accounts at once could each leave the other the last one, or act with an
    # account closed meanwhile.
    hold_grants(session, caller_organization(session, caller).id)
    user = managed_account(session, caller, account_id)
    if caller.actor.user_id is not None and not session.scalar(
        select(User.active).where(User.id == caller.actor.user_id)
    ):
        raise Forbidden("your account was deactivated meanwhile")
    if not user.active:
        raise Conflict(f"the account {user.username!r} is deactivated already")
    user.active = False
    session.flush()
    organization = session.get(Organization, user.organization_id)
    assert organization is not None  # the account's foreign key holds it
    check_still_managed(session, organization)
    ended = end_logins(session, user)
    _journal(session, caller, JournalAction.DEACTIVATE_USER, user, ended)
    return user


def do_activate_account(session: Session, caller: Caller, account_id: int) -> User:
    """Open a deactivated account again: it logs in with its password; the logins and
    tokens it had stay ended."""
    user = managed_account(session, caller, account_id)
    if user.active:
        raise Conflict(f"the account {user.username!r} is active already")
    user.active = True
    session.flush()
    _journal(session, caller, JournalAction.ACTIVATE_USER, user, LoginsEnded(0, 0))
    return user


def own_account(session: Session, caller: Caller) -> User:
    """The caller's own account; 409 for a caller who logged in without one."""
    user_id = caller.actor.user_id
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise Conflict(NO_ACCOUNT)
    return user


def do_change_own_password(
    session: Session, caller: Caller, user: User, new: NewPassword, *, keep: str | None
) -> None:
    """Change the caller's own password, once their current one has been checked (``user``
    is the account it was checked for); their other logins end, this one (``keep``) stays."""
    if user.id != own_account(session, caller).id:
        raise Forbidden("you may change your own password only")
    check_new_password(new.plain, user.username)
    user.password_hash = new.hash
    ended = end_logins(session, user, keep=keep)
    _journal(session, caller, JournalAction.CHANGE_PASSWORD, user, ended)


def _journal(
    session: Session, caller: Caller, action: JournalAction, user: User, ended: LoginsEnded
) -> None:
    # The journal names the account and what ended, never a password or its hash.
    record(
        session,
        caller.actor,
        action,
        {
            "user_id": user.id,
            "username": user.username,
            "logins_ended": ended.login_sessions,
            "tokens_revoked": ended.tokens,
        },
    )
