"""Accounts through the API: the secretary creates a login, grants it a role, resets its password,
deactivates and reactivates it; its holder changes their own password. Each change ends the
logins it should, is journaled without the password, and bad input changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import bearer_token
from veche.actions.journal_actions import JournalAction
from veche.demo import DEMO_SECRETARY
from veche.models import JournalEntry, Person, User

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

TELLER_PASSWORD = "tellers count the votes"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as client:
        yield client


def _works(client: TestClient, token: dict[str, str]) -> bool:
    return client.get("/api/tokens", headers=token).status_code == 200


def _call(client: TestClient, path: str, as_: dict[str, str], status: int, **body: Any) -> Any:
    response = client.post(f"/api/{path}", json=body or None, headers=as_)
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _teller(client: TestClient, secretary: dict[str, str]) -> tuple[int, int]:
    """A new account for a person without one, and the person's id."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        person = session.scalars(
            select(Person.id)
            .outerjoin(User, User.person_id == Person.id)
            .where(User.id.is_(None))
            .order_by(Person.id)
        ).first()
    assert person is not None
    made = _call(
        client,
        "accounts",
        secretary,
        201,
        username="Teller.One",
        password=TELLER_PASSWORD,
        person_id=person,
    )
    assert made == {
        "id": made["id"],
        "username": "teller.one",
        "person_id": person,
        "full_name": made["full_name"],
        "active": True,
        "grants": [],
    }
    return made["id"], person


def test_the_secretary_manages_an_account_from_login_to_deactivation(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    secretary = bearer_token(client, *DEMO_SECRETARY)
    teller_id, _person = _teller(client, secretary)
    organization = client.get("/api/organization").json()["id"]
    granted = _call(
        client,
        "role-grants",
        secretary,
        201,
        role="teller",
        scope="organization",
        scope_id=organization,
        user_id=teller_id,
    )
    listed = client.get("/api/accounts", headers=secretary).json()["accounts"]
    teller = next(account for account in listed if account["id"] == teller_id)
    assert teller["grants"] == [
        {
            "id": granted["id"],
            "role": "teller",
            "label": "Teller",
            "scope": "organization",
            "scope_id": organization,
            "where": "the whole organization",
            "to_person": False,
        }
    ]

    phone, laptop = (bearer_token(client, "teller.one", TELLER_PASSWORD) for _ in range(2))
    # Nobody but those who manage accounts lists or resets them.
    _call(client, "accounts", phone, 403, username="x", password=TELLER_PASSWORD)
    assert client.get("/api/accounts", headers=phone).status_code == 403
    secretary_id = next(a["id"] for a in listed if a["username"] == DEMO_SECRETARY[0])
    _call(client, f"accounts/{secretary_id}/password", phone, 403, new_password="taken over now")

    _call(
        client, f"accounts/{teller_id}/password", secretary, 204, new_password="a new start for you"
    )
    assert not _works(client, phone) and not _works(client, laptop)
    refused = client.post(
        "/api/tokens", json={"username": "teller.one", "password": TELLER_PASSWORD}
    )
    assert refused.status_code == 401
    phone = bearer_token(client, "teller.one", "a new start for you")

    closed = _call(client, f"accounts/{teller_id}/deactivate", secretary, 200)
    assert closed["active"] is False and closed["grants"] == teller["grants"]
    assert not _works(client, phone)
    refused = client.post(
        "/api/tokens", json={"username": "teller.one", "password": "a new start for you"}
    )
    assert refused.status_code == 401
    _call(client, f"accounts/{teller_id}/deactivate", secretary, 409)
    assert _call(client, f"accounts/{teller_id}/activate", secretary, 200)["active"] is True
    assert not _works(client, phone)  # its old tokens stay revoked
    assert _works(client, bearer_token(client, "teller.one", "a new start for you"))

    # The organization keeps an account able to manage it; an unknown account is 404.
    last = _call(client, f"accounts/{secretary_id}/deactivate", secretary, 409)
    assert "no account able to manage the organization" in last["detail"]
    assert (
        "there is no account 999999"
        in _call(client, "accounts/999999/activate", secretary, 404)["detail"]
    )
    with sessions() as session:
        journaled = session.execute(
            select(JournalEntry.action, JournalEntry.payload)
            .where(
                JournalEntry.action.in_(
                    [
                        JournalAction.RESET_PASSWORD,
                        JournalAction.DEACTIVATE_USER,
                        JournalAction.ACTIVATE_USER,
                    ]
                )
            )
            .order_by(JournalEntry.seq)
        ).all()
    assert [action for action, _payload in journaled] == [
        JournalAction.RESET_PASSWORD,
        JournalAction.DEACTIVATE_USER,
        JournalAction.ACTIVATE_USER,
    ]
    assert journaled[0][1] == {
        "user_id": teller_id,
        "username": "teller.one",
        "logins_ended": 0,
        "tokens_revoked": 2,
    }
    assert all("new start for you" not in str(payload) for _action, payload in journaled)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"username": "shorty", "password": "too short"}, 422, "at least 12 characters"),
        ({"username": "common", "password": "qwerty123456"}, 422, "most common"),
        ({"username": "Secretary", "password": TELLER_PASSWORD}, 409, "is taken"),
        ({"username": "", "password": TELLER_PASSWORD}, 422, "username"),
        ({"username": "ghost", "password": TELLER_PASSWORD, "person_id": 999_999}, 404, "person"),
    ],
)
def test_bad_input_for_a_new_account_changes_nothing(
    client: TestClient, body: dict[str, Any], status: int, message: str
) -> None:
    secretary = bearer_token(client, *DEMO_SECRETARY)
    before = client.get("/api/accounts", headers=secretary).json()
    refused = _call(client, "accounts", secretary, status, **body)
    assert message in refused["detail"]
    assert client.get("/api/accounts", headers=secretary).json() == before


