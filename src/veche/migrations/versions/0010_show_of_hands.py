"""votes counted without ballots: a show of hands, a standing vote

A poll is taken by ballot, as every poll before this revision was, or counted in the hall
(``poll.vote_by``). The tellers' totals of a vote counted in the hall are stored as ballots
of their own source, ``counted``: one row per option, its votes as its weight.

Create Date: 2026-12-04 14:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0010"
down_revision: str | None = "0009"

_VOTE_BY = ["ballot", "show_of_hands", "standing"]
_SOURCES = ["electronic", "paper"]


def _check_sources(sources: list[str]) -> None:
    """Let ``ballot.source`` take ``sources``; SQLite changes a constraint by copying the
    table, which stays without a rowid."""
    name = op.f("ck_ballot_ballot_source")
    condition = "source IN (" + ", ".join(f"'{source}'" for source in sources) + ")"
    with op.batch_alter_table(
        "ballot", schema=None, table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.drop_constraint(name, type_="check")
        batch_op.create_check_constraint(name, condition)


def upgrade() -> None:
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.add_column(ddl.enum("vote_by", "vote_by", _VOTE_BY, server_default="ballot"))
    _check_sources([*_SOURCES, "counted"])


def downgrade() -> None:
    # The older schema has no place for a vote counted in the hall: rather than lose one
    # (or leave a closed poll that no longer recounts), the downgrade stops.
    counted = op.get_bind().scalar(sa.text("SELECT count(*) FROM poll WHERE vote_by != 'ballot'"))
    if counted:
        raise RuntimeError(
            f"{counted} poll(s) were counted in the hall (a show of hands or a standing "
            "vote), which the schema before revision 0010 cannot hold; keep this revision"
        )
    _check_sources(_SOURCES)
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_poll_vote_by"), type_="check")
        batch_op.drop_column("vote_by")
