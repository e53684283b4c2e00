"""The debate's inputs are declared once (``veche.web.inputs_debate``): the same request for the
floor, amendment or paper gives the same result through the API and through the pages, and
the same bad input the same refusal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.meeting_api import Api
from tests.web.page_client import Browser
from tests.web.sitting import PreparedSitting, Sitting, WithSitting, serve_sitting
from veche.models import Amendment, Document

#: The API and the page parse the same input alike before anything is stored; the changes
#: themselves are stored on both databases by the action and API tests. They start from the
#: demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

BY_PAGE, BY_API = 7, 8


@dataclass
class Doors(WithSitting):
    """One sitting, and the two ways into it: a delegate's phone and another's API token."""

    api: Api
    sessions: sessionmaker[Session]
    sitting: Sitting
    phone: Browser
    secretary: Browser

    def through_api(self, path: str, expect: int, **body: Any) -> Any:
        return self.api.call("POST", path, expect, as_person=BY_API, **body)


@pytest.fixture
def doors(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Doors]:
    with serve_sitting(engine, sessions, sitting, [BY_PAGE]) as served:
        yield Doors(served.api, sessions, sitting.sitting, served.phones[BY_PAGE], served.secretary)


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name not in names}


def _as_made(amendment: dict[str, Any]) -> dict[str, Any]:
    """An amendment as the API shows it, less what tells two apart: its id, its number (also
    in its diff's header) and who proposed it."""
    diff = [line for line in amendment["diff"].splitlines() if not line.startswith("+++ ")]
    return {**_without(amendment, "id", "number", "proposer_person_id"), "diff": diff}


def test_a_request_for_the_floor_is_the_same_through_the_api_and_the_page(doors: Doors) -> None:
    asked = {"kind": "point_of_order", "subject": "time limits"}
    through_page = doors.phone.post(
        f"/meetings/{doors.meeting}/floor/requests", {"item_id": doors.sitting.item_id, **asked}
    )
    assert through_page.status_code == 303, through_page.text
    doors.through_api(f"/agenda-items/{doors.sitting.item_id}/speakers", 201, **asked)

    waiting = doors.api.get(f"/agenda-items/{doors.sitting.item_id}/speakers")["waiting"]
    assert [r["person_id"] for r in waiting] == [BY_PAGE, BY_API]
    by_page, by_api = (_without(r, "id", "person_id", "position") for r in waiting)
    assert by_page == by_api
    assert by_page["kind"] == "point_of_order" and by_page["subject"] == "time limits"


def test_an_amendment_is_the_same_through_the_api_and_the_page(doors: Doors) -> None:
    motion = doors.sitting.motion_id
    page = f"/meetings/{doors.meeting}/motions/{motion}"
    # A browser sends the fields left empty as "": they are not given.
    through_page = doors.phone.post(
        f"{page}/amendments",
        {"paragraph": "", "first_line": "2", "last_line": "", "new_text": "Spending is capped."},
    )
    assert through_page.status_code == 303, through_page.text
    by_api = doors.through_api(
        f"/motions/{motion}/amendments", 201, first_line=2, new_text="Spending is capped."
    )
    with doors.sessions() as session:
        made = session.scalars(select(Amendment).order_by(Amendment.number)).all()
        by_page = doors.api.get(f"/amendments/{made[0].id}")
    assert [a.proposer_person_id for a in made] == [BY_PAGE, BY_API]
    assert _as_made(by_page) == _as_made(by_api)
    assert by_page["target"] == by_api["target"] and by_page["original_text"]

    # The chair's decision, too: each rejected, one through the page and one through the API.
    rejected = doors.secretary.post(
        f"{page}/amendments/{by_page['id']}/decision",
        # The page's text box for a merge goes with every button; it counts for a merge only.
        {"decision": "rejected", "merged_text": "Spending is capped at the income."},
    )
    assert rejected.status_code == 303, rejected.text
    doors.api.post(f"/amendments/{by_api['id']}/decision", 200, decision="rejected")
    after_page = doors.api.get(f"/amendments/{by_page['id']}")
    after_api = doors.api.get(f"/amendments/{by_api['id']}")
    assert after_page["state"] == "rejected" and after_page["merged_text"] is None
    assert _as_made(after_page) == _as_made(after_api)


@pytest.mark.parametrize(
    ("form", "body", "words", "page_words"),
    [
        (
            {"paragraph": "9", "new_text": "x"},
            {"paragraph": 9, "new_text": "x"},
            "no paragraph 9",
            "no paragraph 9",
        ),
        # The same refusal; the page says it by the form's own fields, not the API's.
        (
            {"new_text": "x"},
            {"new_text": "x"},
            "name either a paragraph or a first_line",
            "Say what to amend: choose it under",
        ),
    ],
)
def test_a_bad_amendment_is_refused_alike_through_the_api_and_the_page(
    doors: Doors, form: dict[str, str], body: dict[str, Any], words: str, page_words: str
) -> None:
    motion = doors.sitting.motion_id
    through_page = doors.phone.post(f"/meetings/{doors.meeting}/motions/{motion}/amendments", form)
    through_api = doors.through_api(f"/motions/{motion}/amendments", 422, **body)
    assert through_page.status_code == 422 and page_words in through_page.text
    assert words in through_api["detail"]


def test_a_paper_is_the_same_through_the_api_and_the_page(doors: Doors) -> None:
    paper = {"title": "Report of the Bureau", "text": "The year went well."}
    through_page = doors.secretary.post(
        f"/meetings/{doors.meeting}/documents",
        {**paper, "agenda_item_id": str(doors.sitting.item_id), "url": ""},
    )
    assert through_page.status_code == 303, through_page.text
    doors.api.post(
        f"/meetings/{doors.meeting}/documents",
        title=paper["title"],
        text=paper["text"],
        agenda_item_id=doors.sitting.item_id,
    )
    with doors.sessions() as session:
        filed = session.scalars(select(Document).order_by(Document.id)).all()
        assert [(d.title, d.url, d.text, d.agenda_item_id) for d in filed] == [
            (paper["title"], "", paper["text"], doors.sitting.item_id)
        ] * 2
