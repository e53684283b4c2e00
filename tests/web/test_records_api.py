"""The organization's records through the API, beyond what the pages do: the organization,
bodies nested to any depth, terms, units, people found and corrected, seats listed and
ended, meetings found by body, term, state and dates, and a meeting numbered as its body
numbers it within its term's dates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened
from tests.helpers import journaled
from tests.web.page_client import SYSTEM, secretary
from veche.actions.journal_actions import JournalAction
from veche.actions.org import do_create_organization, do_create_person, do_create_unit
from veche.db import transaction
from veche.models import Body, JournalEntry, Meeting, Membership, Person, Term, Unit
from veche.models.meetings import MeetingKind, MeetingState

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: The rows these routes change, counted to show that a refusal changed nothing.
RECORDS = (Body, Term, Unit, Person, Membership, Meeting, JournalEntry)


@dataclass
class Records:
    """The API as the demo's secretary (an administrator), and a delegate's token."""

    assembly: Assembly
    sessions: sessionmaker[Session]

    @property
    def client(self) -> TestClient:
        return self.assembly.client

    def call(
        self, method: str, path: str, status: int, *, as_: dict[str, str] | None = None, **sent: Any
    ) -> Any:
        headers = self.assembly.secretary if as_ is None else as_
        response = self.client.request(method, f"/api{path}", headers=headers, **sent)
        assert response.status_code == status, (method, path, response.text)
        return response.json() if response.content else None

    def get(self, path: str, status: int = 200, **params: Any) -> Any:
        return self.call("GET", path, status, params=params)

    def post(self, path: str, status: int = 201, **body: Any) -> Any:
        return self.call("POST", path, status, json=body)

    def patch(self, path: str, status: int = 200, **body: Any) -> Any:
        return self.call("PATCH", path, status, json=body)

    def refused(self, method: str, path: str, status: int, words: str, **body: Any) -> None:
        """A refusal with ``status`` whose message says ``words``, and nothing changed."""
        before = self.counts()
        detail = self.call(method, path, status, json=body)["detail"]
        assert words in detail, detail
        assert self.counts() == before

    def counts(self) -> dict[str, int]:
        with self.sessions() as session:
            return {
                model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in RECORDS
            }

    def journaled(self, action: JournalAction) -> list[dict[str, Any]]:
        return journaled(self.sessions, action)

    def body_id(self, name: str) -> int:
        return int(next(b["id"] for b in self.get("/bodies") if b["name"] == name))

    def delegate(self) -> dict[str, str]:
        return self.assembly.as_person(self.assembly.members[0])


@pytest.fixture
def records(
    engine: Engine, sessions: sessionmaker[Session], convened: Convened
) -> Iterator[Records]:
    with TestClient(create_app(engine)) as client:
        yield Records(convened.on(client), sessions)


def test_bodies_nest_to_any_depth_and_move_but_never_in_a_circle(records: Records) -> None:
    council = records.body_id("General Council")
    committee = records.post("/bodies", name="Central Committee", quorum="2/3")
    bureau = records.post("/bodies", name="Committee Bureau", parent_id=committee["id"])
    presidium = records.post("/bodies", name="Bureau Presidium", parent_id=bureau["id"])
    records.post("/terms", body_id=presidium["id"], starts_on="2024-03-01")

    tree = records.get("/bodies")
    assert next(b for b in tree if b["name"] == "Central Committee")["depth"] == 0
    below = records.get("/bodies", under=committee["id"])
    assert [(b["name"], b["depth"], b["parent_id"]) for b in below] == [
        ("Central Committee", 0, None),
        ("Committee Bureau", 1, committee["id"]),
        ("Bureau Presidium", 2, bureau["id"]),
    ]
    assert below[0]["sub_body_ids"] == [bureau["id"]] and below[0]["quorum"] == "2/3"
    deepest = records.get(f"/bodies/{presidium['id']}")
    assert deepest["depth"] == 2 and deepest["sub_body_ids"] == []
    assert [(t["number"], t["label"]) for t in deepest["terms"]] == [(1, "1st Bureau Presidium")]
    # The demo's bodies are there too: the council, its bureau under it.
    assert [b["name"] for b in records.get("/bodies", under=council)] == [
        "General Council",
        "Executive Bureau",
    ]

    records.refused(
        "PATCH",
        f"/bodies/{committee['id']}",
        422,
        "Central Committee cannot be placed under Bureau Presidium, one of its sub-bodies",
        parent_id=presidium["id"],
    )
    records.refused(
        "PATCH",
        f"/bodies/{bureau['id']}",
        422,
        "cannot be placed under itself",
        parent_id=bureau["id"],
    )
    records.refused(
        "PATCH", f"/bodies/{bureau['id']}", 409, "already has a body", name="General Council"
    )
    records.refused("PATCH", f"/bodies/{bureau['id']}", 422, "between 0 and 1", quorum="3/2")
    records.refused("PATCH", f"/bodies/{bureau['id']}", 422, "write the quorum", quorum="most")
    records.refused("PATCH", f"/bodies/{bureau['id']}", 422, "name", name=None)
    records.refused("PATCH", "/bodies/999999", 404, "there is no body 999999", name="Ghost")
    records.refused(
        "PATCH", f"/bodies/{bureau['id']}", 404, "there is no body 999999", parent_id=999_999
    )

    moved = records.patch(
        f"/bodies/{presidium['id']}", parent_id=committee["id"], quorum="3/4", name="Presidium"
    )
    assert (moved["parent_id"], moved["quorum"], moved["name"]) == (
        committee["id"],
        "3/4",
        "Presidium",
    )
    # Left out, a field stays as it was; null takes the body to the top.
    assert moved["max_proxies_per_member"] == 0 and moved["alternates_vote_for_absent"] is True
    top = records.patch(f"/bodies/{bureau['id']}", parent_id=None)
    assert top["parent_id"] is None and top["name"] == "Committee Bureau"
    assert [(b["name"], b["depth"]) for b in records.get("/bodies", under=committee["id"])] == [
        ("Central Committee", 0),
        ("Presidium", 1),
    ]
    assert records.journaled(JournalAction.UPDATE_BODY)[-2:] == [
        {
            "body_id": presidium["id"],
            "name": "Presidium",
            "quorum": "3/4",
            "parent_id": committee["id"],
        },
        {"body_id": bureau["id"], "parent_id": None},
    ]
    records.get("/bodies", 404, under=999_999)
    records.get("/bodies/999999", 404)


def test_a_terms_dates_keep_its_meetings_within_them(records: Records) -> None:
    body = records.post("/bodies", name="Youth Commission")
    term = records.post("/terms", body_id=body["id"], starts_on="2024-01-01", ends_on="2025-12-31")
    records.post("/terms", body_id=body["id"], starts_on="2026-01-01")
    meeting = records.post(
        "/meetings", term_id=term["id"], title="Spring Meeting", starts_on="2024-04-10"
    )
    path = f"/terms/{term['id']}"
    records.refused(
        "PATCH",
        path,
        409,
        f"meeting {meeting['id']} of the 1st Youth Commission (2024-04-10) would fall outside "
        "the term's new dates (2024-05-01 to 2025-12-31); move the meeting first",
        starts_on="2024-05-01",
    )
    records.refused("PATCH", path, 409, "would fall outside", ends_on="2024-04-09")
    records.refused("PATCH", path, 409, "already has a term numbered 2", number=2)
    records.refused(
        "PATCH", path, 422, "cannot end (2023-01-01) before it starts", ends_on="2023-01-01"
    )
    records.refused("PATCH", path, 422, "starts_on", starts_on=None)
    records.refused("PATCH", "/terms/999999", 404, "there is no term 999999", number=3)

    changed = records.patch(path, number=7, starts_on="2024-04-01", ends_on=None)
    assert (changed["number"], changed["starts_on"], changed["ends_on"]) == (7, "2024-04-01", None)
    assert records.journaled(JournalAction.UPDATE_TERM)[-1] == {
        "term_id": term["id"],
        "number": 7,
        "starts_on": "2024-04-01",
        "ends_on": None,
    }


def test_a_meeting_lasts_at_most_a_year(records: Records) -> None:
    """A meeting's days are taken one by one (attendance, the record, the exports): one ending
    in the year 9999 made its exports fail and its access cards answer a 500."""
    body = records.post("/bodies", name="Youth Commission")
    term = records.post("/terms", body_id=body["id"], starts_on="2024-01-01")
    meeting = records.post(
        "/meetings", term_id=term["id"], title="Spring Meeting", starts_on="2024-04-10"
    )
    longest = records.patch(f"/meetings/{meeting['id']}", ends_on="2025-04-10")
    assert longest["ends_on"] == "2025-04-10"  # 366 days
    too_long = "a meeting lasts at most 366 days; 2024-04-10 to 9999-12-31 is 2,913,074"
    records.refused("PATCH", f"/meetings/{meeting['id']}", 422, too_long, ends_on="9999-12-31")
    records.refused(
        "POST",
        "/meetings",
        422,
        "a meeting lasts at most 366 days; 2024-04-10 to 2025-04-11 is 367",
        term_id=term["id"],
        title="Endless Meeting",
        starts_on="2024-04-10",
        ends_on="2025-04-11",
    )


def test_units_form_a_tree_that_moves_without_circles(records: Records) -> None:
    units = records.get("/units")
    regions = [u for u in units if u["kind"] == "region"]
    assert {u["depth"] for u in regions} == {0} and len(regions) == 3
    coastal = next(u for u in units if u["name"] == "Coastal Region")
    docks = next(u for u in units if u["name"] == "Dockers' Branch")
    assert (docks["parent_id"], docks["depth"]) == (coastal["id"], 1)
    # Depth first: each region is followed by its branches, by name.
    at = units.index(coastal)
    assert [u["name"] for u in units[at : at + 4]] == [
        "Coastal Region",
        "Coastal Health Workers' Branch",
        "Dockers' Branch",
        "Fisheries Branch",
    ]

    quay = records.post("/units", name="North Quay Section", kind="section", parent_id=docks["id"])
    assert quay == {
        "id": quay["id"],
        "name": "North Quay Section",
        "kind": "section",
        "parent_id": docks["id"],
    }
    assert next(u for u in records.get("/units") if u["id"] == quay["id"])["depth"] == 2
    records.refused(
        "PATCH",
        f"/units/{coastal['id']}",
        422,
        "Coastal Region cannot be placed under North Quay Section, a unit below it",
        parent_id=quay["id"],
    )
    records.refused(
        "POST",
        "/units",
        409,
        "exists already under Dockers' Branch",
        name="North Quay Section",
        parent_id=docks["id"],
    )
    fisheries = next(u for u in units if u["name"] == "Fisheries Branch")
    records.post("/units", name="Harbour Section", parent_id=fisheries["id"])
    records.refused(
        "PATCH",
        f"/units/{quay['id']}",
        409,
        "a unit named 'Harbour Section' exists already under Fisheries Branch",
        name="Harbour Section",
        parent_id=fisheries["id"],
    )
    records.refused("PATCH", "/units/999999", 404, "there is no unit 999999", name="Ghost")
    moved = records.patch(f"/units/{quay['id']}", parent_id=fisheries["id"], kind="quay section")
    assert (moved["parent_id"], moved["kind"], moved["name"]) == (
        fisheries["id"],
        "quay section",
        "North Quay Section",
    )
    assert records.patch(f"/units/{quay['id']}", parent_id=None)["parent_id"] is None


def test_people_are_found_by_name_a_page_at_a_time_and_corrected(records: Records) -> None:
    everyone = records.get("/people")
    assert everyone["total"] == len(everyone["people"]) >= 48
    names = [p["full_name"] for p in everyone["people"]]
    assert names == sorted(names)
    first, second = records.get("/people", limit=2), records.get("/people", limit=2, offset=2)
    assert [p["id"] for p in first["people"] + second["people"]] == [
        p["id"] for p in everyone["people"][:4]
    ]
    assert first["total"] == everyone["total"]

    docks = next(u for u in records.get("/units") if u["name"] == "Dockers' Branch")
    nina = records.post(
        "/people", full_name="Nina Zarić-Quill", email="nina@example.org", unit_id=docks["id"]
    )
    for words in ("zarić", "QUILL", "Nina Zarić", "nina@example"):
        found = records.get("/people", q=words)
        assert [p["id"] for p in found["people"]] == [nina["id"]], words
        assert found["total"] == 1
    # Wildcards are taken as they are typed.
    assert records.get("/people", q="%")["total"] == 0

    council_term = next(
        t["id"]
        for t in records.get(f"/bodies/{records.body_id('General Council')}")["terms"]
        if t["number"] == 8
    )
    seat = records.post(
        "/memberships", person_id=nina["id"], term_id=council_term, role="alternate"
    )
    record = records.get(f"/people/{nina['id']}")
    assert record == {
        "id": nina["id"],
        "full_name": "Nina Zarić-Quill",
        "email": "nina@example.org",
        "unit_id": docks["id"],
        "unit": "Dockers' Branch",
        "seats": [
            {
                "membership_id": seat["id"],
                "term_id": council_term,
                "body_id": records.body_id("General Council"),
                "label": "8th General Council",
                "role": "alternate",
                "from_date": None,
                "to_date": None,
            }
        ],
    }

    taken = everyone["people"][0]["email"]
    path = f"/people/{nina['id']}"
    records.refused(
        "PATCH", path, 409, f"another person has the e-mail address {taken}", email=taken
    )
    records.refused("PATCH", path, 422, "not an e-mail address", email="nowhere")
    records.refused("PATCH", path, 422, "full_name", full_name=None)
    records.refused("PATCH", path, 404, "there is no unit 999999", unit_id=999_999)
    records.refused("PATCH", "/people/999999", 404, "there is no person 999999", full_name="X")
    changed = records.patch(path, full_name="  Nina   Quill ", email=None, unit_id=None)
    assert changed == {"id": nina["id"], "full_name": "Nina Quill", "email": None, "unit_id": None}
    assert records.journaled(JournalAction.UPDATE_PERSON)[-1] == {
        "person_id": nina["id"],
        "full_name": "Nina Quill",
        "email": None,
        "unit_id": None,
    }
    records.get("/people/999999", 404)


def test_a_terms_seats_are_listed_changed_and_ended(records: Records) -> None:
    council = records.get(f"/bodies/{records.body_id('General Council')}")
    term = next(t for t in council["terms"] if t["number"] == 8)
    seats = records.get(f"/terms/{term['id']}/memberships")
    roles = [s["role"] for s in seats]
    assert roles == ["member"] * 30 + ["alternate"] * 8
    members = [s["full_name"] for s in seats[:30]]
    assert members == sorted(members)

    seat = seats[0]
    path = f"/memberships/{seat['id']}"
    records.refused(
        "PATCH",
        path,
        422,
        "cannot end (2025-01-01) before it starts (2025-05-01)",
        to_date="2025-01-01",
    )
    records.refused("PATCH", path, 422, "role", role="chair")
    records.refused("PATCH", path, 422, "role", role=None)
    records.refused(
        "PATCH", "/memberships/999999", 404, "there is no membership 999999", role="member"
    )
    ended = records.patch(path, to_date="2026-03-31", role="alternate")
    assert (ended["to_date"], ended["role"], ended["from_date"]) == (
        "2026-03-31",
        "alternate",
        "2025-05-01",
    )
    listed = next(
        s for s in records.get(f"/terms/{term['id']}/memberships") if s["id"] == seat["id"]
    )
    assert (listed["role"], listed["to_date"]) == ("alternate", "2026-03-31")
    assert records.journaled(JournalAction.UPDATE_MEMBERSHIP)[-1] == {
        "membership_id": seat["id"],
        "role": "alternate",
        "to_date": "2026-03-31",
    }
    records.get("/terms/999999/memberships", 404)


def test_the_organization_is_renamed_and_its_reports_kept_private(records: Records) -> None:
    before = records.client.get("/api/organization").json()
    changed = records.patch(
        "/organization", name="Riverlands Federation", short_name=None, publishes_reports=False
    )
    assert changed["name"] == "Riverlands Federation" and changed["short_name"] is None
    assert changed["publishes_reports"] is False
    assert changed["description"] == before["description"]  # left out: as it was
    assert records.client.get("/api/organization").json() == changed
    assert records.journaled(JournalAction.UPDATE_ORGANIZATION) == [
        {
            "organization_id": before["id"],
            "name": "Riverlands Federation",
            "short_name": None,
            "publishes_reports": False,
        }
    ]
    with transaction(records.sessions) as session:
        do_create_organization(session, SYSTEM, "Another Union")
    records.refused(
        "PATCH", "/organization", 409, "another organization is named", name="Another Union"
    )
    records.refused("PATCH", "/organization", 422, "name", name="")


def test_meetings_are_found_by_body_term_state_and_days_a_page_at_a_time(
    records: Records,
) -> None:
    body = records.post("/bodies", name="Youth Commission")
    old = records.post("/terms", body_id=body["id"], starts_on="2020-01-01", ends_on="2022-12-31")
    new = records.post("/terms", body_id=body["id"], starts_on="2023-01-01")
    made = {
        title: records.post(
            "/meetings", term_id=term["id"], title=title, starts_on=day, ends_on=last
        )
        for title, term, day, last in [
            ("Founding", old, "2020-02-01", None),
            ("Autumn", old, "2021-10-01", "2021-10-03"),
            ("Renewal", new, "2023-02-01", None),
        ]
    }
    records.patch(f"/meetings/{made['Renewal']['id']}", notice="Come.")
    records.post(f"/meetings/{made['Renewal']['id']}/state", 200, state="convened")

    def titles(**wanted: Any) -> list[str]:
        found = records.get("/meetings", **wanted)
        assert found["total"] == len(found["meetings"]) or "limit" in wanted
        return [m["title"] for m in found["meetings"]]

    assert titles(body_id=body["id"]) == ["Renewal", "Autumn", "Founding"]  # newest first
    assert titles(term_id=old["id"]) == ["Autumn", "Founding"]
    assert titles(body_id=body["id"], state="convened") == ["Renewal"]
    # A meeting matches the dates when one of its days lies between them.
    assert titles(body_id=body["id"], from_date="2021-10-03", to_date="2023-01-31") == ["Autumn"]
    assert titles(body_id=body["id"], to_date="2020-02-01") == ["Founding"]
    page = records.get("/meetings", body_id=body["id"], limit=1, offset=1)
    assert page["total"] == 3 and [m["title"] for m in page["meetings"]] == ["Autumn"]
    assert page["meetings"][0]["name"] == "2nd Autumn of the 1st Youth Commission"
    everything = records.get("/meetings")
    assert everything["total"] == 4  # with the General Council's meeting of the fixture
    # A delegate sees only the meetings they take part in.
    seen = records.call("GET", "/meetings", 200, as_=records.delegate())
    assert [m["id"] for m in seen["meetings"]] == [records.assembly.meeting_id]
    records.call("GET", "/meetings", 422, params={"state": "adjourned"})
    records.call("GET", "/meetings", 422, params={"limit": 0})


def test_a_meeting_is_numbered_as_its_body_numbers_it_within_its_term(
    records: Records,
) -> None:
    body = records.post("/bodies", name="Central Committee")
    term = records.post("/terms", body_id=body["id"], starts_on="2019-04-01", ends_on="2024-03-31")
    eighth = records.post(
        "/meetings",
        term_id=term["id"],
        title="Plenary Meeting",
        starts_on="2022-11-18",
        ends_on="2022-11-20",
        number=8,
        kind="enlarged",
    )
    assert eighth["number"] == 8
    assert eighth["name"] == "8th Enlarged Plenary Meeting of the 1st Central Committee"
    following = records.post(
        "/meetings", term_id=term["id"], title="Plenary", starts_on="2023-02-01"
    )
    assert following["number"] == 9  # the next after the term's highest
    earlier = records.post(
        "/meetings", term_id=term["id"], title="Plenary", starts_on="2021-06-01", number=5
    )
    assert earlier["number"] == 5
    refusals: list[tuple[int, str, dict[str, object]]] = [
        (
            409,
            f"the 1st Central Committee has a meeting numbered 8 already (meeting {eighth['id']}, "
            "'Plenary Meeting' of 2022-11-18); give another number, or none for the next (10)",
            {"title": "Plenary", "starts_on": "2023-05-01", "number": 8},
        ),
        (
            422,
            "the meeting's days (2018-11-18 to 2018-11-20) are not within the term of the 1st "
            "Central Committee (2019-04-01 to 2024-03-31)",
            {"title": "Plenary", "starts_on": "2018-11-18", "ends_on": "2018-11-20"},
        ),
        (
            422,
            "the meeting's days (2024-03-31 to 2024-04-01) are not within the term",
            {"title": "Plenary", "starts_on": "2024-03-31", "ends_on": "2024-04-01"},
        ),
        (422, "number", {"title": "P", "starts_on": "2020-01-01", "number": 0}),
    ]
    for status, words, meeting in refusals:
        records.refused("POST", "/meetings", status, words, term_id=term["id"], **meeting)
    # Moved later, its days are held to the term as well.
    records.refused(
        "PATCH",
        f"/meetings/{following['id']}",
        422,
        "the meeting's days (2024-06-01) are not within the term of the 1st Central Committee",
        starts_on="2024-06-01",
    )
    open_ended = records.post("/terms", body_id=body["id"], starts_on="2024-04-01")
    records.refused(
        "POST",
        "/meetings",
        422,
        "(2024-03-01) are not within the term of the 2nd Central Committee (from 2024-04-01)",
        term_id=open_ended["id"],
        title="Plenary",
        starts_on="2024-03-01",
    )
    assert records.journaled(JournalAction.CREATE_MEETING)[-3]["number"] == 8


def test_the_database_holds_a_meetings_number_unique_in_its_term(records: Records) -> None:
    """Two meetings numbered alike at the same moment both pass the action's check; the
    database refuses the second (the API answers that clash 409, see
    tests/web/test_database_errors.py)."""
    meeting = records.get(f"/meetings/{records.assembly.meeting_id}")
    with pytest.raises(IntegrityError), transaction(records.sessions) as session:
        twin = Meeting(
            term_id=meeting["term_id"],
            number=meeting["number"],
            title="Twin",
            kind=MeetingKind.ORDINARY,
            state=MeetingState.DRAFT,
            starts_on=date.fromisoformat(meeting["starts_on"]),
            ends_on=date.fromisoformat(meeting["ends_on"]),
        )
        session.add(twin)
        session.flush()


def test_the_convene_form_takes_the_number_as_the_api_does(
    records: Records, engine: Engine
) -> None:
    body = records.post("/bodies", name="Central Committee")
    term = records.post("/terms", body_id=body["id"], starts_on="2019-04-01")
    page = secretary(records.client.app)  # type: ignore[arg-type]
    assert 'name="number"' in page.get("/secretary").text
    form = {"term_id": term["id"], "title": "Plenary Meeting", "starts_on": "2022-11-18"}
    assert page.post("/secretary/meetings", {**form, "number": "8"}).status_code == 303
    assert page.post("/secretary/meetings", {**form, "number": ""}).status_code == 303
    numbers = [m["number"] for m in records.get("/meetings", term_id=term["id"])["meetings"]]
    assert sorted(numbers) == [8, 9]
    clash = page.post("/secretary/meetings", {**form, "number": "8"})
    assert clash.status_code == 409 and "has a meeting numbered 8 already" in clash.text
    outside = page.post("/secretary/meetings", {**form, "starts_on": "2018-01-01"})
    assert outside.status_code == 422 and "are not within the term" in outside.text


#: Every change these routes make, and what they read that only those who manage the
#: organization may read, with input they would accept.
GUARDED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("PATCH", "/organization", {"description": "Ours now."}),
    ("PATCH", "/bodies/1", {"name": "Taken Over"}),
    ("PATCH", "/terms/1", {"number": 70}),
    ("POST", "/units", {"name": "Shadow Unit"}),
    ("PATCH", "/units/1", {"name": "Shadow Region"}),
    ("GET", "/people", None),
    ("GET", "/people/1", None),
    ("PATCH", "/people/1", {"full_name": "Someone Else"}),
    ("GET", "/terms/2/memberships", None),
    ("PATCH", "/memberships/1", {"role": "alternate"}),
]


@pytest.mark.one_database
def test_only_those_who_manage_the_organization_change_its_records(records: Records) -> None:
    before = records.counts()
    delegate = records.delegate()
    for method, path, body in GUARDED:
        refused = records.call(method, path, 403, as_=delegate, json=body)
        assert "may change the organization's people, bodies" in refused["detail"], path
        records.call(method, path, 401, as_={}, json=body)
    # What anyone of the organization reads.
    for path in ("/bodies", "/bodies/1", "/units"):
        records.call("GET", path, 200, as_=delegate)
        records.call("GET", path, 401, as_={})
    after = records.counts()
    assert after == {**before, "JournalEntry": after["JournalEntry"]}  # the delegate's token


@pytest.mark.one_database
def test_another_organizations_records_are_not_found(records: Records) -> None:
    with transaction(records.sessions) as session:
        elsewhere = do_create_organization(session, SYSTEM, "Another Union")
        stranger = do_create_person(session, SYSTEM, elsewhere, "Someone Else").id
        far_unit = do_create_unit(session, SYSTEM, elsewhere, "Far Region").id
    records.refused(
        "PATCH", f"/people/{stranger}", 404, f"there is no person {stranger}", full_name="X"
    )
    records.refused("PATCH", f"/units/{far_unit}", 404, f"there is no unit {far_unit}", name="X")
    records.refused(
        "POST", "/units", 404, f"there is no unit {far_unit}", name="X", parent_id=far_unit
    )
    records.get(f"/people/{stranger}", 404)
    assert stranger not in [p["id"] for p in records.get("/people", limit=500)["people"]]
    assert "Far Region" not in [u["name"] for u in records.get("/units")]
