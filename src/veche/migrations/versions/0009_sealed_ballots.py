"""secret ballots are sealed until the count

A secret poll gets a public key (``poll.seal_key``) and, from its opening to its count, its
private key wrapped with the server key (``poll_secret``). While it is open each ballot is
kept sealed beside the right it used (``participation.sealed``); ``participation.key_digest``
recognises a ballot sent again or replaced by whoever holds its client key. A poll may keep its
counted ballots' content off the bulletin board (``poll.board_shows_choices``).

Polls opened before this revision have no public key: their ballots stay stored as they
were and are counted as before.

Create Date: 2026-12-04 00:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0009"
down_revision: str | None = "0008"


def upgrade() -> None:
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.add_column(ddl.string("seal_key", 64, nullable=True))
        batch_op.add_column(ddl.boolean("board_shows_choices", server_default=sa.true()))
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.add_column(ddl.string("key_digest", 64, nullable=True))
        batch_op.add_column(ddl.binary("sealed", nullable=True))
        batch_op.create_index("ix_participation_key_digest", ["poll_id", "key_digest"], unique=True)
    ddl.create_table(
        "poll_secret",
        ddl.reference("poll_id", "poll"),
        ddl.binary("wrapped_key"),
        primary_key=["poll_id"],
    )


def downgrade() -> None:
    ddl.drop_table("poll_secret")
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index("ix_participation_key_digest")
        batch_op.drop_column("sealed")
        batch_op.drop_column("key_digest")
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.drop_column("board_shows_choices")
        batch_op.drop_column("seal_key")
