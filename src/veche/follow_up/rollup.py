"""The follow-up's figures from plain inputs: indicators rolled up the unit tree, coverage, progress, goal status.

Nothing here touches the database: the stored model loads units, indicators, reports and
goals into the frozen dataclasses below, and every figure shown is computed from them again,
never stored as the truth.

**Rolling up.** A node's figure for a period is its indicator's rule applied to the values
reported by the units of its subtree that are expected to report (the node itself included,
if it is expected). The rules:

- ``sum``, ``min``, ``max``: of the values reported.
- ``mean``: of the values reported, each reporting unit counting once (not a mean of the
  children's means); ``weighted_mean``: each value weighted by its unit's weight, given on
  the indicator (a region's population, say).
- ``latest``: the most recent value reported at or before the period, a stock carried
  forward until reported again. When several units of the subtree reported in that same
  most recent period, the one nearest the node wins (the shallowest), then the lowest id;
  ``Figures.value_period`` says which period the value comes from.
- ``share_on_target``: of the units that reported, the share whose own value is on target
  against their own goalpost.

**A missing report is never counted as zero.** It is absent: every figure comes with its
coverage, ``reported`` of ``expected`` units of the subtree (``expected`` is the same every
period). Coverage counts the reports of the period asked, so under ``latest`` a value
carried forward from an earlier period shows how few reported this time.

**Progress.** A goalpost is a baseline and the band a value must reach: ``[target, ∞)``
for an indicator that should rise, ``(−∞, target]`` for one that should fall, ``[low,
high]`` for one that should stay within a band. Progress is ``1 − d(value) / d(baseline)``,
where ``d`` is the distance from the band, clamped to [0, 1]. Going up or down this is
``(value − baseline) / (target − baseline)``, so indicators that should fall work; for a
band it is 1 inside and, outside, how much of the baseline's distance from the band has been
closed (a baseline already inside leaves 0 outside). A value is on target when it lies in
its band. A yes/no milestone is a value 0 or 1 against ``Goalpost.milestone()``: progress 0
or 1. Under ``share_on_target`` a node's progress is its share over the indicator's
``share_needed`` (at most 1), on target once the share reaches it.

**Targets.** A unit's goalpost for a period is the one given for that (unit, period), else
the indicator's own. Under ``sum`` a part's target is not the whole's, so there the
indicator's goalpost holds for the roots only and other units have progress only where a
target of their own is given.

**Goals.** A goal's progress is the weighted mean of its sub-goals' (by their weights among
siblings), or, without sub-goals, the weighted mean of its indicators' progress at the unit asked;
what has no progress yet, and a sub-goal dropped or superseded, is left out rather than
counted as zero. Its status is the body's own verdict if it gave one, otherwise the worst of
its sub-goals' (or, without sub-goals, of the statuses the subtree's units reported), in
the order off track < at risk < not started < on track < done; nothing reported is ``None``,
shown apart, never the worst. It is lagging when its progress is behind the straight line
from its start to its due date at the as-of date.

**Exact numbers.** Values come in and go out as ``Decimal``. Inside, a value is an integer
scaled by ``10 ** indicator.scale`` (a value with more places is refused), and every rolled-up
figure is an exact fraction: an integer numerator and denominator per unit and period
(a mean is the sum over the count, a progress ``(den·d(baseline) − d(value)) / (den·d(baseline))``).
The integers are int64 where a bound on the inputs (largest value, goalpost and weight
times the number of units expected) proves no sum or product can overflow, and Python
integers (numpy arrays of dtype object, slower but unbounded) otherwise, per indicator.
Figures become ``Decimal`` only when read: sums, minima, maxima and latest values exactly at
the indicator's scale; means rounded to ``MEAN_EXTRA_PLACES`` more places; shares and
progress to ``RATIO_PLACES`` places; rounding half away from zero, as by hand.

**Speed.** The tree is put in level order once (``UnitTree.of``): roots first, each level's
units grouped by parent, so a level's children of one parent are a contiguous block. A
roll-up then walks the levels from the deepest up, adding each level into its parents with
one ``np.add.reduceat`` (``minimum``/``maximum`` for min, max and latest) over every
period at once: a few numpy calls per level and indicator, none per value.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

UnitId = int
IndicatorId = int
GoalId = int

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: Exact integers: int64, or Python ints (dtype object) where int64 could overflow.
Integers = npt.NDArray[Any]

#: Means are shown with this many places more than the values they are the mean of.
MEAN_EXTRA_PLACES = 2
#: Shares and progress (between 0 and 1) are shown to a hundredth of a percent.
RATIO_PLACES = 4

# A margin below 2**63: the bound in _needs_python_ints covers each product, and a few of
# them are added or subtracted before a comparison.
_INT64_SAFE = 2**60
# Unit ids are looked up through a table indexed by id when they are this dense or denser
# (database ids are); it is ten times faster than a binary search for a million reports.
_LOOKUP_TABLE_SPAN_PER_UNIT = 8


class RollupError(ValueError):
    """The figures cannot be computed from the inputs as given; the message says what to fix."""


class Rule(enum.StrEnum):
    """How an indicator's values roll up the unit tree."""

    SUM = "sum"
    MEAN = "mean"
    WEIGHTED_MEAN = "weighted_mean"
    MIN = "min"
    MAX = "max"
    LATEST = "latest"
    SHARE_ON_TARGET = "share_on_target"


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    WITHIN = "within"  # stay within a band


