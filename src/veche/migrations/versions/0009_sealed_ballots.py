"""secret ballots are sealed until the count

A secret poll gets a public key (``poll.seal_key``) and, from its opening to its count, its
private key wrapped with the server key (``poll_secret``). While it is open each ballot is
kept sealed beside the right it used (``participation.sealed``); ``participation.key_digest``
recognises a ballot sent again or replaced by whoever holds its client key. A poll may keep its
counted ballots' content off the bulletin board (``poll.board_shows_choices``).

Polls opened before this revision have no public key: their ballots stay stored as they
were and are counted as before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 00:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("board_shows_choices", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sealed", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_participation_key_digest", ["poll_id", "key_digest"], unique=True)
    op.create_table(
        "poll_secret",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], name=op.f("fk_poll_secret_poll_id_poll")),
        sa.PrimaryKeyConstraint("poll_id", name=op.f("pk_poll_secret")),
    )


def downgrade() -> None:
    op.drop_table("poll_secret")
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index("ix_participation_key_digest")
        batch_op.drop_column("sealed")
        batch_op.drop_column("key_digest")
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.drop_column("board_shows_choices")
        batch_op.drop_column("seal_key")
