"""A long list on a page, a page of it at a time by its number, with the pages it fills."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class NumberedPage(Generic[Row]):
    """Page ``number`` of ``pages`` (one at least, for an empty list): ``rows``, of ``total``."""

    number: int
    pages: int
    total: int
    rows: list[Row]


def numbered_page(
    read: Callable[[int], tuple[int, list[Row]]], number: int, size: int
) -> NumberedPage[Row]:
    """Page ``number`` of a list of ``size`` rows a page, ``read(offset)`` reading (how many
    rows match, the page from ``offset``). A number past the end, as when the list shrank or
    the address was edited, is the last page."""
    total, rows = read((number - 1) * size)
    pages = max(1, -(-total // size))
    if number > pages:
        number = pages
        total, rows = read((number - 1) * size)
    return NumberedPage(number, pages, total, rows)
