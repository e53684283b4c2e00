"""The secretary corrects the organization's records from the pages: a body's name, quorum,
alternates and proxies, its place and its terms; a person and their seats; the units. Each
change is seen on its page and through the API; each refusal comes back on its form with
what was typed and why, and changes nothing; one without the right is refused."""

from __future__ import annotations

import time
from datetime import date
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

import veche.web.site_name
from tests.accounts import grant
from tests.apps import create_app
from tests.assembly import bearer_token
from tests.helpers import demo_organization, general_council_term
from tests.web.page_client import SYSTEM, Browser, secretary
from tests.web.sitting import journal_length
from veche.actions.access import Caller
from veche.actions.meetings import do_create_meeting
from veche.actions.org import do_create_user
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import Body, Membership, Person, Unit
from veche.permissions import Scope

#: Every test here starts from the demo organization (see tests/conftest.py). On SQLite alone:
#: the changes are the API's own, tested on both databases in tests/web/test_records_api.py
#: and test_org_api.py; what these prove is the pages' reading of the forms.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _id(sessions: sessionmaker[Session], model: Any, **where: object) -> int:
    with sessions() as session:
        found = session.scalar(select(model.id).filter_by(**where))
    assert found is not None, where
    return int(found)


class _Api:
    """What the API says of the records, asked with the secretary's token."""

    def __init__(self, desk: Browser) -> None:
        self.client = desk.client
        self.token = bearer_token(desk.client, *DEMO_SECRETARY)

    def __call__(self, path: str) -> Any:
        answer = self.client.get(f"/api{path}", headers=self.token)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def desk(app: FastAPI) -> Browser:
    """The secretary, logged in to the pages (here, not the check-in desk of conftest.py)."""
    return secretary(app)


@pytest.fixture
def api(desk: Browser) -> _Api:
    return _Api(desk)


def _body_form(**changed: str) -> dict[str, str]:
    """The body's form as the page sends it: every field, each as typed."""
    return {
        "name": "General Council",
        "description": "The federation's governing body between congresses.",
        "quorum": "1/2",
        "parent_id": "",
        "alternates_vote_for_absent": "true",
        "max_proxies_per_member": "1",
    } | changed


