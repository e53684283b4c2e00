"""`veche verify` holds the roles held against the journal: a grant whose role is changed in
the database (a delegate made an administrator), or one the journal revoked and put back, makes
it exit 1 naming the grant; a grant no entry made is listed, so that an administrator no one
granted through veche is seen (an older database's first administrators have none). On both
databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from tests.helpers import ADMIN
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.org import do_create_person
from veche.actions.roles import do_revoke_grant, grant_role
from veche.cli import app
from veche.db import transaction
from veche.models import Organization, Role, RoleGrant
from veche.permissions import ADMINISTRATOR, Scope

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()


def _verify(database_url: str) -> Result:
    return runner.invoke(app, ["verify", "--db", database_url])


def _a_grant(sessions: sessionmaker[Session], role: str) -> int:
    """A person of the organization granted ``role`` in it, through veche; the grant's id."""
    with transaction(sessions) as session:
        organization = session.scalars(select(Organization)).one()
        person = do_create_person(session, ADMIN, organization, "Greta Grant")
        scope, scope_id = Scope.ORGANIZATION, organization.id
        return grant_role(session, ADMIN.actor, role, person, scope=scope, scope_id=scope_id).id


def _roles(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Role.name).order_by(Role.id)))


def test_the_grants_made_through_veche_hold(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    _a_grant(sessions, _roles(sessions)[-1])
    with sessions() as session:
        grants = session.scalar(select(func.count()).select_from(RoleGrant))
    result = _verify(database_url)
    assert result.exit_code == 0, result.output
    assert f"Held {grants} grants of a role against the journal entries" in result.output
    assert "Not in the journal" not in result.output


def test_a_grant_made_an_administrators_in_the_database_is_found(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    humble = next(role for role in _roles(sessions) if role != ADMINISTRATOR)
    grant_id = _a_grant(sessions, humble)
    with transaction(sessions) as session:
        administrator = session.scalars(select(Role.id).where(Role.name == ADMINISTRATOR)).one()
        session.execute(
            update(RoleGrant).where(RoleGrant.id == grant_id).values(role_id=administrator)
        )
    result = _verify(database_url)
    assert result.exit_code == 1
    assert f"- grant {grant_id} (the role {ADMINISTRATOR}, to person " in result.output
    assert "is not what the journal granted (entry " in result.output
    assert f"the role {humble}, to person" in result.output


def test_a_grant_revoked_and_put_back_is_found(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    grant_id = _a_grant(sessions, ADMINISTRATOR)
    with transaction(sessions) as session:
        kept = session.get_one(RoleGrant, grant_id)
        row = {
            "id": kept.id,
            "role_id": kept.role_id,
            "person_id": kept.person_id,
            "scope": kept.scope,
            "scope_id": kept.scope_id,
            "created_at": kept.created_at,
        }
    with transaction(sessions) as session:
        organization_id = session.scalars(select(Organization.id)).one()
        secretary = Caller(Actor.system("tests"), None, True, organization_id)
        do_revoke_grant(session, secretary, grant_id)
    with transaction(sessions) as session:
        session.add(RoleGrant(**row))
    result = _verify(database_url)
    assert result.exit_code == 1
    assert f"- grant {grant_id} (" in result.output
    assert "is held, but the journal revoked it (entry " in result.output


def _written_administrator(sessions: sessionmaker[Session], name: str) -> tuple[int, int, int]:
    """A person made an administrator of the organization in the database, outside veche:
    the grant's id, the person's and the organization's."""
    with transaction(sessions) as session:
        organization = session.scalars(select(Organization)).one()
        person = do_create_person(session, ADMIN, organization, name).id
        administrator = session.scalars(select(Role.id).where(Role.name == ADMINISTRATOR)).one()
        hidden = RoleGrant(
            role_id=administrator,
            person_id=person,
            scope=Scope.ORGANIZATION,
            scope_id=organization.id,
        )
        session.add(hidden)
        session.flush()
        return hidden.id, person, organization.id


def test_a_grant_written_into_the_database_is_found(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    """The demo's database journals every grant from its first administrator's on: a grant
    no entry made was written outside veche."""
    grant_id, person, organization_id = _written_administrator(sessions, "Hidden Administrator")
    result = _verify(database_url)
    assert result.exit_code == 1, result.output
    assert (
        f"- grant {grant_id} (the role {ADMINISTRATOR}, to person {person}, in the "
        f"organization {organization_id}) is held, but no journal entry made it: it was "
        "written into the database outside veche"
    ) in result.output
    assert "Not in the journal" not in result.output


def test_a_journalled_grant_deleted_from_the_database_is_found(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    """The only administrator's grant deleted: no one left to manage the organization."""
    with transaction(sessions) as session:
        administrator = session.scalars(select(Role.id).where(Role.name == ADMINISTRATOR)).one()
        grant = session.scalars(select(RoleGrant).where(RoleGrant.role_id == administrator)).one()
        grant_id, user_id, scope_id = grant.id, grant.user_id, grant.scope_id
        session.delete(grant)
    result = _verify(database_url)
    assert result.exit_code == 1, result.output
    assert (
        f"- grant {grant_id} (the role {ADMINISTRATOR}, to account {user_id}, in the "
        f"organization {scope_id}) was made by journal entry "
    ) in result.output
    assert "and never revoked, but it is not held: it was deleted outside veche" in result.output
