"""Accounts: a reset, a deactivation and one's own change of password end the account's other
logins at once, are journaled without the password, and never let a clerk take over an
account that may do more than they may."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller
from veche.actions.accounts import (
    NewPassword,
    do_activate_account,
    do_change_own_password,
    do_deactivate_account,
    do_reset_password,
    own_account,
)
from veche.actions.actor import Actor
from veche.actions.auth import (
    check_password,
    do_open_login_session,
    login_session_caller,
    token_caller,
    token_digest,
)
from veche.actions.journal_actions import JournalAction
from veche.actions.org import do_create_organization, do_create_user
from veche.actions.roles import do_define_role, do_grant_role
from veche.actions.setup import FirstStart, do_set_up
from veche.actions.tokens import do_issue_token
from veche.db import transaction
from veche.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from veche.models import JournalEntry, LoginSession, Organization, User
from veche.permissions import Permission, Scope

CHIEF_PASSWORD = "the chief secretary's passphrase"
CLERK_PASSWORD = "clerk of the accounts"
MEMBER = "ilse.member"
MEMBER_PASSWORD = "an ordinary member here"


@dataclass
class Office:
    organization_id: int
    chief: Caller
    member_id: int


def _caller(user: User) -> Caller:
    return Caller(Actor(user.id, user.username), user.person_id, False, user.organization_id)


@pytest.fixture
def office(sessions: sessionmaker[Session]) -> Office:
    """An organization set up as `veche init` does, with one member's account besides."""
    with transaction(sessions) as session:
        done = do_set_up(session, FirstStart("Union", "U", "chief", CHIEF_PASSWORD), via="tests")
        chief = _caller(done.user)
        member = do_create_user(session, chief, done.organization, MEMBER, MEMBER_PASSWORD)
        return Office(done.organization.id, chief, member.id)


@dataclass
class Logins:
    tokens: list[str]
    login_sessions: list[str]


