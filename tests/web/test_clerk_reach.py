"""Those who manage accounts never get, reset or take away a way in for someone who may do
more than they may: a clerk (``accounts.manage`` alone) cannot become the chair or the
administrator by resetting a password or taking a token, nor revoke the administrator's
token. What an account may do is its grants, its person's grants, and its person's places
and offices in meetings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.apps import create_app
from tests.assembly import Assembly, Convened, bearer_token

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

PASSWORD = "clerks keep the books"


@pytest.fixture
def assembly(engine: Engine, convened: Convened) -> Iterator[tuple[FastAPI, Assembly]]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield app, convened.on(client)


def _send(hall: Assembly, method: str, path: str, as_: dict[str, str], **body: Any) -> Any:
    return hall.client.request(method, f"/api{path}", json=body or None, headers=as_)


def _clerk(hall: Assembly) -> dict[str, str]:
    """An account whose one role manages accounts, in the whole organization."""
    defined = _send(
        hall, "PUT", "/roles/clerk", hall.secretary, label="Clerk", permissions=["accounts.manage"]
    )
    assert defined.status_code in (200, 201), defined.text
    clerk = hall.create("/accounts", username="clerk", password=PASSWORD)["id"]
    organization = hall.client.get("/api/organization").json()["id"]
    hall.create(
        "/role-grants", role="clerk", scope="organization", scope_id=organization, user_id=clerk
    )
    return bearer_token(hall.client, "clerk", PASSWORD)


def test_a_clerk_cannot_reset_the_password_of_a_meetings_chair(
    assembly: tuple[FastAPI, Assembly],
) -> None:
    _app, hall = assembly
    clerk = _clerk(hall)
    chair = hall.members[0]
    office = _send(
        hall, "PATCH", f"/meetings/{hall.meeting_id}/participants/{chair}", hall.secretary,
        office="chair",
    )  # fmt: skip
    assert office.status_code == 200, office.text
    account = hall.create("/accounts", username="the-chair", password=PASSWORD, person_id=chair)
    reset = _send(
        hall, "POST", f"/accounts/{account['id']}/password", clerk, new_password="taken over now!"
    )
    assert reset.status_code == 403, reset.text
    assert "polls.run" in reset.json()["detail"]
    assert bearer_token(hall.client, "the-chair", PASSWORD)  # the old password still works
    # The administrator holds all the chair may do, and may.
    again = _send(
        hall,
        "POST",
        f"/accounts/{account['id']}/password",
        hall.secretary,
        new_password="a new start for the chair",
    )
    assert again.status_code == 204, again.text


def test_a_clerk_gets_tokens_only_for_people_who_may_do_no_more(
    assembly: tuple[FastAPI, Assembly],
) -> None:
    _app, hall = assembly
    clerk = _clerk(hall)
    member = hall.members[1]  # a member of the meeting: may see it, ask for the floor …
    refused = _send(hall, "POST", f"/people/{member}/tokens", clerk)
    assert refused.status_code == 403, refused.text
    assert "meeting.see" in refused.json()["detail"]
    assert _send(hall, "POST", f"/people/{member}/tokens", hall.secretary).status_code == 201
    nobody = hall.create("/people", full_name="Nadia Nowhere")["id"]
    issued = _send(hall, "POST", f"/people/{nobody}/tokens", clerk)
    assert issued.status_code == 201, issued.text
    # The clerk revokes the token of one who may do no more, not the administrator's.
    mine = hall.client.get("/api/tokens", headers=hall.secretary).json()
    administrators = mine[0]["id"]
    kept = _send(hall, "DELETE", f"/tokens/{administrators}", clerk)
    assert kept.status_code == 403, kept.text
    assert hall.client.get("/api/tokens", headers=hall.secretary).status_code == 200
    assert _send(hall, "DELETE", f"/tokens/{issued.json()['id']}", clerk).status_code == 204


def test_a_clerk_cannot_make_a_login_for_a_person_granted_more(
    assembly: tuple[FastAPI, Assembly],
) -> None:
    _app, hall = assembly
    clerk = _clerk(hall)
    person = hall.create("/people", full_name="Ada Granted")["id"]
    organization = hall.client.get("/api/organization").json()["id"]
    hall.create(
        "/role-grants",
        role="administrator",
        scope="organization",
        scope_id=organization,
        person_id=person,
    )
    made = _send(
        hall, "POST", "/accounts", clerk, username="ada", password=PASSWORD, person_id=person
    )
    assert made.status_code == 403, made.text
    assert "organization.manage" in made.json()["detail"]
    # Made by the administrator, the login lists the person's grant beside the account's:
    # whoever reads the accounts sees all that the login may do.
    made = _send(
        hall,
        "POST",
        "/accounts",
        hall.secretary,
        username="ada",
        password=PASSWORD,
        person_id=person,
    )
    assert made.status_code == 201, made.text
    listed = _send(hall, "GET", "/accounts?q=ada", hall.secretary).json()["accounts"]
    (ada,) = [account for account in listed if account["username"] == "ada"]
    assert [(g["role"], g["to_person"]) for g in ada["grants"]] == [("administrator", True)]
