"""Reading and writing BLT ballot files: canonical BLT, Droop's options, and dialects found in the wild.

The layout, line by line::

    4 2                  candidates and seats
    -3                   optional: withdrawn candidates, as negative numbers
    [tie 2 1 4 3]        optional (Droop): the tie-break order of the candidates
    [withdrawn 3]        optional (Droop): another way to withdraw candidates
    12 1 2 0             a ballot: its weight, preferences in order, then 0
    3 2=4 1 0            "=" ranks two candidates equal (a dialect some tools use)
    0                    end of the ballots
    "Ada"                one name per line, quoted ...
    Bea (Green)          ... or not (the Scottish councils' files)
    ...
    "Title"              the title; any lines after it are notes and are ignored

Names are read a line at a time: a line that is one quoted string (``""``
inside it standing for a quote) gives the string; any other line is taken as it
is; either way runs of blanks become one space, as Droop reads names. Blank
lines are ignored everywhere. Two dialects are accepted besides the
canonical form: unquoted names and title with no final newline (the Scottish
council files), and spreadsheet exports where every line carries commas as
cell separators (``786 1 0,`` or ``Wilma,LUMSDEN``), read as if each comma were
a space.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from veche.tally.errors import BallotFormatError, TallyError
from veche.tally.formats._build import beyond_declared, merge_identical, require_distinct_names
from veche.tally.profile import EMPTY, BoolArray, IntArray, Profile, RankArray
from veche.whole_numbers import whole_number

ScalarT = TypeVar("ScalarT", bound=np.generic)

#: Ballot text is parsed in pieces of about this many bytes, which bounds the
#: memory the per-character and per-token arrays take on a large file.
CHUNK_BYTES = 1 << 19

# Character classes of the ballot section, looked up for every byte at once.
_INVALID, _DIGIT, _BLANK, _NEWLINE, _EQUALS = range(5)
_CLASS = np.full(256, _INVALID, dtype=np.uint8)
_CLASS[ord("0") : ord("9") + 1] = _DIGIT
_CLASS[[ord(" "), ord("\t"), ord("\r")]] = _BLANK
_CLASS[ord("\n")] = _NEWLINE
_CLASS[ord("=")] = _EQUALS

#: Longer numbers could overflow int64; no real weight comes near.
_MAX_DIGITS = 15

# Led by a literal newline so that the regex engine can skip ahead to candidates quickly.
_END_OF_BALLOTS = re.compile(rb"\n[ \t]*0[ \t]*\r?(?=\n|$)")
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')
_MISPLACED_EQUALS = "'=' must stand once between two preferences of a ballot line, as in '3 1=2 0'"


@dataclass(frozen=True)
class BltElection:
    """A BLT file read in full: the profile, and the options a profile does not hold.

    ``tie_order`` is Droop's ``[tie ...]`` option as candidate indices, in the
    order the file lists them. Droop's reference counts (``42.blt`` against
    ``42t.blt``) show how it is used: when candidates tie for defeat, the one
    listed first is defeated; without the option, the order of the names.
    """

    profile: Profile
    tie_order: tuple[int, ...] | None = None


def read_blt(path: str | os.PathLike[str]) -> BltElection:
    """Read a BLT file; raise ``BallotFormatError`` naming the line if it is malformed."""
    source = str(path)
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise BallotFormatError(source, None, "file is empty")
    header_end = data.find(b"\n")
    header = data if header_end < 0 else data[:header_end]
    if header.rstrip().endswith(b","):
        data = data.replace(b",", b" ")
        header = header.replace(b",", b" ")
    n_candidates, seats = _parse_header(header, source)
    preamble = _Preamble(source, n_candidates)
    preamble.read(data)
    # The search starts on the newline before the first ballot line, which may be the '0' line.
    end = _END_OF_BALLOTS.search(data, preamble.ballots_start - 1)
    if end is None:
        raise BallotFormatError(
            source,
            len(data.rstrip(b"\r\n").split(b"\n")),
            "missing the line '0' that ends the ballots",
        )
    zero_start = end.start() + 1
    rankings, tied, weights = _parse_ballots(
        data, preamble.ballots_start, zero_start, preamble.ballots_line, n_candidates, source
    )
    zero_line = preamble.ballots_line + data.count(b"\n", preamble.ballots_start, zero_start)
    names, title = _parse_names(data[end.end() :], zero_line, n_candidates, source)
    # The file's text is no longer needed; freeing it before merging lowers peak memory.
    del data, end
    merged = merge_identical(source, rankings, tied, weights)
    profile = Profile(
        candidates=names,
        rankings=merged.rankings,
        counts=merged.counts,
        tied_with_previous=merged.tied,
        seats=seats,
        title=title,
        withdrawn=frozenset(preamble.withdrawn),
    )
    return BltElection(profile=profile, tie_order=preamble.tie_order)


def _parse_header(header: bytes, source: str) -> tuple[int, int]:
    fields = header.split()
    n_candidates, seats = (
        (_number(fields[0]), _number(fields[1])) if len(fields) == 2 else (None,) * 2
    )
    if n_candidates is None or seats is None:
        raise BallotFormatError(
            source,
            1,
            f"the first line must be 'candidates seats' (two whole numbers), "
            f"got {_shown(header)[:60]!r}",
        )
    if n_candidates < 1:
        raise BallotFormatError(source, 1, "the number of candidates must be at least 1")
    if seats < 1:
        raise BallotFormatError(source, 1, "the number of seats must be at least 1")
    return n_candidates, seats


class _Preamble:
    """The lines between the header and the first ballot: withdrawals and Droop's options."""

    def __init__(self, source: str, n_candidates: int) -> None:
        self.source = source
        self.n_candidates = n_candidates
        self.withdrawn: set[int] = set()
        self.tie_order: tuple[int, ...] | None = None
        self.ballots_start = 0
        self.ballots_line = 1

    def read(self, data: bytes) -> None:
        """Read the preamble and note where the ballot lines start."""
        for start, number, line in self._lines_after_header(data):
            text = line.strip()
            if not text:
                continue
            if text.startswith(b"["):
                self._option(text, number)
            elif text.startswith(b"-"):
                self.withdrawn.update(
                    self._candidates(text.split(), number, "withdrawn line", negative=True)
                )
            else:
                self.ballots_start, self.ballots_line = start, number
                return
        self.ballots_start = len(data)
        self.ballots_line = data.count(b"\n") + 1

    @staticmethod
    def _lines_after_header(data: bytes) -> Iterator[tuple[int, int, bytes]]:
        start = data.find(b"\n") + 1
        number = 2
        while 0 < start < len(data):
            end = data.find(b"\n", start)
            if end < 0:
                end = len(data)
            yield start, number, data[start:end]
            start, number = end + 1, number + 1

    def _option(self, text: bytes, number: int) -> None:
        if not text.endswith(b"]"):
            raise BallotFormatError(
                self.source, number, f"option {_shown(text)!r} is missing its closing ']'"
            )
        words = text[1:-1].split()
        name = words[0].decode("ascii", "replace") if words else ""
        if name == "tie":
            order = self._candidates(words[1:], number, "[tie] option", negative=False)
            if len(set(order)) != len(order):
                raise BallotFormatError(
                    self.source, number, "the [tie] option lists a candidate more than once"
                )
            self.tie_order = tuple(order)
        elif name == "withdrawn":
            self.withdrawn.update(
                self._candidates(words[1:], number, "[withdrawn] option", negative=False)
            )
        else:
            raise BallotFormatError(
                self.source,
                number,
                f"unknown option [{name}]; this reader knows [tie ...] and [withdrawn ...]",
            )

    def _candidates(
        self, words: list[bytes], number: int, where: str, *, negative: bool
    ) -> list[int]:
        indices = []
        for word in words:
            candidate = _number(word[1:] if negative and word.startswith(b"-") else word)
            if (negative and not word.startswith(b"-")) or candidate is None:
                expected = "negative candidate numbers like -2" if negative else "candidate numbers"
                shown = _shown(word)[:30]
                raise BallotFormatError(
                    self.source, number, f"the {where} must hold {expected}, got {shown!r}"
                )
            if not 1 <= candidate <= self.n_candidates:
                problem = beyond_declared(f"the {where}", "candidate", candidate, self.n_candidates)
                raise BallotFormatError(self.source, number, problem)
            indices.append(candidate - 1)
        return indices