def test_a_person_has_one_account_at_most(client: TestClient) -> None:
    secretary = bearer_token(client, *DEMO_SECRETARY)
    _teller_id, person = _teller(client, secretary)
    again = _call(
        client,
        "accounts",
        secretary,
        409,
        username="other",
        password=TELLER_PASSWORD,
        person_id=person,
    )
    assert "has an account already: 'teller.one'" in again["detail"]


def test_everyone_changes_their_own_password_keeping_this_login(client: TestClient) -> None:
    secretary = bearer_token(client, *DEMO_SECRETARY)
    _teller_id, person = _teller(client, secretary)
    phone, laptop = (bearer_token(client, "teller.one", TELLER_PASSWORD) for _ in range(2))

    wrong = _call(
        client,
        "me/password",
        phone,
        403,
        current_password="not my password",
        new_password="my own new passphrase",
    )
    assert wrong["detail"] == "the current password is not right; nothing was changed"
    same = _call(
        client,
        "me/password",
        phone,
        422,
        current_password=TELLER_PASSWORD,
        new_password=TELLER_PASSWORD,
    )
    assert "the one you have now" in same["detail"]
    weak = _call(
        client,
        "me/password",
        phone,
        422,
        current_password=TELLER_PASSWORD,
        new_password="teller.one2024",
    )
    assert "user name" in weak["detail"]
    assert _works(client, laptop)

    _call(
        client,
        "me/password",
        phone,
        204,
        current_password=TELLER_PASSWORD,
        new_password="my own new passphrase",
    )
    assert _works(client, phone) and not _works(client, laptop)
    bearer_token(client, "teller.one", "my own new passphrase")

    issued = client.post(f"/api/people/{person + 1}/tokens", headers=secretary).json()
    delegate = {"Authorization": f"Bearer {issued['token']}"}
    none = _call(
        client,
        "me/password",
        delegate,
        409,
        current_password="anything at all",
        new_password="my own new passphrase",
    )
    assert "there is no password to change" in none["detail"]
