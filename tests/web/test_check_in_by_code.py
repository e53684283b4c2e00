"""Checking in by the code on a participant's access card: at the door, and by logging in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, WithAssembly, convene
from tests.helpers import row_count
from tests.web.page_client import SYSTEM, Browser, access_codes, secretary
from veche.actions.access_codes import do_issue_access_codes
from veche.actions.journal_actions import JournalAction
from veche.db import transaction
from veche.models import Attendance, JournalEntry, Meeting, Person

#: The desk page's form (marked ``one_database``) runs on SQLite alone; checking in by code
#: is proven on both databases by the API tests beside it.
#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@dataclass
class Door(WithAssembly):
    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly
    codes: dict[int, str]

    def scan(self, code: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
        return self.assembly.client.post(
            f"/api/meetings/{self.meeting}/attendance/code",
            json={"code": code, **body},
            headers=headers or self.assembly.secretary,
        )

    def journal(self) -> list[tuple[str, dict[str, Any]]]:
        with self.sessions() as session:
            rows = session.execute(
                select(JournalEntry.action, JournalEntry.payload).order_by(JournalEntry.seq)
            ).all()
            return [(action, dict(payload)) for action, payload in rows]

    def present(self) -> int:
        return row_count(self.sessions, Attendance)

    def move_meeting(self, starts_on: date) -> None:
        with transaction(self.sessions) as session:
            meeting = session.get(Meeting, self.meeting)
            assert meeting is not None
            meeting.starts_on = meeting.ends_on = starts_on


@pytest.fixture
def door(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Door]:
    app = create_app(engine)
    with TestClient(app) as client:
        assembly = convene(client, sessions)
        yield Door(app, sessions, assembly, access_codes(sessions, assembly.meeting_id))


def test_a_card_checks_its_holder_in_once_and_says_so_the_second_time(door: Door) -> None:
    member = door.assembly.members[0]
    code = door.codes[member]
    first = door.scan(code)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["person_id"] == member and answer["role"] == "member"
    assert answer["already_present"] is False and answer["day"] == date.today().isoformat()
    assert "is checked in" in answer["message"]
    attendance = door.assembly.client.get(
        f"/api/meetings/{door.meeting}/attendance",
        params={"day": date.today().isoformat()},
        headers=door.assembly.secretary,
    ).json()
    assert attendance["present"] == {"member": 1}
    entries = door.journal()
    assert entries[-1] == (
        JournalAction.CHECK_IN,
        {
            "meeting_id": door.meeting,
            "person_id": member,
            "day": date.today().isoformat(),
            "via": "access card at the door",
        },
    )
    # Typed again, in small letters and without dashes: harmless, and nothing is recorded.
    again = door.scan(code.replace("-", " ").lower())
    assert again.status_code == 200, again.text
    assert again.json()["already_present"] is True
    assert "was already checked in" in again.json()["message"]
    assert door.journal() == entries and door.present() == 1


def test_a_proxy_givers_card_says_what_became_of_the_proxy(
    door: Door, sessions: sessionmaker[Session]
) -> None:
    """As the desk's page does (``veche.actions.stand_ins.proxy_on_arrival``): the giver now
    votes in person, and a ballot their holder already cast for them stands."""
    assembly = door.assembly
    giver, holder, other = assembly.members[:3]
    assembly.check_in([holder])
    proxy = assembly.client.post(
        f"/api/meetings/{door.meeting}/proxies",
        json={"grantor_person_id": giver, "holder_person_id": holder},
        headers=assembly.secretary,
    )
    assert proxy.status_code == 201, proxy.text
    poll = assembly.create_poll(title="Adopt the budget", kind="decision")
    assembly.open(int(poll["id"]))
    yes = {"option": next(o["id"] for o in poll["options"] if o["label"] == "yes")}
    assert assembly.vote(poll["id"], holder, yes, right_person_id=giver).status_code == 201
    with sessions() as session:
        giver_name, holder_name = (
            session.get_one(Person, person).full_name for person in (giver, holder)
        )

    said = door.scan(door.codes[giver]).json()["proxy"]
    assert said.startswith(
        f"{giver_name} gave a proxy to {holder_name}: while present, {giver_name} votes in person"
    )
    assert (
        f"{holder_name} has already cast the vote of {giver_name} in “Adopt the budget”: "
        "that ballot stands" in said
    )
    assert door.scan(door.codes[giver]).json()["proxy"] == said  # scanned again: still said
    assert door.scan(door.codes[other]).json()["proxy"] is None  # gave no proxy


def test_the_card_is_not_used_up_at_the_door(door: Door) -> None:
    member = door.assembly.members[1]
    assert door.scan(door.codes[member]).status_code == 200
    phone = Browser(door.app)
    assert phone.log_in_with_code(door.codes[member]).status_code == 303


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        ("ABCD-EFGH", 422, "an access code has 12 letters and digits"),
        ("ABCD-EFGH-JKMN", 404, "no access card has this code"),
    ],
)
def test_a_wrong_code_is_refused_and_changes_nothing(
    door: Door, code: str, status: int, words: str
) -> None:
    before = door.journal()
    response = door.scan(code)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert door.journal() == before and door.present() == 0


def test_a_card_of_another_meeting_is_refused(door: Door) -> None:
    other = door.assembly.client.post(
        "/api/meetings",
        json={
            "term_id": _term_of(door),
            "title": "Extraordinary Meeting",
            "starts_on": date.today().isoformat(),
        },
        headers=door.assembly.secretary,
    ).json()["id"]
    foreign = access_codes(door.sessions, other)[door.assembly.members[0]]
    before = door.journal()
    response = door.scan(foreign)
    assert response.status_code == 422
    assert "this access card is for another meeting" in response.json()["detail"]
    assert door.journal() == before and door.present() == 0


def _term_of(door: Door) -> int:
    with door.sessions() as session:
        meeting = session.get(Meeting, door.meeting)
        assert meeting is not None
        return meeting.term_id


def test_a_replaced_card_is_refused_at_the_door(door: Door) -> None:
    member = door.assembly.members[2]
    with transaction(door.sessions) as session:
        meeting = session.get(Meeting, door.meeting)
        assert meeting is not None
        do_issue_access_codes(session, SYSTEM, meeting, [member])
    before = door.journal()
    response = door.scan(door.codes[member])
    assert response.status_code == 409
    assert "was replaced by a newer one" in response.json()["detail"]
    assert door.journal() == before and door.present() == 0


def test_a_card_of_a_meeting_that_is_over_has_expired(door: Door) -> None:
    door.move_meeting(date.today() - timedelta(days=10))
    before = door.journal()
    response = door.scan(door.codes[door.assembly.members[0]], day=None)
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]
    assert door.journal() == before and door.present() == 0


def test_a_day_outside_the_meeting_is_refused(door: Door) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = door.scan(door.codes[door.assembly.members[0]], day=tomorrow)
    assert response.status_code == 422
    assert "is not a day of meeting" in response.json()["detail"]
    assert door.present() == 0


def test_checking_out_on_a_day_outside_the_meeting_is_refused_as_checking_in_is(
    door: Door,
) -> None:
    assembly = door.assembly
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    before = door.journal()
    for present in (True, False):
        response = assembly.client.post(
            f"/api/meetings/{assembly.meeting_id}/attendance",
            json={"person_ids": [assembly.members[0]], "day": tomorrow, "present": present},
            headers=assembly.secretary,
        )
        assert response.status_code == 422, response.text
        assert "is not a day of meeting" in response.json()["detail"]
    assert door.journal() == before


def test_only_the_chair_or_the_secretary_checks_people_in_by_code(door: Door) -> None:
    delegate = door.assembly.members[3]
    response = door.scan(door.codes[delegate], headers=door.assembly.as_person(delegate))
    assert response.status_code == 403
    assert "only a chair or a secretary" in response.json()["detail"]
    assert door.present() == 0


@pytest.mark.one_database
def test_the_desk_page_checks_in_by_code_with_its_csrf_token(door: Door) -> None:
    desk = secretary(door.app)
    page = desk.get(door.desk_path)
    assert 'id="door-code"' in page.text and "Check in at the door" in page.text
    member = door.assembly.members[4]
    path = f"{door.desk_path}/attendance/code"
    forged = desk.client.post(path, data={"code": door.codes[member]})
    assert forged.status_code == 403 and door.present() == 0
    done = desk.post(path, {"code": door.codes[member], "day": date.today().isoformat()})
    assert done.status_code == 303
    assert done.headers["location"].endswith("#door")
    shown = desk.get(done.headers["location"])
    assert "is checked in on" in shown.text
    assert door.present() == 1
    again = desk.post(path, {"code": door.codes[member]})
    assert "was already checked in" in desk.get(again.headers["location"]).text
    unknown = desk.post(path, {"code": "ABCD-EFGH-JKMN"})
    assert unknown.status_code == 404 and "no access card has this code" in unknown.text
    assert door.present() == 1


def test_logging_in_with_a_card_on_a_meeting_day_checks_the_holder_in(door: Door) -> None:
    door.assembly.amend(notice="Notice.")
    door.assembly.move_on("convened", "in_session")
    member = door.assembly.members[5]
    phone = Browser(door.app)
    assert phone.log_in_with_code(door.codes[member]).status_code == 303
    assert door.present() == 1
    _, payload = next(e for e in reversed(door.journal()) if e[0] == JournalAction.CHECK_IN)
    assert payload == {
        "meeting_id": door.meeting,
        "person_id": member,
        "day": date.today().isoformat(),
        "via": "access code login",
    }
    with door.sessions() as session:
        actor = session.scalar(
            select(JournalEntry.actor_name)
            .where(JournalEntry.action == JournalAction.CHECK_IN)
            .order_by(JournalEntry.seq.desc())
        )
    assert actor is not None and not actor.startswith("system")


def test_logging_in_before_the_meeting_is_convened_checks_no_one_in(door: Door) -> None:
    phone = Browser(door.app)
    assert phone.log_in_with_code(door.codes[door.assembly.members[6]]).status_code == 303
    assert door.present() == 0
