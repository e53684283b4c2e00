"""The secretary's accounts page and everyone's "my password" page: the same changes as the
API, from forms, ending the logins they should."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import count_queries
from tests.web.page_client import SYSTEM, Browser, secretary
from veche.actions.access import Caller
from veche.actions.org import do_create_user
from veche.actions.roles import do_grant_role
from veche.db import transaction
from veche.models import Organization, RoleGrant, User
from veche.permissions import Scope

#: What these prove is decided by the same actions as the API's, whose storage is proven on
#: both databases in test_accounts_api.py; they start from the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

CLERK_PASSWORD = "the clerk's first passphrase"


def _clerk_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        found = session.scalar(select(User.id).where(User.username == "clerk"))
    assert found is not None
    return found


def _logged_in(browser: Browser) -> bool:
    return bool(browser.get("/me/password").status_code == 200)


def test_the_secretary_manages_a_login_from_the_accounts_page(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = secretary(app)
    page = desk.get("/secretary/accounts")
    assert page.status_code == 200
    assert "Administrator in the whole organization" in page.text

    weak = desk.post("/secretary/accounts", {"username": "clerk", "password": "clerk2024"})
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    made = desk.post(
        "/secretary/accounts", {"username": "clerk", "password": CLERK_PASSWORD, "person_id": ""}
    )
    assert made.status_code == 303 and made.headers["location"] == "/secretary/accounts"
    assert "Account created: clerk" in desk.get("/secretary/accounts").text
    clerk_id = _clerk_id(sessions)

    with sessions() as session:
        organization = session.scalars(select(Organization)).one().id
    granted = desk.post(
        "/secretary/accounts/grants",
        {"role": "teller", "scope": "organization", "scope_id": organization, "user_id": clerk_id},
    )
    assert granted.status_code == 303
    assert "Teller in the whole organization" in desk.get("/secretary/accounts").text
    with sessions() as session:
        grant = session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == clerk_id))
    assert desk.post(f"/secretary/accounts/grants/{grant}/revoke").status_code == 303
    assert "Teller in the whole organization" not in desk.get("/secretary/accounts").text

    clerk = Browser(app)
    clerk.log_in("clerk", CLERK_PASSWORD)
    reset = desk.post(
        f"/secretary/accounts/{clerk_id}/password", {"new_password": "the clerk's second one"}
    )
    assert reset.status_code == 303
    assert not _logged_in(clerk)
    clerk.log_in("clerk", "the clerk's second one")

    closed = desk.post(f"/secretary/accounts/{clerk_id}/deactivate")
    assert closed.status_code == 303
    assert (
        f'action="/secretary/accounts/{clerk_id}/activate"' in desk.get("/secretary/accounts").text
    )
    assert not _logged_in(clerk)
    refused = clerk.post("/login", {"username": "clerk", "password": "the clerk's second one"})
    assert refused.status_code == 401
    assert desk.post(f"/secretary/accounts/{clerk_id}/activate").status_code == 303
    clerk.log_in("clerk", "the clerk's second one")
    assert _logged_in(clerk) and _logged_in(desk)


def test_everyone_changes_their_own_password_on_its_page(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = secretary(app)
    desk.post("/secretary/accounts", {"username": "clerk", "password": CLERK_PASSWORD})
    here, elsewhere = Browser(app), Browser(app)
    here.log_in("clerk", CLERK_PASSWORD)
    elsewhere.log_in("clerk", CLERK_PASSWORD)
    page = here.get("/me/password")
    assert page.status_code == 200 and 'name="current_password"' in page.text
    assert re.search(r'href="/me/password">My password</a>', page.text)

    wrong = here.post(
        "/me/password", {"current_password": "not it at all", "new_password": "my own passphrase"}
    )
    assert wrong.status_code == 403 and "the current password is not right" in wrong.text
    changed = here.post(
        "/me/password", {"current_password": CLERK_PASSWORD, "new_password": "my own passphrase"}
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/me/password"
    assert "Your password is changed" in here.get("/me/password").text
    assert _logged_in(here) and not _logged_in(elsewhere)
    Browser(app).log_in("clerk", "my own passphrase")


def _add_accounts(sessions: sessionmaker[Session], how_many: int) -> None:
    """Accounts, each granted a role, as many as asked."""
    with transaction(sessions) as session:
        organization = session.scalars(select(Organization)).one()
        operator = Caller(SYSTEM.actor, None, unrestricted=True, organization_id=organization.id)
        for _ in range(how_many):
            number = session.scalar(select(func.count()).select_from(User))
            user = do_create_user(
                session, operator, organization, f"login-{number}", "an account's passphrase"
            )
            do_grant_role(
                session,
                operator,
                "teller",
                scope=Scope.ORGANIZATION,
                scope_id=organization.id,
                user_id=user.id,
            )


def test_the_accounts_page_reads_as_much_for_many_accounts_as_for_few(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = secretary(app)
    counted = []
    for how_many in (1, 20):
        _add_accounts(sessions, how_many)
        with count_queries(app.state.engine, app.state.reader) as statements:
            assert desk.get("/secretary/accounts").status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1]
