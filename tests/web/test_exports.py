"""A meeting's registers as CSV files: attendance by day with capacity, the roll-calls and the
results, the same from the API and from the desk."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import Api
from tests.web.page_client import secretary
from tests.web.sitting import OBSERVER, PRESENT, PreparedSitting

#: A name and a category that a careless export would break or run as a formula.
AWKWARD_NAME = 'Doe, Jo "the Elder"'
AWKWARD_CATEGORY = '=HYPERLINK("http://example.org","x")'


def _read(response: Any) -> list[list[str]]:
    """A CSV answer's rows, after checking that it is one: UTF-8 without a byte-order mark,
    lines ended by CR LF, to be saved under a name."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="')
    assert not response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def api(engine: Engine, sitting: PreparedSitting) -> Iterator[Api]:
    """The secretary's API on the application over the test's copy of the sitting."""
    with TestClient(create_app(engine)) as client:
        yield sitting.api(client)


def _get(api: Api, path: str, person: int | None = None, **params: str) -> Any:
    headers = api.person(person) if person is not None else api.secretary
    return api.client.get(f"/api{path}", params=params, headers=headers)


def test_the_attendance_register_lists_everyone_by_day_with_their_capacity(
    api: Api, sitting: PreparedSitting
) -> None:
    m, day = sitting.meeting_id, sitting.sitting.day.isoformat()
    awkward = api.post("/people", full_name=AWKWARD_NAME)["id"]
    api.post(f"/meetings/{m}/observers", category=AWKWARD_CATEGORY, person_ids=[awkward])

    rows = _read(_get(api, f"/meetings/{m}/attendance.csv"))
    header, *people = rows
    assert header == ["Name", "Role", "Category", "Capacity", "Office", "Weight", day]
    by_name = {row[0]: row for row in people}
    assert len(by_name) == len(people)
    names = [row[0] for row in people]
    assert names == sorted(names)
    present = [row for row in people if row[-1] == "present"]
    assert len(present) == len(PRESENT)
    assert {row[1] for row in present} == {"member"}
    # Counted as the communiqué counts them: by the innermost body a seat is held in.
    assert {row[3] for row in present} == {
        "members of the 8th General Council",
        "members of the Executive Bureau",
    }
    assert all(row[-1] in ("present", "absent") for row in people)
    # Quoted where needed, read back whole; a would-be formula is written as text.
    assert by_name[AWKWARD_NAME][1:4] == [
        "observer",
        "'" + AWKWARD_CATEGORY,
        "observers: " + AWKWARD_CATEGORY,
    ]
    observer = api.get(f"/people/{OBSERVER}")["full_name"]
    assert by_name[observer][1:4] == [
        "observer",
        "heads of departments",
        "observers: heads of departments",
    ]
    assert by_name[observer][-1] == "absent"

    one_day = _read(_get(api, f"/meetings/{m}/attendance.csv", day=day))
    assert one_day == rows
    wrong = _get(api, f"/meetings/{m}/attendance.csv", day="2000-01-01")
    assert wrong.status_code == 422
    assert "2000-01-01 is not a day of the meeting" in wrong.json()["detail"]
    refused = _get(api, f"/meetings/{m}/attendance.csv", person=PRESENT[0])
    assert refused.status_code == 403


def _named_vote_opened(api: Api, sitting: PreparedSitting) -> dict[str, Any]:
    """A named decision on the sitting's item, open on the sitting's day."""
    poll: dict[str, Any] = api.post(
        f"/meetings/{sitting.meeting_id}/polls",
        title="Adopt the budget",
        kind="decision",
        method="majority",
        secrecy="named",
        agenda_item_id=sitting.sitting.item_id,
    )
    api.call("POST", f"/polls/{poll['id']}/open", day=sitting.sitting.day.isoformat())
    return poll


