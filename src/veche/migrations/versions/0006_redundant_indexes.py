"""drop indexes that repeat the first column of a unique constraint

The unique constraint's own index already serves every lookup by its first column, so each
of these only cost time on every insert. On PostgreSQL they also misled the planner: before
autovacuum had gathered statistics for a freshly registered meeting, it looked participants
up through ix_participant_meeting_id and then filtered all of the meeting's rows against
each group of ballots' voters — 45 ms a group of 200 in benchmarks/vote_spike.py, where the
unique (meeting_id, person_id) index takes about 1 ms.

Create Date: 2026-11-27 09:53:27.389142
"""

from alembic import op

from veche.migrations import ddl

revision: str = "0006"
down_revision: str | None = "0005"

#: (table, column): each had an index ix_<table>_<column>, and a unique constraint leading
#: with that column.
REDUNDANT = [
    ("agenda_proposal", "meeting_id"),
    ("amendment", "motion_id"),
    ("attendance", "participant_id"),
    ("body", "organization_id"),
    ("meeting", "term_id"),
    ("membership", "person_id"),
    ("motion", "meeting_id"),
    ("motion_version", "motion_id"),
    ("panel", "meeting_id"),
    ("participant", "meeting_id"),
    ("person", "organization_id"),
    ("poll_option", "poll_id"),
    ("presidium_member", "meeting_id"),
    ("resolution", "meeting_id"),
    ("sitting", "meeting_id"),
    ("term", "body_id"),
    ("unit", "organization_id"),
]


def upgrade() -> None:
    for table, column in REDUNDANT:
        op.drop_index(ddl.index_name(table, column), table_name=table)


def downgrade() -> None:
    for table, column in REDUNDANT:
        op.create_index(ddl.index_name(table, column), table, [column], unique=False)
