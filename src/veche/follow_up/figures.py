"""A frozen period's figures as canonical lines, and their SHA-256.

Freezing a period writes this hash into the journal entry of the freeze; ``veche verify``
reads the period's reports again, writes the same lines and compares. The lines hold every
value and status of the reports the freeze locked, one a line, sorted, each value with
exactly ``PLACES`` decimal places, so that both databases, and any later reader, write the
same bytes:

    veche follow-up figures 1
    period 7
    unit 3 indicator 12 value 1250.0000
    unit 3 goal 5 status on_track

Narratives and reasons are words, not figures: they stay in the reports and the journal's
entries of their saving, outside the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

#: The first line: which way of writing the lines this is, should it ever change.
FORMAT = "veche follow-up figures 1"
#: Decimal places of every value written.
PLACES = 4


@dataclass(frozen=True, order=True)
class FrozenValue:
    unit_id: int
    indicator_id: int
    value: Decimal


@dataclass(frozen=True, order=True)
class FrozenStatus:
    unit_id: int
    goal_id: int
    status: str


def canonical_lines(
    period_id: int, values: Iterable[FrozenValue], statuses: Iterable[FrozenStatus]
) -> list[str]:
    """The period's figures, one a line, in one order whatever order they came in: by unit,
    its values (by indicator) before its statuses (by goal)."""
    step = Decimal(1).scaleb(-PLACES)
    # Adding 0 turns a negative zero into zero: the databases store no sign on a zero.
    keyed = [
        (
            (value.unit_id, 0, value.indicator_id),
            f"unit {value.unit_id} indicator {value.indicator_id} value "
            f"{value.value.quantize(step) + 0:f}",
        )
        for value in values
    ] + [
        (
            (status.unit_id, 1, status.goal_id),
            f"unit {status.unit_id} goal {status.goal_id} status {status.status}",
        )
        for status in statuses
    ]
    return [FORMAT, f"period {period_id}"] + [line for _key, line in sorted(keyed)]


def figures_hash(
    period_id: int, values: Iterable[FrozenValue], statuses: Iterable[FrozenStatus]
) -> str:
    """The SHA-256 (hex) of the period's canonical lines, each ended by a newline."""
    text = "".join(f"{line}\n" for line in canonical_lines(period_id, values, statuses))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
