"""How fast veche rolls 12 million reported values up a 10,000-unit tree, beside plain Python.

Run: .venv/bin/python -m benchmarks.follow_up [--quick] [--seed N]

The data are generated with numpy from the seed: an organization of regions, districts and
branches, every unit expected to report on every indicator every period, 2 % of the reports
missing; the indicators cycle through the seven rules, the three directions and scales of
0 to 2 places, sum indicators carry a target for every unit and period, weighted means
a weight per unit. ``veche.follow_up.rollup`` is timed from the reports (arrays of scaled
integers, as the database should hand them over) to the exact figures of every unit, period
and indicator (value, coverage, progress, on target), which become decimals when read; a run
is repeated and the best of three kept. The peer is ``reference_roll_up`` below: the rules
as written, unit by unit over each subtree, in Python fractions. It is also what the tests
check the engine against, so it is kept short enough to be read as a specification. It runs
on a smaller organization, where both give every figure and the table says whether they
agree, figure for figure. The table is Markdown, for docs/benchmarks.md; progress goes to
standard error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from importlib.metadata import version
from typing import TypeVar

import numpy as np

from benchmarks._machine import load, machine, progress
from veche.follow_up.rollup import (
    MEAN_EXTRA_PLACES,
    RATIO_PLACES,
    Figures,
    Goalpost,
    Indicator,
    IndicatorId,
    Reports,
    Rule,
    UnitId,
    UnitTargets,
    UnitTree,
    UnitWeights,
    roll_up,
)

T = TypeVar("T")

TARGET_SECONDS = 2.0
REPEATS = 3
PERIODS = 12
MISSING = 0.02
RULES = tuple(Rule)


@dataclass(frozen=True)
class Size:
    """The size of a follow-up organization a benchmark makes; ``follow_up_database`` fills
    a database with one."""

    units: int
    indicators: int
    periods: int = PERIODS


FULL = Size(units=10_000, indicators=100)
SHARED = Size(units=1_000, indicators=14)
QUICK_FULL = Size(units=2_000, indicators=21)
QUICK_SHARED = Size(units=200, indicators=7)


# --- the peer: the rules as written -----------------------------------------------------------


@dataclass(frozen=True)
class ExactFigures:
    """One indicator at one unit and period, as exact fractions (a value in the indicator's units)."""

    value: Fraction | None
    value_period: int | None
    reported: int
    expected: int
    progress: Fraction | None
    on_target: bool | None


def reference_roll_up(
    parents: Mapping[UnitId, UnitId | None], periods: int, reports: Sequence[Reports]
) -> dict[tuple[IndicatorId, UnitId, int], ExactFigures]:
    """Every figure, for each unit from the reports of its subtree, read as the rules say."""
    children: dict[UnitId, list[UnitId]] = {unit: [] for unit in parents}
    for unit, parent in parents.items():
        if parent is not None:
            children[parent].append(unit)

    def subtree(unit: UnitId) -> list[UnitId]:
        return [unit, *(below for child in children[unit] for below in subtree(child))]

    def depth(unit: UnitId) -> int:
        parent = parents[unit]
        return 0 if parent is None else depth(parent) + 1

    subtrees = {unit: subtree(unit) for unit in parents}
    depths = {unit: depth(unit) for unit in parents}
    figures = {}
    for indicator_reports in reports:
        figures.update(_reference_indicator(parents, subtrees, depths, periods, indicator_reports))
    return figures


def _reference_indicator(
    parents: Mapping[UnitId, UnitId | None],
    subtrees: Mapping[UnitId, list[UnitId]],
    depths: Mapping[UnitId, int],
    periods: int,
    reports: Reports,
) -> dict[tuple[IndicatorId, UnitId, int], ExactFigures]:
    indicator = reports.indicator
    unit_of_scale = Fraction(10**indicator.scale)
    values = {
        (unit, period): Fraction(value) / unit_of_scale
        for unit, period, value in zip(
            reports.unit.tolist(), reports.period.tolist(), reports.value.tolist(), strict=True
        )
    }
    own_targets: dict[tuple[UnitId, int], Goalpost] = {}
    if reports.targets is not None:
        targets = reports.targets
        for unit, period, *bounds in zip(
            targets.unit.tolist(),
            targets.period.tolist(),
            targets.baseline.tolist(),
            targets.low.tolist(),
            targets.high.tolist(),
            strict=True,
        ):
            baseline, low, high = (Decimal(bound).scaleb(-indicator.scale) for bound in bounds)
            own_targets[unit, period] = Goalpost(
                baseline,
                None if indicator.goalpost.low is None else low,
                None if indicator.goalpost.high is None else high,
            )
    expected = set(reports.expected.tolist())

    def goalpost(unit: UnitId, period: int) -> Goalpost | None:
        if (unit, period) in own_targets:
            return own_targets[unit, period]
        if indicator.rule is Rule.SUM and parents[unit] is not None:
            return None  # a part's target is not the whole's
        return indicator.goalpost

    figures = {}
    for unit in parents:
        members = [member for member in subtrees[unit] if member in expected]
        for period in range(periods):
            got = [(m, values[m, period]) for m in members if (m, period) in values]
            if indicator.rule is Rule.LATEST:
                # The most recent report by this period; a tie goes to the unit nearest the
                # top, then to the lowest id.
                found = [
                    (q, -depths[m], -m)
                    for m in members
                    for q in range(period + 1)
                    if (m, q) in values
                ]
                q, _, minus_unit = max(found, default=(None, 0, 0))
                value = None if q is None else values[-minus_unit, q]
                value_period = q
            else:
                value = _reference_value(indicator, got, period, goalpost) if got else None
                value_period = None if value is None else period
            progress: Fraction | None = None
            on_target: bool | None = None
            if value is not None and indicator.rule is Rule.SHARE_ON_TARGET:
                needed = Fraction(indicator.share_needed)
                progress, on_target = min(value / needed, Fraction(1)), value >= needed
            elif value is not None and (post := goalpost(unit, period)) is not None:
                progress = _reference_progress(value, post)
                on_target = _outside(value, post) == 0
            figures[indicator.id, unit, period] = ExactFigures(
                value, value_period, len(got), len(members), progress, on_target
            )
    return figures


def _reference_value(
    indicator: Indicator,
    got: list[tuple[UnitId, Fraction]],
    period: int,
    goalpost: Callable[[UnitId, int], Goalpost | None],
) -> Fraction:
    numbers = [value for _, value in got]
    match indicator.rule:
        case Rule.SUM:
            return sum(numbers, Fraction(0))
        case Rule.MEAN:
            return sum(numbers, Fraction(0)) / len(numbers)
        case Rule.WEIGHTED_MEAN:
            assert indicator.weights is not None
            given = indicator.weights
            of_unit = dict(zip(given.unit.tolist(), given.weight.tolist(), strict=True))
            weights = [Fraction(of_unit[m], 10**given.places) for m, _ in got]
            weighted = sum((w * v for w, v in zip(weights, numbers, strict=True)), Fraction(0))
            return weighted / sum(weights)
        case Rule.MIN:
            return min(numbers)
        case Rule.MAX:
            return max(numbers)
        case Rule.SHARE_ON_TARGET:
            on = 0
            for m, v in got:
                post = goalpost(m, period)
                assert post is not None  # every unit has a goalpost under this rule
                on += _outside(v, post) == 0
            return Fraction(on, len(got))
    raise AssertionError(f"{indicator.rule} is not a rule with a value of one period")


def _outside(value: Fraction, goalpost: Goalpost) -> Fraction:
    """How far the value lies outside the goalpost's band."""
    zero = Fraction(0)
    below = zero if goalpost.low is None else max(Fraction(goalpost.low) - value, zero)
    above = zero if goalpost.high is None else max(value - Fraction(goalpost.high), zero)
    return below + above


def _reference_progress(value: Fraction, goalpost: Goalpost) -> Fraction:
    start = _outside(Fraction(goalpost.baseline), goalpost)
    if start == 0:
        return Fraction(1 if _outside(value, goalpost) == 0 else 0)
    return max(1 - _outside(value, goalpost) / start, Fraction(0))


def shown(indicator: Indicator, figures: ExactFigures) -> Figures:
    """The figures as the engine shows them, rounded here with decimal arithmetic."""

    def to_places(number: Fraction, places: int) -> Decimal:
        with localcontext() as context:
            context.prec = 200
            exact = Decimal(number.numerator) / Decimal(number.denominator)
            return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    places = {
        Rule.MEAN: indicator.scale + MEAN_EXTRA_PLACES,
        Rule.WEIGHTED_MEAN: indicator.scale + MEAN_EXTRA_PLACES,
        Rule.SHARE_ON_TARGET: RATIO_PLACES,
    }.get(indicator.rule, indicator.scale)
    return Figures(
        value=None if figures.value is None else to_places(figures.value, places),
        value_period=figures.value_period,
        reported=figures.reported,
        expected=figures.expected,
        progress=None if figures.progress is None else to_places(figures.progress, RATIO_PLACES),
        on_target=figures.on_target,
    )


# --- the data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organization:
    parents: dict[UnitId, UnitId | None]
    reports: list[Reports]

    @property
    def values(self) -> int:
        return sum(len(reports.value) for reports in self.reports)


def organization(size: Size, seed: int) -> Organization:
    """Regions of ten districts each, the branches spread over the districts; ids shuffled."""
    rng = np.random.default_rng(seed)
    regions = max(2, size.units // 500)
    districts = 10 * regions
    branches = size.units - 1 - regions - districts
    ids = rng.permutation(size.units) + 1
    parent_index = [-1]
    parent_index += [0] * regions
    parent_index += [1 + d % regions for d in range(districts)]
    parent_index += [1 + regions + b % districts for b in range(branches)]
    parents: dict[UnitId, UnitId | None] = {
        int(ids[n]): None if p < 0 else int(ids[p]) for n, p in enumerate(parent_index)
    }
    tree = UnitTree.of(parents)
    below = np.ones(size.units, dtype=np.int64)  # units in each subtree, by tree position
    for level in reversed(tree.levels):
        np.add.at(below, tree.parent[level.start : level.end], below[level.start : level.end])
    weights = UnitWeights(ids.astype(np.int64), rng.integers(1, 10_000, size.units), places=0)
    reports = [
        indicator_reports(
            n, RULES[n % len(RULES)], n // len(RULES) % 3, size.periods, tree, below, weights, rng
        )
        for n in range(size.indicators)
    ]
    return Organization(parents, reports)


def indicator_reports(
    number: int,
    rule: Rule,
    kind: int,
    periods: int,
    tree: UnitTree,
    below: np.ndarray[tuple[int], np.dtype[np.int64]],
    weights: UnitWeights,
    rng: np.random.Generator,
) -> Reports:
    """One indicator: values around 100 (rising to 200, falling to 50, or kept in 90–110)."""
    scale = number % 3
    one = 10**scale
    goalpost = [
        Goalpost.up(Decimal(100), Decimal(200)),
        Goalpost.down(Decimal(100), Decimal(50)),
        Goalpost.within(Decimal(120), Decimal(90), Decimal(110)),
    ][kind]
    units = len(tree)
    targets = None
    if rule is Rule.SUM:
        # The goalpost above is each unit's share; a unit's own is that times its subtree's
        # units, for every period, and the whole's (the roots') is the indicator's.
        share = goalpost
        goalpost = Goalpost(
            share.baseline * units,
            None if share.low is None else share.low * units,
            None if share.high is None else share.high * units,
        )
        cells = np.arange(units * periods)
        position = cells // periods
        scaled = [
            below[position] * (0 if bound is None else int(bound * one))
            for bound in (share.baseline, share.low, share.high)
        ]
        targets = UnitTargets(tree.ids[position], cells % periods, *scaled)
    indicator = Indicator(
        id=number + 1,
        rule=rule,
        goalpost=goalpost,
        scale=scale,
        weights=weights if rule is Rule.WEIGHTED_MEAN else None,
        share_needed=Decimal("0.8"),
    )
    present = np.flatnonzero(rng.random(units * periods) >= MISSING)
    return Reports(
        indicator=indicator,
        expected=tree.ids.copy(),
        unit=tree.ids[present // periods],
        period=present % periods,
        value=rng.integers(40 * one, 220 * one, len(present)),
        targets=targets,
    )


# --- measuring --------------------------------------------------------------------------------


def timed(run: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def best_of(run: Callable[[], T], repeats: int) -> tuple[float, T]:
    seconds, value = timed(run)
    for _ in range(repeats - 1):
        seconds = min(seconds, timed(run)[0])
    return seconds, value


def disagreements(org: Organization, periods: int) -> tuple[int, int, float]:
    """Figures where the engine and the peer differ, figures compared, and the peer's time."""
    tree = UnitTree.of(org.parents)
    rollup = roll_up(tree, periods, org.reports)
    seconds, expected = timed(lambda: reference_roll_up(org.parents, periods, org.reports))
    indicators = {reports.indicator.id: reports.indicator for reports in org.reports}
    differ = sum(
        rollup.figures(indicator, unit, period) != shown(indicators[indicator], figures)
        for (indicator, unit, period), figures in expected.items()
    )
    return differ, len(expected), seconds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, for a smoke test")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args(argv)
    full, shared = (QUICK_FULL, QUICK_SHARED) if arguments.quick else (FULL, SHARED)
    load_before = load()

    progress(
        f"generating {full.units:,} units × {full.indicators} indicators × {full.periods} periods"
    )
    big = organization(full, arguments.seed)
    tree_seconds, tree = best_of(lambda: UnitTree.of(big.parents), REPEATS)
    progress("rolling up")
    seconds, rollup = best_of(lambda: roll_up(tree, full.periods, big.reports), REPEATS)
    root = int(tree.ids[0])
    card_seconds, _ = best_of(
        lambda: [
            rollup.figures(reports.indicator.id, root, period)
            for reports in big.reports
            for period in range(full.periods)
        ],
        REPEATS,
    )

    first = big.reports[0]
    as_decimals = {
        (unit, period): Decimal(value).scaleb(-first.indicator.scale)
        for unit, period, value in zip(
            first.unit.tolist(), first.period.tolist(), first.value.tolist(), strict=True
        )
    }
    decimals_seconds, _ = best_of(
        lambda: Reports.of(first.indicator, first.expected.tolist(), as_decimals), REPEATS
    )

    progress(f"the peer on {shared.units:,} units × {shared.indicators} indicators")
    small = organization(shared, arguments.seed)
    small_tree = UnitTree.of(small.parents)
    small_seconds, _ = best_of(lambda: roll_up(small_tree, shared.periods, small.reports), REPEATS)
    differ, compared, peer_seconds = disagreements(small, shared.periods)

    versions = f"numpy {version('numpy')}"
    print(f"Machine: {machine()}; {versions}.")
    print(
        f"Load average (1, 5, 15 min): {load_before} before, {load()} after. Seed {arguments.seed}."
    )
    print()
    print(
        "| units | indicators | periods | values reported | veche | target | met | plain Python | × | same figures |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | --- |")
    print(
        f"| {full.units:,} | {full.indicators} | {full.periods} | {big.values:,} | {seconds:.3f} s "
        f"| < {TARGET_SECONDS:.0f} s | {'yes' if seconds < TARGET_SECONDS else 'no'} | — | — | — |"
    )
    print(
        f"| {shared.units:,} | {shared.indicators} | {shared.periods} | {small.values:,} "
        f"| {small_seconds:.3f} s | | | {peer_seconds:.1f} s | {peer_seconds / small_seconds:,.0f}× "
        f"| {'yes' if differ == 0 else f'no: {differ:,} differ'} ({compared:,} compared) |"
    )
    print()
    print(
        f"Putting the {full.units:,} units in level order (`UnitTree.of`, once): {tree_seconds:.3f} s."
    )
    print(
        f"Reading the root's {full.indicators * full.periods:,} figures as decimals (a report card): "
        f"{card_seconds * 1000:.1f} ms."
    )
    print(
        f"Reading one indicator's {len(as_decimals):,} values from decimals (`Reports.of`): "
        f"{decimals_seconds:.3f} s."
    )
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
