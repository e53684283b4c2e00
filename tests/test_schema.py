"""The schema the migrations build is the schema the models declare, and carries no index
that only repeats the first column of a unique constraint's own index."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, Index, PrimaryKeyConstraint, UniqueConstraint, inspect

from veche import migrate
from veche.models import Base


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrations_build_what_the_models_declare(engine: Engine) -> None:
    assert _differences(engine) == []


def test_the_newest_migration_goes_down_and_up_again(engine: Engine) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    assert migrate.current_revision(engine) != migrate.head_revision()
    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    assert _differences(engine) == []


def test_no_index_repeats_the_first_column_of_a_unique_key() -> None:
    # A unique constraint's index serves lookups by its first column; a second index on that
    # column alone costs every insert and can lead PostgreSQL's planner astray (migration 0006).
    repeated = []
    for table in Base.metadata.tables.values():
        leading = {
            constraint.columns.values()[0].name
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
            and len(constraint.columns) > 1
        }
        for index in table.indexes:
            assert isinstance(index, Index)
            names = [column.name for column in index.columns]
            if len(names) == 1 and not index.unique and names[0] in leading:
                repeated.append(f"{table.name}.{names[0]}")
    assert repeated == []


def test_the_migrated_database_has_no_such_index_either(engine: Engine) -> None:
    inspector = inspect(engine)
    repeated = []
    for table in inspector.get_table_names():
        keys = [u["column_names"] for u in inspector.get_unique_constraints(table)]
        keys.append(inspector.get_pk_constraint(table)["constrained_columns"])
        leading = {key[0] for key in keys if len(key) > 1}
        for index in inspector.get_indexes(table):
            columns = index["column_names"]
            if len(columns) == 1 and not index["unique"] and columns[0] in leading:
                repeated.append(f"{table}.{columns[0]}")
    assert repeated == []
