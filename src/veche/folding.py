"""Text folded for searches in any case and any script, alike in Python and on both databases.

The words typed are folded in Python (``fold``), the columns searched in SQL (``Folded``),
so that "öl" finds "Ölmez", "иван" finds "Иван" and "ΝΊΚΟΣ" finds "Νίκος". The fold is
Unicode's simple lowercase mapping, letter by letter, with the final sigma "ς" written "σ":
what PostgreSQL 17 and later do with ``lower(… COLLATE "pg_c_utf8")`` whatever the locale
the database was created with, and "σ" because capitals carry no final form ("ΝΊΚΟΣ"
lowers to "νίκοσ"). Folded letter by letter, a word found as typed is found folded too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

#: The SQL function every SQLite connection is given (``register_fold``).
SQLITE_FUNCTION = "veche_fold"
#: The PostgreSQL version whose built-in collation provider lowers every script alike.
BUILTIN_PROVIDER_SINCE = (17,)


def fold(text: str) -> str:
    """``text`` in the case searches compare it in."""
    if text.isascii():
        return text.lower()
    return _unicode_fold(text)


def _unicode_fold(text: str) -> str:
    # Python's lower() maps "İ" to two characters ("i" and a combining dot), where the
    # simple mapping has "i" alone; and gives a capital sigma at a word's end as "ς", which
    # the fold writes "σ" anyway. Letter by letter, it is otherwise the simple mapping.
    return text.replace("İ", "i").lower().replace("ς", "σ")


def register_fold(sqlite_connection: Any) -> None:
    """Give a new SQLite connection the fold, as the SQL function ``Folded`` calls for text
    that is not all ASCII (never NULL): SQLite's own ``lower()`` lowers only ASCII letters."""
    sqlite_connection.create_function(SQLITE_FUNCTION, 1, _unicode_fold, deterministic=True)


class Folded(FunctionElement[str]):
    """``column`` folded, as ``fold`` folds text, on either database."""

    type = String()
    inherit_cache = True

    def __init__(self, column: ColumnElement[str] | InstrumentedAttribute[str]) -> None:
        super().__init__(column)


@compiles(Folded)
def _sqlite_function(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    # Text all ASCII (as many bytes as characters) is lowered by SQLite itself, and so is
    # NULL (the condition is NULL): calling into Python for every row, most of it the call
    # itself, doubled the time to search 20,000 people.
    ascii, folded, lowered = (compiler.process(element.clauses, **kw) for _ in range(3))
    return (
        f"CASE WHEN length({ascii}) <> length(CAST({ascii} AS BLOB)) "
        f"THEN {SQLITE_FUNCTION}({folded}) ELSE lower({lowered}) END"
    )


@compiles(Folded, "postgresql")
def _builtin_lower(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    # Known once the engine has connected, which is before it compiles a statement.
    version = compiler.dialect.server_version_info or BUILTIN_PROVIDER_SINCE
    if version < BUILTIN_PROVIDER_SINCE:
        # Before 17, lower() follows the database's LC_CTYPE: every script in a UTF-8
        # locale (en_US.UTF-8, C.UTF-8), only ASCII letters in "C" (docs/architecture.md).
        lowered = f"lower({column})"
    else:
        lowered = f'lower(({column}) COLLATE "pg_c_utf8")'
    return f"replace({lowered}, 'ς', 'σ')"
