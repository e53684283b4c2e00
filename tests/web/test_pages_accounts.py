"""The secretary's accounts page and everyone's "my password" page: the same changes as the
API, from forms, ending the logins they should."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from tests.accounts import grant
from tests.helpers import count_queries
from tests.web.page_client import SYSTEM, Browser, secretary
from veche.actions.access import Caller
from veche.actions.accounts import do_deactivate_account
from veche.actions.org import do_create_person, do_create_user
from veche.db import transaction
from veche.models import Organization, Person, RoleGrant, User
from veche.models.base import utcnow
from veche.permissions import Scope

#: What these prove is decided by the same actions as the API's, whose storage is proven on
#: both databases in test_accounts_api.py; they start from the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

CLERK_PASSWORD = "the clerk's first passphrase"


def _clerk_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        found = session.scalar(select(User.id).where(User.username == "clerk"))
    assert found is not None
    return found


def _create_account(desk: Browser, username: str, person: str) -> Any:
    """The accounts page's form that makes a login for the person typed as ``person``."""
    return desk.post(
        "/secretary/accounts",
        {"username": username, "password": CLERK_PASSWORD, "person": person},
    )


def _logged_in(browser: Browser) -> bool:
    return bool(browser.get("/me/password").status_code == 200)


def test_the_secretary_manages_a_login_from_the_accounts_page(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = secretary(app)
    page = desk.get("/secretary/accounts")
    assert page.status_code == 200
    assert "Administrator in the whole organization" in page.text
    # No role is chosen for the secretary: the most powerful one is not the default.
    assert '<select id="g-role" name="role" required><option value="">(choose a role)</option>' in (
        page.text
    )

    weak = desk.post("/secretary/accounts", {"username": "clerk", "password": "clerk2024"})
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    made = desk.post(
        "/secretary/accounts", {"username": "clerk", "password": CLERK_PASSWORD, "person_id": ""}
    )
    assert made.status_code == 303 and made.headers["location"] == "/secretary/accounts"
    assert "Account created: clerk" in desk.get("/secretary/accounts").text
    clerk_id = _clerk_id(sessions)

    with sessions() as session:
        organization = session.scalars(select(Organization)).one().id
    granted = desk.post(
        "/secretary/accounts/grants",
        {"role": "teller", "scope": "organization", "scope_id": organization, "user_id": clerk_id},
    )
    assert granted.status_code == 303
    assert "Teller in the whole organization" in desk.get("/secretary/accounts").text
    with sessions() as session:
        grant = session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == clerk_id))
    assert desk.post(f"/secretary/accounts/grants/{grant}/revoke").status_code == 303
    assert "Teller in the whole organization" not in desk.get("/secretary/accounts").text
    # A role in one part of the organization, chosen on the form: a unit here.
    form = desk.get("/secretary/accounts").text
    unit = re.search(r'<option value="(unit:\d+)">the unit: ([^<]+)</option>', form)
    assert unit is not None and '<option value="body:' in form
    in_unit = {"role": "reporter", "where": unit.group(1), "account": "clerk"}
    assert desk.post("/secretary/accounts/grants", in_unit).status_code == 303
    listed = desk.get("/secretary/accounts").text
    assert re.search(rf"Reporter in [^<]*{re.escape(unit.group(2).lstrip('— '))}", listed)
    with sessions() as session:
        held = session.scalars(select(RoleGrant).where(RoleGrant.user_id == clerk_id)).one()
        assert (held.scope.value, held.scope_id) == ("unit", int(unit.group(1).split(":")[1]))
        session.delete(held)
        session.commit()
    nowhere = desk.post("/secretary/accounts/grants", {**in_unit, "where": "planet:1"})
    assert nowhere.status_code == 422

    clerk = Browser(app)
    clerk.log_in("clerk", CLERK_PASSWORD)
    reset = desk.post(
        f"/secretary/accounts/{clerk_id}/password", {"new_password": "the clerk's second one"}
    )
    assert reset.status_code == 303
    assert not _logged_in(clerk)
    clerk.log_in("clerk", "the clerk's second one")

    closed = desk.post(f"/secretary/accounts/{clerk_id}/deactivate")
    assert closed.status_code == 303
    assert (
        f'action="/secretary/accounts/{clerk_id}/activate"' in desk.get("/secretary/accounts").text
    )
    assert not _logged_in(clerk)
    refused = clerk.post("/login", {"username": "clerk", "password": "the clerk's second one"})
    assert refused.status_code == 401
    assert desk.post(f"/secretary/accounts/{clerk_id}/activate").status_code == 303
    clerk.log_in("clerk", "the clerk's second one")
    assert _logged_in(clerk) and _logged_in(desk)