def _parse_ballots(
    data: bytes, start: int, stop: int, first_line: int, n_candidates: int, source: str
) -> tuple[RankArray, BoolArray | None, IntArray]:
    """The ballot lines between ``start`` and ``stop``: rankings, equal-rank marks, weights.

    The text is parsed a chunk at a time into arrays sized for one ballot per
    line, so that no more than one chunk's worth of intermediate arrays exists
    at once. The marks are ``None`` when no ballot ranks candidates equal.
    """
    capacity = data.count(b"\n", start, stop) + 1
    rankings = np.full((capacity, 0), EMPTY, dtype=np.int32)
    tied: BoolArray | None = None
    weights = np.zeros(capacity, dtype=np.int64)
    row = 0
    line = first_line
    while start < stop:
        end = min(start + CHUNK_BYTES, stop)
        if end < stop:
            # Chunks end just after a newline so that no ballot line is cut.
            newline = data.rfind(b"\n", start, end)
            if newline < 0:
                newline = data.find(b"\n", end, stop)
            end = stop if newline < 0 else newline + 1
        chunk = _parse_chunk(data[start:end], line, n_candidates, source)
        rows, columns = chunk.rankings.shape
        if columns > rankings.shape[1]:
            # Widen only as far as the longest ballot so far: sizing for every
            # candidate would waste memory when many stand and few are ranked.
            rankings = _widened(rankings, columns, EMPTY)
            if tied is not None:
                tied = _widened(tied, columns, False)
        if chunk.tied is not None and tied is None:
            tied = np.zeros(rankings.shape, dtype=np.bool_)
        rankings[row : row + rows, :columns] = chunk.rankings
        if tied is not None and chunk.tied is not None:
            tied[row : row + rows, :columns] = chunk.tied
        weights[row : row + rows] = chunk.weights
        row += rows
        line += chunk.n_lines
        start = end
    return rankings[:row], None if tied is None else tied[:row], weights[:row]


