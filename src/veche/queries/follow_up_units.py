"""Every unit's goals for a period at once, as a freeze records them: what ``goals_at`` gives
each unit of the tree, computed column by column over the whole tree rather than unit by unit.

A freeze records the period's goals, with their indicators' figures, at every unit
(``queries/frozen_records.py``). Asked unit by unit, the roll-up judges each unit's goals on
its own — fractions made one indicator and one unit at a time, the unit's subtree walked for
its statuses and coverage — which at 10,000 units is most of a freeze. Here each figure is
found for every unit in one pass over numpy's arrays: an indicator's value and progress
rounded for all units at once (exact: as whole numbers, Python's when numpy's could
overflow), a goal's progress as the exact weighted mean of its parts' at every unit, its
coverage counted up the tree level by level, and its status, which few units' subtrees hold
one for, worked out once for the units without and once for each of the others. The rows are
those of ``follow_up_rollup.goal_row``, their decimals already written as the record writes
them; ``tests/follow_up/test_frozen_record.py`` holds them to ``goals_at``'s, unit by unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from veche.follow_up import rollup as engine
from veche.models.follow_up import FIGURE_PLACES, Direction, GoalStatus, RollupRule
from veche.queries.follow_up import IndicatorView
from veche.queries.follow_up_arrays import collector_paused
from veche.queries.follow_up_rollup import ORGANIZATION, CycleFigures, goal_row, goals_at, standing

#: The most decimal places written by hand below; ``Decimal`` writes more in its own way.
_PLAIN_PLACES = 6

_SET_ASIDE = frozenset({engine.GoalStatus.DROPPED, engine.GoalStatus.SUPERSEDED})


def unit_rows(figures: CycleFigures, period: int) -> dict[int, list[list[Any]]]:
    """Every unit's goals for the period numbered ``period``, by unit id in order, as a record
    of the second format holds them (``goal_row``). ``figures`` are the whole organization's;
    a period read from its record gives its units' rows as the record holds them."""
    units = sorted(figures.unit_parents)
    if period in figures.frozen:
        figures.frozen[period].lines(units)
        return {
            unit: [goal_row(goal) for goal in goals_at(figures, unit, period)] for unit in units
        }
    if not units:
        return {}
    every = _EveryUnit.of(figures, period, units)
    # Millions of small lists, none in a cycle: the collector would walk them again and again.
    with collector_paused():
        indicators = {
            indicator.id: every.indicator_rows(indicator)
            for goal in figures.goals
            for indicator in goal.indicators
        }
        goals = every.goal_rows()
        return {
            unit: [
                [*goals[goal.id][place], [indicators[shown.id][place] for shown in goal.indicators]]
                for goal in figures.goals
            ]
            for place, unit in enumerate(units)
        }


