"""Reading ballots from CSV: rankings one ballot per row or one row per rank, and score tables.

Rankings, one ballot per row (format ``csv``)::

    rank1,rank2,rank3,count
    Ada,Bea,,12
    Bea,,,3

Cells name candidates in order of preference. The header is optional: a first
row is a header when one of its cells is ``count`` or ``weight``, or when each
is a rank label (``rank1``, ``Rank 2``, ``choice_3``, ``1st``, ``4``). A
``count`` or ``weight`` column says how many voters cast the row; without one
each row is one ballot. Rows may be ragged.

Rankings, one row per rank (format ``csv``, told apart by its header), as
American cast-vote records are published::

    ballot_id,rank,choice
    000001-00-0001,1,Bob Kiss
    000001-00-0001,2,$UNDERVOTE

Rows are grouped by ``ballot_id`` and taken in order of ``rank``; other
columns are ignored.

Both layouts apply the same rules within a ballot: a blank cell or
``$UNDERVOTE`` is a skipped rank (the next choice moves up); ``$OVERVOTE``
ends the ballot there, later choices unused; a candidate named again later on
the same ballot is skipped. These are the rules of the Burlington, Vermont,
instant-runoff count. A row with no choice at all is a blank ballot: it is
kept, counting for no one. Candidates are numbered in order of first mention.

Scores (format ``csv-scores``; a ``.csv`` extension alone means rankings)::

    Ada,Bea,Cy,count
    5,3,0,10
    ,4,1,2

The header names the candidates (and may name a ``count`` or ``weight``
column); each row holds one ballot's integer scores, a blank cell meaning 0.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

from veche.tally.errors import BallotFormatError
from veche.tally.formats._build import BallotCollector, require_distinct_names
from veche.tally.profile import Profile
from veche.whole_numbers import signed_number, whole_number

UNDERVOTE = "$UNDERVOTE"
OVERVOTE = "$OVERVOTE"

_COUNT_COLUMNS = ("count", "weight")
_RANK_LABEL = re.compile(
    r"(?:(?:rank|choice|preference|pref)[ _-]?)?\d+(?:st|nd|rd|th)?", re.IGNORECASE
)
_LONG_FORM_COLUMNS = ("ballot_id", "rank", "choice")
_INTEGER = re.compile(r"[+-]?\d+")

Row = tuple[int, list[str]]


def read_csv_rankings(path: str | os.PathLike[str]) -> Profile:
    """Read ranked ballots from CSV, one ballot per row or one row per (ballot, rank)."""
    source = str(path)
    rows = list(_rows(path, source))
    if not rows:
        raise BallotFormatError(source, None, "file is empty")
    header = [cell.strip().lower() for cell in rows[0][1]]
    if all(column in header for column in _LONG_FORM_COLUMNS):
        return _read_long_form(rows, header, source)
    return _read_wide_form(rows, header, source)


def read_csv_scores(path: str | os.PathLike[str]) -> Profile:
    """Read a score table: a header of candidate names, then one row of scores per ballot."""
    source = str(path)
    rows = list(_rows(path, source))
    if not rows:
        raise BallotFormatError(source, None, "file is empty")
    header_line, header = rows[0]
    names = [cell.strip() for cell in header]
    count_column = _count_column(names)
    candidates = [name for column, name in enumerate(names) if column != count_column]
    for column, name in enumerate(names):
        if not name:
            raise BallotFormatError(
                source, header_line, f"column {column + 1} of the header has no candidate name"
            )
    require_distinct_names(candidates, source, [header_line] * len(candidates))
    collector = BallotCollector(source, len(candidates), rated=True)
    for line, cells in rows[1:]:
        if len(cells) > len(names):
            raise BallotFormatError(
                source,
                line,
                f"row has {len(cells)} cells but the header names {len(names)} columns",
            )
        scores: list[int] = []
        for column, cell in enumerate(cells):
            if column == count_column:
                continue
            text = cell.strip()
            score = signed_number(text) if text else 0
            if score is None:
                raise BallotFormatError(
                    source,
                    line,
                    f"score for {names[column]!r} must be a whole number, got {text!r}",
                )
            scores.append(score)
        scores.extend([0] * (len(candidates) - len(scores)))
        collector.add([], _count(cells, count_column, source, line), scores, line=line)
    return collector.profile(candidates)


def _rows(path: str | os.PathLike[str], source: str) -> Iterator[Row]:
    """Non-empty rows with the number of the line each ends on."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                for cells in reader:
                    if cells:
                        yield reader.line_num, cells
            except csv.Error as error:
                raise BallotFormatError(source, reader.line_num, str(error)) from None
    except UnicodeDecodeError:
        raise BallotFormatError(source, None, "not UTF-8 text; save the file as UTF-8") from None


