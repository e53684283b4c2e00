"""How a goal is named where goals of several resolutions stand together: each resolution
numbers its goals from 1, so "1" alone could be any resolution's first goal."""

from __future__ import annotations

from veche.i18n import _


def goal_label(resolution_number: int | str | None, path: str) -> str:
    """Goal ``path`` of resolution ``resolution_number``: "R2 · 1.1" ("R" for resolution);
    the path alone where no resolution is named (the goals of one resolution, under its
    heading)."""
    if resolution_number is None:
        return path
    return _("R{number} · {path}").format(number=resolution_number, path=path)
