"""The accounts page's reads on both databases: a person or an account found by the name typed
in full (in any case, with any spacing), and the accounts found by words a page at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web.page_client import SYSTEM
from veche.actions.access import Caller
from veche.actions.org import do_create_person, do_create_user
from veche.db import transaction
from veche.models import Organization
from veche.queries.accounts import (
    AccountFilter,
    accounts_named,
    active_accounts,
    find_accounts,
    people_named,
    people_without_account,
)

#: They start from the demo organization, whose people and accounts are left beside these.
pytestmark = pytest.mark.demo

PASSPHRASE = "an account's passphrase"


@pytest.fixture
def organization(sessions: sessionmaker[Session]) -> Organization:
    """The demo organization with namesakes, one of them with a login, and logins of no one."""
    with transaction(sessions) as session:
        organization = session.scalars(select(Organization)).one()
        operator = Caller(SYSTEM.actor, None, unrestricted=True, organization_id=organization.id)
        do_create_person(session, operator, organization, "Jan Kowalski", email="jan@example.org")
        second = do_create_person(session, operator, organization, "Jan Kowalski")
        do_create_person(session, operator, organization, "Jan 100% Kowalski")
        do_create_user(session, operator, organization, "jk", PASSPHRASE, person=second)
        for username in ("kowalski", "zz_1", "zzx1"):
            do_create_user(session, operator, organization, username, PASSPHRASE)
        session.expunge(organization)
        return organization


def test_a_full_name_typed_finds_its_namesakes_in_any_case_and_spacing(
    sessions: sessionmaker[Session], organization: Organization
) -> None:
    with sessions() as session:
        found = people_named(session, organization, "  jan   KOWALSKI ")
        assert [(p.full_name, p.email, p.username) for p in found] == [
            ("Jan Kowalski", "jan@example.org", None),
            ("Jan Kowalski", None, "jk"),
        ]
        assert people_named(session, organization, "Jan Kowalsk") == []
        assert people_named(session, organization, "Jan %") == []
        free = people_without_account(session, organization, at_most=1_000)
        assert free is not None and "Jan 100% Kowalski" in {p.full_name for p in free}
        assert people_without_account(session, organization, at_most=1) is None


def test_an_account_is_found_by_its_user_name_before_its_holders_name(
    sessions: sessionmaker[Session], organization: Organization
) -> None:
    with sessions() as session:
        assert [a.username for a in accounts_named(session, organization, " KOWALSKI")] == [
            "kowalski"
        ]
        held = accounts_named(session, organization, "jan kowalski")
        assert [(a.username, a.full_name) for a in held] == [("jk", "Jan Kowalski")]
        assert accounts_named(session, organization, "nobody") == []
        offered = active_accounts(session, organization, at_most=1_000)
        assert offered is not None and {"jk", "kowalski"} <= {a.username for a in offered}
        assert active_accounts(session, organization, at_most=1) is None


def test_accounts_are_found_by_words_a_page_at_a_time(
    sessions: sessionmaker[Session], organization: Organization
) -> None:
    with sessions() as session:
        total, page = find_accounts(
            session, organization, AccountFilter(q="kowalski"), limit=1, offset=1
        )
        assert total == 2 and [a.username for a in page] == ["kowalski"]
        # A wildcard typed is a character searched for.
        total, page = find_accounts(
            session, organization, AccountFilter(q="zz_"), limit=10, offset=0
        )
        assert (total, [a.username for a in page]) == (1, ["zz_1"])
        total, page = find_accounts(
            session, organization, AccountFilter(q="JAN jk"), limit=10, offset=0
        )
        assert (total, [a.username for a in page]) == (1, ["jk"])
