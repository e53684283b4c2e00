"""Targets cascading down the unit tree: whether a unit's target fits its parent's and its
children's, for an indicator whose figures add up (rolled up by ``sum``).

A region's figure is the sum of its branches', so their targets for a period must not add
up to more than the region's: that is **refused**, as a mistake whichever target is set
last (a branch's above what is left of the region's, or a region's below what its branches
have already). Adding up to less is only a **warning**: targets are shared out one unit at a
time, so until the last branch has its target the branches fall short of the region, and a
region may also keep a part of its target for itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Neighbours:
    """The targets around a unit's, for one indicator and period: its parent's (if the
    parent has one), its siblings' (the parent's other units that have one) and its
    children's (those that have one)."""

    parent_name: str | None = None
    parent: Decimal | None = None
    siblings: Sequence[Decimal] = ()
    children: Sequence[Decimal] = ()


@dataclass(frozen=True)
class CascadeCheck:
    """A refusal, if the target does not fit, and the warnings it leaves."""

    refusal: str | None = None
    warnings: list[str] = field(default_factory=list)


def check_cascade(unit_name: str, value: Decimal, around: Neighbours) -> CascadeCheck:
    """Whether ``value`` may be ``unit_name``'s target, given the targets ``around`` it."""
    warnings = []
    if around.parent is not None:
        shared = value + sum(around.siblings, Decimal(0))
        parent = around.parent_name or "the unit above"
        if shared > around.parent:
            return CascadeCheck(
                f"the targets of the units under {parent} would add up to {_said(shared)}, above "
                f"{parent}'s own {_said(around.parent)}: give {unit_name} at most "
                f"{_said(around.parent - (shared - value))}, or raise {parent}'s target first"
            )
        if shared < around.parent:
            warnings.append(
                f"the targets of the units under {parent} add up to {_said(shared)}, short of its "
                f"{_said(around.parent)}: {_said(around.parent - shared)} is not shared out yet"
            )
    if around.children:
        below = sum(around.children, Decimal(0))
        if below > value:
            return CascadeCheck(
                f"the units under {unit_name} have targets adding up to {_said(below)} already, above "
                f"{_said(value)}: give {unit_name} at least {_said(below)}, or lower theirs first"
            )
        if below < value:
            warnings.append(
                f"the targets of the units under {unit_name} add up to {_said(below)}, short of its "
                f"{_said(value)}: {_said(value - below)} is not shared out yet"
            )
    return CascadeCheck(None, warnings)


def _said(figure: Decimal) -> str:
    """A target as a person writes it: 20 and 12.5, not the stored 20.0000 and 12.5000."""
    return format(figure.normalize(), "f")
