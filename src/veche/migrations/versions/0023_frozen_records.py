"""the whole organization's figures recorded when a period is frozen

Freezing a period now also records its goals at the whole organization, with their
indicators' figures, as canonical JSON (``frozen_record``, one row a frozen period), whose
SHA-256 goes into the journal entry of the freeze. The periods frozen before get no record:
the summing-up computes their figures from the values, as it did.

Going down drops the records. The journal entries keep their hashes, so once up again a
period frozen with a record has lost it, and ``veche verify`` says so, as for any record
removed.

Create Date: 2026-12-05 01:00:00.000000
"""

from veche.migrations import ddl

revision: str = "0023"
down_revision: str | None = "0022"


def upgrade() -> None:
    ddl.create_table(
        "frozen_record",
        ddl.reference("period_id", "reporting_period"),
        ddl.text("figures"),
        ddl.timestamp("created_at"),
        unique=[["period_id"]],
    )


def downgrade() -> None:
    ddl.drop_table("frozen_record")
