"""who may do what, as rows: roles, their permissions, and grants in a scope

The roles a meeting already implies (member, alternate, observer by the participant's place;
chair, secretary, teller by their office) and the administrator are stored with the
permissions that the code granted them until now, so nobody may do more or less than before.
Accounts that were administrators hold the administrator role in their organization; the
``is_admin`` flag goes.

Create Date: 2026-12-03 21:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0008"
down_revision: str | None = "0007"

_ORGANIZATION = ("organization.manage", "accounts.manage", "meeting.convene")
_PRESIDING = (
    "meeting.see",
    "meeting.run",
    "attendance.record",
    "agenda.manage",
    "floor.run",
    "motions.manage",
    "polls.run",
    "paper.enter",
    "results.see_closed",
)
_DELEGATE = ("meeting.see", "floor.request", "agenda.propose", "amendment.propose")

#: (name, label, permissions) as this revision stores them.
ROLES = (
    (
        "administrator",
        "Administrator",
        _ORGANIZATION + _PRESIDING + ("floor.request", "agenda.propose", "amendment.propose"),
    ),
    ("chair", "Chair", _PRESIDING),
    ("secretary", "Secretary", _PRESIDING),
    ("teller", "Teller", ("meeting.see", "paper.enter")),
    ("member", "Member", _DELEGATE),
    ("alternate", "Alternate member", _DELEGATE),
    ("observer", "Observer", ("meeting.see",)),
)


def upgrade() -> None:
    role = ddl.create_table(
        "role",
        ddl.string("name", 60),
        ddl.string("label", 200),
        ddl.timestamp("created_at"),
        unique=[["name"]],
    )
    role_permission = ddl.create_table(
        "role_permission",
        ddl.reference("role_id", "role"),
        ddl.string("permission", 60),
        primary_key=["role_id", "permission"],
    )
    ddl.create_table(
        "role_grant",
        ddl.reference("role_id", "role"),
        ddl.reference("user_id", "user_account", nullable=True),
        ddl.reference("person_id", "person", nullable=True),
        ddl.enum("scope", "grant_scope", ["organization", "body", "meeting", "unit"]),
        ddl.integer("scope_id"),
        ddl.timestamp("created_at"),
        checks={"one_holder": "(user_id IS NULL) <> (person_id IS NULL)"},
        indexed=["role_id", "user_id", "person_id"],
    )
    op.create_index("ix_role_grant_holder_scope", "role_grant", ["scope", "scope_id"], unique=False)

    connection = op.get_bind()
    now = sa.func.now()
    for role_id, (name, label, permissions) in enumerate(ROLES, start=1):
        connection.execute(role.insert().values(id=role_id, name=name, label=label, created_at=now))
        connection.execute(
            role_permission.insert(),
            [{"role_id": role_id, "permission": permission} for permission in permissions],
        )
    if connection.dialect.name == "postgresql":  # the ids above were given, not drawn
        connection.execute(sa.text("SELECT setval('role_id_seq', (SELECT max(id) FROM role))"))
    connection.execute(
        sa.text(
            "INSERT INTO role_grant (role_id, user_id, scope, scope_id, created_at) "
            "SELECT 1, id, 'organization', organization_id, created_at "
            "FROM user_account WHERE is_admin"
        )
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("is_admin")


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(ddl.boolean("is_admin", server_default=sa.false()))
    op.execute(
        "UPDATE user_account SET is_admin = "
        "EXISTS (SELECT 1 FROM role_grant JOIN role ON role.id = role_grant.role_id "
        "WHERE role.name = 'administrator' AND role_grant.scope = 'organization' "
        "AND role_grant.user_id = user_account.id)"
    )
    ddl.drop_table("role_grant")
    ddl.drop_table("role_permission")
    ddl.drop_table("role")
