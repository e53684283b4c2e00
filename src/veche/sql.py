"""SQL constructs that SQLAlchemy does not give the same on every database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Boolean, ColumnElement, any_, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType


class OneOf(ColumnElement[bool]):
    """``column`` is one of the values of the list parameter ``name``.

    A group of ballots asks for some two hundred ids at a time. On PostgreSQL they go as
    one array, ``column = ANY(:name)``. As ``IN (…)`` they would cost a bound value each to
    render, and the statement's text would change with the list's length, so psycopg
    would parse every one afresh. SQLite has no arrays, and there the expanded ``IN (…)``
    costs little.
    """

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition already: SQLite needs no "= 1" after it
    # What tells two of them apart in SQLAlchemy's cache of compiled statements.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012  # SQLAlchemy's own form
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: QueryableAttribute[Any], name: str) -> None:
        self.column: ColumnElement[Any] = column.__clause_element__()
        self.name = name


@compiles(OneOf)
def _expanded(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _as_array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    array = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)
