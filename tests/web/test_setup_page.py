"""The set-up page and `POST /api/setup`: on a database without an organization they make the
organization and its first secretary once, CSRF-protected, refusing bad input with nothing
made; afterwards they answer 409 for good."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import bearer_token
from tests.helpers import row_counts
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, Organization, User

PASSPHRASE = "the first secretary's passphrase"
FORM = {
    "organization": "Union of Rail Workers",
    "short_name": "URW",
    "username": "chief",
    "password": PASSPHRASE,
    "password_again": PASSPHRASE,
}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    return row_counts(sessions, Organization, User, JournalEntry)


def _csrf(page: Any) -> str:
    found = _TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def test_the_set_up_page_works_once_then_never_again(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    browser = TestClient(app, follow_redirects=False)
    home = browser.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/setup"
    empty = browser.get("/api/organization")
    assert empty.status_code == 404
    assert "`veche init`" in empty.json()["detail"] and "/setup" in empty.json()["detail"]

    page = browser.get("/setup")
    assert page.status_code == 200 and 'name="organization"' in page.text
    token = _csrf(page)
    forged = browser.post("/setup", data=FORM)
    assert forged.status_code == 403 and "security token" in forged.text
    typo = browser.post(
        "/setup", data={**FORM, "password_again": PASSPHRASE + "s", "csrf_token": token}
    )
    assert typo.status_code == 422 and "The password and its repetition differ" in typo.text
    assert 'name="password_again"' in typo.text and PASSPHRASE not in typo.text
    weak = browser.post(
        "/setup",
        data={
            **FORM,
            "password": "password2024",
            "password_again": "password2024",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 422 and "most common" in weak.text
    # The form comes again with why, and what was typed in it but the password.
    assert 'id="setup-error"' in weak.text
    assert 'value="Union of Rail Workers"' in weak.text and 'value="chief"' in weak.text
    assert "password2024" not in weak.text
    assert _counts(sessions) == (0, 0, 0)

    done = browser.post("/setup", data={**FORM, "csrf_token": token})
    # Logged in at once: the set-up asked for the password a moment ago.
    assert done.status_code == 303 and done.headers["location"] == "/secretary"
    assert _counts(sessions) == (1, 1, 4)
    welcome = browser.get("/secretary")
    assert welcome.status_code == 200 and "you are logged in" in welcome.text
    assert '<a class="brand" href="/">URW</a>' in welcome.text
    # No body yet: the page leads to making one and its term before convening a meeting.
    assert 'data-testid="first-steps"' in welcome.text and 'href="#new-body"' in welcome.text
    assert "Convene a meeting" not in welcome.text and 'data-testid="no-term"' in welcome.text
    made = browser.post(
        "/secretary/bodies", data={"name": "Congress", "csrf_token": _csrf(welcome)}
    )
    assert made.status_code == 303, made.text
    with_body = browser.get("/secretary").text
    assert 'href="#new-term"' in with_body and "Convene a meeting" not in with_body
    opened = browser.post(
        "/secretary/terms",
        data={"body_id": "1", "starts_on": "2026-01-01", "csrf_token": _csrf(welcome)},
    )
    assert opened.status_code == 303, opened.text
    with_term = browser.get("/secretary").text
    assert "Convene a meeting" in with_term and 'data-testid="first-steps"' not in with_term
    browser.post("/logout", data={"csrf_token": _csrf(welcome)})
    with sessions() as session:
        journaled = session.execute(
            select(JournalEntry.action, JournalEntry.actor_name).order_by(JournalEntry.seq)
        ).all()
    assert journaled[:4] == [
        (JournalAction.CREATE_ORGANIZATION, "system: the set-up page"),
        (JournalAction.CREATE_USER, "system: the set-up page"),
        (JournalAction.GRANT_ROLE, "system: the set-up page"),
        (JournalAction.LOG_IN, "chief"),
    ]
    login = browser.get("/login")
    assert '<a class="brand" href="/">URW</a>' in login.text
    logged_in = browser.post(
        "/login", data={"username": "chief", "password": PASSPHRASE, "csrf_token": _csrf(login)}
    )
    assert logged_in.status_code == 303 and logged_in.headers["location"] == "/secretary"
    assert browser.get("/secretary/accounts").status_code == 200
    assert browser.get("/").status_code == 200

    again = browser.get("/setup")
    assert again.status_code == 409 and "set up already" in again.text
    token = _csrf(browser.get("/login"))
    usurped = browser.post(
        "/setup", data={**FORM, "organization": "Usurpers", "username": "u2", "csrf_token": token}
    )
    assert usurped.status_code == 409
    by_api = browser.post("/api/setup", json={**FORM, "organization": "Usurpers"})
    assert by_api.status_code == 409 and "set up already" in by_api.json()["detail"]
    assert _counts(sessions)[:2] == (1, 1)


def test_the_api_sets_up_an_empty_database_once(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    client = TestClient(app)
    missing = client.post("/api/setup", json={"organization": "Union"})
    assert missing.status_code == 422 and "username" in missing.json()["detail"]
    blank = client.post("/api/setup", json={**FORM, "organization": " "})
    assert blank.status_code == 422 and "must not be empty" in blank.json()["detail"]
    assert _counts(sessions) == (0, 0, 0)

    done = client.post("/api/setup", json=FORM)
    assert done.status_code == 201, done.text
    answer = done.json()
    assert answer == {
        "organization_id": answer["organization_id"],
        "organization": "Union of Rail Workers",
        "short_name": "URW",
        "user_id": answer["user_id"],
        "username": "chief",
    }
    accounts = client.get("/api/accounts", headers=bearer_token(client, "chief", PASSPHRASE))
    assert [grant["role"] for grant in accounts.json()["accounts"][0]["grants"]] == [
        "administrator"
    ]
    assert client.post("/api/setup", json=FORM).status_code == 409
    assert _counts(sessions)[:2] == (1, 1)
