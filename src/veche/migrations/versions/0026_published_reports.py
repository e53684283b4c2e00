"""a meeting's published report is kept as it was published

Publishing a meeting's report renders its communiqué and minutes once and keeps their
canonical text (``published_report``, one row a meeting and document), whose SHA-256 the
publication's journal entry records. Reports published before have no row: they are
rendered from the record as before, and ``veche verify`` lists them as not checked.

Create Date: 2026-12-05 19:20:00.000000
"""

from veche.migrations import ddl

revision: str = "0026"
down_revision: str | None = "0025"


def upgrade() -> None:
    ddl.create_table(
        "published_report",
        ddl.reference("meeting_id", "meeting"),
        ddl.string("kind", 20),
        ddl.text("text"),
        ddl.string("veche_version", 40),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "kind"]],
    )


def downgrade() -> None:
    ddl.drop_table("published_report")
