"""delegates' proposed changes to the draft agenda

Create Date: 2026-11-27 05:03:44.255212
"""

from veche.migrations import ddl

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    ddl.create_table(
        "agenda_proposal",
        ddl.reference("meeting_id", "meeting"),
        ddl.integer("number"),
        ddl.enum("kind", "proposal_kind", ["add", "remove", "move", "rename"]),
        ddl.reference("proposer_person_id", "person"),
        ddl.reference("agenda_item_id", "agenda_item", nullable=True),
        ddl.string("item_title", 500),
        ddl.string("title", 500),
        ddl.enum(
            "item_kind", "item_kind", ["report", "motion", "election", "information"], nullable=True
        ),
        ddl.integer("position", nullable=True),
        ddl.text("rationale"),
        ddl.enum("state", "proposal_state", ["pending", "accepted", "rejected"]),
        ddl.text("reason"),
        ddl.timestamp("decided_at", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "number"]],
        indexed=["meeting_id"],
    )


def downgrade() -> None:
    ddl.drop_table("agenda_proposal")