def _widened(array: npt.NDArray[ScalarT], width: int, fill: int | bool) -> npt.NDArray[ScalarT]:
    wider = np.full((array.shape[0], width), fill, dtype=array.dtype)
    wider[:, : array.shape[1]] = array
    return wider


@dataclass(frozen=True)
class _Chunk:
    rankings: RankArray
    tied: BoolArray | None
    weights: IntArray
    n_lines: int


def _parse_chunk(text: bytes, first_line: int, n_candidates: int, source: str) -> _Chunk:
    """Parse whole ballot lines with array operations: no Python work per ballot or token.

    Tokens are found where runs of digits start and end; a token's value is
    built digit by digit across all tokens at once; the tokens of one line form
    one ballot: weight first, preferences, the terminating 0 last.
    """
    chars = np.frombuffer(text, dtype=np.uint8)
    classes = _CLASS.take(chars)
    if not classes.all():
        position = int(np.flatnonzero(classes == _INVALID)[0])
        line_start = text.rfind(b"\n", 0, position) + 1
        line_end = text.find(b"\n", position)
        line_text = text[line_start : line_end if line_end >= 0 else len(text)]
        raise BallotFormatError(
            source,
            first_line + text.count(b"\n", 0, position),
            _explain_bad_line(line_text, int(chars[position])),
        )
    is_digit = classes == _DIGIT
    edges = np.diff(is_digit.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    newlines = np.flatnonzero(classes == _NEWLINE)

    def line_at(position: int) -> int:
        return first_line + int(np.searchsorted(newlines, position))

    if starts.size == 0:
        marks = np.flatnonzero(classes == _EQUALS)
        if marks.size:
            raise BallotFormatError(source, line_at(int(marks[0])), _MISPLACED_EQUALS)
        empty = np.zeros(0, dtype=np.int64)
        return _Chunk(np.zeros((0, 0), dtype=np.int32), None, empty, newlines.size)

    lengths = ends - starts
    too_long = np.flatnonzero(lengths > _MAX_DIGITS)
    if too_long.size:
        raise BallotFormatError(
            source,
            line_at(int(starts[too_long[0]])),
            f"number with more than {_MAX_DIGITS} digits in a ballot line",
        )
    values = chars[starts].astype(np.int64) - ord("0")
    for place in range(1, int(lengths.max())):
        longer = np.flatnonzero(lengths > place)
        digit = chars[starts[longer] + place].astype(np.int64) - ord("0")
        values[longer] = values[longer] * 10 + digit

    n_tokens = starts.size
    # The first token after each newline opens a line (several newlines may share one).
    opens_line = np.zeros(n_tokens, dtype=np.bool_)
    opens_line[0] = True
    after_newline = np.searchsorted(starts, newlines)
    opens_line[after_newline[after_newline < n_tokens]] = True
    first_token = np.flatnonzero(opens_line)
    last_token = np.append(first_token[1:] - 1, n_tokens - 1)
    closes_line = np.zeros(n_tokens, dtype=np.bool_)
    closes_line[last_token] = True
    preference = ~opens_line & ~closes_line

    # Every kind of mistake is looked for; the one on the earliest line is reported.
    problems: list[tuple[int, str]] = []

    def note_first(tokens: IntArray, message: str) -> None:
        if tokens.size:
            problems.append((line_at(int(starts[tokens[0]])), message))

    unterminated = (values[last_token] != 0) | (last_token == first_token)
    note_first(
        first_token[unterminated],
        "missing terminating 0 (a ballot line is: weight, preferences, 0)",
    )
    note_first(first_token[values[first_token] == 0], "weight must be a positive integer, got 0")
    note_first(
        np.flatnonzero(preference & (values == 0)),
        "0 in the middle of a ballot line; 0 may only end it",
    )
    beyond = np.flatnonzero(preference & (values > n_candidates))
    if beyond.size:
        named = int(values[beyond[0]])
        note_first(beyond, beyond_declared("ballot line", "candidate", named, n_candidates))
    tied_token, misplaced = _equal_marks(classes, ends, opens_line, closes_line)
    if misplaced is not None:
        problems.append((line_at(misplaced), _MISPLACED_EQUALS))
    if problems:
        line, message = min(problems)
        raise BallotFormatError(source, line, message)

    # Preferences fill each row from the left, in the order the tokens come, which
    # is the row-major order of a mask of the filled cells.
    n_preferences = last_token - first_token - 1
    filled = np.arange(int(n_preferences.max())) < n_preferences[:, np.newaxis]
    rankings = np.full(filled.shape, EMPTY, dtype=np.int32)
    rankings[filled] = values[preference] - 1
    tied = None
    if tied_token.any():
        tied = np.zeros(filled.shape, dtype=np.bool_)
        tied[filled] = tied_token[preference]
    repeated = _repeated_candidate_rows(rankings)
    if repeated.size:
        ranking = [int(c) for c in rankings[repeated[0]] if c != EMPTY]
        twice = next(c for c in ranking if ranking.count(c) > 1)
        raise BallotFormatError(
            source,
            line_at(int(starts[first_token[repeated[0]]])),
            f"ballot line ranks candidate {twice + 1} more than once",
        )
    return _Chunk(rankings, tied, values[first_token], newlines.size)


def _equal_marks(
    classes: npt.NDArray[np.uint8],
    ends: IntArray,
    opens_line: BoolArray,
    closes_line: BoolArray,
) -> tuple[BoolArray, int | None]:
    """Which tokens follow an ``=``, and the position of the first misplaced ``=`` if any.

    An ``=`` must stand between two preferences of one ballot line, once.
    """
    tied = np.zeros(ends.size, dtype=np.bool_)
    marks = np.flatnonzero(classes == _EQUALS)
    if marks.size == 0:
        return tied, None
    # ends are exclusive, so the token before a mark is the last one ending at or before it.
    before = np.searchsorted(ends, marks, side="right") - 1
    after = before + 1
    last = ends.size - 1
    before_known = np.clip(before, 0, last)
    after_known = np.clip(after, 0, last)
    # The token after the mark opening no line puts both tokens on one line.
    well_placed = (
        (before >= 0)
        & (after <= last)
        & ~opens_line[after_known]
        & ~opens_line[before_known]
        & ~closes_line[after_known]
    )
    well_placed[1:] &= after[1:] != after[:-1]
    misplaced = np.flatnonzero(~well_placed)
    if misplaced.size:
        return tied, int(marks[misplaced[0]])
    tied[after] = True
    return tied, None


def _repeated_candidate_rows(rankings: RankArray) -> IntArray:
    """Indices of rows that name some candidate more than once."""
    if rankings.shape[1] < 2:
        return np.zeros(0, dtype=np.int64)
    ordered = np.sort(rankings, axis=1)
    repeated = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] != EMPTY)
    return np.flatnonzero(repeated.any(axis=1)).astype(np.int64)


