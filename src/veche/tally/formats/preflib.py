"""Reading PrefLib order files (.soc, .soi, .toc, .toi), in the 2.x layout or the older 1.x one.

PrefLib 2.x::

    # TITLE: Example
    # NUMBER ALTERNATIVES: 3
    # NUMBER VOTERS: 5
    # ALTERNATIVE NAME 1: Ada
    # ALTERNATIVE NAME 2: Bea
    # ALTERNATIVE NAME 3: Cy
    3: 1,2,3
    2: 2,{1,3}

PrefLib 1.x: a line with the number of alternatives, one ``number,name`` line
each, a ``voters,sum of counts,unique orders`` line, then ``count,order``
lines.

Alternatives in braces are ranked equal. The kind fixes what an order may be:
``soc`` strict and complete, ``soi`` strict, ``toc`` complete, ``toi`` anything.
In ``soi`` and ``toi`` files the alternatives an order leaves out are ranked
below all it names, equal among themselves: the profile simply leaves them out.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from veche.tally.errors import BallotFormatError, TallyError
from veche.tally.formats._build import BallotCollector, beyond_declared, require_distinct_names
from veche.tally.profile import Profile
from veche.whole_numbers import whole_number

KINDS = ("soc", "soi", "toc", "toi")

_ITEM = r"\s*(?:[0-9]+|\{\s*[0-9]+(?:\s*,\s*[0-9]+)*\s*\})\s*"
_ORDER = re.compile(rf"(?:{_ITEM}(?:,{_ITEM})*)?\s*")
_GROUP = re.compile(r"\{([^}]*)\}|([0-9]+)")
_ALTERNATIVE_NAME = re.compile(r"ALTERNATIVE NAME ([0-9]{1,9})")


def _alternative(text: str, source: str, line: int) -> int:
    """An alternative's number in an order (the pattern has let ASCII digits alone through)."""
    number = whole_number(text.strip())
    if number is None:
        digits = text.strip()
        raise BallotFormatError(
            source, line, f"order names {digits[:20]}…, too many digits for an alternative"
        )
    return number


@dataclass
class _Orders:
    """Orders read so far, checked against the rules of one kind of file."""

    source: str
    kind: str
    n_alternatives: int
    collector: BallotCollector = field(init=False)
    voters: int = 0

    def __post_init__(self) -> None:
        self.collector = BallotCollector(self.source, self.n_alternatives)

    def add(self, count_text: str, order: str, line: int) -> None:
        count = whole_number(count_text.strip())
        if not count:
            raise BallotFormatError(
                self.source, line, f"count must be a positive integer, got {count_text.strip()!r}"
            )
        if not _ORDER.fullmatch(order):
            raise BallotFormatError(
                self.source,
                line,
                f"cannot read the order {order.strip()!r}; write alternatives like 1,3,{{2,4}}",
            )
        groups = [
            [_alternative(number, self.source, line) for number in (braced or single).split(",")]
            for braced, single in _GROUP.findall(order)
        ]
        ranked = [alternative for group in groups for alternative in group]
        for alternative in ranked:
            if not 1 <= alternative <= self.n_alternatives:
                problem = beyond_declared("order", "alternative", alternative, self.n_alternatives)
                raise BallotFormatError(self.source, line, problem)
        if len(set(ranked)) != len(ranked):
            twice = next(a for a in ranked if ranked.count(a) > 1)
            raise BallotFormatError(
                self.source, line, f"order names alternative {twice} more than once"
            )
        if self.kind in ("soc", "soi") and any(len(group) > 1 for group in groups):
            raise BallotFormatError(
                self.source,
                line,
                f"a .{self.kind} file holds strict orders, but this one ranks alternatives "
                f"equal; name the file .to{self.kind[2]} if ties are meant",
            )
        if self.kind in ("soc", "toc") and len(ranked) != self.n_alternatives:
            raise BallotFormatError(
                self.source,
                line,
                f"a .{self.kind} file holds complete orders of all {self.n_alternatives} "
                f"alternatives, but this one ranks {len(ranked)}; name the file "
                f".{self.kind[:2]}i if orders may be incomplete",
            )
        self.voters += count
        self.collector.add([[a - 1 for a in group] for group in groups], count, line=line)

    def check_voters(self, stated: int, line: int) -> None:
        if stated != self.voters:
            raise BallotFormatError(
                self.source,
                line,
                f"the file states {stated} voters but its orders add up to {self.voters}",
            )


