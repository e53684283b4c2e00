"""The roll-up engine on hand-computed figures, and against the rules as written on random trees."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from benchmarks.follow_up import reference_roll_up, shown
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.follow_up.rollup import (
    Goal,
    Goalpost,
    GoalStatus,
    Indicator,
    Reports,
    Rollup,
    RollupError,
    Rule,
    UnitId,
    UnitTree,
    UnitWeights,
    judge_goals,
    roll_up,
)

D = Decimal

# The organization (1) has two regions: North (2) with branches 4 and 5, South (3) with
# branches 6, 7 and 8. The branches report.
PARENTS: dict[UnitId, UnitId | None] = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3}
TREE = UnitTree.of(PARENTS)
BRANCHES = (4, 5, 6, 7, 8)


def rolled(
    indicator: Indicator,
    values: dict[tuple[UnitId, int], Decimal],
    expected: tuple[UnitId, ...] = BRANCHES,
    targets: dict[tuple[UnitId, int], Goalpost] | None = None,
    periods: int = 2,
) -> Rollup:
    return roll_up(TREE, periods, [Reports.of(indicator, expected, values, targets)])


def rolled_together(values: dict[tuple[UnitId, int], Decimal], *indicators: Indicator) -> Rollup:
    """Several indicators over one period, each with the same figures from the branches."""
    return roll_up(TREE, 1, [Reports.of(indicator, BRANCHES, values) for indicator in indicators])


# --- hand-computed figures --------------------------------------------------------------------


def test_a_falling_indicator_progresses_as_it_falls() -> None:
    # Unemployment, in percent with one place, to come down from 10.0 to 6.0; branch 7 is late.
    unemployment = Indicator(1, Rule.MEAN, Goalpost.down(D("10.0"), D("6.0")), scale=1)
    figures = rolled(
        unemployment, {(4, 0): D("9.0"), (5, 0): D("8.0"), (6, 0): D("7.0"), (8, 0): D("10.0")}
    )
    root = figures.figures(1, 1, 0)
    # (9 + 8 + 7 + 10) / 4 = 8.5: two fifths of the way from 10 to 6 would be 8.4.
    assert root.value == D("8.500")
    assert (root.reported, root.expected) == (4, 5)
    assert root.progress == D("0.3750")  # (10 − 8.5) / (10 − 6)
    assert root.on_target is False
    south = figures.figures(1, 3, 0)
    assert (south.value, south.reported, south.expected) == (D("8.500"), 2, 3)
    assert figures.figures(1, 6, 0).progress == D("0.7500")  # (10 − 7) / 4
    assert figures.figures(1, 8, 0).progress == D("0.0000")  # still at the baseline
    assert figures.progress(1, 1, 0) == Fraction(3, 8)


def test_a_falling_indicator_past_its_target_is_on_target_and_clamped() -> None:
    unemployment = Indicator(1, Rule.MEAN, Goalpost.down(D("10.0"), D("6.0")), scale=1)
    figures = rolled(unemployment, {(4, 0): D("5.5"), (5, 0): D("12.0")})
    assert figures.figures(1, 4, 0).progress == D("1.0000")
    assert figures.figures(1, 4, 0).on_target is True
    assert figures.figures(1, 5, 0).progress == D("0.0000")  # worse than the baseline
    assert figures.figures(1, 5, 0).on_target is False


def test_a_missing_report_is_not_counted_as_zero() -> None:
    flats = Indicator(2, Rule.SUM, Goalpost.up(D(0), D(1000)))
    average = Indicator(3, Rule.MEAN, Goalpost.up(D(0), D(200)))
    figures = rolled_together({(4, 0): D(100), (5, 0): D(50), (7, 0): D(30)}, flats, average)
    assert figures.figures(2, 1, 0).value == D(180)
    assert (figures.figures(2, 1, 0).reported, figures.figures(2, 1, 0).expected) == (3, 5)
    assert figures.figures(2, 1, 0).progress == D("0.1800")
    # Over the three that reported, not the five expected: 60, not 36.
    assert figures.figures(3, 1, 0).value == D("60.00")
    assert figures.figures(3, 3, 0).value == D("30.00")  # South: 7 alone, not (0 + 30 + 0) / 3


def test_a_subtree_where_nobody_reported_has_no_value_only_coverage() -> None:
    flats = Indicator(2, Rule.SUM, Goalpost.up(D(0), D(1000)))
    south = rolled(flats, {(4, 0): D(100)}).figures(2, 3, 0)
    assert south.value is None
    assert (south.reported, south.expected) == (0, 3)
    assert south.progress is None and south.on_target is None


def test_a_sum_has_progress_where_a_target_is_given() -> None:
    # The whole's target (1,000) is not a region's: North has its own for period 0 only.
    flats = Indicator(2, Rule.SUM, Goalpost.up(D(0), D(1000)))
    figures = rolled(
        flats,
        {(4, 0): D(100), (5, 0): D(50), (4, 1): D(300)},
        targets={(2, 0): Goalpost.up(D(0), D(200))},
    )
    assert figures.figures(2, 2, 0).progress == D("0.7500")  # 150 of 200
    assert figures.figures(2, 2, 1).progress is None  # no target of its own for period 1
    assert figures.figures(2, 4, 0).progress is None
    assert figures.figures(2, 1, 1).progress == D("0.3000")  # 300 of the whole's 1,000


def test_a_weighted_mean_weighs_each_unit() -> None:
    # The share of members under 30, by branch, weighted by membership.
    members = UnitWeights.of({4: D(1000), 5: D(3000), 6: D(500), 7: D(500), 8: D("0.5")})
    young = Indicator(4, Rule.WEIGHTED_MEAN, Goalpost.up(D(10), D(30)), weights=members)
    figures = rolled(young, {(4, 0): D(10), (5, 0): D(20), (8, 0): D(40)})
    # (1000·10 + 3000·20) / 4000 = 17.5; the root adds 0.5·40: 70020 / 4000.5.
    assert figures.figures(4, 2, 0).value == D("17.50")
    assert figures.value(4, 1, 0) == Fraction(700_200, 40_005)
    assert figures.figures(4, 1, 0).value == D("17.50")  # 17.5028…
    assert figures.figures(4, 2, 0).progress == D("0.3750")  # (17.5 − 10) / 20


def test_latest_carries_the_most_recent_report_forward() -> None:
    members = Indicator(5, Rule.LATEST, Goalpost.up(D(100), D(200)))
    figures = rolled(
        members,
        {(4, 0): D(120), (5, 0): D(130), (5, 1): D(150), (6, 0): D(140)},
        periods=3,
    )
    # Period 0: three reports at once; the nearest the top wins, then the lowest id: branch 4.
    assert figures.figures(5, 1, 0).value == D(120)
    assert figures.figures(5, 1, 1).value == figures.figures(5, 2, 1).value == D(150)
    # Period 2: nobody reported; the value of period 1 stands, with its coverage of none.
    root = figures.figures(5, 1, 2)
    assert (root.value, root.value_period, root.reported, root.expected) == (D(150), 1, 0, 5)
    assert root.progress == D("0.5000")
    south = figures.figures(5, 3, 2)
    assert (south.value, south.value_period) == (D(140), 0)
    assert figures.figures(5, 7, 2).value is None


def test_latest_prefers_a_report_nearer_the_node() -> None:
    # The region reports for itself as well as through its branches.
    members = Indicator(5, Rule.LATEST, Goalpost.up(D(100), D(200)))
    figures = rolled(members, {(5, 0): D(130), (2, 0): D(125)}, expected=(2, *BRANCHES))
    assert figures.figures(5, 1, 0).value == D(125)
    assert figures.figures(5, 5, 0).value == D(130)


def test_share_of_units_on_target() -> None:
    # A collective agreement in every branch: a milestone, 80 % of branches needed.
    agreement = Indicator(6, Rule.SHARE_ON_TARGET, Goalpost.milestone(), share_needed=D("0.8"))
    figures = rolled(agreement, {(4, 0): D(1), (5, 0): D(0), (6, 0): D(1), (7, 0): D(1)})
    root = figures.figures(6, 1, 0)
    assert root.value == D("0.7500")  # 3 of the 4 that reported; branch 8 is not counted
    assert (root.reported, root.expected) == (4, 5)
    assert root.progress == D("0.9375")  # 0.75 / 0.8
    assert root.on_target is False
    south = figures.figures(6, 3, 0)
    assert (south.value, south.progress, south.on_target) == (D("1.0000"), D("1.0000"), True)
    assert figures.figures(6, 5, 0).value == D("0.0000")
    # A share needed with many places is compared exactly: 3/4 is just above it.
    exacting = Indicator(
        6, Rule.SHARE_ON_TARGET, Goalpost.milestone(), share_needed=D("0.7499999999999999999999")
    )
    strict = rolled(exacting, {(4, 0): D(1), (5, 0): D(0), (6, 0): D(1), (7, 0): D(1)})
    assert (strict.figures(6, 1, 0).progress, strict.figures(6, 1, 0).on_target) == (D(1), True)


def test_milestone_progress_is_all_or_nothing() -> None:
    signed = Indicator(7, Rule.MIN, Goalpost.milestone())
    figures = rolled(signed, {(4, 0): D(1), (5, 0): D(0), (6, 0): D(1)})
    assert figures.figures(7, 4, 0).progress == D(1)
    assert figures.figures(7, 5, 0).progress == D(0)
    assert figures.figures(7, 2, 0).progress == D(0)  # the minimum: not everywhere yet
    assert figures.figures(7, 3, 0).on_target is True


@pytest.mark.parametrize(
    ("value", "progress", "on_target"),
    [
        ("3", "1", True),  # inside the band
        ("2", "1", True),  # on its edge
        ("5", "0.75", False),  # 1 above the band, where the baseline was 4 above
        ("8", "0", False),  # at the baseline
        ("9", "0", False),  # worse
        ("1", "0.75", False),  # overshot: 1 below the band
    ],
)
def test_a_band_measures_the_distance_closed(value: str, progress: str, on_target: bool) -> None:
    inflation = Indicator(8, Rule.MAX, Goalpost.within(D(8), D(2), D(4)))
    figures = rolled(inflation, {(4, 0): D(value)}).figures(8, 4, 0)
    assert (figures.progress, figures.on_target) == (D(progress), on_target)


def test_a_band_that_starts_on_target_is_all_inside_and_nothing_outside() -> None:
    inflation = Indicator(8, Rule.MAX, Goalpost.within(D(3), D(2), D(4)), scale=1)
    figures = rolled(inflation, {(4, 0): D("2.5"), (5, 0): D(5)})
    assert figures.figures(8, 4, 0).progress == D(1)
    assert figures.figures(8, 5, 0).progress == D(0)


def test_min_and_max_with_their_progress() -> None:
    low = Indicator(9, Rule.MIN, Goalpost.up(D(0), D(100)))
    high = Indicator(10, Rule.MAX, Goalpost.up(D(0), D(100)))
    figures = rolled_together({(4, 0): D(40), (5, 0): D(90), (6, 0): D(120)}, low, high)
    assert (figures.figures(9, 1, 0).value, figures.figures(9, 1, 0).progress) == (D(40), D("0.4"))
    assert (figures.figures(10, 2, 0).value, figures.figures(10, 1, 0).value) == (D(90), D(120))
    assert figures.figures(10, 1, 0).on_target is True


def test_values_with_more_places_than_the_scale_are_refused() -> None:
    unemployment = Indicator(1, Rule.MEAN, Goalpost.down(D("10.0"), D("6.0")), scale=1)
    with pytest.raises(
        RollupError,
        match=r"unit 4's value for period 0 is 9.25, with more than the 1 decimal places",
    ):
        Reports.of(unemployment, BRANCHES, {(4, 0): D("9.25")})
    # Trailing zeros are not places kept.
    assert rolled(unemployment, {(4, 0): D("9.500")}).figures(1, 4, 0).value == D("9.500")


@pytest.mark.parametrize(
    ("values", "expected", "message"),
    [
        ({(2, 0): D(1)}, BRANCHES, "unit 2 reported on indicator 2 but is not expected to"),
        ({(9, 0): D(1)}, BRANCHES, "names unit 9, which is not in the unit tree"),
        ({(4, 2): D(1)}, BRANCHES, "is for period 2, outside periods 0 to 1"),
        ({}, (4, 99), "units expected to report names unit 99"),
    ],
)
def test_reports_that_do_not_fit_the_tree_are_refused(
    values: dict[tuple[UnitId, int], Decimal], expected: tuple[UnitId, ...], message: str
) -> None:
    flats = Indicator(2, Rule.SUM, Goalpost.up(D(0), D(1000)))
    with pytest.raises(RollupError, match=message):
        rolled(flats, values, expected=expected)


def test_a_unit_reporting_twice_for_a_period_is_refused() -> None:
    flats = Indicator(2, Rule.SUM, Goalpost.up(D(0), D(1000)))
    twice = Reports(
        flats,
        expected=np.array(BRANCHES),
        unit=np.array([4, 5, 4]),
        period=np.array([0, 0, 0]),
        value=np.array([1, 2, 3]),
    )
    with pytest.raises(RollupError, match="unit 4 reported twice on indicator 2 for period 0"):
        roll_up(TREE, 1, [twice])


def test_a_weighted_mean_needs_a_weight_for_every_unit_expected() -> None:
    young = Indicator(
        4, Rule.WEIGHTED_MEAN, Goalpost.up(D(10), D(30)), weights=UnitWeights.of({4: D(1)})
    )
    with pytest.raises(
        RollupError,
        match="unit 5 is expected to report on indicator 4, a weighted mean, but has no weight",
    ):
        rolled(young, {(4, 0): D(10)})
    with pytest.raises(RollupError, match="weights must be above zero"):
        UnitWeights.of({4: D(0)})


@pytest.mark.parametrize(
    ("parents", "message"),
    [
        ({1: None, 2: 3}, "unit 2's parent 3 is not among the units"),
        ({1: None, 2: 3, 3: 2}, "units 2, 3 cannot be reached from a root"),
        ({1: 1}, "units 1 cannot be reached from a root"),
        ({}, "at least one unit"),
    ],
)
def test_a_tree_that_is_not_a_tree_is_refused(
    parents: dict[UnitId, UnitId | None], message: str
) -> None:
    with pytest.raises(RollupError, match=message):
        UnitTree.of(parents)


def test_the_tree_is_put_in_level_order_with_siblings_side_by_side() -> None:
    tree = UnitTree.of({8: 3, 3: 1, 7: 3, 1: None, 2: 1, 5: 2, 4: 2, 6: 3})
    assert tree.ids.tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert tree.parents() == PARENTS
    assert sorted(tree.ids[tree.subtree(3)].tolist()) == [3, 6, 7, 8]
    assert tree.ids[tree.subtree(5)].tolist() == [5]


# --- goals ------------------------------------------------------------------------------------

START, DUE = date(2026, 1, 1), date(2026, 12, 31)


def goal(
    id: int,
    parent: int | None = None,
    weight: Decimal = Decimal(1),
    indicators: tuple[int, ...] = (),
    decided_status: GoalStatus | None = None,
) -> Goal:
    return Goal(id, START, DUE, parent, weight, indicators, decided_status)


def goal_rollup() -> Rollup:
    unemployment = Indicator(1, Rule.MEAN, Goalpost.down(D("10.0"), D("6.0")), scale=1)
    flats = Indicator(2, Rule.SUM, Goalpost.up(D(0), D(1000)))
    return roll_up(
        TREE,
        1,
        [
            Reports.of(unemployment, BRANCHES, {(4, 0): D("9.0"), (5, 0): D("8.0")}),
            Reports.of(flats, BRANCHES, {(4, 0): D(600), (6, 0): D(300)}),
        ],
    )


def test_goal_progress_is_the_weighted_mean_of_its_sub_goals() -> None:
    goals = [
        goal(1),
        goal(2, parent=1, weight=D(2), indicators=(1,)),  # 0.375
        goal(3, parent=1, indicators=(2,)),  # 900 of 1,000
        goal(4, parent=1, indicators=(1, 2)),  # (0.375 + 0.9) / 2
    ]
    judged = judge_goals(goals, goal_rollup(), {}, unit=1, period=0, as_of=date(2026, 7, 2))
    assert judged[4].progress == D("0.6375")
    # (2 × 0.375 + 0.9 + 0.6375) / 4 = 0.571875
    assert judged[1].progress == D("0.5719")
    assert judged[1].status is None  # nobody reported a status: not reported, not the worst
    # 182 of 364 days gone: half the way by the straight line.
    assert judged[1].expected_progress == D("0.5000")
    assert judged[1].lagging is False
    assert judged[2].lagging is True


def test_goal_status_is_the_worst_reported_below_unless_the_body_decided() -> None:
    goals = [
        goal(1),
        goal(2, parent=1, indicators=(1,)),
        goal(3, parent=1, indicators=(2,)),
        goal(4, parent=1, indicators=(2,), decided_status=GoalStatus.DROPPED),
        goal(5, decided_status=GoalStatus.DONE),
    ]
    statuses = {
        (2, 4, 0): GoalStatus.ON_TRACK,
        (2, 5, 0): GoalStatus.AT_RISK,
        (3, 6, 0): GoalStatus.DONE,
        (3, 7, 0): GoalStatus.OFF_TRACK,  # of another period, below
        (4, 4, 0): GoalStatus.OFF_TRACK,  # dropped by the body: set aside
    }
    statuses[3, 7, 1] = statuses.pop((3, 7, 0))
    judged = judge_goals(goals, goal_rollup(), statuses, unit=1, period=0, as_of=DUE)
    assert judged[2].status is GoalStatus.AT_RISK
    assert judged[3].status is GoalStatus.DONE
    assert judged[4].status is GoalStatus.DROPPED
    assert judged[1].status is GoalStatus.AT_RISK
    assert judged[4].lagging is None
    assert judged[3].lagging is False  # done, though 0.9 is behind the line's 1
    assert judged[2].lagging is True
    # The dropped goal's progress does not count: (0.375 + 0.9) / 2.
    assert judged[1].progress == D("0.6375")
    assert judged[5].status is GoalStatus.DONE and judged[5].progress is None
    # At North, only branches 4 and 5 speak.
    north = judge_goals(goals, goal_rollup(), statuses, unit=2, period=0, as_of=DUE)
    assert north[3].status is None and north[3].progress is None


def test_a_goals_indicators_count_by_their_weights() -> None:
    # Unemployment at 0.375 weighs three times the flats' 0.9: (3 × 0.375 + 0.9) / 4.
    weighted = Goal(1, START, DUE, indicators=(1, 2), indicator_weights=(D(3), D(1)))
    judged = judge_goals([weighted], goal_rollup(), {}, unit=1, period=0, as_of=DUE)
    assert judged[1].progress == D("0.5063")
    with pytest.raises(RollupError, match="has 2 indicators but 1 indicator weights"):
        Goal(1, START, DUE, indicators=(1, 2), indicator_weights=(D(3),))
    with pytest.raises(RollupError, match="indicator weights must be above zero"):
        Goal(1, START, DUE, indicators=(1,), indicator_weights=(D(0),))


def test_goals_that_are_not_a_tree_are_refused() -> None:
    with pytest.raises(RollupError, match="goal 2's parent 9 is not among the goals"):
        judge_goals([goal(2, parent=9)], goal_rollup(), {}, unit=1, period=0, as_of=DUE)
    with pytest.raises(RollupError, match="goals 1, 2 cannot be reached from a top goal"):
        judge_goals(
            [goal(1, parent=2), goal(2, parent=1)], goal_rollup(), {}, unit=1, period=0, as_of=DUE
        )


# --- properties, on random trees --------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    parents: dict[UnitId, UnitId | None]
    periods: int
    reports: list[Reports]


ALL_RULES = st.sampled_from(Rule)


def decimal(number: int, magnitude: int, scale: int) -> Decimal:
    return Decimal(number * magnitude).scaleb(-scale)


@st.composite
def goalposts(draw: st.DrawFn, direction: str, magnitude: int, scale: int) -> Goalpost:
    numbers = draw(st.lists(st.integers(-300, 300), min_size=3, max_size=3))
    baseline, one_end, other_end = (decimal(n, magnitude, scale) for n in numbers)
    if direction == "within":
        return Goalpost.within(baseline, min(one_end, other_end), max(one_end, other_end))
    return (Goalpost.up if direction == "up" else Goalpost.down)(baseline, one_end)


@st.composite
def cases(draw: st.DrawFn, rules: st.SearchStrategy[Rule] = ALL_RULES) -> Case:
    """A random forest, with one to three indicators reported on by some of its units."""
    ids = draw(st.lists(st.integers(1, 60), min_size=1, max_size=10, unique=True))
    parents: dict[UnitId, UnitId | None] = {ids[0]: None}
    for n, unit in enumerate(ids[1:], start=1):
        above = draw(st.integers(-1, n - 1))  # -1: a root of its own
        parents[unit] = None if above < 0 else ids[above]
    periods = draw(st.integers(1, 3))
    expected = draw(st.lists(st.sampled_from(ids), unique=True))
    cells = st.tuples(st.sampled_from(ids), st.integers(0, periods - 1))
    reported_cells = st.tuples(st.sampled_from(expected or ids), st.integers(0, periods - 1))
    reports = []
    for number in range(draw(st.integers(1, 3))):
        # Now and then numbers beyond int64, so that the Python-int path is compared as well.
        magnitude = draw(st.sampled_from([1, 1, 1, 10**20]))
        scale = draw(st.integers(0, 2))
        direction = draw(st.sampled_from(["up", "down", "within"]))
        reported = draw(
            st.dictionaries(reported_cells, st.integers(-300, 300)) if expected else st.just({})
        )
        values = {cell: decimal(n, magnitude, scale) for cell, n in reported.items()}
        targets = draw(st.dictionaries(cells, goalposts(direction, magnitude, scale), max_size=4))
        weights = draw(
            st.lists(
                st.tuples(st.integers(1, 10**4), st.integers(0, 2)),
                min_size=len(expected),
                max_size=len(expected),
            )
        )
        indicator = Indicator(
            number + 1,
            draw(rules),
            draw(goalposts(direction, magnitude, scale)),
            scale=scale,
            weights=UnitWeights.of(
                {
                    unit: Decimal(weight).scaleb(-places)
                    for unit, (weight, places) in zip(expected, weights, strict=True)
                }
            ),
            share_needed=draw(st.sampled_from([D(1), D("0.5"), D("0.333")])),
        )
        reports.append(Reports.of(indicator, expected, values, targets))
    return Case(parents, periods, reports)


def every_figure(case: Case, rollup: Rollup) -> dict[tuple[int, UnitId, int], object]:
    return {
        (reports.indicator.id, unit, period): rollup.figures(reports.indicator.id, unit, period)
        for reports in case.reports
        for unit in case.parents
        for period in range(case.periods)
    }


@settings(max_examples=200, deadline=None)
@given(cases())
def test_the_engine_gives_exactly_the_figures_of_the_rules_as_written(case: Case) -> None:
    rollup = roll_up(UnitTree.of(case.parents), case.periods, case.reports)
    expected = reference_roll_up(case.parents, case.periods, case.reports)
    indicators = {reports.indicator.id: reports.indicator for reports in case.reports}
    for (indicator, unit, period), figures in expected.items():
        assert rollup.value(indicator, unit, period) == figures.value
        assert rollup.progress(indicator, unit, period) == figures.progress
        assert rollup.figures(indicator, unit, period) == shown(indicators[indicator], figures)


@settings(max_examples=100, deadline=None)
@given(cases(rules=st.just(Rule.SUM)))
def test_a_sum_is_the_sum_of_what_its_subtree_reported(case: Case) -> None:
    rollup = roll_up(UnitTree.of(case.parents), case.periods, case.reports)
    for reports in case.reports:
        totals: dict[tuple[UnitId, int], Fraction] = {}
        counts: dict[tuple[UnitId, int], int] = {}
        for unit, period, value in zip(
            reports.unit.tolist(), reports.period.tolist(), reports.value.tolist(), strict=True
        ):
            above: UnitId | None = unit
            while above is not None:
                totals[above, period] = totals.get((above, period), Fraction(0)) + Fraction(
                    value, 10**reports.indicator.scale
                )
                counts[above, period] = counts.get((above, period), 0) + 1
                above = case.parents[above]
        for unit in case.parents:
            for period in range(case.periods):
                assert rollup.value(reports.indicator.id, unit, period) == totals.get(
                    (unit, period)
                )
                assert rollup.figures(reports.indicator.id, unit, period).reported == counts.get(
                    (unit, period), 0
                )


@settings(max_examples=100, deadline=None)
@given(cases(rules=st.just(Rule.MEAN)))
def test_the_mean_lies_between_the_minimum_and_the_maximum(case: Case) -> None:
    same = [
        Reports(
            Indicator(
                reports.indicator.id * 10 + n,
                rule,
                reports.indicator.goalpost,
                reports.indicator.scale,
            ),
            reports.expected,
            reports.unit,
            reports.period,
            reports.value,
        )
        for reports in case.reports
        for n, rule in enumerate((Rule.MIN, Rule.MEAN, Rule.MAX))
    ]
    rollup = roll_up(UnitTree.of(case.parents), case.periods, same)
    for reports in case.reports:
        for unit in case.parents:
            for period in range(case.periods):
                low, mean, high = (
                    rollup.value(reports.indicator.id * 10 + n, unit, period) for n in range(3)
                )
                if mean is None:
                    assert low is None and high is None
                else:
                    assert low is not None and high is not None
                    assert low <= mean <= high


@settings(max_examples=100, deadline=None)
@given(cases())
def test_progress_stays_between_zero_and_one(case: Case) -> None:
    rollup = roll_up(UnitTree.of(case.parents), case.periods, case.reports)
    for reports in case.reports:
        for unit in case.parents:
            for period in range(case.periods):
                progress = rollup.progress(reports.indicator.id, unit, period)
                assert progress is None or 0 <= progress <= 1


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_the_order_units_and_reports_come_in_does_not_matter(
    case: Case, rng: random.Random
) -> None:
    rollup = roll_up(UnitTree.of(case.parents), case.periods, case.reports)
    units = list(case.parents)
    rng.shuffle(units)
    shuffled_reports = []
    for reports in case.reports:
        order = np.array(rng.sample(range(len(reports.unit)), len(reports.unit)), dtype=np.int64)
        shuffled_reports.append(
            Reports(
                reports.indicator,
                reports.expected[::-1].copy(),
                reports.unit[order],
                reports.period[order],
                reports.value[order],
                reports.targets,
            )
        )
    shuffled = Case({unit: case.parents[unit] for unit in units}, case.periods, shuffled_reports)
    again = roll_up(UnitTree.of(shuffled.parents), case.periods, shuffled.reports)
    assert every_figure(shuffled, again) == every_figure(case, rollup)


def test_sums_beyond_int64_stay_exact() -> None:
    # 10 branches of 9.2 × 10^17 each: their sum needs more than 63 bits.
    parents: dict[UnitId, UnitId | None] = {1: None} | {unit: 1 for unit in range(2, 12)}
    huge = Indicator(11, Rule.SUM, Goalpost.up(D(0), D(10**19)))
    values = {(unit, 0): D(920_000_000_000_000_000) for unit in range(2, 12)}
    figures = roll_up(UnitTree.of(parents), 1, [Reports.of(huge, range(2, 12), values)])
    assert figures.figures(11, 1, 0).value == D(9_200_000_000_000_000_000)
    assert figures.figures(11, 1, 0).progress == D("0.9200")
