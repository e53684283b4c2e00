"""The follow-up machine's model (tests/web/test_follow_up_machine.py): what it made through
the API, and the figures it expects the roll-up to show, computed its own way from the
reports it had accepted.

The rule, as docs/api.md ("Figures: the roll-up, report cards and the interim summing-up")
and the docstring of ``veche.follow_up.rollup`` state it: only accepted and locked reports
count. An indicator's value at a node is its rule over the values reported by the units of
the node's subtree expected on it (its goal assigned to them, or a value reported on it in a
report of the cycle that counts): the sum, mean, minimum or maximum; the mean weighted by
the units' weights; the latest value, carried forward from an earlier period, the shallowest
unit's, then the lowest id's, where several reported in that period; or the share of units
on their own target. Its progress is how much of the baseline's distance from the band on
target the value has closed, from 0 to 1 (under a share: the share over the share needed).
The goalpost is the unit's own target for the period, else the indicator's, except that a
part of a sum has none but its own. A goal's progress is the weighted mean of its sub-goals'
(set-aside ones left out), or without sub-goals of its indicators'; its status the body's
verdict, else the worst of its parts'. Every figure is a ``Fraction`` until it is rounded,
half away from zero, to the places the API shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

#: A goal's statuses from worst to best; the set-aside ones count only when alone.
RANKED = ("off_track", "at_risk", "not_started", "on_track", "done")
SET_ASIDE = ("dropped", "superseded")
STATUSES = RANKED + SET_ASIDE
#: Statuses given without a reason are refused (docs/api.md).
REASON_NEEDED = frozenset(STATUSES) - {"not_started", "on_track"}
#: Report states whose figures count.
COUNTED = ("accepted", "locked")
#: The places the API shows: sums, minima and maxima; means; progress.
VALUE_PLACES, MEAN_PLACES, RATIO_PLACES = 4, 6, 4


def rounded(exact: Fraction, places: int) -> Decimal:
    """``exact`` to ``places`` places, half away from zero, as by hand."""
    scaled = abs(exact) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole if exact >= 0 else -whole).scaleb(-places)


@dataclass
class GoalModel:
    id: int
    parent: int | None
    weight: Decimal
    verdict: str | None = None
    #: unit → assignment id
    assigned: dict[int, int] = field(default_factory=dict)
    indicators: list[int] = field(default_factory=list)
    #: Whether a report (in any state) ever named a status for it.
    status_reported: bool = False


@dataclass
class IndicatorModel:
    id: int
    goal: int
    measure: str
    direction: str
    rule: str
    baseline: Decimal
    target: Decimal | None
    band: tuple[Decimal, Decimal] | None
    weight: Decimal
    share_needed: Decimal = Decimal(1)
    #: Each unit's weight in a weighted mean.
    weights: dict[int, Decimal] = field(default_factory=dict)
    #: (unit, period) → (target, the unit's own baseline or None)
    targets: dict[tuple[int, int], tuple[Decimal, Decimal | None]] = field(default_factory=dict)
    #: (unit, period) → the target's id
    target_ids: dict[tuple[int, int], int] = field(default_factory=dict)


def wrong_side_of_baseline(
    indicator: IndicatorModel, value: Decimal, baseline: Decimal | None
) -> bool:
    """Whether a unit's target lies against the way the indicator goes (holding steady does
    not), from the unit's own baseline or else the indicator's (a part of a sum: its own
    alone)."""
    start = baseline
    if start is None and indicator.rule != "sum":
        start = indicator.baseline
    if start is None or indicator.direction == "within":
        return False
    return value < start if indicator.direction == "up" else value > start


@dataclass
class ReportModel:
    id: int
    state: str = "draft"
    values: dict[int, Decimal] = field(default_factory=dict)
    statuses: dict[int, str] = field(default_factory=dict)
    narrative: str = ""


@dataclass(frozen=True)
class IndicatorFigure:
    value: Decimal | None
    #: The period the value comes from (an earlier one under ``latest``).
    value_period: int | None
    reported: int
    expected: int
    progress: Decimal | None
    on_target: bool | None


@dataclass(frozen=True)
class GoalFigure:
    progress: Decimal | None
    status: str | None
    reported: int
    expected: int


@dataclass
class FollowUpModel:
    """One run's world: its units (a tree of its own), its cycle's periods, its goals,
    indicators and reports."""

    #: unit → its parent (None: a top unit)
    parents: dict[int, int | None]
    #: period → state, in order
    periods: dict[int, str]
    goals: dict[int, GoalModel] = field(default_factory=dict)
    indicators: dict[int, IndicatorModel] = field(default_factory=dict)
    #: (period, unit) → its report
    reports: dict[tuple[int, int], ReportModel] = field(default_factory=dict)

    # --- the tree and who is expected ----------------------------------------------------

    def subtree(self, unit: int | None) -> set[int]:
        """The units at and below ``unit`` (None: the whole organization)."""
        if unit is None:
            return set(self.parents)
        found = {unit}
        grew = True
        while grew:
            more = {child for child, parent in self.parents.items() if parent in found}
            grew = not more <= found
            found |= more
        return found

    def children(self, unit: int) -> list[int]:
        return [child for child, parent in self.parents.items() if parent == unit]

    def below(self, goal: int) -> set[int]:
        """The goal and every goal under it."""
        found = {goal}
        grew = True
        while grew:
            more = {g.id for g in self.goals.values() if g.parent in found}
            grew = not more <= found
            found |= more
        return found

    def expected_on(self, indicator: IndicatorModel) -> set[int]:
        """Units its goal is assigned to, and those that reported on it in a report of the
        cycle that counts, whatever became of the assignment since."""
        reported = {
            unit
            for (_, unit), report in self.reports.items()
            if indicator.id in report.values and report.state in COUNTED
        }
        return set(self.goals[indicator.goal].assigned) | reported

    def counted(self, period: int) -> dict[int, ReportModel]:
        """Each unit's report of the period that counts."""
        return {
            unit: report
            for (at, unit), report in self.reports.items()
            if at == period and report.state in COUNTED
        }

    # --- indicators ----------------------------------------------------------------------

    def goalpost(
        self, indicator: IndicatorModel, unit: int | None, period: int
    ) -> tuple[Fraction, Fraction | None, Fraction | None] | None:
        """(baseline, low, high) of the band on target at the node, or None where a part of
        a sum has no target of its own."""
        own = None if unit is None else indicator.targets.get((unit, period))
        if own is None and indicator.rule == "sum" and unit is not None:
            return None  # a band too is the whole's, and no unit has a band of its own
        if indicator.band is not None:
            low, high = indicator.band
            return Fraction(indicator.baseline), Fraction(low), Fraction(high)
        if own is not None:
            target, baseline = own
            start = indicator.baseline if baseline is None else baseline
        else:
            assert indicator.target is not None
            target, start = indicator.target, indicator.baseline
        if indicator.direction == "up":
            return Fraction(start), Fraction(target), None
        return Fraction(start), None, Fraction(target)

    def indicator_exact(
        self, indicator: IndicatorModel, unit: int | None, period: int
    ) -> tuple[Fraction | None, int, int, Fraction | None, bool | None]:
        """The exact value, reported, expected, exact progress and on-target at the node."""
        expected = self.expected_on(indicator) & self.subtree(unit)
        reported = {
            reporter: Fraction(report.values[indicator.id])
            for reporter, report in self.counted(period).items()
            if reporter in expected and indicator.id in report.values
        }
        values = list(reported.values())
        if indicator.rule == "latest":
            value = self.latest(indicator, expected, period)
        elif not values:
            value = None
        elif indicator.rule == "share_on_target":
            on_target = [
                v for u, v in reported.items() if self.on_own_target(indicator, u, v, period)
            ]
            share = Fraction(len(on_target), len(values))
            needed = Fraction(indicator.share_needed)
            return (
                share,
                len(values),
                len(expected),
                min(share / needed, Fraction(1)),
                (share >= needed),
            )
        elif indicator.rule == "weighted_mean":
            weights = {u: Fraction(indicator.weights[u]) for u in reported}
            value = sum((weights[u] * v for u, v in reported.items()), Fraction(0)) / sum(
                weights.values()
            )
        else:
            value = {
                "sum": sum(values, Fraction(0)),
                "mean": sum(values, Fraction(0)) / max(len(values), 1),
                "min": min(values),
                "max": max(values),
            }[indicator.rule]
        if value is None:
            return None, len(values), len(expected), None, None
        post = self.goalpost(indicator, unit, period)
        if post is None:
            return value, len(values), len(expected), None, None
        progress = progress_against(value, post)
        return value, len(values), len(expected), progress, off(value, post) == 0

    def latest(self, indicator: IndicatorModel, expected: set[int], period: int) -> Fraction | None:
        """The most recent value at or before the period among ``expected``: of the same
        period, the shallowest unit's, then the lowest id's."""
        order = list(self.periods)
        for earlier in reversed(order[: order.index(period) + 1]):
            there = [
                (self.depth(u), u, Fraction(r.values[indicator.id]))
                for u, r in self.counted(earlier).items()
                if u in expected and indicator.id in r.values
            ]
            if there:
                return min(there)[2]
        return None

    def latest_period(self, indicator: IndicatorModel, unit: int | None, period: int) -> int | None:
        expected = self.expected_on(indicator) & self.subtree(unit)
        order = list(self.periods)
        for earlier in reversed(order[: order.index(period) + 1]):
            if any(
                u in expected and indicator.id in r.values for u, r in self.counted(earlier).items()
            ):
                return earlier
        return None

    def depth(self, unit: int) -> int:
        parent = self.parents[unit]
        return 0 if parent is None else 1 + self.depth(parent)

    def on_own_target(
        self, indicator: IndicatorModel, unit: int, value: Fraction, period: int
    ) -> bool:
        post = self.goalpost(indicator, unit, period)
        return post is not None and off(value, post) == 0

    def unweighted(self, unit: int | None) -> list[int]:
        """The weighted means of this run whose units expected in ``unit``'s subtree lack
        a weight: the roll-up there cannot be made (409). One no unit there is expected to
        report on needs no weight (test_a_weighted_mean_no_unit_reports_on_stops_no_roll_up)."""
        inside = self.subtree(unit)
        return [
            indicator.id
            for indicator in self.indicators.values()
            if indicator.rule == "weighted_mean"
            and (self.expected_on(indicator) & inside) - set(indicator.weights)
        ]

    def indicator_figure(
        self, indicator: IndicatorModel, unit: int | None, period: int
    ) -> IndicatorFigure:
        value, reported, expected, progress, on_target = self.indicator_exact(
            indicator, unit, period
        )
        places = MEAN_PLACES if indicator.rule.endswith("mean") else VALUE_PLACES
        if indicator.rule == "latest":
            source = self.latest_period(indicator, unit, period)
        else:
            source = None if value is None else period
        return IndicatorFigure(
            None if value is None else rounded(value, places),
            source,
            reported,
            expected,
            None if progress is None else rounded(progress, RATIO_PLACES),
            on_target,
        )

    # --- goals ---------------------------------------------------------------------------

    def goal_exact(
        self, goal: GoalModel, unit: int | None, period: int
    ) -> tuple[Fraction | None, str | None]:
        parts = [g for g in self.goals.values() if g.parent == goal.id]
        if parts:
            judged = [(*self.goal_exact(part, unit, period), part.weight) for part in parts]
            progress = weighted_mean(
                [(weight, p) for p, status, weight in judged if status not in SET_ASIDE]
            )
            status = worst([status for _, status, _ in judged])
        else:
            indicators = [self.indicators[i] for i in goal.indicators]
            progress = weighted_mean(
                [(i.weight, self.indicator_exact(i, unit, period)[3]) for i in indicators]
            )
            inside = self.subtree(unit)
            status = worst(
                [
                    report.statuses[goal.id]
                    for reporter, report in self.counted(period).items()
                    if reporter in inside and goal.id in report.statuses
                ]
            )
        return progress, goal.verdict or status

    def goal_figure(self, goal: GoalModel, unit: int | None, period: int) -> GoalFigure:
        progress, status = self.goal_exact(goal, unit, period)
        inside = self.subtree(unit)
        goals = self.below(goal.id)
        expected = {u for g in goals for u in self.goals[g].assigned} & inside
        measures = {i for g in goals for i in self.goals[g].indicators}
        reporters = {
            reporter
            for reporter, report in self.counted(period).items()
            if set(report.values) & measures or set(report.statuses) & goals
        }
        return GoalFigure(
            None if progress is None else rounded(progress, RATIO_PLACES),
            status,
            len(expected & reporters),
            len(expected),
        )


