"""Through the API and the pages alike, one who may not do a thing is refused (403) whatever
row they name, before being told it is missing (404) or that they take no part (422); the
secretary's desk takes the same input as the API. (The actions' side, on both databases:
``tests/actions/test_refusals_come_first.py``.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import bearer_token
from tests.helpers import demo_organization
from tests.web.desk_client import Desk, PreparedDesk, open_desk
from tests.web.page_client import Browser, today
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.org import do_create_person, do_create_user
from veche.actions.roles import do_define_role, do_grant_role
from veche.db import transaction
from veche.models.meetings import Office
from veche.permissions import Permission, Scope

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

MISSING = 999_999
ONLOOKER = ("onlooker", "onlooker-password")


@dataclass
class Hall:
    desk: Desk
    item_id: int
    motion_id: int
    single_poll: int
    ranked_poll: int
    #: Sees the meeting by a grant and takes no part in it: a browser and an API token.
    onlooker: Browser
    onlooker_token: dict[str, str]

    @property
    def meeting(self) -> int:
        return self.desk.meeting

    @property
    def term_id(self) -> int:
        return int(self.call("GET", f"/meetings/{self.meeting}").json()["term_id"])

    @property
    def api(self) -> TestClient:
        return self.desk.assembly.client

    def call(
        self, verb: str, path: str, body: Any = None, who: dict[str, str] | None = None
    ) -> Any:
        headers = who or self.desk.assembly.secretary
        return self.api.request(verb, "/api" + path, json=body, headers=headers)


def _onlooker(desk: Desk) -> dict[str, str]:
    """An account of the organization's that sees the meeting by a grant, and its token."""
    with transaction(desk.sessions) as session:
        organization = demo_organization(session)
        system = Caller(Actor.system("tests"), None, True, organization.id)
        person = do_create_person(session, system, organization, "Olga Onlooker")
        user = do_create_user(session, system, organization, *ONLOOKER, person=person)
        do_define_role(session, system, "onlooker", [Permission.MEETING_SEE])
        do_grant_role(
            session, system, "onlooker", scope=Scope.MEETING, scope_id=desk.meeting, user_id=user.id
        )
    return bearer_token(desk.assembly.client, *ONLOOKER)


@pytest.fixture
def hall(
    engine: Engine, sessions: sessionmaker[Session], prepared_desk: PreparedDesk
) -> Iterator[Hall]:
    with open_desk(engine, sessions, prepared_desk) as desk:
        token = _onlooker(desk)
        onlooker = Browser(desk.app)
        onlooker.log_in(*ONLOOKER)
        m = f"/meetings/{desk.meeting}"
        item = desk.assembly.create(f"{m}/agenda", title="On the budget")
        motion = desk.assembly.create(
            f"{m}/motions",
            title="On the budget",
            text="The Council adopts the budget.",
            submitter_person_ids=[desk.assembly.members[0]],
        )
        single = desk.assembly.create_poll(title="Adopt", kind="decision", method="majority")
        ranked = desk.assembly.create_poll(
            title="Elect", kind="choice", method="irv", options=["Ada", "Boris"]
        )
        yield Hall(
            desk,
            item["id"],
            motion["id"],
            single["id"],
            ranked["id"],
            onlooker,
            token,
        )


def test_the_desks_and_the_tellers_forms_refuse_before_looking_up_the_poll(hall: Hall) -> None:
    desk, delegate, teller = (
        hall.desk.secretary,
        hall.desk.others["delegate"],
        hall.desk.others["teller"],
    )
    at = f"/secretary/meetings/{hall.meeting}/polls"
    for poll in (MISSING, hall.ranked_poll):
        assert delegate.post(f"{at}/{poll}/paper", {"count_blank": "1"}).status_code == 403
        assert delegate.get(f"{at}/{poll}/paper/ballots").status_code == 403
        assert delegate.post(f"{at}/{poll}/paper/ballots", {"lot": "1 2"}).status_code == 403
    missing = desk.post(f"{at}/{MISSING}/paper", {"count_blank": "1"})
    assert missing.status_code == 404
    assert f"meeting {hall.meeting} has no poll {MISSING}" in missing.text
    assert teller.get(f"{at}/{MISSING}/paper/ballots").status_code == 404
    # Which form a poll's paper ballots take is told to those who enter them.
    assert teller.get(f"{at}/{hall.single_poll}/paper/ballots").status_code == 422
    assert desk.post(f"{at}/{hall.ranked_poll}/paper", {"count_blank": "1"}).status_code == 422


def test_the_agenda_page_refuses_before_looking_up_the_item(hall: Hall) -> None:
    delegate, desk = hall.desk.others["delegate"], hall.desk.secretary
    at = f"/secretary/meetings/{hall.meeting}/agenda/items"
    forms = {"": {"title": "Reworded"}, "/move": {"direction": "up"}, "/withdraw": {}}
    for step, form in forms.items():
        for item in (MISSING, hall.item_id):
            assert delegate.post(f"{at}/{item}{step}", form).status_code == 403, (step, item)
        assert desk.post(f"{at}/{MISSING}{step}", form).status_code == 404, step


