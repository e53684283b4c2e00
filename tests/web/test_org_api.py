"""The organization's records through the API: what the secretary's pages change, the API
changes too, with the same input, the same rows and the same refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import bearer_token
from tests.web.desk_client import Desk
from tests.web.page_client import SYSTEM
from veche.actions.journal_actions import JournalAction
from veche.actions.org import (
    do_create_body,
    do_create_organization,
    do_create_person,
    do_create_unit,
)
from veche.actions.org_updates import do_update_body, do_update_unit
from veche.db import transaction
from veche.errors import NotFound
from veche.models import (
    Body,
    JournalEntry,
    Meeting,
    Membership,
    Organization,
    Person,
    Term,
    Unit,
    User,
)

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: The rows the organization's records hold, counted to show that a refusal changed nothing.
RECORDS = (Body, Term, Person, Membership, User, Meeting, JournalEntry)


def _api(
    desk: Desk, method: str, path: str, *, as_: dict[str, str] | None = None, **sent: Any
) -> Any:
    """A request to the API, as the secretary unless another token is given."""
    headers = as_ if as_ is not None else desk.assembly.secretary
    return desk.assembly.client.request(method, path, headers=headers, **sent)


def _created(desk: Desk, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = _api(desk, "POST", path, json=body)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def _counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in RECORDS
        }


def _unit(sessions: sessionmaker[Session], name: str) -> int:
    with sessions() as session:
        found = session.scalar(select(Unit.id).where(Unit.name == name))
        assert found is not None
        return found


def _body(sessions: sessionmaker[Session], name: str) -> int:
    with sessions() as session:
        found = session.scalar(select(Body.id).where(Body.name == name))
        assert found is not None
        return found


def _csv(*rows: str) -> dict[str, Any]:
    text = "\n".join(["name,body,role,email", *rows]) + "\n"
    return {"files": {"file": ("seats.csv", text.encode(), "text/csv")}}


def _import(desk: Desk, *rows: str) -> Any:
    """A member list with ``rows`` sent to the import, as the secretary."""
    return _api(desk, "POST", "/api/imports/members", **_csv(*rows))


def test_the_secretary_builds_the_organization_through_the_api(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    before = _counts(sessions)
    body = _created(
        desk,
        "/api/bodies",
        {"name": "Youth Commission", "quorum": "2/3", "max_proxies_per_member": 1},
    )
    assert body["name"] == "Youth Commission" and body["quorum"] == "2/3"
    assert body["max_proxies_per_member"] == 1 and body["alternates_vote_for_absent"] is True
    first = _created(desk, "/api/terms", {"body_id": body["id"], "starts_on": "2026-01-10"})
    later = _created(
        desk, "/api/terms", {"body_id": body["id"], "starts_on": "2030-01-10", "number": 5}
    )
    assert (first["number"], later["number"]) == (1, 5) and first["ends_on"] is None
    unit = _unit(sessions, "Dockers' Branch")
    person = _created(
        desk,
        "/api/people",
        {"full_name": " Nina  Novak ", "email": "Nina@Example.org", "unit_id": unit},
    )
    assert person == {
        "id": person["id"],
        "full_name": "Nina Novak",
        "email": "nina@example.org",
        "unit_id": unit,
    }
    seat = _created(
        desk,
        "/api/memberships",
        {"person_id": person["id"], "term_id": first["id"], "role": "alternate"},
    )
    assert seat["role"] == "alternate" and seat["from_date"] is None

    listed = _api(desk, "GET", "/api/people")
    assert listed.status_code == 200, listed.text
    nina = next(row for row in listed.json()["people"] if row["id"] == person["id"])
    assert nina == {
        "id": person["id"],
        "full_name": "Nina Novak",
        "email": "nina@example.org",
        "unit": "Dockers' Branch",
        "seats": ["alternate, 1st Youth Commission"],
    }

    account = _created(
        desk,
        "/api/users",
        {"username": "Nina", "password": "correct horse", "person_id": person["id"]},
    )
    assert account == {
        "id": account["id"],
        "username": "nina",
        "person_id": person["id"],
        "active": True,
    }
    nina_token = bearer_token(desk.assembly.client, "nina", "correct horse")
    # An account is no administrator unless made one.
    refused = _api(desk, "POST", "/api/bodies", as_=nina_token, json={"name": "Nina's Own"})
    assert refused.status_code == 403, refused.text

    after = _counts(sessions)
    grown = {name: after[name] - before[name] for name in after}
    assert grown == {
        "Body": 1,
        "Term": 2,
        "Person": 1,
        "Membership": 1,
        "User": 1,
        "Meeting": 0,
        "JournalEntry": 7,  # six changes, and the token Nina logged in for
    }
    with sessions() as session:
        journaled = session.execute(
            select(JournalEntry.action, JournalEntry.actor_name)
            .where(JournalEntry.seq > before["JournalEntry"])
            .order_by(JournalEntry.seq)
        ).all()
    assert [action for action, _name in journaled[:6]] == [
        JournalAction.CREATE_BODY,
        JournalAction.CREATE_TERM,
        JournalAction.CREATE_TERM,
        JournalAction.CREATE_PERSON,
        JournalAction.ADD_MEMBERSHIP,
        JournalAction.CREATE_USER,
    ]
    assert {name for _action, name in journaled[:6]} == {"secretary"}


def test_an_administrator_account_holds_every_right(desk: Desk) -> None:
    _created(
        desk,
        "/api/users",
        {"username": "deputy", "password": "deputy-secretary", "administrator": True},
    )
    deputy = bearer_token(desk.assembly.client, "deputy", "deputy-secretary")
    made = _api(desk, "POST", "/api/bodies", as_=deputy, json={"name": "Deputy's Commission"})
    assert made.status_code == 201, made.text


def test_a_member_list_is_imported_through_the_api(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    before = _counts(sessions)
    imported = _import(desk, "New Auditor,Audit Commission,member,auditor@example.org")
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"people_created": 1, "memberships_created": 1}
    rejected = _import(desk, "Someone,No Such Body,member,", "Another,Audit Commission,chair,")
    assert rejected.status_code == 422
    detail = rejected.json()["detail"]
    assert "nothing was imported" in detail and "line 2: unknown body" in detail
    assert "line 3: role must be member or alternate" in detail
    after = _counts(sessions)
    assert (after["Person"], after["Membership"]) == (
        before["Person"] + 1,
        before["Membership"] + 1,
    )


def test_a_term_written_in_no_number_of_ours_is_refused_at_its_line(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    """ "²" is a digit to ``str.isdigit`` but not to ``int``, nor are 5,000 digits a number
    ``int`` reads: the import once answered them with a 500."""
    before = _counts(sessions)
    rows = ["Someone,Audit Commission,member,,²", f"Another,Audit Commission,member,,{'9' * 5000}"]
    text = "\n".join(["name,body,role,email,term", *rows]) + "\n"
    rejected = _api(
        desk, "POST", "/api/imports/members", files={"file": ("seats.csv", text.encode())}
    )
    assert rejected.status_code == 422, rejected.text
    detail = rejected.json()["detail"]
    assert "line 2: the term must be a number such as 8 or 8th, not '²'" in detail
    assert "line 3: the term must be a number such as 8 or 8th" in detail
    assert _counts(sessions) == before


@pytest.mark.parametrize(
    "text",
    [
        "[\r)Y",  # a line end inside an unquoted cell, to a reader that left them to Python
        "name,body,role\nA\rB,x,member\n",
        f"name,body,role\n{'x' * 200_000},Audit Commission,member\n",  # past csv's cell limit
    ],
)
def test_a_file_the_csv_module_cannot_read_is_refused_and_imports_nothing(
    desk: Desk, sessions: sessionmaker[Session], text: str
) -> None:
    # Each answered a 500 (csv.Error) before.
    before = _counts(sessions)
    rejected = _api(
        desk, "POST", "/api/imports/members", files={"file": ("seats.csv", text.encode())}
    )
    assert rejected.status_code == 422, rejected.text
    assert "nothing was imported" in rejected.json()["detail"]
    assert _counts(sessions) == before


def test_the_meetings_list_shows_each_caller_what_they_may_see(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        audit = session.scalar(select(Term.id).join(Body).where(Body.name == "Audit Commission"))
        auditor = session.scalar(
            select(Membership.person_id).where(Membership.term_id == audit).limit(1)
        )
    assert audit is not None and auditor is not None
    audit_meeting = _created(
        desk,
        "/api/meetings",
        {"term_id": audit, "title": "Audit Meeting", "starts_on": "2099-01-10"},
    )

    def listed(token: dict[str, str] | None = None) -> list[int]:
        response = _api(desk, "GET", "/api/meetings", as_=token)
        assert response.status_code == 200, response.text
        return [meeting["id"] for meeting in response.json()["meetings"]]

    everything = _api(desk, "GET", "/api/meetings").json()["meetings"]
    assert [m["id"] for m in everything] == [audit_meeting["id"], desk.meeting]  # newest first
    assert everything[1]["name"] == "1st Enlarged Plenary Meeting of the 8th General Council"
    member = desk.assembly.as_person(desk.assembly.members[0])
    assert listed(member) == [desk.meeting]
    assert listed(desk.assembly.as_person(auditor)) == [audit_meeting["id"]]


def test_the_page_and_the_api_make_the_same_records(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    """Each secretary's form posted with the input the API is given: the same rows."""

    def by_page(path: str, form: dict[str, Any], action: JournalAction, key: str) -> int:
        """Post a form; the id of the row its action journaled."""
        with sessions() as session:
            newest = session.scalar(select(func.max(JournalEntry.seq))) or 0
        response = desk.secretary.post(path, form)
        assert response.status_code == 303, response.text
        with sessions() as session:
            payload = session.scalar(
                select(JournalEntry.payload).where(
                    JournalEntry.seq > newest, JournalEntry.action == action
                )
            )
        assert payload is not None
        return int(payload[key])

    def by_api(path: str, body: dict[str, Any]) -> int:
        return int(_created(desk, path, body)["id"])

    def row(model: type[Any], row_id: int, *fields: str) -> tuple[Any, ...]:
        with sessions() as session:
            found = session.get(model, row_id)
            assert found is not None
            return tuple(getattr(found, name) for name in fields)

    body = {"description": "Looks ahead.", "quorum": "3/5"}
    page_body = by_page(
        "/secretary/bodies",
        {"name": "Page Commission", **body},
        JournalAction.CREATE_BODY,
        "body_id",
    )
    api_body = by_api("/api/bodies", {"name": "Api Commission", **body})
    fields: tuple[str, ...] = ("description", "quorum_numerator", "quorum_denominator")
    fields += ("parent_id", "alternates_vote_for_absent", "max_proxies_per_member")
    assert row(Body, page_body, *fields) == row(Body, api_body, *fields)

    term = {"starts_on": "2026-02-01", "ends_on": "2028-01-31"}
    page_term = by_page(
        "/secretary/terms", {"body_id": page_body, **term}, JournalAction.CREATE_TERM, "term_id"
    )
    api_term = by_api("/api/terms", {"body_id": api_body, **term})
    fields = ("number", "starts_on", "ends_on")
    assert row(Term, page_term, *fields) == row(Term, api_term, *fields)
    with sessions() as session:
        journaled = session.scalars(
            select(JournalEntry.payload)
            .where(JournalEntry.action == JournalAction.CREATE_TERM)
            .order_by(JournalEntry.seq)
        ).all()
    # The term's last day is in the journal from its creation, not from a later change only.
    assert {(said["term_id"], said["ends_on"]) for said in journaled[-2:]} == {
        (page_term, term["ends_on"]),
        (api_term, term["ends_on"]),
    }

    unit = _unit(sessions, "Fisheries Branch")
    # An e-mail left empty in the form is none at all, as when the API is given none.
    page_person = by_page(
        "/secretary/people",
        {"full_name": "Olga Page", "email": "", "unit_id": unit},
        JournalAction.CREATE_PERSON,
        "person_id",
    )
    api_person = by_api("/api/people", {"full_name": "Olga Api", "unit_id": unit})
    assert row(Person, page_person, "email", "unit_id") == (None, unit)
    assert row(Person, api_person, "email", "unit_id") == (None, unit)

    seat = {"role": "alternate"}
    page_seat = by_page(
        "/secretary/memberships",
        {"person_id": page_person, "term_id": page_term, **seat},
        JournalAction.ADD_MEMBERSHIP,
        "membership_id",
    )
    api_seat = by_api("/api/memberships", {"person_id": api_person, "term_id": api_term, **seat})
    fields = ("role", "from_date", "to_date")
    assert row(Membership, page_seat, *fields) == row(Membership, api_seat, *fields)

    meeting = {"title": "Founding Meeting", "starts_on": "2026-02-10", "venue": "Harbour Hall"}
    page_meeting = by_page(
        "/secretary/meetings",
        {"term_id": page_term, **meeting},
        JournalAction.CREATE_MEETING,
        "meeting_id",
    )
    api_meeting = by_api("/api/meetings", {"term_id": api_term, **meeting})
    fields = ("number", "title", "kind", "state", "starts_on", "ends_on", "venue", "notice")
    assert row(Meeting, page_meeting, *fields) == row(Meeting, api_meeting, *fields)