def test_everyone_changes_their_own_password_on_its_page(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = secretary(app)
    desk.post("/secretary/accounts", {"username": "clerk", "password": CLERK_PASSWORD})
    here, elsewhere = Browser(app), Browser(app)
    here.log_in("clerk", CLERK_PASSWORD)
    elsewhere.log_in("clerk", CLERK_PASSWORD)
    page = here.get("/me/password")
    assert page.status_code == 200 and 'name="current_password"' in page.text
    assert re.search(r'href="/me/password">My password</a>', page.text)

    new = {"new_password": "my own passphrase", "new_password_again": "my own passphrase"}
    wrong = here.post("/me/password", {"current_password": "not it at all", **new})
    assert wrong.status_code == 403 and "the current password is not right" in wrong.text
    slip = {**new, "new_password_again": "my own passphrasf"}
    differ = here.post("/me/password", {"current_password": CLERK_PASSWORD, **slip})
    assert differ.status_code == 422 and "its repetition differ" in differ.text
    changed = here.post("/me/password", {"current_password": CLERK_PASSWORD, **new})
    assert changed.status_code == 303 and changed.headers["location"] == "/me/password"
    assert "Your password is changed" in here.get("/me/password").text
    assert _logged_in(here) and not _logged_in(elsewhere)
    Browser(app).log_in("clerk", "my own passphrase")


def _add_accounts(sessions: sessionmaker[Session], how_many: int) -> None:
    """Accounts, each granted a role, as many as asked."""
    with transaction(sessions) as session:
        organization = session.scalars(select(Organization)).one()
        operator = Caller(SYSTEM.actor, None, unrestricted=True, organization_id=organization.id)
        for _ in range(how_many):
            number = session.scalar(select(func.count()).select_from(User))
            user = do_create_user(
                session, operator, organization, f"login-{number}", "an account's passphrase"
            )
            grant(session, operator, "teller", user, (Scope.ORGANIZATION, organization.id))


def test_the_accounts_page_reads_as_much_for_many_accounts_as_for_few(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = secretary(app)
    counted = []
    for how_many in (1, 20):
        _add_accounts(sessions, how_many)
        with count_queries(app.state.engine, app.state.reader) as statements:
            assert desk.get("/secretary/accounts").status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1]


def _operator(session: Session) -> tuple[Organization, Caller]:
    organization = session.scalars(select(Organization)).one()
    return organization, Caller(
        SYSTEM.actor, None, unrestricted=True, organization_id=organization.id
    )


def _add_people(sessions: sessionmaker[Session], *people: tuple[str, str | None]) -> list[int]:
    """People of the organization by (full name, e-mail), through the action; their ids."""
    with transaction(sessions) as session:
        organization, operator = _operator(session)
        made = [
            do_create_person(session, operator, organization, name, email=email)
            for name, email in people
        ]
        return [person.id for person in made]


def _users(sessions: sessionmaker[Session]) -> dict[str, int | None]:
    """Every account's user name, with its person's id."""
    with sessions() as session:
        return {
            name: person for name, person in session.execute(select(User.username, User.person_id))
        }


def _refused_at(page: str, field_id: str, error_id: str) -> bool:
    """Whether the field is marked invalid and described by the error said under it."""
    tag = re.search(rf'<input id="{field_id}"[^>]*>', page)
    return (
        tag is not None
        and 'aria-invalid="true"' in tag.group(0)
        and error_id in tag.group(0)
        and f'class="error field-error" role="alert" id="{error_id}"' in page
    )


def test_a_login_is_made_for_the_person_typed_by_name(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    (zofia,) = _add_people(sessions, ("Zofia Wieczorek", None))
    desk = secretary(app)
    page = desk.get("/secretary/accounts").text
    # The demo's few people are offered as the name is typed; the field is a text field.
    assert '<input id="a-person" name="person"' in page and 'list="people-without-login"' in page
    assert '<option value="Zofia Wieczorek">' in page

    made = _create_account(desk, "zofia", "  zofia   WIECZOREK ")
    assert made.status_code == 303, made.text
    assert _users(sessions)["zofia"] == zofia
    assert '<option value="Zofia Wieczorek">' not in desk.get("/secretary/accounts").text

    alone = _create_account(desk, "hall", " ")
    assert alone.status_code == 303 and _users(sessions)["hall"] is None


def test_a_name_of_no_one_or_of_namesakes_is_refused_at_the_field(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    with_email, without = _add_people(
        sessions, ("Jan Kowalski", "jan@example.org"), ("Jan Kowalski", None)
    )
    (taken,) = _add_people(sessions, ("Ewa Nowak", None))
    desk = secretary(app)
    assert _create_account(desk, "ewa", "Ewa Nowak").status_code == 303
    before = _users(sessions)

    def create(person: str) -> str:
        answer = _create_account(desk, "jan", person)
        assert answer.status_code == 422, answer.text
        assert _refused_at(answer.text, "a-person", "person-error")
        # What was typed comes back, but the password.
        assert 'value="jan"' in answer.text and CLERK_PASSWORD not in answer.text
        return str(answer.text)

    unknown = create("Jan Kowalsky")
    assert "no person of the organization is named &#39;Jan Kowalsky&#39;" in unknown
    assert 'value="Jan Kowalsky"' in unknown
    namesakes = create("jan kowalski")
    assert "2 people without a login are named" in namesakes
    assert "Jan Kowalski &lt;jan@example.org&gt;" in namesakes
    assert f"Jan Kowalski (person {without})" in namesakes
    assert "has a login already: &#39;ewa&#39;" in create("Ewa Nowak")
    assert "is named &#39;Jan Kowalski (person 999999)&#39;" in create(
        "Jan Kowalski (person 999999)"
    )
    assert _users(sessions) == before

    by_email = _create_account(desk, "jan", "Jan Kowalski <JAN@example.org>")
    assert by_email.status_code == 303, by_email.text
    by_number = _create_account(desk, "jan2", f"Jan Kowalski (person {without})")
    assert by_number.status_code == 303, by_number.text
    users = _users(sessions)
    assert (users["jan"], users["jan2"], users["ewa"]) == (with_email, without, taken)


def test_a_refusal_of_the_action_is_said_in_its_form_with_what_was_typed(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    _add_people(sessions, ("Zofia Wieczorek", None))
    desk = secretary(app)
    before = _users(sessions)
    taken = _create_account(desk, "secretary", "Zofia Wieczorek")
    assert taken.status_code == 409
    assert 'role="alert" id="create-error">the user name &#39;secretary&#39; is taken' in taken.text
    assert 'value="Zofia Wieczorek"' in taken.text
    assert _users(sessions) == before
    for malformed in ({"person_id": "x"}, {"person": "x" * 501}):
        refused = desk.post(
            "/secretary/accounts", {"username": "zofia", "password": CLERK_PASSWORD, **malformed}
        )
        assert refused.status_code == 422
    assert _users(sessions) == before


def test_a_role_is_granted_to_the_account_typed(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = secretary(app)
    _, first, second = _add_people(
        sessions, ("Zofia Wieczorek", None), ("Olek Zawada", None), ("Olek Zawada", None)
    )
    for username, person in (
        ("zofia", "Zofia Wieczorek"),
        ("olek", f"Olek Zawada (person {first})"),
        ("olo", f"Olek Zawada (person {second})"),
    ):
        made = _create_account(desk, username, person)
        assert made.status_code == 303, made.text
    with transaction(sessions) as session:
        organization, operator = _operator(session)
        retired = do_create_user(session, operator, organization, "retired", CLERK_PASSWORD)
        do_deactivate_account(session, operator, retired.id)
        scope = organization.id

    def grant(account: str, role: str = "teller") -> Any:
        form = {"role": role, "scope": "organization", "scope_id": scope, "account": account}
        return desk.post("/secretary/accounts/grants", form)

    def tellers() -> set[str]:
        with sessions() as session:
            return set(
                session.scalars(
                    select(User.username)
                    .join(RoleGrant, RoleGrant.user_id == User.id)
                    .where(RoleGrant.scope == Scope.ORGANIZATION)
                )
            )

    before = tellers()
    granted = grant("zofia wieczorek")
    assert granted.status_code == 303
    assert tellers() == before | {"zofia"}
    assert grant(" OLO ").status_code == 303

    for typed, said in (
        ("nobody", "no account has the user name &#39;nobody&#39;"),
        ("Olek Zawada", "2 accounts are held by people named &#39;Olek Zawada&#39;"),
        ("retired", "the account &#39;retired&#39; is deactivated"),
        ("", "type the account&#39;s user name"),
    ):
        refused = grant(typed)
        assert refused.status_code == 422, typed
        assert _refused_at(refused.text, "g-account", "account-error")
        assert said in refused.text, refused.text
    again = grant("zofia")
    assert again.status_code == 409
    assert 'id="grant-error">the role &#39;teller&#39; is already granted' in again.text
    assert 'value="zofia"' in again.text
    assert tellers() == before | {"zofia", "olo"}


def _add_crowd(sessions: sessionmaker[Session], people: int, accounts: int) -> None:
    """People without accounts, and accounts of no one: inserted in bulk (the actions would
    take long for so many, and hash a password each; they are not what is tested here)."""
    with transaction(sessions) as session:
        organization, _ = _operator(session)
        now = utcnow()
        session.execute(
            insert(Person),
            [
                {
                    "organization_id": organization.id,
                    "full_name": f"Delegate {n:05d}",
                    "created_at": now,
                }
                for n in range(people)
            ],
        )
        session.execute(
            insert(User),
            [
                {
                    "organization_id": organization.id,
                    "username": f"delegate-{n:05d}",
                    "password_hash": "not a hash: no one logs in",
                    "active": True,
                    "created_at": now,
                }
                for n in range(accounts)
            ],
        )


def test_the_page_stays_small_for_thousands_of_people_and_accounts(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    _add_crowd(sessions, people=2_000, accounts=300)
    desk = secretary(app)
    page = desk.get("/secretary/accounts")
    assert page.status_code == 200
    # No list of the people or the accounts: each name is typed, each typed name found.
    assert len(page.content) < 120_000, len(page.content)
    assert page.text.count("<option") < 30
    assert "<datalist" not in page.text and "Delegate 01999" not in page.text
    assert page.text.count("<td>delegate-") == 50
    assert 'href="/secretary/accounts?page=2#accounts" rel="next"' in page.text

    last = desk.get("/secretary/accounts", params={"page": "99"})
    assert last.status_code == 200 and "Page 7 of 7, by user name." in last.text
    found = desk.get("/secretary/accounts", params={"q": "delegate-0012"})
    assert re.findall(r"<td>(delegate-[0-9]+)</td>", found.text) == [
        f"delegate-{n:05d}" for n in range(120, 130)
    ]
    assert "10 found" in found.text
    for wrong in ({"page": "0"}, {"page": "two"}, {"q": "x" * 201}):
        assert desk.get("/secretary/accounts", params=wrong).status_code == 422

    made = _create_account(desk, "d1999", "Delegate 01999")
    assert made.status_code == 303, made.text
    granted = desk.post(
        "/secretary/accounts/grants",
        {
            "role": "teller",
            "scope": "organization",
            "scope_id": _organization(sessions),
            "account": "Delegate 01999",
        },
    )
    assert granted.status_code == 303, granted.text


def _organization(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalars(select(Organization.id)).one()
