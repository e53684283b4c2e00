"""A login with an access card is the meeting's: it acts as its holder's place there and
nowhere else, never with the person's grants (administrator, reporter) nor in their other
meetings, since the meeting's chair prints cards for whomever they invite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened
from tests.term_meetings import another_meeting
from tests.web.page_client import Browser
from veche.actions.access import Caller, holds, units_holding
from veche.actions.actor import Actor
from veche.actions.auth import do_open_login_session, login_session_caller
from veche.db import transaction
from veche.models import AccessCode, Person
from veche.permissions import Permission
from veche.web.fragment_cache import _held_key

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@pytest.fixture
def assembly(engine: Engine, convened: Convened) -> Iterator[tuple[FastAPI, Assembly]]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield app, convened.on(client)


def _granted_everywhere(assembly: Assembly) -> tuple[int, int]:
    """A person granted the administrator's role and a unit's reporter's, as a person (not
    an account); the unit's id."""
    person = assembly.create("/people", full_name="Vera Castell")["id"]
    unit = assembly.create("/units", name="Harbour Branch")["id"]
    organization = assembly.client.get("/api/organization", headers=assembly.secretary)
    assert organization.status_code == 200, organization.text
    for role, scope, scope_id in (
        ("administrator", "organization", organization.json()["id"]),
        ("reporter", "unit", unit),
    ):
        assembly.create("/role-grants", role=role, scope=scope, scope_id=scope_id, person_id=person)
    return person, unit


def _card(assembly: Assembly, meeting_id: int, person_id: int) -> str:
    """What a chair does: invite anyone of the organization, and print their card."""
    assembly.create(f"/meetings/{meeting_id}/participants", person_id=person_id, role="observer")
    cards: list[dict[str, Any]] = assembly.client.post(
        f"/api/meetings/{meeting_id}/access-codes",
        json={"person_ids": [person_id]},
        headers=assembly.secretary,
    ).json()
    code: str = cards[0]["code"]
    return code


def test_a_card_acts_only_in_its_meeting_never_with_the_persons_grants(
    assembly: tuple[FastAPI, Assembly],
) -> None:
    app, hall = assembly
    person, _unit = _granted_everywhere(hall)
    other = hall.create("/meetings", **another_meeting(hall, "Budget Meeting"))["id"]
    code = _card(hall, hall.meeting_id, person)
    card = Browser(app)
    assert card.log_in_with_code(code).headers["location"] == f"/meetings/{hall.meeting_id}"
    assert card.get(f"/meetings/{hall.meeting_id}").status_code == 200
    # Not the administrator the person is granted to be …
    assert card.get("/secretary").status_code == 403
    listed = card.get("/meetings")
    assert f"/meetings/{other}" not in listed.text
    # … nor in a meeting the card is not of.
    assert card.get(f"/meetings/{other}").status_code == 403
    # A card has no password to change.
    changed = card.post(
        "/me/password",
        {
            "current_password": "anything at all",
            "new_password": "a card holder's new one",
            "new_password_again": "a card holder's new one",
        },
    )
    assert changed.status_code == 409 and "there is no password to change" in changed.text


def test_a_card_login_is_kept_to_its_meeting_and_its_place(
    assembly: tuple[FastAPI, Assembly], sessions: sessionmaker[Session]
) -> None:
    _app, hall = assembly
    person, unit = _granted_everywhere(hall)
    other = hall.create("/meetings", **another_meeting(hall, "Budget Meeting"))["id"]
    _card(hall, hall.meeting_id, person)
    with transaction(sessions) as session:
        found = session.scalars(select(AccessCode).where(AccessCode.person_id == person)).one()
        holder = session.get(Person, person)
        token = do_open_login_session(session, person=holder, card=found, via="access code")
    with transaction(sessions) as session:
        caller = login_session_caller(session, token)
        assert caller.card_meeting_id == hall.meeting_id
        organization = caller.organization_id
        assert organization is not None
        assert not holds(session, caller, Permission.ORGANIZATION_MANAGE, organization)
        assert not holds(session, caller, Permission.ACCOUNTS_MANAGE, organization)
        assert not holds(session, caller, Permission.FOLLOW_UP_REPORT, unit)
        assert units_holding(session, caller, Permission.FOLLOW_UP_REPORT, organization) == set()
        assert not holds(session, caller, Permission.MEETING_SEE, other)
        # In its own meeting, an observer's place: it sees, and runs nothing.
        assert holds(session, caller, Permission.MEETING_SEE, hall.meeting_id)
        assert not holds(session, caller, Permission.MEETING_RUN, hall.meeting_id)


def test_two_cards_of_a_person_are_two_holders_to_the_live_pages() -> None:
    """The live pages keep each holder's permissions in a meeting: a person's cards of two
    meetings must not share them (the card of one would be served the other's fragments)."""
    person = Actor(None, "card")
    of_three = Caller(person, 7, False, None, card_meeting_id=3)
    of_four = Caller(person, 7, False, None, card_meeting_id=4)
    assert _held_key(of_three, 4) != _held_key(of_four, 4)