#: Every change of the organization's records the API takes, with input it would accept.
CHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/bodies", {"json": {"name": "Shadow Commission"}}),
    ("POST", "/api/terms", {"json": {"body_id": 3, "starts_on": "2026-01-01"}}),
    ("POST", "/api/people", {"json": {"full_name": "Someone New"}}),
    ("POST", "/api/memberships", {"json": {"person_id": 48, "term_id": 3}}),
    ("POST", "/api/users", {"json": {"username": "usurper", "password": "long enough"}}),
    (
        "POST",
        "/api/users",
        {"json": {"username": "usurper", "password": "x" * 8, "administrator": True}},
    ),
    ("POST", "/api/imports/members", _csv("Imported Person,Audit Commission,member,")),
    ("GET", "/api/people", {}),
]


@pytest.mark.one_database
def test_only_those_who_manage_the_organization_change_it(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    before = _counts(sessions)
    delegate = desk.assembly.as_person(desk.assembly.members[0])
    for method, path, sent in CHANGES:
        response = _api(desk, method, path, as_=delegate, **sent)
        assert response.status_code == 403, (path, response.text)
        assert "may change the organization" in response.json()["detail"] or (
            "may issue and list other people's accounts" in response.json()["detail"]
        ), (path, response.text)
        anonymous = desk.assembly.client.request(method, path, **sent)
        assert anonymous.status_code == 401, (path, anonymous.text)
    after = _counts(sessions)
    assert after == {**before, "JournalEntry": after["JournalEntry"]}
    with sessions() as session:
        journaled = session.scalars(
            select(JournalEntry.action).where(JournalEntry.seq > before["JournalEntry"])
        ).all()
    assert set(journaled) <= {JournalAction.ISSUE_TOKEN}  # the delegate's token, nothing more


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/bodies", {"name": "Half", "quorum": "half"}, 422, "write the quorum as a fraction"),
        ("/api/bodies", {"name": "Too Many", "quorum": "3/2"}, 422, "between 0 and 1"),
        ("/api/bodies", {"name": "Nobody", "quorum": "0/2"}, 422, "more than 0"),
        ("/api/bodies", {"name": "General Council"}, 409, "already has a body"),
        ("/api/bodies", {"name": "   "}, 422, "must not be empty"),
        ("/api/bodies", {"name": "Orphan", "parent_id": 999_999}, 404, "there is no body"),
        (
            "/api/terms",
            {"body_id": 3, "starts_on": "2026-06-01", "ends_on": "2026-01-01"},
            422,
            "before it starts",
        ),
        ("/api/terms", {"body_id": 999_999, "starts_on": "2026-06-01"}, 404, "there is no body"),
        ("/api/terms", {"body_id": 1, "starts_on": "2026-06-01", "number": 8}, 409, "numbered 8"),
        ("/api/people", {"full_name": "No Mail", "email": "nowhere"}, 422, "not an e-mail"),
        ("/api/people", {"full_name": "Nowhere", "unit_id": 999_999}, 404, "there is no unit"),
        ("/api/memberships", {"person_id": 1, "term_id": 2, "role": "chair"}, 422, "role"),
        ("/api/memberships", {"person_id": 1, "term_id": 2}, 409, "is already member"),
        ("/api/users", {"username": "shorty", "password": "short"}, 422, "at least 12"),
        ("/api/users", {"username": "Secretary", "password": "long enough"}, 409, "is taken"),
        (
            "/api/meetings",
            {"term_id": 999_999, "title": "T", "starts_on": "2026-01-01"},
            404,
            "term",
        ),
    ],
)
def test_bad_input_changes_nothing(
    desk: Desk,
    sessions: sessionmaker[Session],
    path: str,
    body: dict[str, Any],
    status: int,
    message: str,
) -> None:
    before = _counts(sessions)
    response = _api(desk, "POST", path, json=body)
    assert response.status_code == status and message in response.json()["detail"], response.text
    assert _counts(sessions) == before


