"""Migration 0022 on a database in use, on both databases: going down takes the
organization's choice to publish its follow-up and the evidence and summing-up papers'
tables away; going up again brings them back, the choice off (as for an organization that
never made it), until it is made again."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization
from veche import migrate
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.org_updates import do_update_organization
from veche.db import transaction
from veche.models import Organization

#: It starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

TABLES = {"evidence_document", "summing_up_paper"}


def test_the_public_follow_up_goes_down_and_up_with_its_migration(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        organization = demo_organization(session)
        operator = Caller(Actor.system("tests"), None, True, organization.id)
        assert not organization.publishes_follow_up  # off until the organization opts in
        do_update_organization(session, operator, organization, publishes_follow_up=True)
        organization_id = organization.id

    migrate.downgrade(engine, "0021")
    schema = inspect(engine)
    assert not TABLES & set(schema.get_table_names())
    assert "publishes_follow_up" not in {c["name"] for c in schema.get_columns("organization")}

    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with transaction(sessions) as session:
        back = session.get(Organization, organization_id)
        assert back is not None and not back.publishes_follow_up
        do_update_organization(session, operator, back, publishes_follow_up=True)
    with sessions() as session:
        again = session.get(Organization, organization_id)
        assert again is not None and again.publishes_follow_up
