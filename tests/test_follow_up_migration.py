"""Migration 0020 on a database in use, on both databases: it gives the follow-up's permissions
to the roles that should hold them and adds the reporter's role; going down takes them back,
the reporter's grants with its role, and going up again restores them."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization
from veche import migrate
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.roles import do_grant_role, list_roles
from veche.db import transaction
from veche.models import Person, RoleGrant, Unit
from veche.permissions import Permission, Scope

#: It starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

FOLLOW_UP = {
    Permission.FOLLOW_UP_MANAGE,
    Permission.FOLLOW_UP_READ,
    Permission.FOLLOW_UP_REPORT,
}


def _follow_up_held(sessions: sessionmaker[Session]) -> dict[str, set[Permission]]:
    with sessions() as session:
        return {
            role.name: held
            for role in list_roles(session)
            if (held := set(role.permissions) & FOLLOW_UP)
        }


def test_the_follow_up_permissions_go_down_and_up_with_the_migration(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    held = {
        "administrator": FOLLOW_UP,
        "chair": {Permission.FOLLOW_UP_READ},
        "secretary": {Permission.FOLLOW_UP_READ, Permission.FOLLOW_UP_MANAGE},
        "reporter": {Permission.FOLLOW_UP_REPORT},
    }
    assert _follow_up_held(sessions) == held
    with transaction(sessions) as session:
        operator = Caller(Actor.system("tests"), None, True, demo_organization(session).id)
        unit = session.scalars(select(Unit).order_by(Unit.id)).first()
        person = session.scalars(select(Person).order_by(Person.id)).first()
        assert unit is not None and person is not None
        do_grant_role(
            session, operator, "reporter", scope=Scope.UNIT, scope_id=unit.id, person_id=person.id
        )
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0020-1")
    with sessions() as session:
        assert "reporter" not in {role.name for role in list_roles(session)}
        assert session.scalar(select(RoleGrant.id).where(RoleGrant.person_id == person.id)) is None
    assert _follow_up_held(sessions) == {}
    migrate.upgrade(engine)
    assert _follow_up_held(sessions) == held