@pytest.mark.one_database
def test_another_organizations_rows_are_not_found(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        elsewhere = do_create_organization(session, SYSTEM, "Another Union")
        stranger = do_create_person(session, SYSTEM, elsewhere, "Someone Else").id
    before = _counts(sessions)
    for path, body in [
        ("/api/memberships", {"person_id": stranger, "term_id": 2}),
        ("/api/users", {"username": "stranger", "password": "long enough", "person_id": stranger}),
    ]:
        response = _api(desk, "POST", path, json=body)
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == f"there is no person {stranger}"
    assert _counts(sessions) == before


@pytest.mark.one_database
def test_a_record_is_not_placed_under_another_organizations(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    """The routes find a parent in the caller's organization alone; the actions, given one
    of another organization's all the same, refuse it themselves."""
    with transaction(sessions) as session:
        elsewhere = do_create_organization(session, SYSTEM, "Another Union")
        their_body = do_create_body(session, SYSTEM, elsewhere, "Their Council")
        their_unit = do_create_unit(session, SYSTEM, elsewhere, "Their Branch")
        ids = (their_body.id, their_unit.id)
    before = _counts(sessions)
    with transaction(sessions) as session:
        ours = session.scalars(select(Organization).where(Organization.id != elsewhere.id)).one()
        body = session.scalars(select(Body).where(Body.organization_id == ours.id)).first()
        unit = session.scalars(select(Unit).where(Unit.organization_id == ours.id)).first()
        assert body is not None and unit is not None
        their_body, their_unit = session.get_one(Body, ids[0]), session.get_one(Unit, ids[1])
        refused: list[Callable[[], object]] = [
            lambda: do_create_body(session, SYSTEM, ours, "Mixed", parent=their_body),
            lambda: do_create_unit(session, SYSTEM, ours, "Mixed", parent=their_unit),
            lambda: do_update_body(session, SYSTEM, body, parent=their_body),
            lambda: do_update_unit(session, SYSTEM, unit, parent=their_unit),
        ]
        for change, said in zip(refused, ["body", "unit"] * 2, strict=True):
            with pytest.raises(NotFound, match=f"there is no {said} "):
                change()
    assert _counts(sessions) == before


@pytest.mark.one_database
def test_an_organization_is_set_up_by_whoever_runs_the_server(
    desk: Desk, sessions: sessionmaker[Session]
) -> None:
    from veche.actions.auth import token_caller
    from veche.errors import Forbidden

    token = desk.assembly.secretary["Authorization"].removeprefix("Bearer ")
    with transaction(sessions) as session:
        administrator = token_caller(session, token)
        with pytest.raises(Forbidden, match="whoever runs the server"):
            do_create_organization(session, administrator, "A Union of One's Own")


def _bodies_named(sessions: sessionmaker[Session], name: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).where(Body.name == name)) or 0


@pytest.mark.one_database
def test_the_pages_refuse_as_the_api_does(desk: Desk, sessions: sessionmaker[Session]) -> None:
    """The same bad input through a form: the same status and message, and nothing made."""
    before = _counts(sessions)
    refused: list[tuple[str, dict[str, Any], int, str]] = [
        ("/secretary/bodies", {"name": "Half", "quorum": "half"}, 422, "write the quorum"),
        ("/secretary/people", {"full_name": "No Mail", "email": "nowhere"}, 422, "not an e-mail"),
        ("/secretary/memberships", {"person_id": 1, "term_id": 2}, 409, "is already member"),
        ("/secretary/terms", {"body_id": 999_999, "starts_on": "2026-06-01"}, 404, "no body"),
    ]
    for path, form, status, message in refused:
        response = desk.secretary.post(path, form)
        assert response.status_code == status and message in response.text, response.text
    delegate = desk.others["delegate"].post("/secretary/bodies", {"name": "Delegates' Own"})
    assert delegate.status_code == 403
    assert _counts(sessions) == before
    assert _bodies_named(sessions, "Delegates' Own") == 0
