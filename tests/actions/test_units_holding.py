"""The units in which a caller holds a unit's permission, read at once for a whole
organization (``units_holding``: the reporter's list of units), are exactly those in which
``holds``, asked unit by unit, says yes — for any grants to the person and to their account,
in units anywhere in the tree or for the whole organization, and in another organization."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization
from veche.actions.access import Caller, holds, units_holding
from veche.actions.actor import Actor
from veche.actions.org import do_create_unit, do_create_user
from veche.actions.roles import do_grant_role
from veche.db import transaction
from veche.models import Organization, Person, Unit
from veche.permissions import Permission, Scope

pytestmark = pytest.mark.demo

SYSTEM = Caller(Actor.system("tests"), None, True, None)
REPORT = Permission.FOLLOW_UP_REPORT
#: Who a grant goes to: the person, or the person's account.
HOLDERS = ("person", "account")


def _tree(session: Session, organization: Organization) -> list[int]:
    """The organization's units, with a few levels more below the demo's (a grant above must
    reach three levels down)."""
    units = list(session.scalars(select(Unit).where(Unit.organization_id == organization.id)))
    assert units, "the demo has units"
    parent = units[0]
    for depth in range(3):
        parent = do_create_unit(session, SYSTEM, organization, f"Cell {depth}", parent=parent)
        units.append(parent)
    return sorted(unit.id for unit in units)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_units_read_at_once_are_those_held_unit_by_unit(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        organization = demo_organization(session)
        units = _tree(session, organization)
        person = session.scalars(
            select(Person).where(Person.organization_id == organization.id).order_by(Person.id)
        ).first()
        assert person is not None
        account = do_create_user(
            session,
            SYSTEM,
            organization,
            "unit.reporter",
            "the reporter's own passphrase",
            person=person,
        )
        caller = Caller(Actor(account.id, account.username), person.id, False, organization.id)
        organization_id, account_id, person_id = organization.id, account.id, person.id

    grants = st.lists(
        st.tuples(st.sampled_from(HOLDERS), st.sampled_from([None, *units])),
        max_size=4,
        unique=True,  # a role is granted to a holder once in a place
    )

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(grants=grants)
    def check(grants: list[tuple[str, int | None]]) -> None:
        session = sessions()
        try:
            admin = Caller(Actor.system("tests"), None, True, organization_id)
            for holder, unit in grants:
                do_grant_role(
                    session,
                    admin,
                    "reporter",
                    scope=Scope.UNIT if unit is not None else Scope.ORGANIZATION,
                    scope_id=unit if unit is not None else organization_id,
                    **({"person_id": person_id} if holder == "person" else {"user_id": account_id}),
                )
            session.flush()
            session.info.clear()  # no answer remembered from before the grants
            one_by_one = {unit for unit in units if holds(session, caller, REPORT, unit)}
            at_once = units_holding(session, caller, REPORT, organization_id)
            assert (set(units) if at_once is None else at_once) == one_by_one
            assert (at_once is None) == any(unit is None for _, unit in grants)
        finally:
            session.rollback()
            session.close()

    check()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unrestricted_caller_holds_it_in_every_unit_and_nobody_in_none(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        organization = demo_organization(session)
        assert units_holding(session, SYSTEM, REPORT, organization.id) is None
        nobody = Caller(Actor(None, "anonymous"), None, False, organization.id)
        assert units_holding(session, nobody, REPORT, organization.id) == set()
