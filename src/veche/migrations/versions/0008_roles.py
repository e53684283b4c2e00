"""who may do what, as rows: roles, their permissions, and grants in a scope

The roles a meeting already implies (member, alternate, observer by the participant's place;
chair, secretary, teller by their office) and the administrator are stored with the
permissions that the code granted them until now, so nobody may do more or less than before.
Accounts that were administrators hold the administrator role in their organization; the
``is_admin`` flag goes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 21:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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

_SCOPE = sa.Enum(
    "organization",
    "body",
    "meeting",
    "unit",
    name="grant_scope",
    native_enum=False,
    create_constraint=True,
    length=24,
)


def upgrade() -> None:
    role = op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("name", name=op.f("uq_role_name")),
    )
    role_permission = op.create_table(
        "role_permission",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_role_permission_role_id_role")
        ),
        sa.PrimaryKeyConstraint("role_id", "permission", name=op.f("pk_role_permission")),
    )
    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("scope", _SCOPE, nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (person_id IS NULL)", name=op.f("ck_role_grant_one_holder")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_role_grant_person_id_person")
        ),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_role_grant_role_id_role")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_role_grant_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grant")),
    )
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grant_role_id"), ["role_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_grant_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_grant_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_role_grant_holder_scope", ["scope", "scope_id"], unique=False)

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
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE user_account SET is_admin = "
        "EXISTS (SELECT 1 FROM role_grant JOIN role ON role.id = role_grant.role_id "
        "WHERE role.name = 'administrator' AND role_grant.scope = 'organization' "
        "AND role_grant.user_id = user_account.id)"
    )
    op.drop_table("role_grant")
    op.drop_table("role_permission")
    op.drop_table("role")