@dataclass(frozen=True, eq=False)
class _EveryUnit:
    """The period's figures at every unit of ``units`` (by their places in it)."""

    figures: CycleFigures
    period: int
    units: list[int]
    positions: engine.IntArray  # each unit's position in the tree

    @classmethod
    def of(cls, figures: CycleFigures, period: int, units: list[int]) -> _EveryUnit:
        positions = figures.tree.positions(np.array(units, dtype=np.int64))
        return cls(figures, period, units, positions)

    # --- indicators ---------------------------------------------------------------------

    def indicator_rows(self, indicator: IndicatorView) -> list[list[Any]]:
        """The indicator's row (``INDICATOR_COLUMNS`` after its id) at every unit."""
        rolled = self.figures.rollup.of(indicator.id)
        at, period = self.positions, self.period
        count = len(self.units)
        value_period = rolled.value_period[at, period]
        has_value = value_period >= 0
        shift, places = _shown_places(indicator)
        values = _texts(
            count,
            has_value,
            rolled.value_num[at, period],
            rolled.value_den[at, period],
            shift,
            places,
        )
        period_ids = np.array([one.id for one in self.figures.periods], dtype=np.int64)
        value_periods: list[int | None] = [None] * count
        for place, number in zip(
            np.flatnonzero(has_value).tolist(),
            period_ids[value_period[has_value]].tolist(),
            strict=True,
        ):
            value_periods[place] = number
        has_progress = np.asarray(rolled.has_progress[at, period], dtype=np.bool_)
        progress = _texts(
            count,
            has_progress,
            rolled.progress_num[at, period],
            rolled.progress_den[at, period],
            engine.RATIO_PLACES,
            engine.RATIO_PLACES,
        )
        on_target: list[bool | None] = [None] * count
        for place, hit in zip(
            np.flatnonzero(has_progress).tolist(),
            rolled.on_target[at, period][has_progress].tolist(),
            strict=True,
        ):
            on_target[place] = bool(hit)
        goalposts = self._goalposts(indicator)
        return [
            [indicator.id, value, of_period, reported, expected, *goalpost, shown, hit]
            for value, of_period, reported, expected, goalpost, shown, hit in zip(
                values,
                value_periods,
                rolled.reported[at, period].tolist(),
                rolled.expected[at].tolist(),
                goalposts,
                progress,
                on_target,
                strict=True,
            )
        ]

    def _goalposts(self, indicator: IndicatorView) -> Sequence[list[str | None]]:
        """The indicator's baseline, target and band at every unit, as ``_goalpost`` gives
        them, written."""
        count = len(self.units)
        if indicator.rollup is RollupRule.SHARE_ON_TARGET:
            return [[None, _text(indicator.share_needed), None, None]] * count
        if indicator.direction is Direction.WITHIN:
            return [
                [
                    _text(indicator.baseline_value),
                    None,
                    _text(indicator.band_low),
                    _text(indicator.band_high),
                ]
            ] * count
        whole: list[str | None] = [
            _text(indicator.baseline_value),
            _text(indicator.target_value),
            None,
            None,
        ]
        # A part's target is not the whole's: none at a unit under ``sum``.
        part: list[str | None] = (
            whole if indicator.rollup is not RollupRule.SUM else [None, None, None, None]
        )
        found: list[list[str | None]] = [part] * count
        targets = self.figures.targets.get(indicator.id)
        if targets is not None:
            place_of = {unit: place for place, unit in enumerate(self.units)}
            own = np.flatnonzero(targets.period == self.period)
            # The first row of a unit is its target, as ``_goalpost`` takes it.
            for row in reversed(own.tolist()):
                place = place_of.get(int(targets.unit[row]))
                if place is not None:
                    found[place] = [
                        _text(_decimal(int(targets.baseline[row]))),
                        _text(_decimal(int(targets.value[row]))),
                        None,
                        None,
                    ]
        return found

    # --- goals --------------------------------------------------------------------------

    def goal_rows(self) -> dict[int, list[list[Any]]]:
        """Each goal's row (its id and ``GOAL_COLUMNS``) at every unit, by goal id."""
        figures, count = self.figures, len(self.units)
        as_of = figures.periods[self.period].ends_on
        judged = {goal.id: goal for goal in figures.judged}
        children: dict[int, list[engine.Goal]] = {goal.id: [] for goal in figures.judged}
        for goal in figures.judged:
            if goal.parent is not None:
                children[goal.parent].append(goal)
        statuses = _Statuses.of(self, judged, children)
        progress: dict[int, _Progress] = {}
        rows: dict[int, list[list[Any]]] = {}
        # Tree order reversed: every goal after the goals under it.
        for node in reversed(figures.goals):
            goal = judged[node.id]
            if children[goal.id]:
                parts = [
                    (
                        part.weight,
                        progress[part.id].measured & ~statuses.set_aside(part.id),
                        progress[part.id].numerator,
                        progress[part.id].denominator,
                    )
                    for part in children[goal.id]
                ]
            else:
                weights = goal.indicator_weights or (Decimal(1),) * len(goal.indicators)
                parts = []
                for indicator, weight in zip(goal.indicators, weights, strict=True):
                    rolled = figures.rollup.of(indicator)
                    parts.append(
                        (
                            weight,
                            np.asarray(
                                rolled.has_progress[self.positions, self.period], dtype=np.bool_
                            ),
                            rolled.progress_num[self.positions, self.period],
                            rolled.progress_den[self.positions, self.period],
                        )
                    )
            exact = progress[goal.id] = _Progress.of(parts, count)
            line = engine.straight_line(goal, as_of)
            shown = _texts(
                count,
                exact.measured,
                exact.numerator,
                exact.denominator,
                engine.RATIO_PLACES,
                engine.RATIO_PLACES,
            )
            behind = np.zeros(count, dtype=np.bool_)
            measured = exact.measured
            behind[measured] = (
                exact.numerator[measured] * line.denominator
                < line.numerator * exact.denominator[measured]
            ).astype(np.bool_)
            expected, reported = self._coverage(goal.id)
            expected_progress = _text(engine.rounded(line, engine.RATIO_PLACES))
            status_of, reported_status_of = statuses.of_goal(goal.id)
            found = []
            for place in range(count):
                status, text = status_of[place], shown[place]
                lagging = (
                    None
                    if not measured[place] or status in _SET_ASIDE
                    else status is not engine.GoalStatus.DONE and bool(behind[place])
                )
                model_status = None if status is None else GoalStatus(status.value)
                plain = reported_status_of[place]
                found.append(
                    [
                        goal.id,
                        text,
                        expected_progress,
                        lagging,
                        model_status,
                        None if plain is None else GoalStatus(plain.value),
                        standing(
                            model_status,
                            None if text is None else Decimal(text),
                            lagging,
                            node.due_on,
                            as_of,
                            reported[place],
                        ),
                        reported[place],
                        expected[place],
                    ]
                )
            rows[goal.id] = found
        return rows

    def _coverage(self, goal_id: int) -> tuple[list[int], list[int]]:
        """How many units of each unit's subtree are expected to report on the goal, and how
        many of those did."""
        figures = self.figures
        expected = figures.expected_units(goal_id) & figures.unit_parents.keys()
        reporting = expected & figures.goal_reporters(self.period, goal_id)
        return (
            self._subtree_counts(expected)[self.positions].tolist(),
            self._subtree_counts(reporting)[self.positions].tolist(),
        )

    def _subtree_counts(self, units: set[int]) -> engine.IntArray:
        """How many of ``units`` each position's subtree holds."""
        tree = self.figures.tree
        counts = np.zeros(len(tree), dtype=np.int64)
        counts[tree.positions(np.array(sorted(units), dtype=np.int64))] = 1
        for level in reversed(tree.levels):
            counts[level.group_parents] += np.add.reduceat(
                counts[level.start : level.end], level.group_starts
            )
        return counts


