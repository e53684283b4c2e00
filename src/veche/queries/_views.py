"""Read models from rows: a view's fields read from the attributes of the same names, so that
no view copies a row field by field."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

View = TypeVar("View", bound="DataclassInstance")


def view_of(view: type[View], row: object, **computed: Any) -> View:
    """A ``view`` of ``row``: each field its attribute of that name, but for those
    ``computed`` apart (a name joined from another table, a list read for many rows)."""
    read = {
        field.name: getattr(row, field.name) for field in fields(view) if field.name not in computed
    }
    return view(**read, **computed)