class GoalStatus(enum.StrEnum):
    """A goal's status, from worst to best; the last two are set aside, not compared.

    Not started ranks between at risk and on track: nothing has gone wrong yet, but a goal
    with a part not started is not on track as a whole either.
    """

    OFF_TRACK = "off_track"
    AT_RISK = "at_risk"
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    DONE = "done"
    DROPPED = "dropped"
    SUPERSEDED = "superseded"


_SET_ASIDE = frozenset({GoalStatus.DROPPED, GoalStatus.SUPERSEDED})
_STATUS_RANK = {status: rank for rank, status in enumerate(GoalStatus)}


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goalpost:
    """Where a figure starts from, and the band of values on target (one end open for up or down)."""

    baseline: Decimal
    low: Decimal | None = None
    high: Decimal | None = None

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise RollupError("a goalpost needs a target: a low end, a high end, or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise RollupError(
                f"a band's low end ({self.low}) is above its high end ({self.high}); swap them"
            )

    @classmethod
    def up(cls, baseline: Decimal, target: Decimal) -> Goalpost:
        return cls(baseline, low=target)

    @classmethod
    def down(cls, baseline: Decimal, target: Decimal) -> Goalpost:
        return cls(baseline, high=target)

    @classmethod
    def within(cls, baseline: Decimal, low: Decimal, high: Decimal) -> Goalpost:
        return cls(baseline, low=low, high=high)

    @classmethod
    def milestone(cls) -> Goalpost:
        """A yes/no milestone: values 0 (not yet) or 1 (done)."""
        return cls.up(Decimal(0), Decimal(1))

    @property
    def direction(self) -> Direction:
        if self.high is None:
            return Direction.UP
        return Direction.DOWN if self.low is None else Direction.WITHIN


@dataclass(frozen=True, eq=False)
class UnitWeights:
    """Each unit's weight in a weighted mean (a region's population), converted once.

    ``weight`` holds each weight times ``10 ** places``; one set may serve many indicators.
    """

    unit: IntArray
    weight: Integers
    places: int

    @classmethod
    def of(cls, weights: Mapping[UnitId, Decimal]) -> UnitWeights:
        for unit, weight in weights.items():
            if not weight > 0:
                raise RollupError(f"unit {unit}'s weight is {weight}; weights must be above zero")
        places = max((_places(weight) for weight in weights.values()), default=0)
        return cls(
            np.fromiter(weights, dtype=np.int64, count=len(weights)),
            _integers(_scaled(weight, places, "a weight") for weight in weights.values()),
            places,
        )


@dataclass(frozen=True)
class Indicator:
    """What is measured, how it rolls up, and its own goalpost; values have ``scale`` places."""

    id: IndicatorId
    rule: Rule
    goalpost: Goalpost
    scale: int = 0
    #: Under ``weighted_mean``: the weight of every unit expected to report (else unread).
    weights: UnitWeights | None = None
    #: Under ``share_on_target``: the share of units on target that puts a node on target.
    share_needed: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if self.scale < 0:
            raise RollupError(f"indicator {self.id}: a scale counts decimal places, from 0 up")
        for bound in _goalpost_numbers(self.goalpost):
            _scaled(bound, self.scale, f"indicator {self.id}'s goalpost")
        if not 0 < self.share_needed <= 1:
            raise RollupError(
                f"indicator {self.id}: the share needed on target ({self.share_needed}) must be "
                "above 0 and at most 1"
            )

    @property
    def direction(self) -> Direction:
        return self.goalpost.direction


@dataclass(frozen=True, eq=False)
class UnitTargets:
    """Goalposts of particular units and periods, scaled like the indicator's values.

    One entry per (unit, period); for an indicator going up only ``low`` is read, going
    down only ``high``.
    """

    unit: IntArray
    period: IntArray
    baseline: Integers
    low: Integers
    high: Integers

    @classmethod
    def of(
        cls, indicator: Indicator, targets: Mapping[tuple[UnitId, int], Goalpost]
    ) -> UnitTargets:
        rows = []
        for (unit, period), goalpost in targets.items():
            if goalpost.direction is not indicator.direction:
                raise RollupError(
                    f"unit {unit}'s target for period {period} goes {goalpost.direction}, but "
                    f"indicator {indicator.id} goes {indicator.direction}; give it a goalpost "
                    "of the same kind"
                )
            where = f"unit {unit}'s target for period {period}"
            baseline, low, high = (
                0 if bound is None else _scaled(bound, indicator.scale, where)
                for bound in (goalpost.baseline, goalpost.low, goalpost.high)
            )
            rows.append((unit, period, baseline, low, high))
        units, periods, baselines, lows, highs = zip(*rows, strict=True) if rows else ((),) * 5
        return cls(
            np.array(units, dtype=np.int64),
            np.array(periods, dtype=np.int64),
            _integers(baselines),
            _integers(lows),
            _integers(highs),
        )


