"""the projector under the chair's control

A meeting's projector shows what the chair chooses (``projector``, one row per meeting): the
meeting as it goes, the item under discussion, the speaker, one poll, a message, or nothing.
A meeting without a row follows itself, as every meeting did before, so nothing is filled in
going up and nothing is kept going down.

Create Date: 2026-12-06 10:00:00.000000
"""

from veche.migrations import ddl

revision: str = "0021"
down_revision: str | None = "0020"

_SHOWS = ["follow", "item", "speaker", "poll", "message", "blank"]


def upgrade() -> None:
    ddl.create_table(
        "projector",
        ddl.reference("meeting_id", "meeting"),
        ddl.enum("shows", "projector_shows", _SHOWS),
        ddl.reference("poll_id", "poll", nullable=True),
        ddl.text("message"),
        ddl.timestamp("changed_at"),
        checks={
            "poll_shown": "(shows = 'poll') = (poll_id IS NOT NULL)",
            "message_typed": "shows <> 'message' OR message <> ''",
        },
        primary_key=["meeting_id"],
    )


def downgrade() -> None:
    ddl.drop_table("projector")
