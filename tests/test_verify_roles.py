"""`veche verify` holds what each role grants against its definition: a permission added to
the delegates' role in the database (the chair's powers for every member), one taken from a
role an administrator defined, or a role written in with powers, makes it exit 1 naming the
role; roles as the migrations seeded them, and as administrators defined them, pass. On both
databases."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.roles import do_define_role
from veche.actions.verify_roles import seeded_roles
from veche.cli import app
from veche.db import transaction
from veche.models import Organization, Role, RolePermission
from veche.permissions import Permission

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()


def _verify(database_url: str) -> Result:
    return runner.invoke(app, ["verify", "--db", database_url])


def _administrator(session: Session) -> Caller:
    """The system, as an administrator of the demo organization."""
    organization = session.scalars(select(Organization)).one()
    return Caller(Actor.system("tests"), None, True, organization.id)


def _role_id(session: Session, name: str) -> int:
    return session.scalars(select(Role.id).where(Role.name == name)).one()


def test_the_seeded_roles_are_what_a_migrated_database_holds(
    sessions: sessionmaker[Session],
) -> None:
    """The check reads the seeding from the migrations; a database they made agrees with it
    (and a future migration that seeds more fails here until the check learns of it)."""
    seeded = seeded_roles()
    with sessions() as session:
        held: dict[str, frozenset[str]] = {}
        for name, permission in session.execute(
            select(Role.name, RolePermission.permission).join(RolePermission)
        ):
            held[name] = held.get(name, frozenset()) | {permission}
    assert {name: seeded.of(name) for name in held} == held
    assert held["member"] >= {Permission.MEETING_SEE.value}
    assert Permission.MEETING_RUN.value not in held["member"]


def test_roles_as_seeded_and_as_defined_hold(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        do_define_role(session, _administrator(session), "auditor", [Permission.FOLLOW_UP_READ])
        # Redefined: the last definition is what counts.
        do_define_role(session, _administrator(session), "teller", [Permission.MEETING_SEE])
        roles = session.scalar(select(func.count()).select_from(Role))
    result = _verify(database_url)
    assert result.exit_code == 0, result.output
    assert f"Held what {roles} roles grant against their definitions" in result.output


def test_a_permission_added_to_the_members_role_is_found(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        member = _role_id(session, "member")
        session.execute(
            insert(RolePermission).values(role_id=member, permission=Permission.POLLS_RUN.value)
        )
    result = _verify(database_url)
    assert result.exit_code == 1
    assert "Roles do not grant what the journal or the migrations say:" in result.output
    assert "- the role member grants " in result.output
    assert "polls.run" in result.output
    assert "no one redefined it and the migrations gave it" in result.output


def test_a_permission_taken_from_a_defined_role_is_found(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    wanted = [Permission.FOLLOW_UP_READ, Permission.MEETING_SEE]
    with transaction(sessions) as session:
        do_define_role(session, _administrator(session), "auditor", wanted)
    with transaction(sessions) as session:
        session.execute(
            delete(RolePermission).where(
                RolePermission.role_id == _role_id(session, "auditor"),
                RolePermission.permission == Permission.MEETING_SEE.value,
            )
        )
    result = _verify(database_url)
    assert result.exit_code == 1
    assert "- the role auditor grants follow_up.read, but its definition in the journal" in (
        result.output
    )


def test_a_role_written_into_the_database_is_found(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        role = Role(name="shadow", label="Shadow")
        session.add(role)
        session.flush()
        session.add(RolePermission(role_id=role.id, permission=Permission.ACCOUNTS_MANAGE.value))
    result = _verify(database_url)
    assert result.exit_code == 1
    assert "- the role shadow grants accounts.manage, but neither the journal nor a migration" in (
        result.output
    )