@dataclass(frozen=True, eq=False)
class _Progress:
    """A goal's progress at every unit, exact: ``numerator / denominator`` (above zero) where
    ``measured``."""

    numerator: engine.Integers
    denominator: engine.Integers
    measured: engine.BoolArray

    @classmethod
    def of(
        cls,
        parts: Sequence[tuple[Decimal, engine.BoolArray, engine.Integers, engine.Integers]],
        count: int,
    ) -> _Progress:
        """The weighted mean of the parts measured at each unit: (weight, measured,
        numerator, denominator) each; as ``engine._weighted_mean``, in Python's integers."""
        weights = [Fraction(weight) for weight, *_ in parts]
        common = lcm(*(weight.denominator for weight in weights)) if weights else 1
        numerator = np.zeros(count, dtype=object)
        denominator = np.ones(count, dtype=object)
        total = np.zeros(count, dtype=object)
        for weight, (_, measured, part_numerator, part_denominator) in zip(
            weights, parts, strict=True
        ):
            if not measured.any():
                continue
            whole = int(weight * common)
            top = np.asarray(part_numerator).astype(object)
            bottom = np.asarray(part_denominator).astype(object)
            numerator = np.where(
                measured, numerator * bottom + whole * top * denominator, numerator
            )
            denominator = np.where(measured, denominator * bottom, denominator)
            total = np.where(measured, total + whole, total)
        measured = np.asarray(total > 0, dtype=np.bool_)
        denominator = np.where(measured, denominator * total, 1)
        negative = np.asarray(denominator < 0, dtype=np.bool_)
        if negative.any():
            numerator = np.where(negative, -numerator, numerator)
            denominator = np.where(negative, -denominator, denominator)
        return cls(numerator, denominator, measured)


