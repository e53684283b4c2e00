"""The desk's attendance column: a check-in made by mistake undone from its row, one who came
and left told from one who never came, and the desk of a meeting whose report is published,
which says the record no longer changes and offers none of the changes it would refuse."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened, WithAssembly
from tests.helpers import row_count
from tests.web.page_client import Browser, secretary
from veche.actions.events import LiveEvent, LiveEventType
from veche.models import Attendance, Person

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


@dataclass
class DeskPage(WithAssembly):
    sessions: sessionmaker[Session]
    assembly: Assembly
    secretary: Browser

    def name(self, person_id: int) -> str:
        with self.sessions() as session:
            person = session.get(Person, person_id)
            assert person is not None
            return person.full_name

    def row(self, person_id: int) -> str:
        """The person's row of the desk's list, found by their name."""
        name = self.name(person_id)
        page = str(self.secretary.get(self.desk_path, params={"q": name}).text)
        start = page.index(f'<th scope="row">{name}')
        return page[start : page.index("</tr>", start)]

    def attend(self, person_id: int, present: bool) -> None:
        form = {"person_id": person_id, "present": "yes" if present else "no"}
        done = self.secretary.post(f"{self.desk_path}/attendance", form)
        assert done.status_code == 303, done.text


@pytest.fixture
def desk_page(
    engine: Engine, sessions: sessionmaker[Session], convened: Convened
) -> Iterator[DeskPage]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield DeskPage(sessions, convened.on(client), secretary(app))


UNDO = re.compile(r'<form method="post" action="(/secretary/meetings/\d+/attendance/undo\?[^"]*)"')


def test_a_check_in_made_by_mistake_is_undone_from_its_row(
    desk_page: DeskPage, events: list[LiveEvent]
) -> None:
    desk = desk_page
    wrong, gone = desk.assembly.members[:2]
    name, today = desk.name(wrong), date.today().isoformat()
    assert "Undo the check-in" not in desk.row(wrong)  # nothing to undo before a check-in
    desk.attend(wrong, present=True)
    row = desk.row(wrong)
    assert f'aria-label="Undo the check-in of {name} on {today}">Undo the check-in<' in row
    action = UNDO.search(row)
    assert action is not None
    undone = desk.secretary.post(
        action.group(1).replace("&amp;", "&"), {"person_id": wrong, "day": today}
    )
    assert undone.status_code == 303, undone.text
    assert undone.headers["location"].endswith("#attendance")
    shown = desk.secretary.get(undone.headers["location"]).text
    said = re.search(r'<p class="flash" role="status" id="attendance-said">([^<]+)<', shown)
    assert said is not None and said.group(1) == f"The check-in of {name} on {today} is undone."
    assert row_count(desk.sessions, Attendance) == 0
    # The pages that follow attendance hear of it, as of a check-in.
    heard = [e.type for e in events if e.meeting_id == desk.meeting]
    assert heard == [LiveEventType.ATTENDANCE_CHANGED] * 2
    assert "absent" in desk.row(wrong) and "Undo the check-in" not in desk.row(wrong)

    # One who came and left is "checked out", with the check-in still to undo.
    desk.attend(gone, present=True)
    desk.attend(gone, present=False)
    row = desk.row(gone)
    assert "checked out" in row and "Undo the check-in" in row and ">Check in<" in row
    summary = desk.secretary.get(desk.desk_path).text
    assert "member: 0 of " in summary and "(1 attended, 1 checked out)" in summary

    # Nothing to undo: refused beside the list, on the desk.
    refused = desk.secretary.post(f"{desk.desk_path}/attendance/undo", {"person_id": wrong})
    assert refused.status_code == 409
    alert = re.search(
        r'<p class="error" role="alert" id="attendance-said"[^>]*>([^<]+)<', refused.text
    )
    assert alert is not None
    assert alert.group(1) == f"{name} was not checked in on {today}: there is no check-in to undo"
    assert row_count(desk.sessions, Attendance) == 1


def test_a_check_in_a_closed_decisions_quorum_counted_is_undone_neither_at_the_desk_nor_by_api(
    desk_page: DeskPage,
) -> None:
    """The close of a decision records the members present that its quorum took: undoing the
    check-in of one of them would leave the minutes showing fewer present than that."""
    desk = desk_page
    counted, late = desk.assembly.members[:2]
    name, today = desk.name(counted), date.today().isoformat()
    desk.attend(counted, present=True)
    poll = int(desk.assembly.create_poll(title="Adopt the budget", kind="decision")["id"])
    desk.assembly.open(poll)
    desk.assembly.close(poll)
    told = (
        f"cannot undo the check-in of {name} on {today}: the quorum of “Adopt the budget”, "
        "closed that day, counted them present; check them out instead if they left"
    )
    refused = desk.secretary.post(
        f"{desk.desk_path}/attendance/undo", {"person_id": counted, "day": today}
    )
    assert refused.status_code == 409, refused.text
    alert = re.search(
        r'<p class="error" role="alert" id="attendance-said"[^>]*>([^<]+)<', refused.text
    )
    assert alert is not None and alert.group(1) == told
    api = desk.assembly.client.post(
        f"/api/meetings/{desk.meeting}/attendance/undo",
        json={"person_id": counted, "day": today},
        headers=desk.assembly.secretary,
    )
    assert api.status_code == 409 and api.json() == {"detail": told}
    assert row_count(desk.sessions, Attendance) == 1
    # One checked in after the close was not counted: their check-in is undone.
    desk.attend(late, present=True)
    undone = desk.secretary.post(
        f"{desk.desk_path}/attendance/undo", {"person_id": late, "day": today}
    )
    assert undone.status_code == 303, undone.text
    assert row_count(desk.sessions, Attendance) == 1


def test_a_published_report_leaves_the_desk_nothing_to_change(desk_page: DeskPage) -> None:
    """Once the report is published the desk says so and offers no check-in or out, no undo,
    no card, no invitation, no proxy or substitute: each would be refused (409)."""
    desk = desk_page
    here, left = desk.assembly.members[:2]
    desk.attend(here, present=True)
    desk.attend(left, present=True)
    desk.attend(left, present=False)
    api = desk.assembly
    noticed = api.client.patch(
        f"/api/meetings/{desk.meeting}", json={"notice": "Called."}, headers=api.secretary
    )
    assert noticed.status_code == 200, noticed.text
    for state in ("convened", "in_session", "closed", "report_published"):
        moved = api.client.post(
            f"/api/meetings/{desk.meeting}/state", json={"state": state}, headers=api.secretary
        )
        assert moved.status_code == 200, moved.text
    page = desk.secretary.get(desk.desk_path).text
    assert "The report is published: who attended, stood in and held proxies" in page
    for gone in (
        'id="door-code"',
        "/attendance?",
        "/attendance/undo",
        "/access-codes",
        "/participants",
        "/offices",
        "/proxies",
        "/substitutions",
        ">Check in<",
        ">Check out<",
    ):
        assert gone not in page, gone
    assert "no proxy is given or taken back any more" in page
    assert '<span class="done">present</span>' in desk.row(here)
    assert '<span class="meta">checked out</span>' in desk.row(left)
    # The registers are still there to read.
    assert f"{desk.desk_path}/attendance.csv" in page


def test_a_closed_meeting_s_desk_says_a_check_in_is_a_correction(desk_page: DeskPage) -> None:
    """Closed, not yet published: no door (arrivals are over), and the list's check-ins are
    said to correct the attendance the minutes state, giving no vote."""
    desk, api = desk_page, desk_page.assembly
    noticed = api.client.patch(
        f"/api/meetings/{desk.meeting}", json={"notice": "Called."}, headers=api.secretary
    )
    assert noticed.status_code == 200, noticed.text
    in_session = desk.secretary.get(desk.desk_path).text
    assert 'id="door-code"' in in_session and "record-correcting" not in in_session
    for state in ("convened", "in_session", "closed"):
        moved = api.client.post(
            f"/api/meetings/{desk.meeting}/state", json={"state": state}, headers=api.secretary
        )
        assert moved.status_code == 200, moved.text
    page = desk.secretary.get(desk.desk_path).text
    assert 'id="door-code"' not in page
    assert "a check-in or check-out now corrects the attendance list the minutes" in page
    assert ">Check in<" in page  # the correction itself stays possible


def test_the_desk_sets_a_delegates_votes_as_the_api_does(desk_page: DeskPage) -> None:
    """A delegate carrying a branch's votes: set from their row's Change panel, with its
    office, through the API's own change (``ParticipantUpdate``); refused, with the reason,
    while a poll is open, since an open poll counts each right at the weight it was used."""
    member = desk_page.assembly.members[0]
    assert 'name="weight"' in desk_page.row(member)
    sent = desk_page.secretary.post(
        f"{desk_page.desk_path}/offices", {"person_id": member, "office": "", "weight": "3"}
    )
    assert sent.status_code == 303, sent.text
    participants = desk_page.assembly.client.get(
        f"/api/meetings/{desk_page.meeting}/participants", headers=desk_page.assembly.secretary
    ).json()
    weights = {p["person_id"]: p["weight"] for p in participants}
    assert weights[member] == 3
    assert re.search(r'name="weight" [^>]*value="3"', desk_page.row(member))
    assert "3 votes" in desk_page.row(member)
    desk_page.assembly.check_in(desk_page.assembly.members[:5])
    poll = desk_page.assembly.create_poll(title="Adopt the budget", kind="decision")
    desk_page.assembly.open(int(poll["id"]))
    refused = desk_page.secretary.post(
        f"{desk_page.desk_path}/offices", {"person_id": member, "office": "", "weight": "1"}
    )
    assert refused.status_code == 409 and "poll" in refused.text, refused.text