def _count_column(header: list[str]) -> int | None:
    columns = [i for i, cell in enumerate(header) if cell.strip().lower() in _COUNT_COLUMNS]
    return columns[0] if columns else None


def _count(cells: list[str], column: int | None, source: str, line: int) -> int:
    if column is None:
        return 1
    text = cells[column].strip() if column < len(cells) else ""
    count = whole_number(text)
    if not count:
        raise BallotFormatError(
            source, line, f"{_COUNT_COLUMNS[0]} must be a positive integer, got {text!r}"
        )
    return count


class _Candidates:
    """Candidate names numbered in order of first mention."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def number(self, name: str) -> int:
        return self.index.setdefault(name, len(self.index))

    @property
    def names(self) -> list[str]:
        return list(self.index)


def _ranking(choices: list[str], candidates: _Candidates) -> list[list[int]]:
    """One ballot's choices in rank order, read by the rules in the module docstring."""
    ranking: list[int] = []
    for choice in choices:
        if choice == OVERVOTE:
            break
        if not choice or choice == UNDERVOTE:
            continue
        candidate = candidates.number(choice)
        if candidate not in ranking:
            ranking.append(candidate)
    return [[candidate] for candidate in ranking]


def _read_wide_form(rows: list[Row], header: list[str], source: str) -> Profile:
    labels = [cell for cell in header if cell]
    has_header = any(cell in _COUNT_COLUMNS for cell in labels) or (
        bool(labels) and all(_RANK_LABEL.fullmatch(cell) for cell in labels)
    )
    count_column = _count_column(header) if has_header else None
    ballots = rows[1:] if has_header else rows
    if not has_header:
        _refuse_score_table(rows, source)
    candidates = _Candidates()
    # Candidates are known only once every row is read, so rows wait until then.
    parsed: list[tuple[list[list[int]], int, int]] = []
    for line, cells in ballots:
        count = _count(cells, count_column, source, line)
        choices = [cell.strip() for column, cell in enumerate(cells) if column != count_column]
        parsed.append((_ranking(choices, candidates), count, line))
    collector = BallotCollector(source, len(candidates.names))
    for groups, count, line in parsed:
        collector.add(groups, count, line=line)
    return collector.profile(candidates.names)


def _refuse_score_table(rows: list[Row], source: str) -> None:
    """Stop a score table from being read as rankings of candidates named '5' and '3'."""
    first = [cell.strip() for cell in rows[0][1]]
    later = [cell.strip() for _, cells in rows[1:] for cell in cells if cell.strip()]
    if (
        later
        and not any(_INTEGER.fullmatch(cell) for cell in first)
        and all(_INTEGER.fullmatch(cell) for cell in later)
    ):
        raise BallotFormatError(
            source,
            rows[1][0],
            "this looks like a table of scores (candidate names, then numbers); read it with "
            "format='csv-scores', or give ranking columns a header like rank1,rank2",
        )


def _read_long_form(rows: list[Row], header: list[str], source: str) -> Profile:
    id_column, rank_column, choice_column = (header.index(c) for c in _LONG_FORM_COLUMNS)
    needed = max(id_column, rank_column, choice_column) + 1
    candidates = _Candidates()
    ballots: dict[str, dict[int, tuple[str, int]]] = {}
    for line, cells in rows[1:]:
        if len(cells) < needed:
            raise BallotFormatError(
                source, line, f"expected at least {needed} cells, found {len(cells)}"
            )
        ballot_id = cells[id_column].strip()
        if not ballot_id:
            raise BallotFormatError(source, line, "ballot_id is blank")
        rank_text = cells[rank_column].strip()
        rank = whole_number(rank_text)
        if not rank:
            raise BallotFormatError(
                source, line, f"rank must be a positive integer, got {rank_text!r}"
            )
        choice = cells[choice_column].strip()
        ranks = ballots.setdefault(ballot_id, {})
        if rank in ranks:
            raise BallotFormatError(
                source,
                line,
                f"ballot {ballot_id!r} has a second choice for rank {rank} "
                f"(the first is on line {ranks[rank][1]})",
            )
        ranks[rank] = (choice, line)
        if choice and choice not in (UNDERVOTE, OVERVOTE):
            candidates.number(choice)
    collector = BallotCollector(source, len(candidates.names))
    for ranks in ballots.values():
        choices = [ranks[rank][0] for rank in sorted(ranks)]
        collector.add(_ranking(choices, candidates), 1)
    return collector.profile(candidates.names)
