"""delegates' proposed changes to the draft agenda

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 05:03:44.255212
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "add",
                "remove",
                "move",
                "rename",
                name="proposal_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("proposer_person_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("item_title", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column(
            "item_kind",
            sa.Enum(
                "report",
                "motion",
                "election",
                "information",
                name="item_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "accepted",
                "rejected",
                name="proposal_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_agenda_proposal_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agenda_proposal_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["proposer_person_id"],
            ["person.id"],
            name=op.f("fk_agenda_proposal_proposer_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_proposal")),
        sa.UniqueConstraint(
            "meeting_id", "number", name=op.f("uq_agenda_proposal_meeting_id_number")
        ),
    )
    with op.batch_alter_table("agenda_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_proposal_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agenda_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_proposal_meeting_id"))

    op.drop_table("agenda_proposal")