def _explain_bad_line(line: bytes, character: int) -> str:
    """Say what is wrong with a ballot line holding something besides digits, blanks and '='."""
    words = line.replace(b"=", b" ").split()
    if words and not words[0].isdigit():
        return f"weight must be a positive integer, got {_shown(words[0])!r}"
    wrong = next((word for word in words if not word.isdigit()), bytes([character]))
    return (
        f"preferences must be candidate numbers, got {_shown(wrong)!r} "
        "(a ballot line is: weight, preferences, 0)"
    )


def _parse_names(
    rest: bytes, zero_line: int, n_candidates: int, source: str
) -> tuple[tuple[str, ...], str | None]:
    """Names and title from the text after the '0' line (which ``rest`` starts on)."""
    try:
        text = rest.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BallotFormatError(
            source,
            zero_line + rest.count(b"\n", 0, error.start),
            "names and title must be UTF-8 text; save the file as UTF-8",
        ) from None
    names: list[str] = []
    name_lines: list[int | None] = []
    for number, line in enumerate(text.split("\n"), start=zero_line):
        if not line.strip():
            continue
        if len(names) == n_candidates:
            require_distinct_names(names, source, name_lines)
            return tuple(names), _unquote(line)
        names.append(_unquote(line))
        name_lines.append(number)
    if len(names) < n_candidates:
        raise BallotFormatError(
            source,
            name_lines[-1] if name_lines else zero_line,
            f"expected {n_candidates} candidate names after the ballots, found {len(names)}",
        )
    require_distinct_names(names, source, name_lines)
    return tuple(names), None


