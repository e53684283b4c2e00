"""One throttle behind every door: the API's password login, the page's, and access codes;
and a failed login that takes as long whatever failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened
from tests.web.page_client import Browser
from veche import security
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.errors import NotAuthenticated
from veche.models import LoginFailure, User
from veche.models.base import utcnow
from veche.web.ratelimit import PASSWORDS, Policy, TooManyAttempts, throttled

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

FREE_TRIES = PASSWORDS.free_tries or 0
WRONG = "the user name or the password is wrong"


@pytest.fixture
def app(engine: Engine, convened: Convened) -> Iterator[tuple[FastAPI, Assembly]]:
    application = create_app(engine)
    with TestClient(application) as client:
        yield application, convened.on(client)


def _as_if_just_failed(application: FastAPI) -> None:
    """The hold after the free tries starts at 1 s; on a loaded machine the next request can
    come later than that. Moving the failures a minute ahead keeps the hold on while the test
    makes its next request, without changing what is being shown."""
    sessions: sessionmaker[Session] = application.state.sessions
    with transaction(sessions) as session:
        session.execute(update(LoginFailure).values(failed_at=utcnow() + timedelta(minutes=1)))


def _api_login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/tokens", json={"username": username, "password": password})


def test_the_api_login_is_throttled_and_says_when_to_come_back(
    app: tuple[FastAPI, Assembly],
) -> None:
    client = app[1].client
    username, password = DEMO_SECRETARY
    for _ in range(FREE_TRIES):
        wrong = _api_login(client, username, "not-the-password")
        assert wrong.status_code == 401 and wrong.json()["detail"] == WRONG
    _as_if_just_failed(app[0])
    held = _api_login(client, username, password)  # even the right password waits now
    assert held.status_code == 429, held.text
    assert int(held.headers["retry-after"]) >= 1
    assert "too many failed attempts" in held.json()["detail"]
    # The owner, from an address that never failed, gets in at once.
    elsewhere = TestClient(app[0], client=("192.0.2.7", 50000))
    assert _api_login(elsewhere, username, password).status_code == 201


def test_changing_address_does_not_escape_the_account_cap(app: tuple[FastAPI, Assembly]) -> None:
    application = app[0]
    username, password = DEMO_SECRETARY
    cap = PASSWORDS.account_cap or 0
    answers = []
    for bot in range(cap + 10):  # a new address each time (a botnet, a forged X-Forwarded-For)
        client = TestClient(application, client=(f"198.51.100.{bot}", 50000))
        answers.append(_api_login(client, username, "not-the-password").status_code)
    assert answers == [401] * cap + [429] * 10
    # The right password waits as well while the account is under attack.
    fresh = TestClient(application, client=("203.0.113.9", 50000))
    assert _api_login(fresh, username, password).status_code == 429


def test_failures_at_the_login_page_hold_up_the_api_login(app: tuple[FastAPI, Assembly]) -> None:
    application, assembly = app
    username, password = DEMO_SECRETARY
    browser = Browser(application)
    for _ in range(FREE_TRIES):
        page = browser.post("/login", {"username": username, "password": "not-the-password"})
        assert page.status_code == 401
    _as_if_just_failed(application)
    held = _api_login(assembly.client, username, password)
    assert held.status_code == 429, held.text
    assert int(held.headers["retry-after"]) >= 1


def test_failures_at_the_api_hold_up_the_login_page(app: tuple[FastAPI, Assembly]) -> None:
    application, assembly = app
    username, password = DEMO_SECRETARY
    for _ in range(FREE_TRIES):
        assert _api_login(assembly.client, username.upper(), "nope").status_code == 401
    _as_if_just_failed(application)
    page = Browser(application).post("/login", {"username": username, "password": password})
    assert page.status_code == 429
    assert int(page.headers["retry-after"]) >= 1
    assert "too many failed attempts" in page.text


def test_a_throttled_access_code_login_says_when_to_come_back(
    app: tuple[FastAPI, Assembly], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real cap is 200 failures an address; three make the same point faster.
    monkeypatch.setattr(
        "veche.web.logins.ACCESS_CODES", Policy(free_tries=None, address_cap=3, account_cap=None)
    )
    browser = Browser(app[0])
    for _ in range(3):
        assert browser.log_in_with_code("AAAA-BBBB-CCCC").status_code == 401
    held = browser.log_in_with_code("AAAA-BBBB-CCCC")
    assert held.status_code == 429
    assert int(held.headers["retry-after"]) >= 1
    assert "too many failed attempts" in held.text


class CountingHasher(PasswordHasher):
    """The tests' cheap argon2id, counting the passwords it checks."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checked = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.checked += 1
        return super().verify(hash, password)


def test_an_unknown_name_or_a_disabled_account_costs_a_hash_like_a_wrong_password(
    app: tuple[FastAPI, Assembly],
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hasher = CountingHasher()
    monkeypatch.setattr(security, "_hasher", hasher)
    client = app[1].client
    username, password = DEMO_SECRETARY

    wrong = _api_login(client, username, "not-the-password")
    assert (wrong.status_code, hasher.checked) == (401, 1)

    unknown = _api_login(client, "nobody-by-this-name", "not-the-password")
    assert unknown.status_code == 401
    assert unknown.json() == wrong.json()  # the same words, too
    assert hasher.checked == 2

    with transaction(sessions) as session:
        session.execute(update(User).where(User.username == username).values(active=False))
    disabled = _api_login(client, username, password)  # the right password of a closed account
    assert disabled.status_code == 401 and disabled.json() == wrong.json()
    assert hasher.checked == 3


def test_an_attempt_under_way_already_counts_as_failed(sessions: sessionmaker[Session]) -> None:
    """Guesses sent all at once are let in one by one: while one is being checked (a
    password's hash takes a while), the next finds it counted."""
    moment = utcnow()
    outcomes: list[str] = []

    def guess_meanwhile() -> None:
        with sessions() as session:
            under_way = session.scalar(
                select(func.count()).where(LoginFailure.address == "10.0.0.66")
            )
        outcomes.append(f"{under_way} under way")
        if len(outcomes) < FREE_TRIES + 1:
            try_once()

    def wrong(_session: Session) -> str:
        raise NotAuthenticated("wrong")

    def try_once() -> None:
        try:
            throttled(
                sessions,
                PASSWORDS,
                "ada",
                "10.0.0.66",
                wrong,
                now=lambda: moment,
                check=guess_meanwhile,
            )
        except TooManyAttempts:
            outcomes.append("held")
        except NotAuthenticated:
            pass

    try_once()
    assert outcomes == [f"{n} under way" for n in range(1, FREE_TRIES + 1)] + ["held"]
