"""Clauses as a motion's text numbers them ("1.", "2.1", "3. a)"), so that an amendment names
the clause the way the delegates read it, not the paragraph or line it happens to stand on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from veche.errors import InvalidInput

#: A clause's number at the start of its line: "2.", "2)", "2.1", "2.1." (a bare "2" is not
#: one: "2024 was …" starts no clause), or a lettered sub-clause, "a)" or "(a)". A Markdown
#: list's marker may stand before it.
_NUMBER = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?"
    r"(?P<label>(?P<numbers>\d{1,4}(?:\.\d{1,4})+)\.?|(?P<number>\d{1,4})[.)]|\(?(?P<letter>[a-z])\))"
    r"(?=\s|$)"
)
#: The parts of a clause's number as someone types it: "2", "2.1", "3 b)", "3(b)".
_PARTS = re.compile(r"\d+|[a-z]+")
#: At most this many numbers are named when a number is not found.
_LISTED = 20


@dataclass(frozen=True)
class Clause:
    """A numbered clause: its number as the text writes it, and the lines it spans (from 1)."""

    #: As written, with the clause it belongs to for a lettered one: "2.", "2.1", "3. b)".
    label: str
    #: The number's parts, which a clause is found by: ("2",), ("2", "1"), ("3", "b").
    key: tuple[str, ...]
    first_line: int
    last_line: int

    @property
    def depth(self) -> int:
        return len(self.key)


def clause_key(wanted: str) -> tuple[str, ...]:
    """The parts of a clause's number as typed, or InvalidInput saying how to write one."""
    parts = tuple(_PARTS.findall(wanted.lower()))
    if not parts or any(part.isalpha() and len(part) > 1 for part in parts):
        raise InvalidInput(
            f"name a clause by its number as the text writes it, such as 2, 2.1 or 3 b), "
            f"not {wanted.strip()[:40]!r}"
        )
    return tuple(part.lstrip("0") or "0" if part.isdigit() else part for part in parts)


def clauses(text: str) -> list[Clause]:
    """The text's numbered clauses in order. A clause runs to the next clause of its depth or
    above, or to the first paragraph after a blank line that neither is indented nor starts a
    clause within it (the text that follows a list)."""
    lines = text.rstrip("\n").split("\n")
    starts: list[tuple[int, str, tuple[str, ...]]] = []  # (line index, label, key)
    numbered: tuple[str, tuple[str, ...]] | None = None  # the last numbered clause
    for index, line in enumerate(lines):
        found = _NUMBER.match(line)
        if found is None:
            continue
        if found["letter"]:
            own = found["label"]
            if numbered is None:
                starts.append((index, own, (found["letter"],)))
            else:
                starts.append((index, f"{numbered[0]} {own}", (*numbered[1], found["letter"])))
            continue
        digits = found["numbers"] or found["number"]
        key = tuple(part.lstrip("0") or "0" for part in digits.split("."))
        numbered = (found["label"], key)
        starts.append((index, found["label"], key))
    return [_span(lines, starts, n) for n in range(len(starts))]


def _span(lines: list[str], starts: list[tuple[int, str, tuple[str, ...]]], n: int) -> Clause:
    first, label, key = starts[n]
    within = {index: len(k) > len(key) for index, _, k in starts[n + 1 :]}
    end = len(lines)
    after_blank = False
    for index in range(first + 1, len(lines)):
        line = lines[index]
        if index in within and not within[index]:
            end = index
            break
        if not line.strip():
            after_blank = True
            continue
        if after_blank and index not in within and not line[:1].isspace():
            end = index
            break
        after_blank = False
    last = end - 1
    while last > first and not lines[last].strip():
        last -= 1
    return Clause(label, key, first + 1, last + 1)


def find_clause(text: str, wanted: str, *, for_what: str = "to amend") -> Clause:
    """The clause numbered ``wanted`` ("2", "2.1", "3 b)"), or InvalidInput saying which
    numbers the text has (and, where the number does not do, to name the paragraph or the
    lines ``for_what`` instead)."""
    key = clause_key(wanted)
    found = clauses(text)
    if not found:
        raise InvalidInput(
            f"the text numbers no clauses: name the paragraph (¶) or the lines {for_what} instead"
        )
    matching = [clause for clause in found if clause.key == key]
    if not matching:
        numbers = ", ".join(clause.label for clause in found[:_LISTED])
        more = " …" if len(found) > _LISTED else ""
        raise InvalidInput(
            f"there is no clause {wanted.strip()[:40]}: the text numbers {numbers}{more}"
        )
    if len(matching) > 1:
        where = " and ".join(str(clause.first_line) for clause in matching)
        raise InvalidInput(
            f"the text numbers more than one clause {matching[0].label} (on lines {where}): "
            f"name the lines {for_what} instead"
        )
    return matching[0]


def clause_at(text: str, first_line: int | None, last_line: int | None) -> Clause | None:
    """The clause that spans exactly these lines of ``text``, if one does and its number is
    the text's only one of that number."""
    if first_line is None:
        return None
    found = clauses(text)
    for clause in found:
        if (clause.first_line, clause.last_line) == (first_line, last_line or first_line):
            return clause if sum(c.key == clause.key for c in found) == 1 else None
    return None