def test_a_meetings_rows_are_refused_to_those_who_may_not_see_it(hall: Hall) -> None:
    # The onlooker's grant is in this meeting only: another meeting's rows stay closed to them,
    # whether or not the row named is there.
    other = hall.call(
        "POST",
        "/meetings",
        {"term_id": hall.term_id, "title": "Other Meeting", "starts_on": today()},
    ).json()["id"]
    for poll in (MISSING, hall.single_poll):
        response = hall.onlooker.get(f"/meetings/{other}/polls/{poll}/vote")
        assert response.status_code == 403, response.text


def test_one_who_may_not_speak_or_amend_is_refused_not_told_they_take_no_part(
    hall: Hall,
) -> None:
    m = hall.meeting
    speech = {"kind": "speech"}
    amendment = {"paragraph": 1, "new_text": "The Council adopts the accounts."}
    api = {
        "floor": hall.call(
            "POST", f"/agenda-items/{hall.item_id}/speakers", speech, hall.onlooker_token
        ),
        "amendment": hall.call(
            "POST", f"/motions/{hall.motion_id}/amendments", amendment, hall.onlooker_token
        ),
    }
    pages = {
        "floor": hall.onlooker.post(
            f"/meetings/{m}/floor/requests", {"item_id": hall.item_id, **speech}
        ),
        "amendment": hall.onlooker.post(
            f"/meetings/{m}/motions/{hall.motion_id}/amendments", amendment
        ),
    }
    assert {k: r.status_code for k, r in api.items()} == {"floor": 403, "amendment": 403}
    assert {k: r.status_code for k, r in pages.items()} == {"floor": 403, "amendment": 403}
    assert "only a member" in api["floor"].json()["detail"]


def test_changing_a_weight_through_the_api_keeps_the_office(hall: Hall) -> None:
    teller = hall.desk.assembly.members[1]  # made a teller by the desk
    at = f"/meetings/{hall.meeting}/participants/{teller}"
    weighed = hall.call("PATCH", at, {"weight": 2})
    assert weighed.status_code == 200, weighed.text
    assert (weighed.json()["office"], weighed.json()["weight"]) == (Office.TELLER, 2)
    cleared = hall.call("PATCH", at, {"office": None})
    assert (cleared.json()["office"], cleared.json()["weight"]) == (None, 2)
    # The desk's form names an office always: its empty first entry is none.
    made = hall.desk.secretary.post(
        f"/secretary/meetings/{hall.meeting}/offices", {"person_id": teller, "office": "teller"}
    )
    assert made.status_code == 303
    unmade = hall.desk.secretary.post(
        f"/secretary/meetings/{hall.meeting}/offices", {"person_id": teller, "office": ""}
    )
    assert unmade.status_code == 303
    listed = {
        row["person_id"]: row
        for row in hall.call("GET", f"/meetings/{hall.meeting}/participants").json()
    }
    assert listed[teller]["office"] is None
    # The query's own row, less the participant's id: the API names participants by person.
    assert set(listed[teller]) == {"person_id", "full_name", "role", "category", "office", "weight"}


def test_the_api_issues_access_cards_as_the_desk_prints_them(hall: Hall) -> None:
    at = f"/meetings/{hall.meeting}/access-codes"
    members = hall.desk.assembly.members
    issued = hall.call("POST", at, {"person_ids": members[:2]})
    assert issued.status_code == 201, issued.text
    cards = issued.json()
    assert sorted(card["person_id"] for card in cards) == sorted(members[:2])
    assert all(len(card["code"]) == 14 and card["role"] == "member" for card in cards)
    assert Browser(hall.desk.app).log_in_with_code(cards[0]["code"]).status_code == 303
    refused = hall.call("POST", at, {}, hall.desk.assembly.as_person(members[3]))
    assert refused.status_code == 403
    everyone = hall.call("POST", at, {})
    assert len(everyone.json()) == len(
        hall.call("GET", f"/meetings/{hall.meeting}/participants").json()
    )


def test_attendance_through_the_api_defaults_to_the_meetings_day_as_the_desk_does(
    hall: Hall,
) -> None:
    member = hall.desk.assembly.members[4]
    checked = hall.call("POST", f"/meetings/{hall.meeting}/attendance", {"person_ids": [member]})
    assert checked.status_code == 200, checked.text
    assert checked.json()["day"] == today() and checked.json()["present"] == {"member": 1}
    out = hall.desk.secretary.post(
        f"/secretary/meetings/{hall.meeting}/attendance", {"person_id": member, "present": "no"}
    )
    assert out.status_code == 303
    counted = hall.call("GET", f"/meetings/{hall.meeting}/attendance?day={today()}").json()
    assert counted["present"] == {}
