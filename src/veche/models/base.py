"""The declarative base, with constraint names that Alembic can rely on across databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from veche.models.columns import Id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The largest number an integer column holds on every database veche runs on (PostgreSQL's
#: ``integer``); ids and counts that come from a client are refused above it.
MAX_INT = 2**31 - 1


class WideInteger(int):
    """An integer bound for a 64-bit column (SQLite's INTEGER), such as a figure stored as
    ten-thousandths: the database layer checks it against 64 bits, not ``MAX_INT``."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in UTC, returned timezone-aware from SQLite (which forgets the zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("store aware datetimes only (use utcnow())")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    #: Every moment is stored in UTC: ``Mapped[datetime]`` needs no type of its own.
    type_annotation_map: ClassVar[dict[type, TypeEngine[Any]]] = {datetime: UTCDateTime()}

    @declared_attr.directive
    def __tablename__(cls) -> str:
        """A table is named after its class, in snake_case: ``GoalAssignment`` is stored in
        ``goal_assignment``. Renaming a class renames its table, so tests/test_schema.py, which
        compares the models with the migrations, fails until a migration renames it too."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


class Timestamped:
    """Rows that remember when they were created."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Entity(Timestamped, Base):
    """A table whose rows have a number of their own, ``id``, and remember when they were
    created: most of veche's tables. ``id`` comes first in the table and ``created_at``
    last, around the columns the class declares, as the migrations made them."""

    __abstract__ = True

    id: Mapped[Id] = mapped_column(sort_order=-1)
