"""Addressing parts of a motion's text — paragraphs and line ranges — and diffs between versions."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from veche.errors import Conflict, InvalidInput

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def normalize(text: str) -> str:
    """Unix line ends, no trailing spaces, one final newline: so versions diff cleanly."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, numbered from 1 by the caller: blocks between blank lines."""
    return [block for block in _BLANK_LINES.split(text.strip("\n")) if block.strip()]


@dataclass(frozen=True)
class Target:
    """Which part of a text an amendment changes: a paragraph, or lines first..last (from 1)."""

    paragraph: int | None = None
    first_line: int | None = None
    last_line: int | None = None

    def describe(self) -> str:
        if self.paragraph is not None:
            return f"paragraph {self.paragraph}"
        if self.first_line == self.last_line:
            return f"line {self.first_line}"
        return f"lines {self.first_line}–{self.last_line}"


def check_target(text: str, target: Target) -> str:
    """The text that ``target`` points at, or InvalidInput saying what exists."""
    if (target.paragraph is None) == (target.first_line is None):
        raise InvalidInput("name either a paragraph or a first_line (with last_line) to amend")
    if target.paragraph is not None:
        blocks = paragraphs(text)
        if not 1 <= target.paragraph <= len(blocks):
            raise InvalidInput(
                f"there is no paragraph {target.paragraph}: the text has {len(blocks)} paragraphs"
            )
        return blocks[target.paragraph - 1]
    lines = text.rstrip("\n").split("\n")
    first = target.first_line or 0
    last = target.last_line if target.last_line is not None else first
    if not 1 <= first <= last <= len(lines):
        raise InvalidInput(f"there are no lines {first}–{last}: the text has lines 1–{len(lines)}")
    return "\n".join(lines[first - 1 : last])


def part_start(text: str, target: Target) -> int:
    """Where in ``text`` the part ``target`` names begins (``check_target`` gives the part)."""
    if target.paragraph is None:
        lines = text.split("\n")
        return sum(len(line) + 1 for line in lines[: (target.first_line or 1) - 1])
    body = text.strip("\n")
    lead = len(text) - len(text.lstrip("\n"))
    starts, position = [], 0
    for block in _BLANK_LINES.split(body):
        position = body.index(block, position)
        if block.strip():
            starts.append(lead + position)
        position += len(block)
    return starts[target.paragraph - 1]


def apply_change(text: str, original: str, replacement: str, *, at: Target | None = None) -> str:
    """Replace ``original`` in ``text`` by ``replacement``: at the part ``at`` names, in the
    version the amendment was proposed to, whatever the rest of the text reads (the same
    line may stand elsewhere too).

    Applied to a later version (``at`` None), the amendment still applies where the words it
    changes stand unchanged exactly once in it.
    """
    if at is not None:
        start = part_start(text, at)
        found = [start] if text.startswith(original, start) else []
    else:
        found = _occurrences(text, original)
    if len(found) != 1:
        where = "no longer stands" if not found else "stands more than once"
        raise Conflict(
            f"the text this amendment changes {where} in the current version: reject it, "
            "and propose the change again to the current text"
        )
    start = found[0]
    before, after = text[:start], text[start + len(original) :]
    if not replacement.strip():
        # A deletion takes its line end with it, and a deleted paragraph one blank line.
        after = after[1:] if after.startswith("\n") else after
        if before.endswith("\n\n") and after.startswith("\n"):
            after = after.lstrip("\n")
        return normalize(before + after)
    return normalize(before + replacement.strip("\n") + after)


def _occurrences(text: str, part: str) -> list[int]:
    """Where ``part`` stands in ``text`` as whole lines."""
    starts, position = [], text.find(part)
    while position != -1:
        end = position + len(part)
        at_line_start = position == 0 or text[position - 1] == "\n"
        at_line_end = end == len(text) or text[end] == "\n"
        if at_line_start and at_line_end:
            starts.append(position)
        position = text.find(part, position + 1)
    return starts


def diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff of two versions, the way reviewers read amendments."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_label,
            tofile=new_label,
        )
    )
