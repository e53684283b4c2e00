"""no sample of a sealed ballot or a wrapped key is kept, and none left by a count

PostgreSQL's ANALYZE (autovacuum's, which a vote's new rows set going) copied samples of
``participation.sealed`` and ``poll_secret.wrapped_key`` into ``pg_statistic`` (what
``pg_stats.histogram_bounds`` shows), where no count's vacuum reached them: their statistics
target is now 0, so that ANALYZE samples neither column again, and what ``pg_statistic`` held
of them is deleted (by altering each column to its own type, which any owner of the table
may do; a non-superuser cannot write ``pg_statistic`` otherwise).

Both tables are also rewritten (the same alteration, through an expression that changes no
value): a vacuum freed the space of the rows that counts emptied or deleted, but left their
bytes in the pages, where the key file opened the ballots of polls counted before this
revision. The rewrite copies the live rows alone to new files, and the old are dropped.

Left to the operator, as a migration runs in a transaction where PostgreSQL rewrites no
catalog: the deleted statistics' bytes, and the older versions every ANALYZE left, stay in
``pg_statistic``'s file until it is rewritten. Run ``VACUUM FULL pg_statistic`` once after
upgrading, as the database's owner (PostgreSQL lets the owner of a database rewrite its
catalogs) or a superuser; ``docs/secrecy.md`` says so too.

SQLite keeps no such samples, and zeroes what it deletes (``secure_delete``): nothing to do.

Create Date: 2026-12-05 20:00:00.000000
"""

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"

#: The columns whose bytes open a ballot with the key file, by table.
_SEALED_COLUMNS = (("participation", "sealed"), ("poll_secret", "wrapped_key"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _SEALED_COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS 0")
        # A type change drops the column's statistics; through an expression, it rewrites
        # the table with its live rows alone (a plain VACUUM FULL cannot run in the
        # migration's transaction).
        op.execute(
            f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bytea USING {column} || ''::bytea"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _SEALED_COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS -1")
