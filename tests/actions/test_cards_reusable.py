"""An access card logs its holder in as often as needed — on a second device, again after
logging out — until a new card is printed for them or the meeting is over; only its hash is
kept. On both databases: the rule is a query of ``veche.actions.access_codes``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened
from tests.term_meetings import another_meeting
from tests.web.page_client import Browser, access_codes
from veche.actions.access_codes import normalize_code
from veche.actions.auth import do_open_login_session
from veche.db import transaction
from veche.models import AccessCode, LoginSession, Person

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@dataclass
class Hall:
    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly

    @property
    def meeting_page(self) -> str:
        return f"/meetings/{self.assembly.meeting_id}"

    def logged_in(self, browser: Browser) -> bool:
        """Whether the browser's login lets it see the meeting (a logged-out one is sent to
        the login page)."""
        answer = browser.get(self.meeting_page)
        assert answer.status_code in (200, 303), answer.text
        return bool(answer.status_code == 200)


@pytest.fixture
def hall(engine: Engine, sessions: sessionmaker[Session], convened: Convened) -> Iterator[Hall]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield Hall(app, sessions, convened.on(client))


def test_one_card_logs_in_on_two_devices_and_again_after_logging_out(hall: Hall) -> None:
    member = hall.assembly.members[2]
    code = access_codes(hall.sessions, hall.assembly.meeting_id)[member]
    phone, laptop = Browser(hall.app), Browser(hall.app)
    assert phone.log_in_with_code(code).status_code == 303
    assert laptop.log_in_with_code(code.lower().replace("-", " ")).status_code == 303
    assert hall.logged_in(phone) and hall.logged_in(laptop)

    assert phone.post("/logout").status_code == 303
    assert not hall.logged_in(phone)
    again = phone.log_in_with_code(code)
    assert again.status_code == 303 and again.headers["location"] == hall.meeting_page
    assert hall.logged_in(phone)

    with hall.sessions() as session:
        card = session.scalars(select(AccessCode).where(AccessCode.person_id == member)).one()
    assert card.used_at is not None and card.revoked_at is None
    # Only the code's hash is kept, never the code.
    assert card.code_hash == hashlib.sha256(normalize_code(code).encode()).hexdigest()
    assert normalize_code(code) not in card.code_hash.upper()


def test_a_card_printed_again_voids_the_used_one_too(hall: Hall) -> None:
    member = hall.assembly.members[3]
    lost = access_codes(hall.sessions, hall.assembly.meeting_id)[member]
    finder = Browser(hall.app)  # whoever found the lost card, logged in with it already
    assert finder.log_in_with_code(lost).status_code == 303 and hall.logged_in(finder)
    bystander = Browser(hall.app)  # another participant's login stays
    neighbour = hall.assembly.members[4]
    other = access_codes(hall.sessions, hall.assembly.meeting_id, [neighbour])[neighbour]
    assert bystander.log_in_with_code(other).status_code == 303
    new = access_codes(hall.sessions, hall.assembly.meeting_id, [member])[member]
    # The new card ends the logins the lost one made, not only its future ones.
    assert not hall.logged_in(finder)
    assert hall.logged_in(bystander)
    refused = Browser(hall.app).log_in_with_code(lost)
    assert refused.status_code == 401 and "this access code is not valid" in refused.text
    door = hall.assembly.client.post(
        f"/api/meetings/{hall.assembly.meeting_id}/attendance/code",
        json={"code": lost},
        headers=hall.assembly.secretary,
    )
    assert door.status_code == 409 and "replaced by a newer one" in door.json()["detail"]
    assert Browser(hall.app).log_in_with_code(new).status_code == 303
    with hall.sessions() as session:
        cards = session.scalars(
            select(AccessCode).where(AccessCode.person_id == member).order_by(AccessCode.id)
        ).all()
    assert [card.revoked_at is not None for card in cards] == [True, False]


def test_a_card_printed_again_leaves_the_logins_made_with_the_holders_other_cards(
    hall: Hall,
) -> None:
    assembly = hall.assembly
    member = assembly.members[1]
    other = assembly.create("/meetings", **another_meeting(assembly, "Budget Meeting"))
    lost = access_codes(hall.sessions, assembly.meeting_id, [member])[member]
    kept = access_codes(hall.sessions, other["id"], [member])[member]
    finder, holder = Browser(hall.app), Browser(hall.app)
    assert finder.log_in_with_code(lost).status_code == 303
    assert holder.log_in_with_code(kept).status_code == 303
    access_codes(hall.sessions, assembly.meeting_id, [member])
    # Only the lost card's logins end: the holder's login with the card of their other
    # meeting stands (it ended too, before logins named their card).
    assert not hall.logged_in(finder)
    assert holder.get(f"/meetings/{other['id']}").status_code == 200


def test_a_card_printed_again_ends_the_holders_logins_that_name_no_card(hall: Hall) -> None:
    # Logins made before migration 0024 name no card: any of the holder's may be the lost one's.
    member = hall.assembly.members[2]
    access_codes(hall.sessions, hall.assembly.meeting_id, [member])
    with transaction(hall.sessions) as session:
        do_open_login_session(session, person=session.get(Person, member), via="access code")
    access_codes(hall.sessions, hall.assembly.meeting_id, [member])
    with hall.sessions() as session:
        left = session.scalars(select(LoginSession).where(LoginSession.person_id == member)).all()
    assert left == []
