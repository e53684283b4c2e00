"""A change of wording as words struck out and words inserted, the way an amendment is read:
"strike out «in a year» and insert «in six months»", never a line diff's ``@@ -2 +2 @@``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

#: Words, runs of spaces, and each other sign on its own: a change of a comma is one sign.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
#: Fewer unchanged words than this share of the longer wording: say the new wording whole.
REWORDED_BELOW = 0.5
#: More separate changes than this: say the new wording whole, not each change.
MOST_CHANGES = 4


@dataclass(frozen=True)
class Piece:
    """A run of the wording: unchanged, struck out, or inserted."""

    kind: Literal["same", "struck", "inserted"]
    text: str


@dataclass(frozen=True)
class _Op:
    same: bool
    old: str
    new: str


def _ops(old: str, new: str) -> list[_Op]:
    """The change as runs, a run of spaces between two changes made part of both, so that
    "a year" → "six months" is one change rather than two with a space kept between."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops = [
        _Op(tag == "equal", "".join(a[i1:i2]), "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    merged: list[_Op] = []
    for n, op in enumerate(ops):
        between_changes = 0 < n < len(ops) - 1 and not op.old.strip()
        if op.same and between_changes:
            op = _Op(False, op.old, op.new)
        if merged and not op.same and not merged[-1].same:
            last = merged.pop()
            op = _Op(False, last.old + op.old, last.new + op.new)
        merged.append(op)
    return merged


def word_diff(old: str, new: str) -> list[Piece]:
    """The wording ``old`` became ``new``: unchanged runs, and each change as the words struck
    out, then the words inserted."""
    pieces: list[Piece] = []
    for op in _ops(old, new):
        if op.same:
            pieces.append(Piece("same", op.old))
            continue
        if op.old:
            pieces.append(Piece("struck", op.old))
        if op.new:
            pieces.append(Piece("inserted", op.new))
    return pieces


@dataclass(frozen=True)
class Edit:
    """One change in words: what is struck out (may be empty), what is inserted (may be
    empty), and the unchanged words it follows, to find it by when only an insertion."""

    struck: str
    inserted: str
    after: str


def edits(old: str, new: str) -> list[Edit] | None:
    """The change as a few edits, or None when it is better read as the new wording whole
    (it changes most of the words, or in many places)."""
    ops = _ops(old, new)
    changes = [op for op in ops if not op.same]
    kept = sum(len(op.old.split()) for op in ops if op.same)
    longest = max(len(old.split()), len(new.split()), 1)
    if not changes or len(changes) > MOST_CHANGES or kept / longest < REWORDED_BELOW:
        return None
    found = []
    for n, op in enumerate(ops):
        if op.same:
            continue
        before = ops[n - 1].old.split() if n and ops[n - 1].same else []
        found.append(Edit(op.old.strip(), op.new.strip(), " ".join(before[-3:])))
    return found
