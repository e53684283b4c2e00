"""Agenda items, speakers and role grants made at once, as two server processes on
PostgreSQL make them: numbered one after the other, and granted once.

As in ``test_rights_under_races``, each racer has its own transaction and pauses just before
its row is written, so that every rival has read what it reads by then — unless a lock made
it wait, which is what these tests are about. SQLite's writers wait for each other anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _race
from tests.actions.test_rights_under_races import PAUSE, _paused_before_writing
from tests.helpers import demo_organization, general_council_term, term_members
from veche.actions.access import Caller, access_meeting
from veche.actions.accounts import do_deactivate_account
from veche.actions.actor import Actor
from veche.actions.agenda import ItemSpec, access_item, do_add_item
from veche.actions.auth import caller_of
from veche.actions.org import do_create_user
from veche.actions.roles import do_grant_role, do_revoke_grant
from veche.actions.speakers import do_request_floor
from veche.db import transaction
from veche.errors import Conflict, Forbidden
from veche.models import AgendaItem, FloorRequest, Role, RoleGrant, User
from veche.permissions import Scope

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _system(sessions: sessionmaker[Session]) -> Caller:
    with transaction(sessions) as session:
        organization = demo_organization(session)
        return Caller(Actor.system("tests"), None, True, organization.id)


def _meeting(sessions: sessionmaker[Session], system: Caller) -> tuple[int, list[int]]:
    from veche.actions.meetings import do_create_meeting

    with transaction(sessions) as session:
        term = general_council_term(session)
        meeting = do_create_meeting(session, system, term, "Plenary", starts_on=date.today())
        return meeting.id, term_members(session, term)


def _add_item(sessions: sessionmaker[Session], system: Caller, meeting_id: int, title: str) -> int:
    with transaction(sessions) as session:
        meeting = access_meeting(session, system, meeting_id)
        return do_add_item(session, system, meeting, ItemSpec(title)).position


def test_items_added_at_once_are_numbered_one_after_the_other(
    sessions: sessionmaker[Session],
) -> None:
    system = _system(sessions)
    meeting_id, _ = _meeting(sessions, system)
    jobs: list[Callable[[], Any]] = [
        lambda n=n: _add_item(sessions, system, meeting_id, f"Item {n}")  # type: ignore[misc]
        for n in range(3)
    ]
    with _paused_before_writing(sessions, AgendaItem):
        outcomes = _race(jobs)
    assert sorted(outcomes) == [1, 2, 3], outcomes


def _ask(sessions: sessionmaker[Session], system: Caller, item_id: int, person_id: int) -> int:
    with transaction(sessions) as session:
        item = access_item(session, system, item_id)
        return do_request_floor(session, system, item, person_id=person_id).position


def test_speakers_asking_at_once_get_places_one_after_the_other(
    sessions: sessionmaker[Session],
) -> None:
    system = _system(sessions)
    meeting_id, members = _meeting(sessions, system)
    with transaction(sessions) as session:
        meeting = access_meeting(session, system, meeting_id)
        item_id = do_add_item(session, system, meeting, ItemSpec("Debate")).id
    # Six speakers, one of them twice: one speech each is the item's limit.
    speakers = [*members[:5], members[0]]
    jobs: list[Callable[[], Any]] = [
        lambda p=person_id: _ask(sessions, system, item_id, p)  # type: ignore[misc]
        for person_id in speakers
    ]
    with _paused_before_writing(sessions, FloorRequest):
        outcomes = _race(jobs)
    placed = sorted(o for o in outcomes if isinstance(o, int))
    refused = [o for o in outcomes if not isinstance(o, int)]
    assert placed == [1, 2, 3, 4, 5], outcomes
    assert len(refused) == 1 and isinstance(refused[0], Conflict), refused
    assert "as often as its limit allows (1 speech a person)" in refused[0].message
    assert "person " not in refused[0].message  # named, not numbered


def _grant(sessions: sessionmaker[Session], system: Caller, user_id: int) -> int:
    with transaction(sessions) as session:
        assert system.organization_id is not None
        return do_grant_role(
            session,
            system,
            "secretary",
            scope=Scope.ORGANIZATION,
            scope_id=system.organization_id,
            user_id=user_id,
        ).id


def test_the_same_grant_sent_twice_at_once_is_made_once(sessions: sessionmaker[Session]) -> None:
    system = _system(sessions)
    with sessions() as session:
        secretaries = (
            select(RoleGrant.user_id)
            .join(Role, Role.id == RoleGrant.role_id)
            .where(Role.name == "secretary", RoleGrant.user_id.is_not(None))
        )
        user_id = session.scalars(
            select(User.id).where(User.id.not_in(secretaries)).order_by(User.id)
        ).first()
        assert user_id is not None
        before = _grants_of(session, user_id)
    jobs: list[Callable[[], Any]] = [lambda: _grant(sessions, system, user_id)] * 2
    with _paused_before_writing(sessions, RoleGrant):
        outcomes = _race(jobs)
    granted = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if not isinstance(o, int)]
    assert len(granted) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], Conflict) and "already granted" in refused[0].message
    with transaction(sessions) as session:
        do_revoke_grant(session, system, granted[0])
    with sessions() as session:
        assert _grants_of(session, user_id) == before  # revoked, the role is no longer held


def _grants_of(session: Session, user_id: int) -> int:
    return len(
        session.scalars(
            select(RoleGrant.id).where(
                RoleGrant.user_id == user_id, RoleGrant.scope == Scope.ORGANIZATION
            )
        ).all()
    )


#: The administrators' password in the deactivation race.
PASSWORD = "two administrators at odds"


def _deactivate(sessions: sessionmaker[Session], by: int, account: int) -> str:
    with transaction(sessions) as session:
        caller = caller_of(session.get(User, by), None)
        return do_deactivate_account(session, caller, account).username


def test_two_administrators_closing_each_other_at_once_leave_one(
    sessions: sessionmaker[Session],
) -> None:
    """Each waits for the other: the second finds its own account closed meanwhile, and
    closes nothing with it."""
    system = _system(sessions)
    with transaction(sessions) as session:
        organization = demo_organization(session)
        first, second = (
            do_create_user(session, system, organization, name, PASSWORD, administrator=True).id
            for name in ("ada-admin", "bo-admin")
        )
    engine = sessions.kw["bind"]

    def pause(*args: Any) -> None:
        if args[2].lstrip().startswith("UPDATE user_account "):
            time.sleep(PAUSE)

    event.listen(engine, "before_cursor_execute", pause)
    try:
        outcomes = _race(
            [
                lambda: _deactivate(sessions, first, second),
                lambda: _deactivate(sessions, second, first),
            ]
        )
    finally:
        event.remove(engine, "before_cursor_execute", pause)
    closed = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if not isinstance(o, str)]
    assert len(closed) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], Forbidden), refused
    with sessions() as session:
        active = session.scalars(select(User.active).where(User.id.in_([first, second]))).all()
    assert sorted(active) == [False, True]
