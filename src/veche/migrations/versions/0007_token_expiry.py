"""bearer tokens expire, and can be revoked

Every token gets the moment it stops working (VECHE_TOKEN_LIFETIME_HOURS after it is
issued), and the moment it was revoked, if it was. Tokens issued before this revision never
expired; they now last the default lifetime, 30 days, from the upgrade: long enough that a
meeting under way is not cut off, and no longer forever.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:05:12.518306
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: What tokens issued before this revision are given: the default lifetime.
EARLIER_TOKENS_LAST = timedelta(days=30)


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
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
