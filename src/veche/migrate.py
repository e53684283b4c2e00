"""Schema migrations through Alembic, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to ``revision`` (the newest by default)."""
    config = alembic_config()
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back down to ``revision``."""
    config = alembic_config()
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """The transaction a migration runs in.

    SQLite changes a table's columns by copying it into a new table, dropping the old and
    renaming the new (Alembic's batch mode), and the drop fails while foreign keys are
    enforced and other tables' rows refer to it. SQLite stops enforcing them only outside a
    transaction: so they are off while migrating, and every reference is checked before the
    commit instead, as SQLite's own procedure for such changes does."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        sqlite = connection.connection.driver_connection
        assert sqlite is not None  # a connection from the pool is open
        sqlite.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(
                        f"the migration left a row of {broken[0]} (rowid {broken[1]}) "
                        f"referring to a missing row of {broken[2]}"
                    )
        finally:
            sqlite.execute("PRAGMA foreign_keys=ON")


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("veche ships no migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def unknown_revision(engine: Engine) -> str | None:
    """The database's revision if this veche ships no migration of that name: a newer veche
    migrated it, and this one can neither serve it nor migrate it (Alembic would fail with
    "Can't locate revision")."""
    revision = current_revision(engine)
    if revision is None:
        return None
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    return None if revision in known else revision


def newer_database(revision: str) -> str:
    """What to tell the operator of a database at ``revision``, which this veche does not know."""
    from veche import __version__

    return (
        f"this database was migrated by a newer veche (revision {revision}; this veche, "
        f"{__version__}, knows revisions up to {head_revision()}); upgrade veche"
    )


def write_problem(engine: Engine) -> str | None:
    """Why veche cannot write to the database, or None if it can: a write is tried and rolled
    back, so that a read-only SQLite file (or its folder), a read-only PostgreSQL role or a
    standby is found before a server starts, not at every login."""
    try:
        with engine.connect() as connection, connection.begin() as trial:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
            trial.rollback()
    except DBAPIError as error:
        return " ".join(str(error.orig or error).split())
    return None