def _unquote(line: str) -> str:
    text = line.strip()
    quoted = _QUOTED.fullmatch(text)
    if quoted is not None:
        text = quoted.group(1).replace('""', '"')
    # Runs of blanks become one space, as Droop reads names: the Scottish files pad
    # names to line up their parties ("Karen DORAN      (Lab)").
    return " ".join(text.split())


def _number(word: bytes) -> int | None:
    """A whole number written in ``word`` (``veche.whole_numbers``), or None."""
    return whole_number(word.decode("latin-1"))


def _shown(text: bytes) -> str:
    return text.decode("utf-8", "replace").strip()


def write_blt(
    profile: Profile, path: str | os.PathLike[str], *, tie_order: Sequence[int] | None = None
) -> None:
    """Write a ranked profile as canonical BLT (quoted names and title, ``=`` for equal ranks).

    ``tie_order`` (candidate indices) is written as Droop's ``[tie ...]`` option.
    Ballots with a count of 0 carry no vote and are left out.
    """
    if profile.seats is None:
        raise TallyError(
            "a BLT file states the number of seats, but this profile has none; "
            "use dataclasses.replace(profile, seats=...) first"
        )
    if profile.scores is not None:
        raise TallyError("BLT holds ranked ballots only, but this profile has scores; write JSON")
    if profile.counts.size and int(profile.counts.min()) < 0:
        raise TallyError("a ballot has a negative count; BLT weights must be positive")
    texts = list(profile.candidates) + ([] if profile.title is None else [profile.title])
    for text in texts:
        if text != " ".join(text.split()):
            raise TallyError(
                f"cannot write {text!r} in a BLT file: names and titles are read back with "
                "single spaces between words and no blanks at either end"
            )
    numbers = [str(candidate + 1) for candidate in range(profile.n_candidates)]
    cast = profile.counts > 0
    rankings, counts = profile.rankings[cast], profile.counts[cast]
    marks = profile.tied_with_previous
    tied = np.zeros(rankings.shape, np.bool_) if marks is None else marks[cast]
    with Path(path).open("wb") as out:
        out.write(f"{profile.n_candidates} {profile.seats}\n".encode())
        if profile.withdrawn:
            out.write(" ".join(f"-{numbers[c]}" for c in sorted(profile.withdrawn)).encode())
            out.write(b"\n")
        if tie_order is not None:
            out.write(("[tie " + " ".join(numbers[c] for c in tie_order) + "]\n").encode())
        for start in range(0, rankings.shape[0], _WRITE_ROWS):
            block = slice(start, start + _WRITE_ROWS)
            out.write(_ballot_lines(rankings[block], tied[block], counts[block], numbers))
        out.write(b"0\n")
        out.writelines((_quoted(text) + "\n").encode() for text in texts)