def test_roll_calls_and_results_show_what_the_caller_may_see(
    api: Api, sitting: PreparedSitting
) -> None:
    m, day = sitting.meeting_id, sitting.sitting.day.isoformat()
    # A named vote closed but not published: the chair's, not yet the delegates'.
    poll = _named_vote_opened(api, sitting)
    options = {o["label"]: o["id"] for o in poll["options"]}
    api.vote(poll["id"], PRESENT[0], {"option": options["no"]})
    for voter in PRESENT[1:5]:
        api.vote(poll["id"], voter, {"option": options["yes"]})
    api.call("POST", f"/polls/{poll['id']}/close")

    header, *votes = _read(_get(api, f"/meetings/{m}/roll-calls.csv"))
    assert header == ["Poll", "Day", "Voter", "Choice", "Weight", "Cast by"]
    assert {row[5] for row in votes} == {""}  # each voted in person
    agenda = [row for row in votes if row[0] == "Agenda"]
    budget = [row for row in votes if row[0] == "Adopt the budget"]
    assert len(agenda) == len(PRESENT) and {row[3] for row in agenda} == {"yes"}
    assert {row[1] for row in votes} == {day} and {row[4] for row in votes} == {"1"}
    first = api.get(f"/people/{PRESENT[0]}")["full_name"]
    assert [row[3] for row in budget if row[2] == first] == ["no"]
    assert len(budget) == 5
    seen_by_delegate = _read(_get(api, f"/meetings/{m}/roll-calls.csv", person=PRESENT[0]))
    assert {row[0] for row in seen_by_delegate[1:]} == {"Agenda"}

    header, *results = _read(_get(api, f"/meetings/{m}/results.csv"))
    assert header == [
        "Agenda item",
        "Poll",
        "Counted by",
        "Majority",
        "Vote by",
        "Day",
        "Ballots",
        "Outcome",
        "Option",
        "Votes",
        "Elected",
    ]
    agenda_rows = {row[8]: row for row in results if row[1] == "Agenda"}
    assert {option: row[9] for option, row in agenda_rows.items()} == {
        "yes": str(len(PRESENT)),
        "no": "0",
        "abstain": "0",
        "blank": "0",
    }
    first_row = agenda_rows["yes"]
    assert first_row[0] == "The agenda" and first_row[4] == "named ballot (roll-call)"
    assert first_row[6] == str(len(PRESENT)) and first_row[7]
    budget_rows = {row[8]: row[9] for row in results if row[1] == "Adopt the budget"}
    assert budget_rows == {"yes": "4", "no": "1", "abstain": "0", "blank": "0"}
    assert {row[0] for row in results if row[1] == "Adopt the budget"} == {"1. On the budget"}
    delegate_sees = _read(_get(api, f"/meetings/{m}/results.csv", person=PRESENT[0]))
    assert {row[1] for row in delegate_sees[1:]} == {"Agenda"}


@pytest.mark.one_database
def test_the_desk_offers_the_same_files_as_the_api(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    app = create_app(engine)
    with TestClient(app) as client:
        api = sitting.api(client)
        desk = secretary(app)
        m = sitting.meeting_id
        page = desk.get(f"/secretary/meetings/{m}").text
        for name in ("attendance.csv", "roll-calls.csv", "results.csv"):
            link = f"/secretary/meetings/{m}/{name}"
            assert f'href="{link}"' in page
            from_desk, from_api = desk.get(link), _get(api, f"/meetings/{m}/{name}")
            assert _read(from_desk) == _read(from_api)
            assert from_desk.content == from_api.content
        day = sitting.sitting.day.isoformat()
        assert f'href="/secretary/meetings/{m}/attendance.csv?day={day}"' in page


def test_a_vote_cast_by_a_stand_in_names_both_in_the_roll_call(
    api: Api, sitting: PreparedSitting
) -> None:
    """An alternate (person 31) stands in for an absent member (person 20): the vote uses
    the member's right and is the alternate's act. The roll-call names the member, as every
    right is called, and who cast it; the member alone would read as if they had voted."""
    m, day = sitting.meeting_id, sitting.sitting.day.isoformat()
    member, alternate = 20, 31
    api.call("POST", f"/meetings/{m}/attendance", person_ids=[alternate], day=day)
    api.post(
        f"/meetings/{m}/substitutions",
        member_person_id=member,
        alternate_person_id=alternate,
        day=day,
    )
    poll = _named_vote_opened(api, sitting)
    yes = next(o["id"] for o in poll["options"] if o["label"] == "yes")
    api.call(
        "POST",
        f"/polls/{poll['id']}/ballots",
        201,
        as_person=alternate,
        choice={"option": yes},
        client_key="stand-in-key-0001",
        right_person_id=member,
    )
    api.vote(poll["id"], PRESENT[0], {"option": yes})
    api.call("POST", f"/polls/{poll['id']}/close")
    api.call("POST", f"/polls/{poll['id']}/publish")

    names = {n: api.get(f"/people/{n}")["full_name"] for n in (member, alternate, PRESENT[0])}
    called = {row["voter"]: row["cast_by"] for row in api.get(f"/polls/{poll['id']}/roll-call")}
    assert called == {names[member]: names[alternate], names[PRESENT[0]]: None}
    _, *rows = _read(_get(api, f"/meetings/{m}/roll-calls.csv"))
    budget = {row[2]: row[5] for row in rows if row[0] == "Adopt the budget"}
    assert budget == {names[member]: names[alternate], names[PRESENT[0]]: ""}
    minutes = secretary(api.client.app).get(f"/meetings/{m}/reports/minutes").text  # type: ignore[arg-type]
    assert f"{names[member]} (cast by {names[alternate]})" in minutes
    assert f"{names[PRESENT[0]]} (cast by" not in minutes
