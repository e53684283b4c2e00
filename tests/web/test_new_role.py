"""A new role is a change of data: an administrator defines a vote clerk (who sees the meeting
and runs its polls) through the API, grants it in one meeting, and its holder runs polls through
the API and the chair's console — no code or route knows the role. Changing or revoking it takes
effect at once, and the journal records each step."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

import veche
from tests.apps import create_app
from tests.assembly import bearer_token, convene
from tests.helpers import demo_organization
from tests.web.page_client import Browser
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.journal_actions import JournalAction
from veche.actions.org import do_create_person, do_create_user
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import JournalEntry, User

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

CLERK = {"username": "vera", "password": "vote-clerk-password"}
ROLE = "vote-clerk"
NEW_POLL = {"kind": "decision", "method": "majority"}


def _clerk_account(sessions: sessionmaker[Session]) -> int:
    """An account of the organization's, with a person, holding no role yet."""
    with transaction(sessions) as session:
        organization = demo_organization(session)
        system = Caller(Actor.system("tests"), None, unrestricted=True, organization_id=None)
        person = do_create_person(session, system, organization, "Vera Clerk")
        return do_create_user(
            session, system, organization, CLERK["username"], CLERK["password"], person=person
        ).id


def _journal_since(sessions: sessionmaker[Session], after: int) -> list[tuple[str, Any, Any]]:
    """The roles' entries after entry ``after``: what was done, by whom, with what."""
    roles = (JournalAction.DEFINE_ROLE, JournalAction.GRANT_ROLE, JournalAction.REVOKE_ROLE)
    with sessions() as session:
        entries = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.seq > after, JournalEntry.action.in_(roles))
            .order_by(JournalEntry.seq)
        )
        return [(entry.action, entry.actor_id, entry.payload) for entry in entries]


def _nav(page: str, meeting_id: int) -> dict[str, bool]:
    """Which of the meeting's tabs for a permission the page shows."""
    return {
        "console": f'href="/meetings/{meeting_id}/console"' in page,
        "desk": f'href="/secretary/meetings/{meeting_id}"' in page,
    }


