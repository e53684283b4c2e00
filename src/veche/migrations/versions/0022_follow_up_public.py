"""the follow-up in public, its evidence, and the summing-up filed as a paper

An organization may show the follow-up of its resolutions to the public
(``organization.publishes_follow_up``, off until it opts in). A unit files documents with
its progress report as evidence (``evidence_document``, the bytes in the row). A cycle's
interim summing-up filed on an agenda item is a paper (``document``) with a row saying what
it sums up and the SHA-256 of its Markdown (``summing_up_paper``).

Going down drops the evidence and the papers' links (the papers stay, as papers), and the
organization's choice.

Create Date: 2026-12-07 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0022"
down_revision: str | None = "0021"


def upgrade() -> None:
    # ALTER TABLE in place, not a batch (a copy of the table): on SQLite a batch drops the
    # old organization table, which every row of the database refers to.
    op.add_column("organization", ddl.boolean("publishes_follow_up", server_default=sa.false()))
    ddl.create_table(
        "evidence_document",
        ddl.reference("report_id", "progress_report"),
        ddl.string("filename", 255),
        ddl.string("content_type", 100),
        ddl.integer("size"),
        ddl.string("sha256", 64),
        ddl.binary("content"),
        ddl.timestamp("created_at"),
        indexed=["report_id"],
    )
    ddl.create_table(
        "summing_up_paper",
        ddl.reference("document_id", "document"),
        ddl.reference("cycle_id", "reporting_cycle"),
        ddl.reference("period_id", "reporting_period"),
        ddl.string("sha256", 64),
        ddl.timestamp("created_at"),
        primary_key=["document_id"],
        indexed=["cycle_id", "period_id"],
    )


def downgrade() -> None:
    ddl.drop_table("summing_up_paper")
    ddl.drop_table("evidence_document")
    op.drop_column("organization", "publishes_follow_up")  # in place, as it was added
