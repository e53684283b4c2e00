"""The vocabulary veche's migrations describe their tables in.

Autogenerate writes every column, constraint and index out in full. These helpers build the
very same objects from what differs between them: a column is NOT NULL unless it says
``nullable=True``, and a table's constraints and indexes are named from the table and their
columns as ``veche.models.base.NAMING_CONVENTION`` named them when the migrations were
written. The names are spelled here rather than left to the models' convention, so that an
old migration builds the schema it always built, whatever becomes of the models.

Keyword arguments a column helper does not know (``server_default=…``) go to ``sa.Column``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

Column = sa.Column[Any]


def _column(name: str, type_: sa.types.TypeEngine[Any], nullable: bool, **kw: Any) -> Column:
    return sa.Column(name, type_, nullable=nullable, **kw)


def reference(name: str, target: str, *, nullable: bool = False) -> Column:
    """An integer column holding the ``id`` of a row of ``target``: ``create_table`` gives the
    table its foreign key constraint."""
    return _column(name, sa.Integer(), nullable, info={"references": target})


def integer(name: str, *, nullable: bool = False, **kw: Any) -> Column:
    return _column(name, sa.Integer(), nullable, **kw)


def string(name: str, length: int, *, nullable: bool = False, **kw: Any) -> Column:
    return _column(name, sa.String(length=length), nullable, **kw)


def text(name: str, *, nullable: bool = False, **kw: Any) -> Column:
    return _column(name, sa.Text(), nullable, **kw)


def numeric(name: str, digits: int, places: int, *, nullable: bool = False, **kw: Any) -> Column:
    """An exact decimal of ``digits`` digits, ``places`` of them after the point."""
    return _column(name, sa.Numeric(digits, places), nullable, **kw)


def boolean(name: str, *, nullable: bool = False, **kw: Any) -> Column:
    return _column(name, sa.Boolean(), nullable, **kw)


def date(name: str, *, nullable: bool = False, **kw: Any) -> Column:
    return _column(name, sa.Date(), nullable, **kw)


def timestamp(name: str, *, nullable: bool = False, **kw: Any) -> Column:
    """A moment, with its time zone (what ``veche.models.base.UTCDateTime`` stores)."""
    return _column(name, sa.DateTime(timezone=True), nullable, **kw)


def json(name: str, *, nullable: bool = False, **kw: Any) -> Column:
    return _column(name, sa.JSON(), nullable, **kw)


def binary(name: str, *, nullable: bool = False, **kw: Any) -> Column:
    return _column(name, sa.LargeBinary(), nullable, **kw)


def enum(
    name: str,
    type_name: str,
    values: Sequence[str],
    *,
    length: int = 24,
    nullable: bool = False,
    **kw: Any,
) -> Column:
    """One of ``values``, stored as VARCHAR(length) and checked by a constraint that the
    naming convention in force names ck_<table>_<type_name> (autogenerate left it so)."""
    type_ = sa.Enum(
        *values, name=type_name, native_enum=False, create_constraint=True, length=length
    )
    return _column(name, type_, nullable, **kw)


def create_table(
    name: str,
    *columns: Column,
    checks: Mapping[str, str] | None = None,
    primary_key: Sequence[str] | None = None,
    unique: Iterable[Sequence[str]] = (),
    indexed: Iterable[str] = (),
    **options: Any,
) -> sa.Table:
    """Create a table, with its constraints in the order autogenerate writes them.

    Unless ``primary_key`` names its columns, the table is keyed by an integer ``id`` that
    comes first, before ``columns`` (the column a ``reference`` to the table holds).
    ``checks`` maps each check constraint's short name to its condition; each ``reference``
    column gets its foreign key constraint (by column name, as autogenerate orders them);
    ``unique`` lists the columns of each unique constraint; each column in ``indexed`` gets
    an index of its own. ``options`` go to the table (``sqlite_with_rowid=False``).
    """
    if primary_key is None:
        primary_key = ["id"]
        columns = (_column("id", sa.Integer(), False), *columns)
    references = sorted(
        (column.name, column.info["references"])
        for column in columns
        if "references" in column.info
    )
    table = op.create_table(
        name,
        *columns,
        *(
            sa.CheckConstraint(condition, name=op.f(f"ck_{name}_{check}"))
            for check, condition in (checks or {}).items()
        ),
        *(
            sa.ForeignKeyConstraint(
                [column], [f"{target}.id"], name=op.f(f"fk_{name}_{column}_{target}")
            )
            for column, target in references
        ),
        sa.PrimaryKeyConstraint(*primary_key, name=op.f(f"pk_{name}")),
        *(sa.UniqueConstraint(*key, name=op.f(f"uq_{name}_{'_'.join(key)}")) for key in unique),
        **options,
    )
    for column in indexed:
        op.create_index(index_name(name, column), name, [column], unique=False)
    return table


def drop_table(name: str) -> None:
    """Drop a table that ``create_table`` made. Its indexes go with it, on SQLite and
    PostgreSQL alike: a downgrade does not name them again."""
    op.drop_table(name)


def index_name(table: str, column: str) -> str:
    """The name of the index on a single column."""
    return op.f(f"ix_{table}_{column}")
