"""foundation: organization, bodies, terms, people, journal

Create Date: 2026-11-27 02:16:59.404288
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0001"
down_revision: str | None = None


def upgrade() -> None:
    ddl.create_table(
        "journal_head",
        ddl.integer("id", autoincrement=False),
        ddl.integer("seq"),
        ddl.string("hash", 64),
        checks={"single_row": "id = 1"},
        primary_key=["id"],
    )
    ddl.create_table(
        "organization",
        ddl.string("name", 200),
        ddl.string("short_name", 40, nullable=True),
        ddl.text("description"),
        ddl.boolean("publishes_reports"),
        ddl.timestamp("created_at"),
        unique=[["name"]],
    )
    ddl.create_table(
        "body",
        ddl.reference("organization_id", "organization"),
        ddl.reference("parent_id", "body", nullable=True),
        ddl.string("name", 200),
        ddl.text("description"),
        ddl.integer("quorum_numerator"),
        ddl.integer("quorum_denominator"),
        ddl.boolean("alternates_vote_for_absent"),
        ddl.integer("max_proxies_per_member"),
        ddl.timestamp("created_at"),
        unique=[["organization_id", "name"]],
        indexed=["organization_id"],
    )
    ddl.create_table(
        "unit",
        ddl.reference("organization_id", "organization"),
        ddl.reference("parent_id", "unit", nullable=True),
        ddl.string("name", 200),
        ddl.string("kind", 60),
        ddl.timestamp("created_at"),
        unique=[["organization_id", "parent_id", "name"]],
        indexed=["organization_id", "parent_id"],
    )
    ddl.create_table(
        "person",
        ddl.reference("organization_id", "organization"),
        ddl.string("full_name", 200),
        ddl.string("email", 254, nullable=True),
        ddl.reference("unit_id", "unit", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["organization_id", "email"]],
        indexed=["organization_id"],
    )
    ddl.create_table(
        "term",
        ddl.reference("body_id", "body"),
        ddl.integer("number"),
        ddl.date("starts_on"),
        ddl.date("ends_on", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["body_id", "number"]],
        indexed=["body_id"],
    )
    ddl.create_table(
        "membership",
        ddl.reference("person_id", "person"),
        ddl.reference("term_id", "term"),
        ddl.enum("role", "membership_role", ["member", "alternate"], length=16),
        ddl.date("from_date", nullable=True),
        ddl.date("to_date", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["person_id", "term_id"]],
        indexed=["person_id", "term_id"],
    )
    ddl.create_table(
        "user_account",
        ddl.reference("organization_id", "organization"),
        ddl.reference("person_id", "person", nullable=True),
        ddl.string("username", 100),
        ddl.string("password_hash", 200),
        ddl.boolean("is_admin"),
        ddl.boolean("active"),
        ddl.timestamp("created_at"),
        unique=[["person_id"], ["username"]],
        indexed=["organization_id"],
    )
    ddl.create_table(
        "journal_entry",
        ddl.integer("seq", autoincrement=False),
        ddl.timestamp("at"),
        ddl.string("action", 100),
        ddl.reference("actor_id", "user_account", nullable=True),
        ddl.string("actor_name", 200),
        ddl.json("payload"),
        ddl.string("prev_hash", 64),
        ddl.string("hash", 64),
        primary_key=["seq"],
        unique=[["hash"]],
        indexed=["action"],
    )
    # The journal's chain starts from a head that records no entry yet.
    op.bulk_insert(
        sa.table(
            "journal_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.Integer()),
            sa.column("hash", sa.String()),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )


def downgrade() -> None:
    ddl.drop_table("journal_entry")
    ddl.drop_table("user_account")
    ddl.drop_table("membership")
    ddl.drop_table("term")
    ddl.drop_table("person")
    ddl.drop_table("unit")
    ddl.drop_table("body")
    ddl.drop_table("organization")
    ddl.drop_table("journal_head")