def read_preflib(path: str | os.PathLike[str], kind: str) -> Profile:
    """Read a PrefLib file of the given kind ("soc", "soi", "toc" or "toi")."""
    if kind not in KINDS:
        raise TallyError(f"unknown PrefLib kind {kind!r}; known: {', '.join(KINDS)}")
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BallotFormatError(source, None, "not UTF-8 text; save the file as UTF-8") from None
    lines = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    if not lines:
        raise BallotFormatError(source, None, "file is empty")
    if lines[0][1].startswith("#"):
        return _read_v2(lines, source, kind)
    return _read_v1(lines, source, kind)


def _read_v2(lines: list[tuple[int, str]], source: str, kind: str) -> Profile:
    metadata: dict[str, tuple[int, str]] = {}
    names: dict[int, tuple[int, str]] = {}
    data: list[tuple[int, str]] = []
    for number, line in lines:
        if line.startswith("#"):
            key, colon, value = line[1:].partition(":")
            if not colon:
                continue
            key = " ".join(key.split()).upper()
            named = _ALTERNATIVE_NAME.fullmatch(key)
            if named:
                names[int(named.group(1))] = (number, value.strip())
            else:
                metadata[key] = (number, value.strip())
        else:
            data.append((number, line))
    n_alternatives = _stated_number(metadata, "NUMBER ALTERNATIVES", source)
    if n_alternatives is None:
        raise BallotFormatError(source, None, "missing the line '# NUMBER ALTERNATIVES: n'")
    for alternative in range(1, n_alternatives + 1):
        if alternative not in names:
            raise BallotFormatError(
                source, None, f"missing the line '# ALTERNATIVE NAME {alternative}: ...'"
            )
    orders = _Orders(source, kind, n_alternatives)
    for number, line in data:
        count, colon, order = line.partition(":")
        if not colon:
            raise BallotFormatError(source, number, f"expected 'count: order', got {line!r}")
        orders.add(count, order, number)
    voters = _stated_number(metadata, "NUMBER VOTERS", source)
    if voters is not None:
        orders.check_voters(voters, metadata["NUMBER VOTERS"][0])
    candidates = [names[a][1] for a in range(1, n_alternatives + 1)]
    require_distinct_names(candidates, source, [names[a][0] for a in range(1, n_alternatives + 1)])
    title = metadata.get("TITLE", (0, ""))[1] or None
    return orders.collector.profile(candidates, title=title)


def _stated_number(metadata: dict[str, tuple[int, str]], key: str, source: str) -> int | None:
    if key not in metadata:
        return None
    number, value = metadata[key]
    stated = whole_number(value)
    if stated is None:
        raise BallotFormatError(source, number, f"{key} must be a whole number, got {value!r}")
    return stated


def _read_v1(lines: list[tuple[int, str]], source: str, kind: str) -> Profile:
    first_number, first = lines[0]
    n_alternatives = whole_number(first)
    if n_alternatives is None:
        raise BallotFormatError(
            source,
            first_number,
            "expected '# ...' header lines (PrefLib 2) or the number of alternatives (PrefLib 1)",
        )
    if len(lines) < n_alternatives + 2:
        raise BallotFormatError(
            source,
            lines[-1][0],
            f"expected {n_alternatives} alternative lines and a 'voters,sum,unique' line",
        )
    candidates: list[str] = []
    name_lines: list[int | None] = []
    for expected, (number, line) in enumerate(lines[1 : n_alternatives + 1], start=1):
        index, comma, name = line.partition(",")
        if not comma or index.strip() != str(expected):
            raise BallotFormatError(
                source, number, f"expected '{expected},name' for alternative {expected}"
            )
        candidates.append(name.strip())
        name_lines.append(number)
    require_distinct_names(candidates, source, name_lines)
    totals_number, totals = lines[n_alternatives + 1]
    totals_read = [whole_number(part.strip()) for part in totals.split(",")]
    voters = totals_read[1] if len(totals_read) == 3 else None
    if voters is None or None in totals_read:
        raise BallotFormatError(
            source,
            totals_number,
            f"expected 'voters,sum of counts,unique orders', got {totals!r}",
        )
    orders = _Orders(source, kind, n_alternatives)
    for number, line in lines[n_alternatives + 2 :]:
        count, _, order = line.partition(",")
        orders.add(count, order, number)
    orders.check_voters(voters, totals_number)
    return orders.collector.profile(candidates)