def _log_in(sessions: sessionmaker[Session], user_id: int, times: int = 2) -> Logins:
    """Page logins and API tokens of an account, as its holder's devices would have them."""
    with transaction(sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        tokens = [
            do_issue_token(session, Actor.of(user), user=user, lifetime=timedelta(hours=1)).token
            for _ in range(times)
        ]
        pages = [do_open_login_session(session, user=user, via="password") for _ in range(times)]
    return Logins(tokens, pages)


def _works(sessions: sessionmaker[Session], logins: Logins) -> list[bool]:
    found = []
    with sessions() as session:
        for token in logins.tokens:
            found.append(_answers(lambda t=token: token_caller(session, t)))
        for token in logins.login_sessions:
            found.append(_answers(lambda t=token: login_session_caller(session, t)))
    return found


def _answers(call: object) -> bool:
    try:
        call()  # type: ignore[operator]
    except NotAuthenticated:
        return False
    return True


def _logs_in(sessions: sessionmaker[Session], username: str, password: str) -> bool:
    return _answers(lambda: check_password(sessions, username, password))


def _journal(sessions: sessionmaker[Session], action: JournalAction) -> list[JournalEntry]:
    with sessions() as session:
        return list(session.scalars(select(JournalEntry).where(JournalEntry.action == action)))


def test_a_reset_ends_every_login_of_the_account(
    office: Office, sessions: sessionmaker[Session]
) -> None:
    logins = _log_in(sessions, office.member_id)
    assert _works(sessions, logins) == [True] * 4
    with transaction(sessions) as session:
        do_reset_password(
            session, office.chief, office.member_id, NewPassword.of("a fresh start for you")
        )
    assert _works(sessions, logins) == [False] * 4
    assert not _logs_in(sessions, MEMBER, MEMBER_PASSWORD)
    assert _logs_in(sessions, MEMBER, "a fresh start for you")
    (entry,) = _journal(sessions, JournalAction.RESET_PASSWORD)
    assert entry.actor_name == "chief"
    assert entry.payload == {
        "user_id": office.member_id,
        "username": MEMBER,
        "logins_ended": 2,
        "tokens_revoked": 2,
    }


def test_a_weak_new_password_is_refused_before_anything_changes(
    office: Office, sessions: sessionmaker[Session]
) -> None:
    with pytest.raises(InvalidInput, match="at least 12"):
        NewPassword.of("too short")
    with pytest.raises(InvalidInput, match="user name"), transaction(sessions) as session:
        # NewPassword.of cannot know the account; the action checks its name too.
        new = NewPassword.of("Ilse.Member 2024!")
        do_reset_password(session, office.chief, office.member_id, new)
    assert _logs_in(sessions, MEMBER, MEMBER_PASSWORD)
    assert _journal(sessions, JournalAction.RESET_PASSWORD) == []


def test_a_deactivated_account_cannot_log_in_and_its_logins_end(
    office: Office, sessions: sessionmaker[Session]
) -> None:
    logins = _log_in(sessions, office.member_id)
    with transaction(sessions) as session:
        assert do_deactivate_account(session, office.chief, office.member_id).active is False
    assert _works(sessions, logins) == [False] * 4
    assert not _logs_in(sessions, MEMBER, MEMBER_PASSWORD)
    with pytest.raises(Conflict, match="deactivated already"), transaction(sessions) as session:
        do_deactivate_account(session, office.chief, office.member_id)

    with transaction(sessions) as session:
        assert do_activate_account(session, office.chief, office.member_id).active is True
    assert _logs_in(sessions, MEMBER, MEMBER_PASSWORD)
    assert _works(sessions, logins) == [False] * 4  # what it had stays ended
    with pytest.raises(Conflict, match="active already"), transaction(sessions) as session:
        do_activate_account(session, office.chief, office.member_id)
    (closed,) = _journal(sessions, JournalAction.DEACTIVATE_USER)
    assert closed.payload["logins_ended"] == 2 and closed.payload["tokens_revoked"] == 2
    assert len(_journal(sessions, JournalAction.ACTIVATE_USER)) == 1


def test_the_last_account_that_manages_the_organization_stays(
    office: Office, sessions: sessionmaker[Session]
) -> None:
    chief_id = office.chief.actor.user_id
    assert chief_id is not None
    refused = pytest.raises(Conflict, match="no account able to manage")
    with refused, transaction(sessions) as session:
        do_deactivate_account(session, office.chief, chief_id)
    assert _logs_in(sessions, "chief", CHIEF_PASSWORD)


def test_a_clerk_manages_only_accounts_that_may_do_no_more_than_they_may(
    office: Office, sessions: sessionmaker[Session]
) -> None:
    chief_id = office.chief.actor.user_id
    assert chief_id is not None
    with transaction(sessions) as session:
        organization = session.get(Organization, office.organization_id)
        assert organization is not None
        do_define_role(session, office.chief, "account-clerk", [Permission.ACCOUNTS_MANAGE])
        clerk = do_create_user(session, office.chief, organization, "clerk", CLERK_PASSWORD)
        do_grant_role(
            session,
            office.chief,
            "account-clerk",
            scope=Scope.ORGANIZATION,
            scope_id=organization.id,
            user_id=clerk.id,
        )
        clerk_caller = _caller(clerk)
        elsewhere = do_create_organization(
            session, Caller(Actor.system("tests"), None, True, None), "Another Union"
        )
        stranger = do_create_user(
            session,
            Caller(Actor.system("tests"), None, True, elsewhere.id),
            elsewhere,
            "stranger",
            "a stranger to the union",
        ).id
    new = NewPassword.of("a fresh start for you")
    with pytest.raises(Forbidden, match=r"organization\.manage"), transaction(sessions) as session:
        do_reset_password(session, clerk_caller, chief_id, new)
    with pytest.raises(NotFound, match="no account"), transaction(sessions) as session:
        do_deactivate_account(session, clerk_caller, stranger)
    with transaction(sessions) as session:
        do_deactivate_account(session, clerk_caller, office.member_id)
    member = Caller(Actor(office.member_id, MEMBER), None, False, office.organization_id)
    with pytest.raises(Forbidden, match="may issue and list"), transaction(sessions) as session:
        do_activate_account(session, member, office.member_id)
    assert _logs_in(sessions, "chief", CHIEF_PASSWORD)


def test_ones_own_change_keeps_this_login_and_ends_the_others(
    office: Office, sessions: sessionmaker[Session]
) -> None:
    logins = _log_in(sessions, office.member_id)
    member = Caller(Actor(office.member_id, MEMBER), None, False, office.organization_id)
    with transaction(sessions) as session:
        user = own_account(session, member)
        do_change_own_password(
            session,
            member,
            user,
            NewPassword.of("my very own passphrase"),
            keep=token_digest(logins.tokens[0]),
        )
    assert _works(sessions, logins) == [True, False, False, False]
    assert _logs_in(sessions, MEMBER, "my very own passphrase")
    (entry,) = _journal(sessions, JournalAction.CHANGE_PASSWORD)
    assert entry.actor_name == MEMBER and entry.payload["tokens_revoked"] == 1
    assert entry.payload["logins_ended"] == 2

    chief_id = office.chief.actor.user_id
    with transaction(sessions) as session:
        chief = session.get(User, chief_id)
        assert chief is not None
        with pytest.raises(Forbidden, match="your own password"):
            do_change_own_password(
                session, member, chief, NewPassword.of("taking over the union"), keep=None
            )
    by_card = Caller(Actor(None, "A Delegate"), 7, False, office.organization_id)
    with sessions() as session, pytest.raises(Conflict, match="no password to change"):
        own_account(session, by_card)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginSession)) == 0
