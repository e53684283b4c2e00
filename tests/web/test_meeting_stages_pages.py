"""The meeting's stages from the secretary's desk: the notice written and the meeting convened,
the session opened, the meeting closed (confirmed) and its report published; and what a card
login does at each stage.

The steps' action is proven on both databases through the API (test_proceedings_api.py); the
pages that take it run on SQLite alone, from the demo organization (see tests/conftest.py).
Who may take a step: tests/web/test_pages_permissions.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, WithAssembly, convene
from tests.helpers import journaled, row_count
from tests.web.page_client import Browser, access_codes, secretary
from veche.actions.journal_actions import JournalAction
from veche.models import Attendance

pytestmark = [pytest.mark.demo, pytest.mark.one_database]

NOTICE = "The Bureau convenes the Council on the budget, in the main hall at ten."


@dataclass
class Desk(WithAssembly):
    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly
    secretary: Browser

    def step(self, **form: Any) -> Any:
        return self.secretary.post(f"{self.desk_path}/stage", form)

    def desk(self) -> str:
        return str(self.secretary.get(self.desk_path).text)

    def meeting_now(self) -> dict[str, Any]:
        """The meeting as the API gives it now."""
        response = self.assembly.client.get(
            f"/api/meetings/{self.meeting}", headers=self.assembly.secretary
        )
        return dict(response.json())

    def followed(self, response: Any) -> str:
        """The page a form's redirect leads to, with its message."""
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{self.desk_path}#stage"
        return str(self.secretary.get(response.headers["location"]).text)


@pytest.fixture
def desk(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Desk]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield Desk(app, sessions, convene(client, sessions), secretary(app))


def _stage(page: str) -> str:
    found = re.search(r'<h2 id="stage">Stage: ([^<]+)</h2>', page)
    assert found, page
    return found.group(1)


def test_the_desk_takes_a_meeting_from_draft_to_its_published_report(desk: Desk) -> None:
    page = desk.desk()
    assert _stage(page) == "Draft" and 'aria-current="step"' in page
    assert 'name="notice"' in page and "Convene the meeting" in page
    assert "Open the session" not in page and "Publish report" not in page

    saved = desk.followed(desk.step(state="draft", notice=f"  {NOTICE}  "))
    assert "the meeting is still a draft" in saved and _stage(saved) == "Draft"
    assert desk.meeting_now()["notice"] == NOTICE and desk.meeting_now()["state"] == "draft"

    convened = desk.followed(desk.step(state="convened", notice=NOTICE))
    assert "The meeting is convened with its notice." in convened
    assert _stage(convened) == "Convened" and "Open the session" in convened
    assert NOTICE in convened  # the notice, still to be changed until the session opens
    assert desk.meeting_now()["state"] == "convened"

    opened = desk.followed(desk.step(state="in_session"))
    assert _stage(opened) == "In session" and "The session is open." in opened
    assert 'name="notice"' not in opened
    assert 'name="confirmed"' in opened and "Close the meeting" in opened
    # A result counted but not published is said on the stage, before closing, where only
    # publishing the report said it.
    poll = desk.assembly.create_poll(title="Adopt the budget", kind="decision")
    desk.assembly.open(poll["id"])
    desk.assembly.close(poll["id"])
    waiting = desk.desk().split('data-testid="stage-waiting"')[1].split("</div>")[0]
    assert "Publish the result of “Adopt the budget” (on the console)" in waiting
    published_result = desk.assembly.client.post(
        f"/api/polls/{poll['id']}/publish", headers=desk.assembly.secretary
    )
    assert published_result.status_code == 200, published_result.text
    assert 'data-testid="stage-waiting"' not in desk.desk()

    closed = desk.followed(desk.step(state="closed", confirmed="yes"))
    assert _stage(closed) == "Closed" and "Publish report" in closed
    published = desk.secretary.post(f"{desk.desk_path}/publish-report")
    assert published.status_code == 303
    assert _stage(desk.desk()) == "Report published"
    assert desk.meeting_now()["state"] == "report_published"
    moves = [
        entry["state"] for entry in journaled(desk.sessions, JournalAction.CHANGE_MEETING_STATE)
    ]
    assert moves == ["convened", "in_session", "closed", "report_published"]
    # The notice was written once: convening it unchanged wrote it no second time.
    assert len(journaled(desk.sessions, JournalAction.UPDATE_MEETING)) == 1


def test_a_refused_step_shows_the_stage_again_with_what_was_typed(desk: Desk) -> None:
    blank = desk.step(state="convened", notice="   ")
    assert blank.status_code == 409 and "write the meeting&#39;s notice" in blank.text
    assert 'id="stage-error"' in blank.text and _stage(blank.text) == "Draft"
    assert desk.meeting_now()["state"] == "draft"

    skipped = desk.step(state="in_session", notice="A notice typed with a step too far.")
    assert skipped.status_code == 409 and "it can move on to convened only" in skipped.text
    assert "A notice typed with a step too far." in skipped.text  # kept in the field
    assert desk.meeting_now()["notice"] == ""  # nothing of the refused step was kept

    desk.followed(desk.step(state="convened", notice=NOTICE))
    desk.followed(desk.step(state="in_session"))
    late = desk.step(state="in_session", notice="A new notice after the opening.")
    assert late.status_code == 409 and "can change only before the session opens" in late.text

    unconfirmed = desk.step(state="closed")
    assert unconfirmed.status_code == 422 and "tick the box to confirm" in unconfirmed.text
    poll = desk.assembly.create_poll(title="Adopt the budget", kind="decision")
    desk.assembly.open(poll["id"])
    still_open = desk.step(state="closed", confirmed="yes")
    assert still_open.status_code == 409
    assert "the poll &#39;Adopt the budget&#39; is still open" in still_open.text
    assert f"poll {poll['id']}" not in still_open.text
    assert desk.meeting_now()["state"] == "in_session"


