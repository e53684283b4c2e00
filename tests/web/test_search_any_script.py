"""Names and words in any script found in any case, on both databases, as a secretary
searches for them: the people and the accounts through the API and on their pages, a
person typed by full name for a new login, and resolutions in the registry."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.assembly import bearer_token
from tests.web.page_client import Browser, secretary
from tests.web.sitting import PreparedSitting, registry_with
from veche.demo import DEMO_SECRETARY

#: They start from the demo organization, whose people and accounts are left beside these.
pytestmark = pytest.mark.demo

PASSPHRASE = "an account's passphrase"
#: Each name, and its holder's user name for those given a login through the API.
NAMES = {
    "Jürgen Ölmez": "juergen",
    "Иван Петров": "ivan",
    "Νίκος Παπαδόπουλος": "nikos",
    "İlker Şahin": None,
    "Željko Đurić": None,
}
#: What a secretary types, and whom it finds: another case than the name's, in its script.
TYPED = [
    ("öl", ["Jürgen Ölmez"]),
    ("JÜRGEN", ["Jürgen Ölmez"]),
    ("иван", ["Иван Петров"]),
    ("ПЕТРОВ иВаН", ["Иван Петров"]),
    ("ΝΊΚΟΣ", ["Νίκος Παπαδόπουλος"]),  # a capital sigma finds a final "ς"
    ("παπαδόπουλοσ", ["Νίκος Παπαδόπουλος"]),
    ("ilker ŞAHİN", ["İlker Şahin"]),
    ("ĐURIĆ", ["Željko Đurić"]),
    ("петров ölmez", []),
]


@pytest.fixture
def api(app: FastAPI) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The secretary's API client, after adding the people of ``NAMES`` and their logins."""
    with TestClient(app) as client:
        token = bearer_token(client, *DEMO_SECRETARY)
        for name, username in NAMES.items():
            person = client.post("/api/people", json={"full_name": name}, headers=token)
            assert person.status_code == 201, person.text
            if username is not None:
                login = {"username": username, "password": PASSPHRASE}
                made = client.post(
                    "/api/accounts", json={**login, "person_id": person.json()["id"]}, headers=token
                )
                assert made.status_code == 201, made.text
        yield client, token


def _listed(page: str, table: str) -> list[str]:
    """The names in a page's table of people (``people-found``) or accounts."""
    rows = page[page.index(table) :]
    return re.findall(r"<tr><td>([^<]+?)(?: <span|</td>)", rows)


def test_people_are_found_in_any_script_and_case(
    app: FastAPI, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, token = api
    desk = secretary(app)
    for typed, wanted in TYPED:
        found = client.get("/api/people", params={"q": typed}, headers=token).json()
        assert [person["full_name"] for person in found["people"]] == wanted, typed
        assert found["total"] == len(wanted)
        page = desk.get("/secretary/people", params={"q": typed})
        assert page.status_code == 200
        assert _listed(page.text, 'id="people-found"') == wanted, typed


def test_accounts_are_found_by_their_holders_names_in_any_script_and_case(
    app: FastAPI, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, token = api
    desk = secretary(app)
    holders = {name: username for name, username in NAMES.items() if username}
    for typed, named in TYPED:
        wanted = [holders[name] for name in named if name in holders]
        found = client.get("/api/accounts", params={"q": typed}, headers=token).json()
        assert [account["username"] for account in found["accounts"]] == wanted, typed
        assert found["total"] == len(wanted)
        page = desk.get("/secretary/accounts", params={"q": typed}).text
        assert re.findall(r"<td>([a-z]+)</td>\s*<td>[^<]", page) == wanted, typed


def test_a_person_typed_by_full_name_in_another_case_gets_the_login(
    app: FastAPI, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, token = api
    desk: Browser = secretary(app)
    made = desk.post(
        "/secretary/accounts",
        {"username": "zeljko", "password": PASSPHRASE, "person": "  ŽELJKO  đurić "},
    )
    assert made.status_code == 303, made.text
    found = client.get("/api/accounts", params={"q": "zeljko"}, headers=token).json()
    assert [(a["username"], a["full_name"]) for a in found["accounts"]] == [
        ("zeljko", "Željko Đurić")
    ]


#: Resolutions in two scripts, and words typed in another case than theirs.
RESOLUTIONS = {
    "О бюджете Союза": "Совет утверждает БЮДЖЕТ на год.",
    "ΠΕΡΊ ΤΟΥ ΠΡΟΫΠΟΛΟΓΙΣΜΟΎ": "Το Συμβούλιο εγκρίνει τον προϋπολογισμό.",
}
FOUND_IN_THE_REGISTRY = [
    ("бюджет", ["О бюджете Союза"]),
    ("СОЮЗА совет", ["О бюджете Союза"]),
    ("προϋπολογισμού", ["ΠΕΡΊ ΤΟΥ ΠΡΟΫΠΟΛΟΓΙΣΜΟΎ"]),
    ("ΣΥΜΒΟΎΛΙΟ", ["ΠΕΡΊ ΤΟΥ ΠΡΟΫΠΟΛΟΓΙΣΜΟΎ"]),
    ("бюджет συμβούλιο", []),
]


def test_resolutions_are_found_by_words_in_any_script_and_case(
    engine: Engine, sitting: PreparedSitting
) -> None:
    with registry_with(engine, sitting, RESOLUTIONS) as registry:
        for typed, wanted in FOUND_IN_THE_REGISTRY:
            found = registry.listed(meeting_id=sitting.meeting_id, q=typed)
            assert [entry["title"] for entry in found["resolutions"]] == wanted, typed