@dataclass(frozen=True, eq=False)
class _Statuses:
    """Each goal's status at every unit, with the body's verdicts and without: the statuses
    reported in the period, worst first up the goals, as ``engine.judge_goals`` finds them.
    Few units' subtrees hold a reported status: the others share one outcome."""

    count: int
    #: With the verdicts and without, for a unit whose subtree holds no status.
    usual: tuple[dict[int, engine.GoalStatus | None], dict[int, engine.GoalStatus | None]]
    #: The same for each other unit, by its place.
    special: dict[
        int, tuple[dict[int, engine.GoalStatus | None], dict[int, engine.GoalStatus | None]]
    ]

    @classmethod
    def of(
        cls,
        every: _EveryUnit,
        judged: dict[int, engine.Goal],
        children: dict[int, list[engine.Goal]],
    ) -> _Statuses:
        figures = every.figures
        place_of = {unit: place for place, unit in enumerate(every.units)}
        reported: dict[int, dict[int, list[engine.GoalStatus]]] = {}
        for (goal_id, unit, number), status in figures.statuses.items():
            if number != every.period or unit not in figures.unit_parents:
                continue
            # The status counts at the unit and at every unit above it.
            while unit != ORGANIZATION:
                if unit in place_of:
                    reported.setdefault(place_of[unit], {}).setdefault(goal_id, []).append(status)
                unit = figures.unit_parents[unit]
        order = [judged[node.id] for node in reversed(figures.goals)]

        def outcome(
            given: dict[int, list[engine.GoalStatus]],
        ) -> tuple[dict[int, engine.GoalStatus | None], dict[int, engine.GoalStatus | None]]:
            with_verdicts: dict[int, engine.GoalStatus | None] = {}
            without: dict[int, engine.GoalStatus | None] = {}
            for goal in order:
                parts = children[goal.id]
                if parts:
                    found = engine.worst([with_verdicts[part.id] for part in parts])
                    plain = engine.worst([without[part.id] for part in parts])
                else:
                    found = plain = engine.worst(given.get(goal.id, []))
                with_verdicts[goal.id] = goal.decided_status or found
                without[goal.id] = plain
            return with_verdicts, without

        return cls(
            len(every.units),
            outcome({}),
            {place: outcome(given) for place, given in reported.items()},
        )

    def of_goal(
        self, goal_id: int
    ) -> tuple[list[engine.GoalStatus | None], list[engine.GoalStatus | None]]:
        """The goal's status at every unit, with the verdicts and without."""
        with_verdicts = [self.usual[0][goal_id]] * self.count
        without = [self.usual[1][goal_id]] * self.count
        for place, (found, plain) in self.special.items():
            with_verdicts[place], without[place] = found[goal_id], plain[goal_id]
        return with_verdicts, without

    def set_aside(self, goal_id: int) -> engine.BoolArray:
        """Where the goal's status (with the verdicts) sets it aside."""
        found = np.full(self.count, self.usual[0][goal_id] in _SET_ASIDE, dtype=np.bool_)
        for place, (status, _plain) in self.special.items():
            found[place] = status[goal_id] in _SET_ASIDE
        return found


def _shown_places(indicator: IndicatorView) -> tuple[int, int]:
    """The power of ten a value's stored fraction is multiplied by to be shown, and the
    places it is shown with (``IndicatorRollup._shown``): a share is not scaled."""
    match indicator.rollup:
        case RollupRule.MEAN | RollupRule.WEIGHTED_MEAN:
            return engine.MEAN_EXTRA_PLACES, FIGURE_PLACES + engine.MEAN_EXTRA_PLACES
        case RollupRule.SHARE_ON_TARGET:
            return engine.RATIO_PLACES, engine.RATIO_PLACES
        case _:
            return 0, FIGURE_PLACES


def _texts(
    count: int,
    where: engine.BoolArray,
    numerator: engine.Integers,
    denominator: engine.Integers,
    shift: int,
    places: int,
) -> list[str | None]:
    """``numerator × 10**shift / denominator`` where ``where`` holds, rounded half away from
    zero to a whole number, written with ``places`` decimal places (``engine.rounded``'s
    figure); None elsewhere."""
    found: list[str | None] = [None] * count
    if not where.any():
        return found
    top = np.asarray(numerator)[where]
    bottom = np.asarray(denominator)[where]
    factor = 10**shift
    if top.dtype != object and bottom.dtype != object:
        largest = int(np.abs(top).max()) * factor * 2 + int(np.abs(bottom).max())
        if largest >= 2**62:
            top, bottom = top.astype(object), bottom.astype(object)
    else:
        top, bottom = top.astype(object), bottom.astype(object)
    scaled = top * factor
    negative = (scaled < 0) != (bottom < 0)
    size = np.abs(bottom)
    whole = (2 * np.abs(scaled) + size) // (2 * size)
    for place, text in zip(
        np.flatnonzero(where).tolist(), _whole_texts(whole, negative, places), strict=True
    ):
        found[place] = text
    return found


def _whole_texts(whole: engine.Integers, negative: engine.BoolArray, places: int) -> list[str]:
    """``±whole × 10**-places`` (``whole`` not negative) as ``str(Decimal)`` writes it, and
    so the record."""
    if not 0 < places <= _PLAIN_PLACES:
        signed = np.where(negative, -whole, whole).tolist()
        return [str(Decimal(f"{number}e-{places}")) for number in signed]
    written = f"%s%d.%0{places}d"
    # A zero has no sign, as ``engine.rounded`` gives it.
    signs = ["-" if minus else "" for minus in (negative & (whole != 0)).tolist()]
    return [
        written % parts
        for parts in zip(
            signs, (whole // 10**places).tolist(), (whole % 10**places).tolist(), strict=True
        )
    ]


def _decimal(units: int) -> Decimal:
    return Decimal(units).scaleb(-FIGURE_PLACES)


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)
