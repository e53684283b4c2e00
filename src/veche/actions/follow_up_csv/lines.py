"""A follow-up file read as far as its lines and cells: its kind told by its header, each
row's cells by column, and the cells' own checks (numbers, paths, figures, dates, choices),
each refusal named by its column."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from veche.actions.imports import ImportRejected
from veche.decimals import decimal_number
from veche.errors import InvalidInput, VecheError
from veche.queries.follow_up_csv import FILE_KINDS, FileKind
from veche.reports.exports import unguarded
from veche.whole_numbers import whole_number

E = TypeVar("E", bound=StrEnum)

TOO_MANY_CELLS = "more cells than columns in the header"


@dataclass(frozen=True)
class CsvSource:
    """A file given to the import: the name its problems are reported under, and its text."""

    name: str
    text: str


class CellProblem(Exception):
    """A line's problem, in a column (None: in the line as a whole)."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Table:
    """A file read as far as its header: its kind, and where each column is."""

    source: CsvSource
    kind: FileKind
    columns: dict[str, int]

    def rows(self) -> Iterator[tuple[int, list[str] | None]]:
        """Each row under the header, with the number of the line it ends on: its cells, one
        more (empty) than the header names, so that a column left out reads as that one; or
        None for a row with more cells than the header."""
        width = len(self.columns)
        reader = csv.reader(io.StringIO(self.source.text.lstrip("\ufeff")))
        next(reader, None)
        try:
            yield from self._padded(reader, width)
        except csv.Error as error:
            # A cell longer than the csv module takes (131,072 characters), say.
            line = f"line {reader.line_num}"
            raise ImportRejected(
                self.source.name, [f"{line}: cannot be read as CSV: {error}"]
            ) from None

    @staticmethod
    def _padded(reader: Any, width: int) -> Iterator[tuple[int, list[str] | None]]:
        for cells in reader:
            if len(cells) == width and cells[0]:  # most rows: a cell for every column
                cells.append("")
                yield reader.line_num, cells
            elif not cells or not "".join(cells).strip():
                continue  # a blank line, or a spreadsheet's empty row
            elif len(cells) > width:
                yield reader.line_num, None
            else:
                cells.extend([""] * (width + 1 - len(cells)))
                yield reader.line_num, cells


@dataclass(frozen=True)
class Line:
    columns: dict[str, int]
    cells: list[str]
    #: Where the line is, for a later line that must name it: its file and number.
    source: str = ""
    number: int = 0

    @property
    def place(self) -> str:
        return f"{self.source} line {self.number}"

    def get(self, column: str) -> str:
        """The cell's text, trimmed, without the apostrophe the export guards formulas with."""
        where = self.columns.get(column)
        if where is None or where >= len(self.cells):
            return ""
        text = self.cells[where].strip()
        return unguarded(text)

    def required(self, column: str) -> str:
        text = self.get(column)
        if not text:
            raise CellProblem(column, "is empty; it must be filled in")
        return text

    def parsed(
        self,
        column: str,
        parse: Callable[[str], Any],
        *,
        required: bool = False,
        default: Any = None,
    ) -> Any:
        """The cell through ``parse`` (``default`` when empty, unless ``required``); its
        refusal named by the column."""
        text = self.required(column) if required else self.get(column)
        if not text:
            return default
        try:
            return parse(text)
        except VecheError as error:
            raise CellProblem(column, error.message) from None


def read_header(source: CsvSource) -> Table:
    """The file's kind and columns, told by its header; or ImportRejected naming line 1."""
    if "\x00" in source.text:
        raise ImportRejected(
            source.name,
            ["the file holds a NUL character: is it a spreadsheet's own format? Save it as CSV"],
        )
    reader = csv.reader(io.StringIO(source.text.lstrip("\ufeff")))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as error:
        raise ImportRejected(source.name, [f"line 1: cannot be read as CSV: {error}"]) from None
    if not any(header):
        raise ImportRejected(source.name, ["line 1: the file is empty; expected a header row"])
    kinds = [kind for kind in FILE_KINDS if kind.marker in header]
    if len(kinds) != 1:
        markers = ", ".join(f"{kind.marker} ({kind.name})" for kind in FILE_KINDS)
        raise ImportRejected(
            source.name,
            [f"line 1: the header must have exactly one of the columns {markers}"],
        )
    kind = kinds[0]
    problems = []
    missing = [column for column in kind.required if column not in header]
    if missing:
        problems.append(f"line 1: a file of {kind.name} needs the column(s) {', '.join(missing)}")
    twice = sorted({column for column in header if header.count(column) > 1})
    if twice:
        problems.append(f"line 1: the column(s) {', '.join(twice)} are named twice")
    unknown = [column for column in header if column not in kind.columns]
    if unknown:
        problems.append(
            f"line 1: unknown column(s) {', '.join(unknown)} in a file of {kind.name} "
            f"(its columns: {', '.join(kind.columns)})"
        )
    if problems:
        raise ImportRejected(source.name, problems)
    return Table(source, kind, {name: place for place, name in enumerate(header)})


# --- Cells ---------------------------------------------------------------------------------


def small_number(text: str) -> int | None:
    """A number from 1 of at most nine digits, or None."""
    number = whole_number(text)
    return number if number is not None and 1 <= number < 10**9 else None


def integer(text: str, what: str) -> int:
    number = small_number(text)
    if number is None:
        raise InvalidInput(f"{what} is a whole number from 1, not {text!r}")
    return number


def goal_path(text: str) -> tuple[int, ...]:
    parts = text.split(".")
    numbers = [small_number(part) for part in parts]
    if None in numbers or len(numbers) > 20:
        raise InvalidInput(f"a goal is named by its number path such as 3 or 3.2, not {text!r}")
    return tuple(number for number in numbers if number is not None)


def path_text(path: Sequence[int]) -> str:
    return ".".join(str(number) for number in path)


def parse_decimal(text: str) -> Decimal:
    """A figure of a file, read as the pages and the API read one (``veche.decimals``):
    "1_000" or other scripts' digits are refused, not taken for a number nobody wrote."""
    value = decimal_number(text)
    if value is None:
        raise InvalidInput(
            f"{text!r} is not a number; write it with a point and no thousands separator, "
            "such as 1250.5"
        )
    return value


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def choice_of(kind: type[E]) -> Callable[[str], E]:
    def parse(text: str) -> E:
        try:
            return kind(text.lower())
        except ValueError:
            raise InvalidInput(
                f"{text!r} is not one of {', '.join(member.value for member in kind)}"
            ) from None

    return parse


def line_range(text: str) -> tuple[int, int]:
    first, _dash, last = text.partition("-")
    return integer(first.strip(), "a line"), integer((last or first).strip(), "a line")