def test_the_secretary_corrects_a_body_and_its_terms(
    desk: Browser, api: _Api, sessions: sessionmaker[Session]
) -> None:
    council = _id(sessions, Body, name="General Council")
    bureau = _id(sessions, Body, name="Executive Bureau")
    assert f'href="/secretary/bodies/{bureau}"' in desk.get("/secretary").text
    page = desk.get(f"/secretary/bodies/{bureau}").text
    assert 'value="2/3"' in page and f'<option value="{council}" selected>' in page

    # Moved to the top (the parent left blank), its description emptied, proxies allowed.
    saved = desk.post(
        f"/secretary/bodies/{bureau}",
        _body_form(
            name="Executive Board",
            description="",
            quorum="3/5",
            alternates_vote_for_absent="false",
            max_proxies_per_member="2",
        ),
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/secretary/bodies/{bureau}"
    page = desk.get(saved.headers["location"]).text
    assert "Saved: Executive Board" in page and 'value="3/5"' in page
    assert '<option value="" selected>' in page and '<option value="false" selected>' in page
    body = api(f"/bodies/{bureau}")
    assert (body["name"], body["parent_id"], body["description"]) == ("Executive Board", None, "")
    assert body["quorum"] == "3/5" and body["alternates_vote_for_absent"] is False
    assert body["max_proxies_per_member"] == 2

    with sessions() as session:
        term = general_council_term(session).id
    ended = desk.post(
        f"/secretary/terms/{term}",
        {"number": "9", "starts_on": "2025-05-01", "ends_on": "2029-04-30"},
    )
    assert ended.status_code == 303, ended.text
    assert ended.headers["location"] == f"/secretary/bodies/{council}#term-{term}"
    assert "Saved: term 9 of the General Council" in desk.get(f"/secretary/bodies/{council}").text
    [shown] = [t for t in api(f"/bodies/{council}")["terms"] if t["id"] == term]
    assert (shown["number"], shown["ends_on"]) == (9, "2029-04-30")
    # Its last day left blank: not ended.
    desk.post(f"/secretary/terms/{term}", {"number": "9", "starts_on": "2025-05-01"})
    [shown] = [t for t in api(f"/bodies/{council}")["terms"] if t["id"] == term]
    assert shown["ends_on"] is None


def test_a_refused_change_comes_back_as_typed_and_changes_nothing(
    desk: Browser, api: _Api, sessions: sessionmaker[Session]
) -> None:
    council = _id(sessions, Body, name="General Council")
    bureau = _id(sessions, Body, name="Executive Bureau")
    with transaction(sessions) as session:
        term = general_council_term(session)
        do_create_meeting(session, SYSTEM, term, "Plenary Meeting", starts_on=date(2025, 6, 10))
        term_id = term.id
    before = journal_length(sessions)

    wrong_quorum = desk.post(
        f"/secretary/bodies/{council}", _body_form(name="The Council", quorum="3/2")
    )
    assert wrong_quorum.status_code == 422
    assert "the quorum must be a fraction between 0 and 1" in wrong_quorum.text
    assert 'value="3/2"' in wrong_quorum.text and 'value="The Council"' in wrong_quorum.text

    circle = desk.post(f"/secretary/bodies/{council}", _body_form(parent_id=str(bureau)))
    assert circle.status_code == 422
    assert "General Council cannot be placed under Executive Bureau" in circle.text
    assert f'<option value="{bureau}" selected>' in circle.text

    outside = desk.post(
        f"/secretary/terms/{term_id}", {"number": "8", "starts_on": "2025-07-01", "ends_on": ""}
    )
    assert outside.status_code == 409
    assert "would fall outside the term's new dates" in unescape(outside.text)
    assert 'id="term-' + str(term_id) + '-error"' in outside.text
    assert 'value="2025-07-01"' in outside.text

    twice = desk.post("/secretary/units", {"name": "Northern Region", "kind": "region"})
    assert twice.status_code == 409 and "Northern Region" in twice.text
    assert 'role="alert"' in twice.text and 'value="region"' in twice.text

    assert journal_length(sessions) == before
    body = api(f"/bodies/{council}")
    assert (body["name"], body["quorum"], body["parent_id"]) == ("General Council", "1/2", None)


def test_the_secretary_corrects_a_person_and_ends_a_seat(
    desk: Browser, api: _Api, sessions: sessionmaker[Session]
) -> None:
    person = _id(sessions, Person, email="person1@riverlands.example")
    with sessions() as session:
        term = general_council_term(session).id
    textile = _id(sessions, Unit, name="Textile Branch")
    assert f'href="/secretary/people/{person}"' in desk.get("/secretary/people").text

    taken = desk.post(
        f"/secretary/people/{person}",
        {"full_name": "Ada Arnold-Berg", "email": "person2@riverlands.example"},
    )
    assert taken.status_code == 409 and "person2@riverlands.example" in taken.text
    assert 'value="Ada Arnold-Berg"' in taken.text

    # The e-mail address left blank: none.
    saved = desk.post(
        f"/secretary/people/{person}", {"full_name": "Ada Arnold-Berg", "unit_id": str(textile)}
    )
    assert saved.status_code == 303, saved.text
    assert "Saved: Ada Arnold-Berg" in desk.get(f"/secretary/people/{person}").text
    found = api(f"/people/{person}")
    assert (found["full_name"], found["email"], found["unit_id"]) == (
        "Ada Arnold-Berg",
        None,
        textile,
    )

    backwards = desk.post(
        f"/secretary/people/{person}/seats/{term}",
        {"role": "member", "from_date": "2026-01-01", "to_date": "2025-12-31"},
    )
    assert backwards.status_code == 422 and 'value="2025-12-31"' in backwards.text
    ended = desk.post(
        f"/secretary/people/{person}/seats/{term}", {"role": "alternate", "to_date": "2025-12-31"}
    )
    assert ended.status_code == 303, ended.text
    [seat] = [s for s in api(f"/people/{person}")["seats"] if s["term_id"] == term]
    assert (seat["role"], seat["from_date"], seat["to_date"]) == ("alternate", None, "2025-12-31")
    nowhere = desk.post(f"/secretary/people/{person}/seats/987654", {"role": "member"})
    assert nowhere.status_code == 404


def test_the_secretary_makes_and_moves_units(
    desk: Browser, api: _Api, sessions: sessionmaker[Session]
) -> None:
    assert desk.get("/secretary/units").status_code == 200
    made = desk.post("/secretary/units", {"name": "Western Region", "kind": "region"})
    assert made.status_code == 303, made.text
    west = _id(sessions, Unit, name="Western Region")
    branch = desk.post("/secretary/units", {"name": "Harbour Branch", "parent_id": str(west)})
    assert branch.status_code == 303, branch.text
    harbour = _id(sessions, Unit, name="Harbour Branch")
    page = desk.get("/secretary/units").text
    assert "Unit added: Harbour Branch" in page and "— Harbour Branch" in page
    # The people page offers the units as their tree, a branch under its region, where it
    # listed them flat by name.
    people = desk.get("/secretary/people").text
    offered = people.split('<select id="p-unit" name="unit_id">')[1].split("</select>")[0]
    assert (
        f'<option value="{west}">Western Region</option>'
        f'<option value="{harbour}">— Harbour Branch</option>'
    ) in offered
    # A member list names the units made here.
    member_list = "name,body,role,unit\nZeno Harbour,Audit Commission,member,Harbour Branch\n"
    imported = desk.client.post(
        "/secretary/import",
        data={"csrf_token": desk.csrf_token()},
        files={"file": ("members.csv", member_list.encode(), "text/csv")},
    )
    assert imported.status_code == 303, imported.text
    assert _id(sessions, Person, full_name="Zeno Harbour", unit_id=harbour)

    under_itself = desk.post(
        f"/secretary/units/{west}",
        {"name": "Western Region", "kind": "region", "parent_id": harbour},
    )
    assert under_itself.status_code == 422 and "cannot be placed under" in under_itself.text
    moved = desk.post(f"/secretary/units/{harbour}", {"name": "Harbour", "kind": "branch"})
    assert moved.status_code == 303, moved.text
    units = {unit["id"]: unit for unit in api("/units")}
    assert (units[harbour]["name"], units[harbour]["kind"]) == ("Harbour", "branch")
    assert units[harbour]["parent_id"] is None and units[west]["parent_id"] is None


#: The password of the clerk, a secretary of the whole organization (the role that runs
#: meetings), who may not change the organization's records.
CLERK_PASSWORD = "the clerk's passphrase"


def _clerk(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        organization = demo_organization(session)
        clerk = do_create_user(session, SYSTEM, organization, "clerk", CLERK_PASSWORD)
        operator = Caller(SYSTEM.actor, None, unrestricted=True, organization_id=organization.id)
        grant(session, operator, "secretary", clerk, (Scope.ORGANIZATION, organization.id))


@pytest.mark.one_database
def test_a_secretary_who_may_not_change_the_records_is_refused(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    _clerk(sessions)
    with sessions() as session:
        seat = session.scalars(select(Membership).order_by(Membership.id)).first()
        assert seat is not None
        person, term, body = seat.person_id, seat.term_id, seat.term.body_id
    unit = _id(sessions, Unit, name="Northern Region")
    browser = Browser(app)
    browser.log_in("clerk", CLERK_PASSWORD)
    before = journal_length(sessions)
    for path in (
        f"/secretary/bodies/{body}",
        f"/secretary/people/{person}",
        "/secretary/units",
        f"/secretary/units/{unit}",
    ):
        assert browser.get(path).status_code == 403, path
    for path, form in (
        (f"/secretary/bodies/{body}", {"name": "Taken Over", "quorum": "3/2"}),
        ("/secretary/bodies/987654", {"name": "Taken Over"}),
        (f"/secretary/terms/{term}", {"number": "99"}),
        (f"/secretary/people/{person}", {"full_name": "Taken Over"}),
        (f"/secretary/people/{person}/seats/{term}", {"role": "alternate"}),
        ("/secretary/units", {"name": "Taken Over", "parent_id": "987654"}),
        (f"/secretary/units/{unit}", {"name": "Taken Over"}),
    ):
        refused = browser.post(path, form)
        assert refused.status_code == 403, (path, refused.text)
        assert "organization" in unescape(refused.text)
    assert journal_length(sessions) == before


@pytest.mark.one_database
def test_the_api_refuses_one_who_may_not_change_the_records_before_anything_else(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    _clerk(sessions)
    council = _id(sessions, Body, name="General Council")
    client = Browser(app).client
    token = bearer_token(client, "clerk", CLERK_PASSWORD)
    answers = {
        (method, path, str(body)): client.request(method, path, json=body, headers=token)
        for method, path, body in (
            ("PATCH", "/api/bodies/987654", {"name": "Taken Over"}),
            ("PATCH", f"/api/bodies/{council}", {"quorum": "most"}),
            ("PATCH", "/api/people/987654", {"full_name": "Taken Over"}),
            ("POST", "/api/units", {"name": "Taken Over", "parent_id": 987654}),
        )
    }
    assert {sent: answer.status_code for sent, answer in answers.items()} == dict.fromkeys(
        answers, 403
    )


def test_the_secretary_renames_the_organization_from_the_dashboard(
    desk: Browser, api: _Api
) -> None:
    form = {
        "name": "Riverside Workers' Federation",
        "short_name": "RWF",
        "description": "  A federation of riverside co-operatives.  ",
        "publishes_reports": "false",
        "publishes_follow_up": "false",
    }
    saved = desk.post("/secretary/organization", form)
    assert saved.status_code == 303, saved.text
    organization = api("/organization")
    assert (organization["name"], organization["short_name"], organization["description"]) == (
        "Riverside Workers' Federation",
        "RWF",
        "A federation of riverside co-operatives.",
    )
    page = unescape(desk.get("/secretary").text)
    assert 'class="brand" href="/">RWF</a>' in page
    assert 'value="Riverside Workers\' Federation"' in page
    # A short name and a description emptied on the form are none and empty.
    emptied = desk.post("/secretary/organization", form | {"short_name": "", "description": ""})
    assert emptied.status_code == 303, emptied.text
    organization = api("/organization")
    assert (organization["short_name"], organization["description"]) == (None, "")
    page = unescape(desk.get("/secretary").text)
    assert "Riverside Workers' Federation</a>" in page


def test_a_rename_heads_the_pages_of_every_process(
    desk: Browser, engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker process (here, another app on the database) reads the name again
    within ``FRESH_FOR``; the process that made the change shows the new one at once. A page
    never reads it itself: a refused form, drawn while its request holds SQLite's writer
    lock, answers (it hung the server when pages read the name)."""
    monkeypatch.setattr(veche.web.site_name, "FRESH_FOR", 0.05)
    other = create_app(engine)
    with TestClient(other):
        elsewhere = secretary(other)
        assert 'class="brand" href="/">RFTU</a>' in elsewhere.get("/meetings").text
        renamed = desk.client.patch(
            "/api/organization",
            json={"short_name": "RWF"},
            headers=bearer_token(desk.client, *DEMO_SECRETARY),
        )
        assert renamed.status_code == 200, renamed.text
        assert 'class="brand" href="/">RWF</a>' in desk.get("/meetings").text
        deadline = time.monotonic() + 10
        while 'class="brand" href="/">RWF</a>' not in elsewhere.get("/meetings").text:
            assert time.monotonic() < deadline, "the other process never read the new name"
            time.sleep(0.05)
        council = _id(sessions, Body, name="General Council")
        refused = elsewhere.post(f"/secretary/bodies/{council}", _body_form(quorum="3/2"))
        assert refused.status_code == 422 and 'class="brand" href="/">RWF</a>' in refused.text
