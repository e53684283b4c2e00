"""Logging in to the pages: passwords, access codes, cookies, logout, CSRF and throttling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened
from tests.web.page_client import Browser, access_codes, secretary
from veche.actions.journal_actions import JournalAction
from veche.demo import DEMO_SECRETARY
from veche.errors import NotAuthenticated
from veche.models import JournalEntry, LoginFailure, LoginSession
from veche.models.base import utcnow
from veche.web import ratelimit
from veche.web.pages.login import safe_next
from veche.web.ratelimit import PASSWORDS, Policy, TooManyAttempts, throttled

#: What these prove (a login's cookie, CSRF, logout) is decided before anything but the
#: login session is stored; the tokens' and sessions' storage is proven on both databases
#: in test_tokens_api.py. They start from the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


@pytest.fixture
def app(engine: Engine, convened: Convened) -> Iterator[tuple[FastAPI, Assembly]]:
    application = create_app(engine)
    with TestClient(application) as client:
        yield application, convened.on(client)


def test_a_password_login_sets_a_signed_httponly_samesite_cookie(
    app: tuple[FastAPI, Assembly],
) -> None:
    application, _ = app
    browser = Browser(application)
    response = browser.log_in(*DEMO_SECRETARY)
    assert response.headers["location"] == "/secretary"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("veche_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert browser.get("/secretary").status_code == 200


def test_a_wrong_password_is_refused_with_the_form_again(app: tuple[FastAPI, Assembly]) -> None:
    browser = Browser(app[0])
    response = browser.post("/login", {"username": "secretary", "password": "wrong-password"})
    assert response.status_code == 401
    assert "the user name or the password is wrong" in response.text
    assert 'name="password"' in response.text
    assert browser.get("/secretary").status_code == 303  # still logged out: sent to the login


def test_a_tampered_cookie_logs_no_one_in(app: tuple[FastAPI, Assembly]) -> None:
    value = secretary(app[0]).client.cookies["veche_session"]
    forger = Browser(app[0])
    forger.client.cookies.set("veche_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert forger.get("/secretary").headers["location"].startswith("/login?next=")


def test_logout_ends_the_session_everywhere(
    app: tuple[FastAPI, Assembly], sessions: sessionmaker[Session]
) -> None:
    browser = secretary(app[0])
    stolen = browser.client.cookies["veche_session"]
    assert browser.post("/logout").status_code == 303
    assert browser.get("/secretary").status_code == 303
    thief = Browser(app[0])
    thief.client.cookies.set("veche_session", stolen)
    assert thief.get("/secretary").status_code == 303  # the copied cookie is dead too
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginSession)) == 0
        actions = session.scalars(select(JournalEntry.action)).all()
        assert JournalAction.LOG_IN in actions and JournalAction.LOG_OUT in actions


def test_an_access_code_logs_its_participant_in_on_any_device(
    app: tuple[FastAPI, Assembly], sessions: sessionmaker[Session]
) -> None:
    application, assembly = app
    codes = access_codes(sessions, assembly.meeting_id)
    person_id = assembly.members[0]
    phone = Browser(application)
    response = phone.log_in_with_code(codes[person_id].lower().replace("-", " "))
    assert response.status_code == 303
    assert response.headers["location"] == f"/meetings/{assembly.meeting_id}"
    assert phone.get(f"/meetings/{assembly.meeting_id}").status_code == 200
    # A card works again, on another device (tests/actions/test_cards_reusable.py).
    again = Browser(application).log_in_with_code(codes[person_id])
    assert again.status_code == 303


def test_a_card_tells_its_holder_whether_the_meeting_sits_is_yet_to_sit_or_has_ended(
    app: tuple[FastAPI, Assembly], sessions: sessionmaker[Session]
) -> None:
    application, assembly = app
    codes = access_codes(sessions, assembly.meeting_id)
    meeting = f"/meetings/{assembly.meeting_id}"

    def welcome(person_id: int) -> str:
        phone = Browser(application)
        assert phone.log_in_with_code(codes[person_id]).status_code == 303
        return str(phone.get(meeting).text)

    assembly.amend(notice="The council meets on the budget.")
    assembly.move_on("convened")
    assert "the session is not open today" in welcome(assembly.members[0])
    assembly.move_on("in_session")
    assert "You are checked in as present today" in welcome(assembly.members[1])
    assembly.move_on("closed")
    ended = welcome(assembly.members[2])
    assert "This meeting has ended" in ended and "show your card" not in ended


def test_an_error_page_keeps_the_menu_of_whoever_is_logged_in(
    app: tuple[FastAPI, Assembly],
) -> None:
    application, _ = app
    desk = secretary(application)
    refused = [
        desk.get("/meetings/999999/console"),  # 404 from the page's own dependency
        desk.post("/secretary/bodies", {"name": "", "quorum": "1/2"}),  # 422, the form
        desk.post("/secretary/bodies", {"name": "General Council", "quorum": "1/2"}),  # 409
    ]
    for page in refused:
        assert 400 <= page.status_code < 500, page.text
        assert "Logged in as" in page.text and 'href="/login"' not in page.text
    anonymous = Browser(application).get("/public/meetings/999999/communique")
    assert anonymous.status_code == 404 and 'href="/login"' in anonymous.text


def test_the_menu_offers_the_secretarys_pages_to_those_who_may_use_them(
    app: tuple[FastAPI, Assembly], sessions: sessionmaker[Session]
) -> None:
    application, assembly = app
    desk = Browser(application)
    desk.log_in(*DEMO_SECRETARY)
    menu = '<a href="/secretary">Secretary</a>'
    assert menu in desk.get(f"/meetings/{assembly.meeting_id}").text
    phone = Browser(application)
    phone.log_in_with_code(access_codes(sessions, assembly.meeting_id)[assembly.members[0]])
    page = phone.get(f"/meetings/{assembly.meeting_id}")
    assert page.status_code == 200 and menu not in page.text


def test_printing_new_cards_voids_the_earlier_ones(
    app: tuple[FastAPI, Assembly], sessions: sessionmaker[Session]
) -> None:
    _, assembly = app
    first = access_codes(sessions, assembly.meeting_id)
    second = access_codes(sessions, assembly.meeting_id)
    person_id = assembly.members[1]
    assert Browser(app[0]).log_in_with_code(first[person_id]).status_code == 401
    assert Browser(app[0]).log_in_with_code(second[person_id]).status_code == 303


@pytest.mark.parametrize(
    "how",
    ["no token", "another browser's token", "a token from before login", "another site"],
)
def test_a_form_without_this_browsers_token_changes_nothing(
    app: tuple[FastAPI, Assembly], how: str
) -> None:
    application, _ = app
    browser = Browser(application)
    before_login = browser.csrf_token()
    browser.log_in(*DEMO_SECRETARY)
    data = {"name": "Forged Commission", "quorum": "1/2"}
    if how == "no token":
        response = browser.client.post("/secretary/bodies", data=data)
    elif how == "another browser's token":
        other = Browser(application).csrf_token()
        response = browser.client.post("/secretary/bodies", data={**data, "csrf_token": other})
    elif how == "a token from before login":
        response = browser.client.post(
            "/secretary/bodies", data={**data, "csrf_token": before_login}
        )
    else:
        response = browser.post(
            "/secretary/bodies", data, headers={"Origin": "https://evil.example"}
        )
    assert response.status_code == 403
    assert "Forged Commission" not in browser.get("/secretary").text
    good = browser.post("/secretary/bodies", data)
    assert good.status_code == 303
    assert "Forged Commission" in browser.get("/secretary").text


def test_the_login_form_itself_needs_the_token(app: tuple[FastAPI, Assembly]) -> None:
    browser = Browser(app[0])
    username, password = DEMO_SECRETARY
    response = browser.client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 403


def test_only_paths_of_this_site_are_followed_after_login() -> None:
    assert safe_next("/meetings/3") == "/meetings/3"
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "", None):
        assert safe_next(target) is None


def test_a_page_asks_for_login_and_returns_after_it(app: tuple[FastAPI, Assembly]) -> None:
    application, assembly = app
    browser = Browser(application)
    path = f"/meetings/{assembly.meeting_id}/console"
    asked = browser.get(path)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/login?next=")
    username, password = DEMO_SECRETARY
    back = browser.post("/login", {"username": username, "password": password, "next": path})
    assert back.headers["location"] == path


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> object:
        return self.now


def _try(
    sessions: sessionmaker[Session],
    clock: Clock,
    account: str,
    address: str,
    correct: bool,
    policy: Policy = PASSWORDS,
) -> str:
    def attempt(_session: Session) -> str:
        if not correct:
            raise NotAuthenticated("wrong")
        return "in"

    try:
        return throttled(sessions, policy, account, address, attempt, now=clock)  # type: ignore[arg-type]
    except TooManyAttempts as error:
        return f"wait {error.retry_after}"
    except NotAuthenticated:
        return "wrong"


def test_a_guesser_slows_down_but_the_owner_elsewhere_gets_in(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    results = [_try(sessions, clock, "ada", "10.0.0.66", correct=False) for _ in range(6)]
    assert results[:5] == ["wrong"] * 5
    assert results[5] == "wait 1"  # the sixth try waits: 2**0 seconds after the fifth failure
    clock.now += timedelta(seconds=1)
    assert _try(sessions, clock, "ada", "10.0.0.66", correct=False) == "wrong"
    assert _try(sessions, clock, "ada", "10.0.0.66", correct=True) == "wait 2"
    # The real owner, from an address with no failures, is never held up.
    assert _try(sessions, clock, "ada", "192.0.2.7", correct=True) == "in"
    clock.now += timedelta(seconds=2)
    assert _try(sessions, clock, "ada", "10.0.0.66", correct=True) == "in"
    with sessions() as session:  # the success forgot that pair's failures
        left = session.scalar(select(func.count()).where(LoginFailure.address == "10.0.0.66"))
        assert left == 0


def test_an_account_attacked_from_many_addresses_waits_at_every_address(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    for bot in range(PASSWORDS.account_cap or 0):
        assert _try(sessions, clock, "boris", f"198.51.100.{bot}", correct=False) == "wrong"
        clock.now += timedelta(seconds=10)
    # Every bot that failed now waits a quarter of an hour, even with a correct guess …
    assert _try(sessions, clock, "boris", "198.51.100.3", correct=True).startswith("wait")
    # … and so does a new address: each one would otherwise guess freely.
    assert _try(sessions, clock, "boris", "203.0.113.9", correct=False) == "wait 700"
    # Once the first failure leaves the window, fewer than the cap are left: the owner
    # gets in.
    clock.now += timedelta(seconds=700)
    assert _try(sessions, clock, "boris", "203.0.113.9", correct=True) == "in"


def test_an_address_spraying_many_accounts_is_stopped(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    policy = Policy(free_tries=5, address_cap=10, account_cap=20)
    for number in range(10):
        assert _try(sessions, clock, f"user{number}", "10.9.9.9", False, policy) == "wrong"
    assert _try(sessions, clock, "user99", "10.9.9.9", True, policy).startswith("wait")
    assert _try(sessions, clock, "user99", "10.1.1.1", True, policy) == "in"
    clock.now += ratelimit.WINDOW + timedelta(seconds=1)
    assert _try(sessions, clock, "user99", "10.9.9.9", True, policy) == "in"


def test_throttled_logins_answer_429_with_retry_after(app: tuple[FastAPI, Assembly]) -> None:
    browser = Browser(app[0])
    for _ in range(PASSWORDS.free_tries or 0):
        assert (
            browser.post("/login", {"username": "secretary", "password": "nope"}).status_code == 401
        )
    response = browser.post("/login", {"username": "secretary", "password": DEMO_SECRETARY[1]})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert "too many failed attempts" in response.text


def test_pages_cannot_be_framed_by_another_site(app: tuple[FastAPI, Assembly]) -> None:
    response = Browser(app[0]).get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