def test_a_role_defined_and_granted_through_the_api_works_at_once(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    app = create_app(engine)
    today = date.today().isoformat()
    with TestClient(app, follow_redirects=False) as client:
        assembly = convene(client, sessions)
        admin, meeting, member = assembly.secretary, assembly.meeting_id, assembly.members[0]

        def api(verb: str, path: str, body: Any = None, who: dict[str, str] | None = None) -> Any:
            return client.request(verb, "/api" + path, json=body, headers=who or clerk)

        notice = {"notice": "The Bureau convenes the Council."}
        assert api("PATCH", f"/meetings/{meeting}", notice, admin).status_code == 200
        for state in ("convened", "in_session"):
            assert api("POST", f"/meetings/{meeting}/state", {"state": state}, admin).is_success
        clerk_id = _clerk_account(sessions)
        with sessions() as session:
            journal_start = session.scalar(select(func.max(JournalEntry.seq))) or 0
            admin_id = session.scalar(select(User.id).where(User.username == DEMO_SECRETARY[0]))
        clerk = bearer_token(client, CLERK["username"], CLERK["password"])
        browser = Browser(app)
        browser.log_in(CLERK["username"], CLERK["password"])

        def check_in_by_api() -> int:
            body = {"person_ids": [member], "day": today}
            return int(api("POST", f"/meetings/{meeting}/attendance", body).status_code)

        def check_in_by_page() -> int:
            form = {"person_id": member, "present": "yes"}
            return int(browser.post(f"/secretary/meetings/{meeting}/attendance", form).status_code)

        # Without a role, the account sees nothing of the meeting.
        early = api("POST", f"/meetings/{meeting}/polls", {"title": "Too early", **NEW_POLL})
        assert early.status_code == 403
        assert browser.get(f"/meetings/{meeting}").status_code == 403

        defined = api(
            "PUT",
            f"/roles/{ROLE}",
            {"label": "Vote clerk", "permissions": ["polls.run", "meeting.see"]},
            admin,
        )
        assert defined.status_code == 200, defined.text
        assert defined.json() == {
            "name": ROLE,
            "label": "Vote clerk",
            "permissions": ["meeting.see", "polls.run"],
        }
        assert defined.json() in api("GET", "/roles").json()
        granted = api(
            "POST",
            "/role-grants",
            {"role": ROLE, "scope": "meeting", "scope_id": meeting, "user_id": clerk_id},
            admin,
        )
        assert granted.status_code == 201, granted.text
        grant_id = granted.json()["id"]

        # Through the API: a poll created, opened and closed; a check-in refused.
        poll = api("POST", f"/meetings/{meeting}/polls", {"title": "By the API", **NEW_POLL})
        assert poll.status_code == 201, poll.text
        poll_id = poll.json()["id"]
        opened = api("POST", f"/polls/{poll_id}/open")
        assert (opened.status_code, opened.json()["state"]) == (200, "open"), opened.text
        closed = api("POST", f"/polls/{poll_id}/close")
        assert (closed.status_code, closed.json()["state"]) == (200, "closed"), closed.text
        assert check_in_by_api() == 403

        # Through the pages: the console's tab shows, its poll is created and opened there;
        # the secretary's desk neither shows nor lets the clerk check anyone in.
        assert _nav(browser.get(f"/meetings/{meeting}").text, meeting) == {
            "console": True,
            "desk": False,
        }
        assert browser.get(f"/meetings/{meeting}/console").status_code == 200
        created = browser.post(
            f"/meetings/{meeting}/console/polls", {"title": "On the console", "kind": "decision"}
        )
        assert created.status_code == 303, created.text
        (page_poll,) = [
            p["id"]
            for p in api("GET", f"/meetings/{meeting}/polls").json()
            if p["title"] == "On the console"
        ]
        opened = browser.post(f"/meetings/{meeting}/console/polls/{page_poll}/open")
        assert opened.status_code == 303, opened.text
        assert api("GET", f"/polls/{page_poll}").json()["state"] == "open"
        assert check_in_by_page() == 403

        # The role changed: the clerk now records attendance and runs no poll, at once.
        changed = api(
            "PUT", f"/roles/{ROLE}", {"permissions": ["meeting.see", "attendance.record"]}, admin
        )
        assert changed.status_code == 200, changed.text
        assert api("POST", f"/polls/{page_poll}/close").status_code == 403
        assert browser.get(f"/meetings/{meeting}/console").status_code == 403
        assert _nav(browser.get(f"/meetings/{meeting}").text, meeting) == {
            "console": False,
            "desk": True,
        }
        assert check_in_by_api() == 200
        assert check_in_by_page() == 303

        # The grant revoked: the meeting is closed to the clerk again, at once.
        assert api("DELETE", f"/role-grants/{grant_id}", who=admin).status_code == 204
        assert api("GET", f"/meetings/{meeting}").status_code == 403
        assert browser.get(f"/meetings/{meeting}").status_code == 403
        assert check_in_by_api() == 403

    assert _journal_since(sessions, journal_start) == [
        (
            JournalAction.DEFINE_ROLE,
            admin_id,
            {"role": ROLE, "label": "Vote clerk", "permissions": ["meeting.see", "polls.run"]},
        ),
        (
            JournalAction.GRANT_ROLE,
            admin_id,
            {
                "grant_id": grant_id,
                "role": ROLE,
                "user_id": clerk_id,
                "person_id": None,
                "scope": "meeting",
                "scope_id": meeting,
            },
        ),
        (
            JournalAction.DEFINE_ROLE,
            admin_id,
            {
                "role": ROLE,
                "label": "Vote clerk",
                "permissions": ["attendance.record", "meeting.see"],
            },
        ),
        (JournalAction.REVOKE_ROLE, admin_id, {"grant_id": grant_id}),
    ]


def test_no_code_names_the_new_role() -> None:
    """The vote clerk above exists as data only: no module or template of veche names it."""
    source = Path(veche.__file__).parent
    naming = [
        path.relative_to(source)
        for path in sorted(source.rglob("*"))
        if path.suffix in (".py", ".html") and ROLE in path.read_text(encoding="utf-8")
    ]
    assert naming == []