Goalpost = tuple[Fraction, Fraction | None, Fraction | None]


def off(value: Fraction, post: Goalpost) -> Fraction:
    """How far ``value`` is from the band on target."""
    _, low, high = post
    return max(
        Fraction(0),
        (low - value) if low is not None else Fraction(0),
        (value - high) if high is not None else Fraction(0),
    )


def progress_against(value: Fraction, post: Goalpost) -> Fraction:
    """How much of the baseline's distance from the band has been closed: 1 inside it, 0
    outside when the baseline was inside already."""
    if off(value, post) == 0:
        return Fraction(1)
    start = off(post[0], post)
    if start == 0:
        return Fraction(0)
    return min(Fraction(1), max(Fraction(0), 1 - off(value, post) / start))


def weighted_mean(parts: list[tuple[Decimal, Fraction | None]]) -> Fraction | None:
    counted = [(Fraction(weight), progress) for weight, progress in parts if progress is not None]
    if not counted:
        return None
    return sum((w * p for w, p in counted), Fraction(0)) / sum(w for w, _ in counted)


def worst(statuses: list[str | None]) -> str | None:
    known = [status for status in statuses if status is not None]
    ranked = [status for status in known if status in RANKED]
    if ranked:
        return min(ranked, key=RANKED.index)
    if known:
        return "dropped" if "dropped" in known else "superseded"
    return None
