"""bearer tokens expire, and can be revoked

Every token gets the moment it stops working (VECHE_TOKEN_LIFETIME_HOURS after it is
issued), and the moment it was revoked, if it was. Tokens issued before this revision never
expired; they now last the default lifetime, 30 days, from the upgrade: long enough that a
meeting under way is not cut off, and no longer forever.

Create Date: 2026-12-03 18:05:12.518306
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0007"
down_revision: str | None = "0006"

#: What tokens issued before this revision are given: the default lifetime.
EARLIER_TOKENS_LAST = timedelta(days=30)


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(ddl.timestamp("expires_at", nullable=True))
        batch_op.add_column(ddl.timestamp("revoked_at", nullable=True))
    api_token = sa.table("api_token", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(api_token.update().values(expires_at=datetime.now(UTC) + EARLIER_TOKENS_LAST))
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
