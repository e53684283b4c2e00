"""An open live stream ends once its viewer may no longer see the meeting: at once when a
grant reaching the meeting is revoked, and within ``ACCESS_RECHECK_SECONDS`` when their
account is deactivated (which announces nothing to the meetings); the page reconnecting is
then refused."""

from __future__ import annotations

from datetime import date

import httpx2
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import demo_organization, general_council_term
from tests.web.live_server import EventReader, log_in, serve
from veche.actions.access import Caller
from veche.actions.accounts import do_deactivate_account
from veche.actions.actor import Actor
from veche.actions.meetings import do_create_meeting
from veche.actions.org import do_create_person, do_create_user
from veche.actions.roles import do_grant_role, do_revoke_grant
from veche.db import transaction
from veche.permissions import Scope
from veche.web import live_access
from veche.web.live import RESYNC

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

PASSWORD = "watching-the-hall-2026"


def _watcher(sessions: sessionmaker[Session]) -> tuple[Caller, int, int, int]:
    """A meeting, and an account that sees it by a grant in it alone: (the system, the
    meeting, the account, the grant)."""
    with transaction(sessions) as session:
        organization = demo_organization(session)
        system = Caller(Actor.system("tests"), None, True, organization.id)
        term = general_council_term(session)
        meeting = do_create_meeting(session, system, term, "Plenary", starts_on=date.today())
        person = do_create_person(session, system, organization, "Wanda Watcher")
        user = do_create_user(session, system, organization, "watcher", PASSWORD, person=person)
        grant = do_grant_role(
            session, system, "secretary", scope=Scope.MEETING, scope_id=meeting.id, user_id=user.id
        )
        return system, meeting.id, user.id, grant.id


def test_a_stream_ends_when_the_grant_it_was_seen_by_is_revoked(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    system, meeting_id, _, grant_id = _watcher(sessions)
    events = f"/meetings/{meeting_id}/events"
    with serve(create_app(engine)) as url, httpx2.Client(base_url=url) as browser:
        log_in(browser, "watcher", PASSWORD)
        stream = EventReader(browser, events)
        assert stream.status == 200
        stream.next(RESYNC)
        with transaction(sessions) as session:
            do_revoke_grant(session, system, grant_id)
        stream.join()  # ended by the server, not by the test
        assert browser.get(events).status_code == 403


def test_a_stream_ends_when_its_account_is_deactivated(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_access, "ACCESS_RECHECK_SECONDS", 0.2)
    system, meeting_id, user_id, _ = _watcher(sessions)
    events = f"/meetings/{meeting_id}/events"
    app = create_app(engine)
    with serve(app) as url, httpx2.Client(base_url=url) as browser:
        log_in(browser, "watcher", PASSWORD)
        stream = EventReader(browser, events)
        stream.next(RESYNC)
        (opened,) = app.state.broker.streams_of(meeting_id)
        assert opened.login is not None  # the login it opened with, checked again
        with transaction(sessions) as session:
            do_deactivate_account(session, system, user_id)
        stream.join()
        assert browser.get(events).status_code == 303  # to the login page
