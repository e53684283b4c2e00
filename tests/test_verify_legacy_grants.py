"""`veche verify` on a database whose first administrators were granted before grants were
journalled (by the migration that brought roles in): their grants are listed as not checked,
and a grant written into the database since still fails it. On both databases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.helpers import ADMIN
from veche.actions.org import do_create_organization, do_create_person, do_create_user
from veche.actions.roles import grant_role
from veche.cli import app
from veche.db import transaction
from veche.models import Organization, Role, RoleGrant
from veche.permissions import ADMINISTRATOR, Scope

runner = CliRunner()


def _grant_as_the_migration_did(session: Session, user_id: int, organization_id: int) -> int:
    """The administrator role given to an account without an entry, as 0008 gave it."""
    administrator = session.scalars(select(Role.id).where(Role.name == ADMINISTRATOR)).one()
    grant = RoleGrant(
        role_id=administrator, user_id=user_id, scope=Scope.ORGANIZATION, scope_id=organization_id
    )
    session.add(grant)
    session.flush()
    return grant.id


def test_grants_older_than_the_journals_grants_are_listed_and_new_ones_held(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        organization = do_create_organization(session, ADMIN, "Old Co-operative")
        user = do_create_user(session, ADMIN, organization, "old-secretary", "a long old secret")
        organization_id = organization.id
        migrated = _grant_as_the_migration_did(session, user.id, organization_id)
        treasurer = do_create_person(session, ADMIN, organization, "Tess Treasurer")
        grant_role(
            session,
            ADMIN.actor,
            ADMINISTRATOR,
            treasurer,
            scope=Scope.ORGANIZATION,
            scope_id=organization_id,
        )
    listed = (
        f"Not in the journal, so not checked: grant {migrated} (the role {ADMINISTRATOR}, to "
        f"account {user.id}, in the organization {organization_id})"
    )
    result = runner.invoke(app, ["verify", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert listed in result.output
    assert "Held 1 grant of a role against the journal entries" in result.output
    with transaction(sessions) as session:
        organization = session.get_one(Organization, organization_id)
        later = do_create_user(session, ADMIN, organization, "later-clerk", "a long new secret")
        forged = _grant_as_the_migration_did(session, later.id, organization_id)
    result = runner.invoke(app, ["verify", "--db", database_url])
    assert result.exit_code == 1, result.output
    assert listed in result.output
    assert (
        f"- grant {forged} (the role {ADMINISTRATOR}, to account {later.id}, in the "
        f"organization {organization_id}) is held, but no journal entry made it"
    ) in result.output
