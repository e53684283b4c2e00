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


def apply_change(text: str, original: str, replacement: str) -> str:
    """Replace the one place where ``original`` stands in ``text`` by ``replacement``.

    The amendment was written against an earlier version; it still applies when
    the words it changes stand unchanged exactly once in the current text.
    """
    found = _occurrences(text, original)
    if len(found) != 1:
        where = "no longer stands" if not found else "stands more than once"
        raise Conflict(
            f"the text this amendment changes {where} in the current version; "
            "merge it with a wording that fits the current text"
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