@dataclass(frozen=True, eq=False)
class Reports:
    """What the units reported on one indicator: one value per (unit, period) reported.

    A report not made is absent, never a zero. ``period`` counts from 0, the first period
    rolled up; ``value`` holds each value times ``10 ** indicator.scale``; ``expected`` lists
    the units that owe a report each period (a unit listed twice counts once).
    """

    indicator: Indicator
    expected: IntArray
    unit: IntArray
    period: IntArray
    value: Integers
    targets: UnitTargets | None = None

    def __post_init__(self) -> None:
        if not len(self.unit) == len(self.period) == len(self.value):
            raise RollupError(
                f"indicator {self.indicator.id}: give a unit, a period and a value for every report"
            )

    @classmethod
    def of(
        cls,
        indicator: Indicator,
        expected: Iterable[UnitId],
        values: Mapping[tuple[UnitId, int], Decimal],
        targets: Mapping[tuple[UnitId, int], Goalpost] | None = None,
    ) -> Reports:
        """Reports from decimals keyed by (unit, period index).

        For tests and small inputs: each decimal costs some microseconds to convert, so a
        million values should come from the database as scaled integers instead.
        """
        keys = list(values)
        return cls(
            indicator,
            np.array(sorted(set(expected)), dtype=np.int64),
            np.array([unit for unit, _ in keys], dtype=np.int64),
            np.array([period for _, period in keys], dtype=np.int64),
            _integers(
                _scaled(value, indicator.scale, f"unit {unit}'s value for period {period}")
                for (unit, period), value in values.items()
            ),
            UnitTargets.of(indicator, targets) if targets else None,
        )


@dataclass(frozen=True)
class _Level:
    """One level of the tree below the roots: its positions and how they group by parent."""

    start: int
    end: int
    group_starts: IntArray  # offsets in the level where a new parent's children begin
    group_parents: IntArray  # that parent's position, once per group