#: Ballots are written this many rows at a time, bounding the memory of the byte matrix.
_WRITE_ROWS = 1 << 16


def _ballot_lines(
    rankings: RankArray, tied: BoolArray, counts: IntArray, numbers: list[str]
) -> bytes:
    """BLT lines for a block of ballots, built as a byte matrix with one row per line.

    Each cell is a separator (a space, or "=" for an equal rank) and the
    candidate's number, padded with NUL bytes to a common width; dropping the
    NULs leaves the text. Looping over a million ballots in Python takes seconds.
    """
    n_rows, width = rankings.shape
    # Index 0 is EMPTY's: no text at all.
    tokens = np.array([b"", *(number.encode() for number in numbers)])
    digits = tokens.dtype.itemsize
    cells = np.zeros((n_rows, width, 1 + digits), dtype=np.uint8)
    cells[:, :, 0] = np.where(tied, ord("="), ord(" "))
    cells[:, :, 0][rankings == EMPTY] = 0
    cells[:, :, 1:] = tokens[rankings + 1].view(np.uint8).reshape(n_rows, width, digits)
    weights = counts.astype(np.bytes_)
    weights_bytes = weights.view(np.uint8).reshape(n_rows, weights.dtype.itemsize)
    ending = np.broadcast_to(np.frombuffer(b" 0\n", dtype=np.uint8), (n_rows, 3))
    lines = np.concatenate([weights_bytes, cells.reshape(n_rows, -1), ending], axis=1)
    text: bytes = lines[lines != 0].tobytes()
    return text


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
