"""Lists of rows: the rows of one table that belong to something, in order; long lists
narrowed by the filters and words given, read a page at a time with the count of every row
that matches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

Columns = TypeVarTuple("Columns")
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
Row = TypeVar("Row")


def rows_of(
    session: Session,
    table: type[Row],
    where: ColumnElement[bool],
    *order: Column,
    load: Iterable[InstrumentedAttribute[Any]] = (),
) -> list[Row]:
    """The rows of ``table`` that ``where`` picks, in ``order``, each with the relationships
    named in ``load`` (read for all of them at once, not a query per row)."""
    query = select(table).where(where).options(*(selectinload(to) for to in load))
    return list(session.scalars(query.order_by(*order)))


def where_given(query: Select[*Columns], *wanted: tuple[Column, object]) -> Select[*Columns]:
    """``query`` narrowed to the rows whose column equals each value wanted; a value left
    empty (``None``) matches everything."""
    for column, value in wanted:
        if value is not None:
            query = query.where(column == value)
    return query


def paged(
    session: Session, query: Select[*Columns], *order: Column, limit: int, offset: int
) -> tuple[int, Select[*Columns]]:
    """(how many rows ``query`` matches, ``query`` in ``order`` cut to one page of them)."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return total, query.order_by(*order).limit(limit).offset(offset)


def like_literally(word: str) -> str:
    """``word`` for a LIKE pattern escaped by a backslash: its wildcards taken literally."""
    return word.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