@dataclass(frozen=True, eq=False)
class UnitTree:
    """An organization's units in level order, built once with ``UnitTree.of`` and reused.

    Position ``i`` holds unit ``ids[i]``; roots come first, then each level in turn with the
    children of one parent side by side, so rolling a level into its parents is one
    ``reduceat``, and a subtree is one contiguous range per level.
    """

    ids: IntArray
    parent: IntArray  # the parent's position, -1 for a root
    levels: tuple[_Level, ...]
    child_start: IntArray  # a unit's children are positions child_start[i] to child_end[i]
    child_end: IntArray
    by_nearness: IntArray  # positions by depth, then id: who wins a tie under ``latest``
    _lookup: IntArray  # position by id - lowest id (dense ids), or by rank among sorted ids
    _lowest_id: int
    _position_of: dict[UnitId, int]  # for one unit at a time
    _sorted_ids: IntArray | None  # for sparse ids; None when _lookup is indexed by id

    @classmethod
    def of(cls, parents: Mapping[UnitId, UnitId | None]) -> UnitTree:
        """The tree from each unit's parent (None for a root)."""
        if not parents:
            raise RollupError("a unit tree needs at least one unit")
        children: dict[UnitId, list[UnitId]] = {unit: [] for unit in parents}
        for unit, parent in parents.items():
            if parent is None:
                continue
            if parent not in children:
                raise RollupError(
                    f"unit {unit}'s parent {parent} is not among the units; give every unit's "
                    "parent, or None for a root"
                )
            children[parent].append(unit)
        ids = sorted(unit for unit, parent in parents.items() if parent is None)
        parent_positions = [-1] * len(ids)
        depths = [0] * len(ids)
        level_bounds = [(0, len(ids))]
        while level_bounds[-1][0] < level_bounds[-1][1]:
            start, end = level_bounds[-1]
            for position in range(start, end):
                for child in sorted(children[ids[position]]):
                    ids.append(child)
                    parent_positions.append(position)
                    depths.append(depths[position] + 1)
            level_bounds.append((end, len(ids)))
        if len(ids) < len(parents):
            stuck = sorted(set(parents) - set(ids))
            raise RollupError(
                f"units {', '.join(map(str, stuck[:10]))} cannot be reached from a root: their "
                "parents form a cycle; make sure no unit is its own ancestor"
            )
        level_bounds.pop()  # the empty level that ended the walk
        parent_array = np.array(parent_positions, dtype=np.int64)
        depth = np.array(depths, dtype=np.int64)
        id_array = np.array(ids, dtype=np.int64)
        levels = []
        child_start = np.zeros(len(ids), dtype=np.int64)
        child_end = np.zeros(len(ids), dtype=np.int64)
        for (start, end), (child_level_start, child_level_end) in zip(
            level_bounds, [*level_bounds[1:], (len(ids), len(ids))], strict=True
        ):
            their_parents = parent_array[child_level_start:child_level_end]
            own = np.arange(start, end)
            child_start[start:end] = child_level_start + np.searchsorted(their_parents, own, "left")
            child_end[start:end] = child_level_start + np.searchsorted(their_parents, own, "right")
            if child_level_end > child_level_start:
                new_group = np.flatnonzero(np.diff(their_parents, prepend=-1))
                levels.append(
                    _Level(
                        child_level_start,
                        child_level_end,
                        new_group,
                        their_parents[new_group],
                    )
                )
        lowest, highest = int(id_array.min()), int(id_array.max())
        if highest - lowest < _LOOKUP_TABLE_SPAN_PER_UNIT * len(ids) + 1024:
            lookup = np.full(highest - lowest + 1, -1, dtype=np.int64)
            lookup[id_array - lowest] = np.arange(len(ids))
            sorted_ids = None
        else:
            order = np.argsort(id_array)
            lookup, sorted_ids = order, id_array[order]
        return cls(
            ids=id_array,
            parent=parent_array,
            levels=tuple(levels),
            child_start=child_start,
            child_end=child_end,
            by_nearness=np.lexsort((id_array, depth)),
            _lookup=lookup,
            _lowest_id=lowest,
            _position_of={unit: position for position, unit in enumerate(ids)},
            _sorted_ids=sorted_ids,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def parents(self) -> dict[UnitId, UnitId | None]:
        """Each unit's parent, as ``UnitTree.of`` was given them."""
        return {
            int(unit): None if parent < 0 else int(self.ids[parent])
            for unit, parent in zip(self.ids, self.parent, strict=True)
        }

    def positions(self, units: IntArray, what: str = "a unit") -> IntArray:
        """The positions of ``units``; refuses an id the tree does not hold."""
        units = np.asarray(units, dtype=np.int64)
        if self._sorted_ids is None:
            offset = units - self._lowest_id
            if len(units) and (offset.min() < 0 or offset.max() >= len(self._lookup)):
                offset = np.where((offset >= 0) & (offset < len(self._lookup)), offset, -1)
                found = np.where(offset >= 0, self._lookup[offset], -1)
            else:
                found = self._lookup[offset]
        else:
            rank = np.minimum(np.searchsorted(self._sorted_ids, units), len(self.ids) - 1)
            found = np.where(self._sorted_ids[rank] == units, self._lookup[rank], -1)
        if len(found) and found.min() < 0:
            unknown = int(units[np.argmin(found)])
            raise RollupError(
                f"{what} names unit {unknown}, which is not in the unit tree; add it to the tree "
                "or leave it out"
            )
        return found

    def position(self, unit: UnitId) -> int:
        try:
            return self._position_of[unit]
        except KeyError:
            raise RollupError(
                f"unit {unit} is not in the unit tree; ask for one of its units"
            ) from None

    def subtree(self, unit: UnitId) -> IntArray:
        """The positions of the unit and all its descendants."""
        first = last = self.position(unit)
        ranges = [np.arange(first, last + 1)]
        while True:
            first, last = int(self.child_start[first]), int(self.child_end[last]) - 1
            if last < first:
                return np.concatenate(ranges)
            ranges.append(np.arange(first, last + 1))


# --- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One indicator at one unit and period, as shown."""

    value: Decimal | None  # None: no unit of the subtree has reported (by this period, for latest)
    value_period: int | None  # the period the value was reported in (earlier, under latest)
    reported: int
    expected: int
    progress: Decimal | None  # None without a value or without a goalpost here
    on_target: bool | None


@dataclass(frozen=True, eq=False)
class IndicatorRollup:
    """One indicator's figures at every unit (by tree position) and period, as exact fractions.

    The value at (i, p) is ``value_num / value_den`` in the indicator's units, times
    ``10 ** indicator.scale`` (a share under ``share_on_target``, not scaled); where no value
    exists ``value_period`` is -1. Progress likewise, where ``has_progress``.
    """

    indicator: Indicator
    value_num: Integers
    value_den: Integers
    value_period: IntArray
    reported: IntArray
    expected: IntArray  # per position: the same every period
    progress_num: Integers
    progress_den: Integers
    has_progress: BoolArray
    on_target: BoolArray

    def value(self, position: int, period: int) -> Fraction | None:
        if self.value_period[position, period] < 0:
            return None
        value = Fraction(
            int(self.value_num[position, period]), int(self.value_den[position, period])
        )
        if self.indicator.rule is Rule.SHARE_ON_TARGET:
            return value
        return value / _ten_to(self.indicator.scale)

    def progress(self, position: int, period: int) -> Fraction | None:
        if not self.has_progress[position, period]:
            return None
        return Fraction(
            int(self.progress_num[position, period]), int(self.progress_den[position, period])
        )

    def figures(self, position: int, period: int) -> Figures:
        value = self.value(position, period)
        progress = self.progress(position, period)
        return Figures(
            value=None if value is None else self._shown(value),
            value_period=None if value is None else int(self.value_period[position, period]),
            reported=int(self.reported[position, period]),
            expected=int(self.expected[position]),
            progress=None if progress is None else rounded(progress, RATIO_PLACES),
            on_target=None if progress is None else bool(self.on_target[position, period]),
        )

    def _shown(self, value: Fraction) -> Decimal:
        scale = self.indicator.scale
        match self.indicator.rule:
            case Rule.MEAN | Rule.WEIGHTED_MEAN:
                return rounded(value, scale + MEAN_EXTRA_PLACES)
            case Rule.SHARE_ON_TARGET:
                return rounded(value, RATIO_PLACES)
            case _:
                return rounded(value, scale)  # exact: a reported value or a sum of them


@dataclass(frozen=True, eq=False)
class Rollup:
    """Every indicator rolled up the tree, for every unit and period."""

    tree: UnitTree
    periods: int
    indicators: Mapping[IndicatorId, IndicatorRollup]

    def of(self, indicator: IndicatorId) -> IndicatorRollup:
        try:
            return self.indicators[indicator]
        except KeyError:
            raise RollupError(
                f"indicator {indicator} was not rolled up; pass its reports to roll_up"
            ) from None

    def figures(self, indicator: IndicatorId, unit: UnitId, period: int) -> Figures:
        return self.of(indicator).figures(self.tree.position(unit), self._period(period))

    def value(self, indicator: IndicatorId, unit: UnitId, period: int) -> Fraction | None:
        """The exact value, in the indicator's units (a share under ``share_on_target``)."""
        return self.of(indicator).value(self.tree.position(unit), self._period(period))

    def progress(self, indicator: IndicatorId, unit: UnitId, period: int) -> Fraction | None:
        return self.of(indicator).progress(self.tree.position(unit), self._period(period))

    def _period(self, period: int) -> int:
        if not 0 <= period < self.periods:
            raise RollupError(f"period {period} is not one of the {self.periods} rolled up")
        return period


def rounded(value: Fraction, places: int) -> Decimal:
    """``value`` to ``places`` decimal places, half away from zero; exact when it fits."""
    shifted = value * _ten_to(places)
    whole = (2 * abs(shifted.numerator) + shifted.denominator) // (2 * shifted.denominator)
    return Decimal(f"{-whole if shifted < 0 else whole}e-{places}")


# --- rolling up -------------------------------------------------------------------------------


def roll_up(tree: UnitTree, periods: int, reports: Iterable[Reports]) -> Rollup:
    """Every indicator's figures at every unit of the tree, for periods 0 to ``periods - 1``."""
    if periods < 1:
        raise RollupError("roll up at least one period")
    rolled: dict[IndicatorId, IndicatorRollup] = {}
    for indicator_reports in reports:
        indicator = indicator_reports.indicator
        if indicator.id in rolled:
            raise RollupError(f"indicator {indicator.id}'s reports were given twice; merge them")
        rolled[indicator.id] = _roll_up_indicator(tree, periods, indicator_reports)
    return Rollup(tree, periods, rolled)


def _roll_up_indicator(tree: UnitTree, periods: int, reports: Reports) -> IndicatorRollup:
    indicator = reports.indicator
    what = f"indicator {indicator.id}"
    units = len(tree)
    expected = np.zeros(units, dtype=np.bool_)
    expected[tree.positions(reports.expected, f"{what}'s units expected to report")] = True
    positions = tree.positions(reports.unit, f"a report on {what}")
    stray = ~expected[positions]
    if stray.any():
        raise RollupError(
            f"unit {int(reports.unit[np.argmax(stray)])} reported on {what} but is not expected "
            "to; add it to the units expected to report, or drop its report"
        )
    cells = _cells(positions, reports.period, periods, f"a report on {what}")
    reported_cells = np.zeros(units * periods, dtype=np.bool_)
    reported_cells[cells] = True
    if np.count_nonzero(reported_cells) < len(cells):
        first, again = np.unique(cells, return_counts=True)
        cell = int(first[np.argmax(again > 1)])
        raise RollupError(
            f"unit {int(tree.ids[cell // periods])} reported twice on {what} for period "
            f"{cell % periods}; keep one report per unit and period"
        )
    reported = reported_cells.reshape(units, periods)

    weights = _weights(tree, indicator, expected) if indicator.rule is Rule.WEIGHTED_MEAN else None
    goalposts = _Goalposts.of(tree, periods, reports, everywhere=indicator.rule is not Rule.SUM)
    python_ints = _needs_python_ints(reports, goalposts, weights, int(expected.sum()))
    dtype = np.dtype(object) if python_ints else np.dtype(np.int64)
    value = np.zeros((units, periods), dtype=dtype)
    value.reshape(-1)[cells] = reports.value.astype(dtype, copy=False)
    if python_ints:
        goalposts = goalposts.as_python_ints()

    # Everything counted goes up the tree in one pass: reports, reports on target, units expected.
    counts = np.zeros((units, 2 * periods + 1), dtype=np.int64)
    counts[:, :periods] = reported
    counts[:, -1] = expected
    if indicator.rule is Rule.SHARE_ON_TARGET:
        own_distance = _distance(value, 1, goalposts, indicator.direction)
        counts[:, periods:-1] = reported & (own_distance == 0)
    _add_up(tree, counts)
    in_subtree = np.ascontiguousarray(counts[:, :periods])
    has_value = in_subtree > 0
    value_period = np.where(has_value, np.arange(periods), -1)
    # A whole value's denominator: one number, broadcast, spares the products by 1 below.
    one = np.ones((), dtype=dtype)

    # Where nothing was reported, sums are already 0; extremes and latest values are masked.
    match indicator.rule:
        case Rule.SUM | Rule.MEAN:
            numerator = value
            _add_up(tree, numerator)
            counted = np.maximum(in_subtree, 1).astype(dtype, copy=False)
            denominator = one if indicator.rule is Rule.SUM else counted
        case Rule.WEIGHTED_MEAN:
            assert weights is not None
            unit_weights = weights.astype(dtype, copy=False)[:, None]
            weighted = np.concatenate([unit_weights * value, unit_weights * reported], axis=1)
            _add_up(tree, weighted)
            numerator = weighted[:, :periods]
            denominator = np.where(has_value, weighted[:, periods:], 1).astype(dtype, copy=False)
        case Rule.MIN | Rule.MAX:
            extreme = _extreme_up(tree, value, reported, smallest=indicator.rule is Rule.MIN)
            numerator = np.where(has_value, extreme, 0).astype(dtype, copy=False)
            denominator = one
        case Rule.LATEST:
            latest, value_period = _latest_up(tree, value, reported)
            has_value = value_period >= 0
            numerator = np.where(has_value, latest, 0).astype(dtype, copy=False)
            denominator = one
        case Rule.SHARE_ON_TARGET:
            numerator = counts[:, periods:-1].astype(dtype)
            denominator = np.maximum(in_subtree, 1).astype(dtype, copy=False)

    if indicator.rule is Rule.SHARE_ON_TARGET:
        needed = Fraction(indicator.share_needed)
        if max(needed.denominator, needed.numerator) * max(units, 1) >= _INT64_SAFE:
            numerator, denominator = numerator.astype(object), denominator.astype(object)
        share_scaled = numerator * needed.denominator
        needed_scaled = denominator * needed.numerator
        progress_num = np.minimum(share_scaled, needed_scaled)
        progress_den = needed_scaled
        on_target = share_scaled >= needed_scaled
        has_progress = has_value
    else:
        progress_num, progress_den, on_target = _progress(
            numerator, denominator, goalposts, indicator.direction
        )
        has_progress = has_value & goalposts.present
    shape = (units, periods)
    return IndicatorRollup(
        indicator=indicator,
        value_num=numerator,
        value_den=np.broadcast_to(denominator, shape),
        value_period=value_period,
        reported=in_subtree,
        expected=counts[:, -1].copy(),
        progress_num=np.broadcast_to(progress_num, shape),
        progress_den=np.broadcast_to(progress_den, shape),
        has_progress=has_progress,
        on_target=has_progress & on_target,
    )


def _cells(positions: IntArray, period: IntArray, periods: int, what: str) -> IntArray:
    """Flat indices of (position, period) in a units × periods array."""
    period = np.asarray(period, dtype=np.int64)
    if len(period) and (period.min() < 0 or period.max() >= periods):
        wrong = int(period[(period < 0) | (period >= periods)][0])
        raise RollupError(f"{what} is for period {wrong}, outside periods 0 to {periods - 1}")
    return positions * periods + period


@dataclass(frozen=True, eq=False)
class _Goalposts:
    """Each unit's goalpost for each period, scaled; ``present`` where one applies."""

    present: BoolArray
    baseline: Integers
    low: Integers
    high: Integers

    @classmethod
    def of(cls, tree: UnitTree, periods: int, reports: Reports, everywhere: bool) -> _Goalposts:
        indicator = reports.indicator
        where = f"indicator {indicator.id}'s goalpost"
        default = [
            _integers([0 if bound is None else _scaled(bound, indicator.scale, where)])
            for bound in (
                indicator.goalpost.baseline,
                indicator.goalpost.low,
                indicator.goalpost.high,
            )
        ]
        targets = reports.targets
        if targets is None or not len(targets.unit):
            # One goalpost for all: numbers that broadcast, rather than arrays of copies.
            present = np.full((len(tree), 1), True) if everywhere else (tree.parent < 0)[:, None]
            return cls(present, *(bound.reshape(()) for bound in default))
        shape = (len(tree), periods)
        present = np.zeros(shape, dtype=np.bool_)
        present[slice(None) if everywhere else tree.parent < 0] = True
        given = (targets.baseline, targets.low, targets.high)
        python_ints = any(column.dtype == object for column in (*default, *given))
        bounds = [
            np.full(shape, bound[0], dtype=object if python_ints else np.int64) for bound in default
        ]
        what = f"a target on indicator {indicator.id}"
        cells = _cells(tree.positions(targets.unit, what), targets.period, periods, what)
        present.reshape(-1)[cells] = True
        for bound, column in zip(bounds, given, strict=True):
            bound.reshape(-1)[cells] = column
        return cls(present, *bounds)

    def largest(self) -> int:
        return max(max(abs(int(bound.max())), abs(int(bound.min()))) for bound in self.bounds())

    def bounds(self) -> tuple[Integers, Integers, Integers]:
        return self.baseline, self.low, self.high

    def as_python_ints(self) -> _Goalposts:
        return _Goalposts(self.present, *(bound.astype(object) for bound in self.bounds()))


def _weights(tree: UnitTree, indicator: Indicator, expected: BoolArray) -> Integers:
    """Each expected unit's weight by position (all scaled alike), 0 for the others."""
    given = indicator.weights
    if given is None:
        if not expected.any():  # no unit here reports on it: there is nothing to weigh
            return np.zeros(len(tree), dtype=np.int64)
        raise RollupError(
            f"indicator {indicator.id} is a weighted mean but has no weights; give each unit "
            "expected to report a weight"
        )
    if len(given.weight) and not given.weight.min() > 0:
        raise RollupError(
            f"unit {int(given.unit[np.argmin(given.weight)])}'s weight on indicator "
            f"{indicator.id} is not above zero; weights must be above zero"
        )
    weights = np.zeros(len(tree), dtype=given.weight.dtype)
    weights[tree.positions(given.unit, f"indicator {indicator.id}'s weights")] = given.weight
    missing = expected & (weights == 0)
    if missing.any():
        raise RollupError(
            f"unit {int(tree.ids[np.argmax(missing)])} is expected to report on indicator "
            f"{indicator.id}, a weighted mean, but has no weight; give every such unit a weight"
        )
    return np.where(expected, weights, 0).astype(weights.dtype)


def _needs_python_ints(
    reports: Reports, goalposts: _Goalposts, weights: Integers | None, expected: int
) -> bool:
    """Whether some figure could overflow int64: the products below bound every one of them.

    A numerator is at most ``expected × weight × value``; a distance from the band at most
    ``den × (value + bound)`` with ``den ≤ expected × weight``; a scaled baseline distance
    ``den × 2 × bound``.
    """
    values = reports.value
    largest_value = max(abs(int(values.max())), abs(int(values.min()))) if len(values) else 0
    largest_weight = max(int(weights.max()), 1) if weights is not None and len(weights) else 1
    largest_bound = goalposts.largest()
    bound = max(expected, 1) * largest_weight * (largest_value + 2 * largest_bound + 1)
    return bound >= _INT64_SAFE


def _add_up(tree: UnitTree, columns: Integers) -> None:
    """Adds every unit's row into its ancestors' rows, deepest level first, in place."""
    for level in reversed(tree.levels):
        block = np.add.reduceat(columns[level.start : level.end], level.group_starts, axis=0)
        columns[level.group_parents] += block


def _extreme_up(tree: UnitTree, value: Integers, reported: BoolArray, smallest: bool) -> Integers:
    """The smallest (or largest) value reported in each unit's subtree, per period."""
    # A value no report can beat stands in for the missing ones; where nobody reported
    # the caller masks it out.
    if value.dtype == object:
        beyond = max((abs(int(x)) for x in value.reshape(-1)), default=0) + 1
    else:
        beyond = int(np.iinfo(np.int64).max)
    ufunc = np.minimum if smallest else np.maximum
    extreme = np.where(reported, value, beyond if smallest else -beyond).astype(value.dtype)
    for level in reversed(tree.levels):
        block = ufunc.reduceat(extreme[level.start : level.end], level.group_starts, axis=0)
        extreme[level.group_parents] = ufunc(extreme[level.group_parents], block)
    return extreme


def _latest_up(tree: UnitTree, value: Integers, reported: BoolArray) -> tuple[Integers, IntArray]:
    """The latest value reported in each subtree by each period, and the period it is from.

    Each report gets a key that orders it by period, then by the nearness of its unit to
    any node above it (depth, then id), so the largest key of a subtree is its latest report.
    """
    units, periods = reported.shape
    own_latest = np.maximum.accumulate(np.where(reported, np.arange(periods), -1), axis=1)
    nearness = np.empty(units, dtype=np.int64)
    nearness[tree.by_nearness] = np.arange(units - 1, -1, -1)
    key = np.where(own_latest >= 0, own_latest * units + nearness[:, None], -1)
    for level in reversed(tree.levels):
        block = np.maximum.reduceat(key[level.start : level.end], level.group_starts, axis=0)
        key[level.group_parents] = np.maximum(key[level.group_parents], block)
    found = key >= 0
    period = np.where(found, key // units, -1)
    source = tree.by_nearness[units - 1 - np.where(found, key % units, 0)]
    latest = value[source, np.maximum(period, 0)]
    return latest, period


def _distance(
    numerator: Integers, denominator: Integers | int, goalposts: _Goalposts, direction: Direction
) -> Integers:
    """How far ``numerator / denominator`` lies outside the band, times the denominator."""
    # numpy hands back a bare number from arithmetic on single numbers; as_array keeps a
    # Python int from being squeezed into int64.
    dtype = goalposts.low.dtype
    distance: Integers | None = None
    if direction is not Direction.DOWN:
        below = np.asarray(goalposts.low * denominator - numerator, dtype=dtype)
        distance = np.maximum(below, 0, dtype=dtype)
    if direction is not Direction.UP:
        above = np.asarray(numerator - goalposts.high * denominator, dtype=dtype)
        above = np.maximum(above, 0, dtype=dtype)
        distance = above if distance is None else distance + above
    assert distance is not None
    return np.asarray(distance, dtype=dtype)


def _progress(
    numerator: Integers, denominator: Integers, goalposts: _Goalposts, direction: Direction
) -> tuple[Integers, Integers, BoolArray]:
    """Progress as a fraction, ``1 − d(value) / d(baseline)`` clamped, and whether on target."""
    distance = _distance(numerator, denominator, goalposts, direction)
    from_baseline = _distance(goalposts.baseline, 1, goalposts, direction)
    on_target = distance == 0
    # A baseline already in the band leaves nothing to close: inside is all, outside none.
    moving = from_baseline > 0
    whole = denominator * from_baseline
    closed = np.maximum(whole - distance, 0)
    if np.all(moving):  # always so with one goalpost for all, unless it starts on target
        return closed, whole, on_target
    progress_num = np.where(moving, closed, on_target).astype(numerator.dtype, copy=False)
    progress_den = np.where(moving, whole, 1).astype(numerator.dtype, copy=False)
    return progress_num, progress_den, on_target


# --- goals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A goal: with sub-goals (those naming it as parent), or measured by its indicators."""

    id: GoalId
    starts_on: date
    due_on: date
    parent: GoalId | None = None
    weight: Decimal = Decimal(1)  # among its siblings
    indicators: tuple[IndicatorId, ...] = ()
    decided_status: GoalStatus | None = None  # the body's own verdict, which stands
    #: The indicators' weights, in the order of ``indicators``; none given: equal.
    indicator_weights: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise RollupError(
                f"goal {self.id}'s weight is {self.weight}; weights must be above zero"
            )
        if self.due_on < self.starts_on:
            raise RollupError(
                f"goal {self.id} is due on {self.due_on}, before it starts on {self.starts_on}"
            )
        if self.indicator_weights and len(self.indicator_weights) != len(self.indicators):
            raise RollupError(
                f"goal {self.id} has {len(self.indicators)} indicators but "
                f"{len(self.indicator_weights)} indicator weights; give one weight each, or none"
            )
        if any(weight <= 0 for weight in self.indicator_weights):
            raise RollupError(f"goal {self.id}'s indicator weights must be above zero")


@dataclass(frozen=True)
class GoalFigures:
    progress: Decimal | None  # None: nothing measured yet
    status: GoalStatus | None  # None: not reported
    lagging: bool | None  # None without progress, or when dropped or superseded
    expected_progress: Decimal  # the straight line from start to due date, at the as-of date


def judge_goals(
    goals: Sequence[Goal],
    rollup: Rollup,
    statuses: Mapping[tuple[GoalId, UnitId, int], GoalStatus],
    *,
    unit: UnitId,
    period: int,
    as_of: date,
) -> dict[GoalId, GoalFigures]:
    """Every goal's figures at ``unit`` (its whole subtree) for ``period``, judged on ``as_of``.

    ``statuses`` holds the status each unit reported for each goal and period.
    """
    by_id = {goal.id: goal for goal in goals}
    if len(by_id) < len(goals):
        raise RollupError("two goals share an id; give each goal its own")
    children: dict[GoalId, list[Goal]] = {goal.id: [] for goal in goals}
    for goal in goals:
        if goal.parent is not None:
            if goal.parent not in children:
                raise RollupError(
                    f"goal {goal.id}'s parent {goal.parent} is not among the goals; include it"
                )
            children[goal.parent].append(goal)
    subtree = set(rollup.tree.ids[rollup.tree.subtree(unit)].tolist())
    reported: dict[GoalId, list[GoalStatus]] = {}
    for (goal_id, reporter, reported_period), unit_status in statuses.items():
        if reported_period == period and reporter in subtree:
            reported.setdefault(goal_id, []).append(unit_status)

    exact: dict[GoalId, tuple[Fraction | None, GoalStatus | None]] = {}
    for goal in _deepest_first(goals, children):
        parts = children[goal.id]
        if parts:
            counted = [
                (part.weight, exact[part.id][0])
                for part in parts
                if exact[part.id][1] not in _SET_ASIDE
            ]
            progress = _weighted_mean(counted)
            status = worst([exact[part.id][1] for part in parts])
        else:
            progress = _weighted_mean(
                [
                    (weight, rollup.progress(indicator, unit, period))
                    for indicator, weight in zip(
                        goal.indicators,
                        goal.indicator_weights or (Decimal(1),) * len(goal.indicators),
                        strict=True,
                    )
                ]
            )
            status = worst(reported.get(goal.id, []))
        exact[goal.id] = (progress, goal.decided_status or status)

    figures = {}
    for goal in goals:
        progress, status = exact[goal.id]
        line = straight_line(goal, as_of)
        if progress is None or status in _SET_ASIDE:
            lagging = None
        else:
            lagging = status is not GoalStatus.DONE and progress < line
        figures[goal.id] = GoalFigures(
            progress=None if progress is None else rounded(progress, RATIO_PLACES),
            status=status,
            lagging=lagging,
            expected_progress=rounded(line, RATIO_PLACES),
        )
    return figures


def _deepest_first(goals: Sequence[Goal], children: Mapping[GoalId, list[Goal]]) -> list[Goal]:
    """The goals with every goal after its sub-goals; refuses a cycle."""
    order: list[Goal] = []
    frontier = [goal for goal in goals if goal.parent is None]
    while frontier:
        order.extend(frontier)
        frontier = [child for goal in frontier for child in children[goal.id]]
    if len(order) < len(goals):
        stuck = sorted({goal.id for goal in goals} - {goal.id for goal in order})
        raise RollupError(
            f"goals {', '.join(map(str, stuck))} cannot be reached from a top goal: their "
            "parents form a cycle"
        )
    return order[::-1]


def _weighted_mean(parts: Sequence[tuple[Decimal, Fraction | None]]) -> Fraction | None:
    measured = [(Fraction(weight), progress) for weight, progress in parts if progress is not None]
    if not measured:
        return None
    return sum((weight * progress for weight, progress in measured), Fraction(0)) / sum(
        weight for weight, _ in measured
    )


def worst(statuses: Sequence[GoalStatus | None]) -> GoalStatus | None:
    """The worst status counted; set-aside ones count only when nothing else is there.

    A goal's status where the body gave no verdict: the worst of its sub-goals', or of the
    units' reports. Here and in the unit's report card (``queries/follow_up_units.py``)."""
    known = [status for status in statuses if status is not None]
    counted = [status for status in known if status not in _SET_ASIDE]
    if counted:
        return min(counted, key=_STATUS_RANK.__getitem__)
    if known:
        return GoalStatus.DROPPED if GoalStatus.DROPPED in known else GoalStatus.SUPERSEDED
    return None


def straight_line(goal: Goal, as_of: date) -> Fraction:
    """The progress due by ``as_of`` on a straight line from the start to the due date: what a
    goal's progress is compared with to call it lagging, here and in the unit's report card
    (``queries/follow_up_units.py``)."""
    if as_of >= goal.due_on:
        return Fraction(1)
    if as_of <= goal.starts_on:
        return Fraction(0)
    return Fraction((as_of - goal.starts_on).days, (goal.due_on - goal.starts_on).days)


# --- exact numbers ----------------------------------------------------------------------------


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int):
        raise RollupError(f"{number} is not a number; give a finite decimal")
    return max(-exponent, 0)


def _scaled(number: Decimal, scale: int, what: str) -> int:
    """``number × 10**scale`` as an exact integer; refuses more places than ``scale``."""
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):
        raise RollupError(f"{what} is {number}; give a finite decimal")
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exponent + scale
    if shift >= 0:
        scaled = coefficient * _ten_to(shift)
    else:
        scaled, rest = divmod(coefficient, _ten_to(-shift))
        if rest:
            raise RollupError(
                f"{what} is {number}, with more than the {scale} decimal places its indicator "
                "keeps; round it, or raise the indicator's scale"
            )
    return -scaled if sign else scaled


def _ten_to(power: int) -> int:
    return int(10**power)


def _integers(numbers: Iterable[int]) -> Integers:
    """int64 when every number fits, Python ints otherwise."""
    numbers = list(numbers)
    if all(-(2**63) < number < 2**63 for number in numbers):
        return np.array(numbers, dtype=np.int64)
    array = np.empty(len(numbers), dtype=object)
    array[:] = numbers
    return array


def _goalpost_numbers(goalpost: Goalpost) -> list[Decimal]:
    return [
        bound for bound in (goalpost.baseline, goalpost.low, goalpost.high) if bound is not None
    ]
