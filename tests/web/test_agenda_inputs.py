"""The agenda's inputs are declared once (``veche.web.inputs_agenda``): the same item, move,
proposed change or decision gives the same result through the API and through the pages, and
the same bad input the same refusal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import Api, demo_api
from tests.web.page_client import Browser, delegates, secretary

#: The API and the page parse the same input alike before anything is stored; the changes
#: themselves are stored on both databases by the action and API tests. They start from the
#: demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

DAY = date.today()


@dataclass
class Doors:
    """A meeting in session with its agenda still a draft, and the two ways into it: the
    secretary's API token and the secretary's browser (a member's phone for proposals)."""

    api: Api
    meeting_id: int
    members: list[int]
    secretary: Browser
    phone: Browser

    @property
    def agenda_page(self) -> str:
        return f"/secretary/meetings/{self.meeting_id}/agenda"

    @property
    def proposals_page(self) -> str:
        return f"/meetings/{self.meeting_id}/agenda/proposals"

    def items(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.api.get(f"/meetings/{self.meeting_id}/agenda")["items"]
        return found

    def proposals(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.api.get(f"/meetings/{self.meeting_id}/agenda/proposals")
        return found

    def through_page(self, browser: Browser, path: str, form: dict[str, Any]) -> None:
        response = browser.post(path, form)
        assert response.status_code == 303, response.text


@pytest.fixture
def doors(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Doors]:
    app = create_app(engine)
    with TestClient(app) as client:
        api = demo_api(client, sessions)
        m = api.new_meeting(DAY, notice="Notice.")["id"]
        api.move_on(m, "convened", "in_session")
        people = api.get(f"/meetings/{m}/participants")
        members = [p["person_id"] for p in people if p["role"] == "member"]
        (phone,) = delegates(app, sessions, m, members[:1])
        yield Doors(api, m, members, secretary(app), phone.browser)


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name not in names}


def test_an_agenda_item_is_the_same_through_the_api_and_the_page(doors: Doors) -> None:
    item: dict[str, Any] = {
        "title": "Report of the Board",
        "kind": "motion",
        "description": "The year in review.",
        "rapporteur_person_id": doors.members[3],
        "rapporteur_body_id": doors.api.bodies["General Council"],
        "time_budget_minutes": 45,
        "speech_seconds": 180,
        "speeches_per_person": 2,
    }
    doors.through_page(doors.secretary, f"{doors.agenda_page}/items", item)
    doors.api.post(f"/meetings/{doors.meeting_id}/agenda", **item)
    by_page, by_api = doors.items()
    assert _without(by_page, "id", "position") == _without(by_api, "id", "position")
    assert {name: by_page[name] for name in item} == item

    # A browser sends every field it shows, "" for those left empty: they are not given.
    blanks = {name: "" for name in item} | {"title": "Any other business"}
    doors.through_page(doors.secretary, f"{doors.agenda_page}/items", blanks)
    doors.api.post(f"/meetings/{doors.meeting_id}/agenda", title="Any other business")
    *_, by_page, by_api = doors.items()
    assert _without(by_page, "id", "position") == _without(by_api, "id", "position")
    assert (by_page["kind"], by_page["rapporteur_person_id"], by_page["speech_seconds"]) == (
        "report",
        None,
        300,
    )

    changed: dict[str, Any] = {"title": "Closing", "kind": "information", "speech_seconds": 60}
    first, second, *_ = (row["id"] for row in doors.items())
    doors.through_page(doors.secretary, f"{doors.agenda_page}/items/{first}", changed)
    doors.api.call("PATCH", f"/agenda-items/{second}", **changed)
    by_page, by_api, *_ = doors.items()
    assert _without(by_page, "id", "position") == _without(by_api, "id", "position")
    assert by_page["title"] == "Closing" and by_page["speech_seconds"] == 60


def test_a_move_is_the_same_through_the_api_and_the_page(doors: Doors) -> None:
    for title in ("Opening", "Report", "Budget", "Closing"):
        doors.api.post(f"/meetings/{doors.meeting_id}/agenda", title=title)
    opening, report, budget, closing = (row["id"] for row in doors.items())
    doors.through_page(
        doors.secretary, f"{doors.agenda_page}/items/{report}/move", {"direction": "up"}
    )
    doors.api.post(f"/agenda-items/{closing}/move", 200, direction="up")
    order = [row["title"] for row in doors.items()]
    assert order == ["Report", "Opening", "Closing", "Budget"]
    # The page's arrows and the API's position move alike: up is one place less.
    doors.api.post(f"/agenda-items/{budget}/move", 200, position=1)
    doors.through_page(
        doors.secretary, f"{doors.agenda_page}/items/{opening}/move", {"direction": "down"}
    )
    assert [row["title"] for row in doors.items()] == ["Budget", "Report", "Closing", "Opening"]


@pytest.mark.parametrize(
    ("body", "form", "words"),
    [
        ({"direction": "left"}, {"direction": "left"}, "an item moves up or down, not 'left'"),
        ({"position": None}, {"direction": ""}, "give the item's new position, or a direction"),
        ({"direction": "up", "position": 2}, {"direction": "up", "position": 2}, "not both"),
    ],
)
def test_a_bad_move_is_refused_alike_through_the_api_and_the_page(
    doors: Doors, body: dict[str, Any], form: dict[str, Any], words: str
) -> None:
    doors.api.post(f"/meetings/{doors.meeting_id}/agenda", title="Opening")
    doors.api.post(f"/meetings/{doors.meeting_id}/agenda", title="Report")
    _opening, report = (row["id"] for row in doors.items())
    by_api = doors.api.call("POST", f"/agenda-items/{report}/move", 422, **body)
    by_page = doors.secretary.post(f"{doors.agenda_page}/items/{report}/move", form)
    assert words in by_api["detail"]
    assert by_page.status_code == 422 and words.replace("'", "&#39;") in by_page.text
    assert [row["title"] for row in doors.items()] == ["Opening", "Report"]


def test_a_proposal_and_its_rejection_are_the_same_through_the_api_and_the_page(
    doors: Doors,
) -> None:
    for title in ("On the budget", "On housing"):
        doors.api.post(f"/meetings/{doors.meeting_id}/agenda", title=title)
    _budget, housing = (row["id"] for row in doors.items())
    asked = {"kind": "move", "agenda_item_id": housing, "position": 1, "rationale": "Urgent."}
    # The page's form for a move has no title field; a stray empty one is not given.
    doors.through_page(doors.phone, doors.proposals_page, asked | {"title": ""})
    path = f"/meetings/{doors.meeting_id}/agenda/proposals"
    doors.api.call("POST", path, 201, as_person=doors.members[1], **asked)
    by_page, by_api = doors.proposals()
    same = ("id", "number", "proposer_person_id", "proposer", "created_at", "decided_at")
    assert _without(by_page, *same) == _without(by_api, *same)
    assert by_page["change"] == "move “On housing” to position 1"

    reason = {"reason": "The notice fixed the order."}
    doors.through_page(doors.secretary, f"{doors.proposals_page}/{by_page['id']}/reject", reason)
    doors.api.post(f"/agenda-proposals/{by_api['id']}/decision", 200, decision="rejected", **reason)
    by_page, by_api = doors.proposals()
    assert _without(by_page, *same) == _without(by_api, *same)
    assert (by_page["state"], by_page["reason"]) == ("rejected", reason["reason"])