def test_the_convocation_changes_from_the_stage_until_the_session_opens(desk: Desk) -> None:
    convocation = f"/secretary/meetings/{desk.assembly.meeting_id}/convocation"
    day = desk.assembly.day
    moved = {
        "title": "Budget Meeting",
        "venue": "Harbour Hall",
        "starts_on": day.isoformat(),
        "ends_on": (day + timedelta(days=1)).isoformat(),
    }
    page = desk.followed(desk.secretary.post(convocation, moved))
    assert "The convocation is saved." in page
    assert {k: desk.meeting_now()[k] for k in moved} == moved
    backwards = {
        **moved,
        "title": "Kept as typed",
        "ends_on": (day - timedelta(days=1)).isoformat(),
    }
    refused = desk.secretary.post(convocation, backwards)
    assert refused.status_code == 422 and 'id="convocation-error"' in refused.text
    assert 'value="Kept as typed"' in refused.text  # what was typed, shown again
    assert desk.meeting_now()["title"] == "Budget Meeting"  # nothing of it kept
    desk.followed(desk.step(state="convened", notice=NOTICE))
    desk.followed(desk.step(state="in_session"))
    late = desk.secretary.post(convocation, {**moved, "venue": "Elsewhere"})
    assert late.status_code == 409 and "can change only before the session opens" in late.text
    assert desk.meeting_now()["venue"] == "Harbour Hall"


def test_a_new_meeting_is_said_to_be_a_draft_not_convened(desk: Desk) -> None:
    form = {"term_id": desk.meeting_now()["term_id"], "title": "Autumn Meeting"}
    made = desk.secretary.post("/secretary/meetings", {**form, "starts_on": date.today()})
    assert made.status_code == 303 and made.headers["location"].endswith("#stage")
    page = desk.secretary.get(made.headers["location"]).text
    assert "The meeting is prepared as a draft" in page and "is convened" not in page
    assert _stage(page) == "Draft"


def test_a_card_login_checks_in_while_in_session_and_not_before(desk: Desk) -> None:
    member = desk.assembly.members[5]
    code = access_codes(desk.sessions, desk.meeting)[member]
    desk.followed(desk.step(state="convened", notice=NOTICE))
    early = Browser(desk.app)
    answer = early.log_in_with_code(code)
    assert answer.status_code == 303
    assert "not checked in" in early.get(answer.headers["location"]).text
    assert row_count(desk.sessions, Attendance) == 0

    desk.followed(desk.step(state="in_session"))
    poll = desk.assembly.create_poll(title="Adopt the budget", kind="decision")
    desk.assembly.open(poll["id"])
    ballot = f"/meetings/{desk.meeting}/polls/{poll['id']}/vote"
    assert "You are not checked in as present" in early.get(ballot).text

    phone = Browser(desk.app)
    answer = phone.log_in_with_code(code)  # the same card, on a second device
    assert answer.status_code == 303
    assert "You are checked in as present today." in phone.get(answer.headers["location"]).text
    assert row_count(desk.sessions, Attendance) == 1
    check_in = journaled(desk.sessions, JournalAction.CHECK_IN)
    assert check_in == [
        {
            "meeting_id": desk.meeting,
            "person_id": member,
            "day": date.today().isoformat(),
            "via": "access code login",
        }
    ]
    shown = phone.get(ballot).text
    assert "not checked in" not in shown and 'type="radio"' in shown


def test_opening_early_and_closing_without_an_approved_agenda_are_said_and_confirmed(
    desk: Desk,
) -> None:
    """A session of a meeting dated six weeks ahead opened, and a meeting whose agenda was
    never approved closed, without a word."""
    ahead = date.today() + timedelta(days=42)
    dates = {"starts_on": ahead.isoformat(), "ends_on": ahead.isoformat()}
    desk.followed(desk.secretary.post(f"{desk.desk_path}/convocation", dates))
    convened = desk.followed(desk.step(state="convened", notice=NOTICE))
    caution = f"The meeting is dated {ahead.isoformat()}, 42 days from today."
    assert caution in convened
    # Plainly, what opening early leads to: no vote until the day, and the days fixed.
    assert (
        "No vote can be opened before its first day, and once the session is open its notice "
        "and its days can no longer change. If the meeting is to meet earlier, change its days "
        "first." in convened
    )
    assert (
        "I confirm that the session opens before the meeting&#39;s first day, and that no vote "
        "can be opened until that day." in convened
    )
    unconfirmed = desk.step(state="in_session")
    assert unconfirmed.status_code == 422 and caution in unconfirmed.text
    assert "Tick the box to confirm it" in unconfirmed.text
    assert desk.meeting_now()["state"] == "convened"
    opened = desk.followed(desk.step(state="in_session", confirmed="yes"))
    assert _stage(opened) == "In session"
    assert "The agenda was never approved" in opened  # said beside the closing step
    closed = desk.followed(desk.step(state="closed", confirmed="yes"))
    assert _stage(closed) == "Closed" and "The agenda was never approved" not in closed
