"""The follow-up's figures as read from the database: a reporting cycle's accepted reports
rolled up the unit tree by ``veche.follow_up.rollup`` — each unit's figures per period with
their coverage, the goals' progress and status — for the API's roll-up, a unit's report card
and the interim summing-up.

**What counts.** A period's figures are those of its reports accepted or locked; a draft, a
report awaiting a decision and one returned are not counted. A unit that has not reported is
absent, never a zero: every figure says how many of the units expected reported ("3 of 4").
A unit is expected to report on an indicator when the indicator's goal is assigned to it (or
when it reported on it before the assignment was taken back).

**The tree.** The organization is the root above its top units (``ORGANIZATION``): its
figures are the whole's, and an indicator's own baseline and target are its goalpost there
(everywhere, for an indicator not rolled up by ``sum``). A unit's target for a period is its
own, from its own baseline or else the indicator's.

**Goals.** A goal is judged at the end of the period (``as_of``). Its progress is the weighted
mean of its sub-goals' (by their weights) or of its indicators' (by theirs). Its ``status`` is
the body's verdict where the body gave one, else the worst of its parts'; ``reported_status``
is what the units' reports alone say, shown beside the verdict. It lags when its progress is
behind the straight line from its start — the earliest baseline date of the indicators in its
subtree, else the cycle's first day — to its due date — its own, else the latest due or
target date below it, else the cycle's last day. It is overdue once its own due date has
passed unfulfilled. Its ``standing`` places it in one section of the summing-up.

**Reading.** One query each for the units, the periods, the resolutions, the targets, the
weights, the values, the statuses and the reports, and ``goal_tree``'s for the goals with their
indicators and assignments: the same number whatever the number of units, goals or reports.
Figures arrive as whole ten-thousandths (``FigureUnits``), straight into the engine's integer
arrays.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache, cached_property, partial
from itertools import chain

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from veche.errors import Conflict, InvalidInput
from veche.follow_up import rollup as engine
from veche.models import (
    IndicatorTarget,
    IndicatorWeight,
    Organization,
    ProgressReport,
    ReportGoalStatus,
    ReportingCycle,
    ReportingPeriod,
    ReportValue,
    Resolution,
    Unit,
)
from veche.models.follow_up import (
    FIGURE_PLACES,
    Direction,
    FigureUnits,
    GoalStatus,
    Measure,
    PeriodState,
    ReportState,
    RollupRule,
)
from veche.queries.follow_up import GoalFilter, GoalNode, IndicatorView, goal_tree
from veche.queries.journal_head import HeadMark, current_head

#: The whole organization's node in the tree: the parent of its top units (ids start at 1).
ORGANIZATION = 0
#: The states of the reports whose figures count.
COUNTED = (ReportState.ACCEPTED, ReportState.LOCKED)

_SET_ASIDE = frozenset({GoalStatus.DROPPED, GoalStatus.SUPERSEDED})
_BEHIND = frozenset({GoalStatus.AT_RISK, GoalStatus.OFF_TRACK})
_GOALPOSTS = {
    Direction.UP: engine.Goalpost.up,
    Direction.DOWN: engine.Goalpost.down,
}


class Standing(enum.StrEnum):
    """Where a goal stands at the end of a period: the summing-up's sections."""

    FULFILLED = "fulfilled"  # done
    ON_TRACK = "on_track"
    LAGGING = "lagging"  # behind its straight line, or reported at risk or off track
    OVERDUE = "overdue"  # its due date passed, not done
    NOT_REPORTED = "not_reported"  # nothing reported on it yet
    #: Reported on, but with neither a status nor a target to judge the figures by (a part of
    #: a sum without a target of its own); never so for the whole organization, where every
    #: indicator has its own target.
    UNMEASURED = "unmeasured"
    SET_ASIDE = "set_aside"  # dropped or superseded


def standing(
    status: GoalStatus | None,
    progress: Decimal | None,
    lagging: bool | None,
    due_on: date | None,
    as_of: date,
    reported: int,
) -> Standing:
    if status in _SET_ASIDE:
        return Standing.SET_ASIDE
    if status is GoalStatus.DONE:
        return Standing.FULFILLED
    if due_on is not None and due_on < as_of:
        return Standing.OVERDUE
    if status is None and progress is None:
        return Standing.UNMEASURED if reported else Standing.NOT_REPORTED
    if lagging or status in _BEHIND:
        return Standing.LAGGING
    return Standing.ON_TRACK


# --- what the API answers ------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorFigures:
    """An indicator at a unit (its whole subtree) for a period, beside its goalpost there."""

    id: int
    goal_id: int
    number: int
    name: str
    measure: Measure
    unit_label: str
    direction: Direction
    rollup: RollupRule
    #: None: no unit of the subtree has reported (by this period, under ``latest``).
    value: Decimal | None
    #: The period the value was reported in: an earlier one under ``latest``.
    value_period_id: int | None
    #: Units of the subtree that reported on it this period, of those expected to.
    reported: int
    expected: int
    #: The goalpost here: a baseline and a target (a share of units on target under
    #: ``share_on_target``), or a band; none for a part of a sum without a target of its own.
    baseline: Decimal | None
    target: Decimal | None
    band_low: Decimal | None
    band_high: Decimal | None
    progress: Decimal | None
    on_target: bool | None


@dataclass(frozen=True)
class GoalRollup:
    """A goal at a unit (its whole subtree) for a period."""

    id: int
    resolution_id: int
    parent_id: int | None
    path: str
    depth: int
    title: str
    #: Its own due date (``overdue`` past it); the straight line may end at one below it.
    due_on: date | None
    progress: Decimal | None
    #: Where the straight line from its start to its due date stands at the period's end.
    expected_progress: Decimal
    lagging: bool | None
    #: The body's verdict where given, else the worst of its parts' (None: nothing reported).
    status: GoalStatus | None
    #: What the units' reports alone say: the worst of its parts', verdicts aside.
    reported_status: GoalStatus | None
    verdict: GoalStatus | None
    verdict_reason: str
    standing: Standing
    #: Units of the subtree assigned it (or a goal below it), and those of them that reported
    #: on it (a value on its indicators or a status) this period.
    reported: int
    expected: int
    indicators: list[IndicatorFigures]


@dataclass(frozen=True)
class RollupView:
    """A cycle's goals at a unit (or the whole organization) for one of its periods."""

    cycle_id: int
    cycle: str
    period_id: int
    period: str
    period_state: PeriodState
    as_of: date
    unit_id: int | None  # None: the whole organization
    unit: str
    resolution_id: int | None  # None: every resolution's goals
    #: Units of the subtree expected to report on these goals, and those that did.
    reported: int
    expected: int
    goals: list[GoalRollup]


@dataclass(frozen=True)
class ReportCard(RollupView):
    """A unit's goals (those assigned to it or to a unit below it, with the goals above
    them), their figures over its subtree against its targets, and its own report."""

    #: The unit's own report for the period, as it stands (None: none yet).
    report_state: ReportState | None = None


# --- what is read once for a cycle ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Targets:
    """An indicator's targets per unit and period, in whole ten-thousandths, each from the
    unit's own baseline or else the indicator's."""

    unit: engine.IntArray
    period: engine.IntArray
    baseline: engine.IntArray
    value: engine.IntArray

    @classmethod
    def of(cls, indicator: IndicatorView, rows: engine.IntArray) -> _Targets:
        """From the rows read: indicator, unit, period, value, no baseline, baseline."""
        default = int(indicator.baseline_value.scaleb(FIGURE_PLACES))
        return cls(
            rows[:, 1], rows[:, 2], np.where(rows[:, 4] == 1, default, rows[:, 5]), rows[:, 3]
        )


@dataclass(frozen=True, eq=False)
class CycleFigures:
    """A cycle's goals and reports as read, rolled up: what every view is made from."""

    organization: Organization
    cycle: ReportingCycle
    periods: list[ReportingPeriod]
    resolution_id: int | None
    unit_names: dict[int, str]
    unit_parents: dict[int, int]  # ORGANIZATION above the top units
    goals: list[GoalNode]  # in tree order
    resolutions: dict[int, tuple[int, str]]  # number and title, by id
    below: dict[int, set[int]]  # each goal and the goals under it
    assigned: dict[int, set[int]]  # the units each goal is assigned to
    tree: engine.UnitTree
    rollup: engine.Rollup
    judged: list[engine.Goal]  # with the body's verdicts
    reported_only: list[engine.Goal]  # without them
    statuses: dict[tuple[int, int, int], engine.GoalStatus]  # (goal, unit, period index)
    reasons: dict[tuple[int, int, int], str]
    #: Per period index: the goals each unit reported on (a value or a status).
    touched: list[dict[int, set[int]]]
    reports: dict[tuple[int, int], ReportState]  # (unit, period index): every report
    targets: dict[int, _Targets]

    def index(self, period: ReportingPeriod) -> int:
        for number, candidate in enumerate(self.periods):
            if candidate.id == period.id:
                return number
        raise InvalidInput(
            f"period {period.id} is not a period of reporting cycle {self.cycle.id}; name one "
            "of its periods"
        )

    def subtree(self, unit: int) -> set[int]:
        return set(self.tree.ids[self.tree.subtree(unit)].tolist())

    def expected_units(self, goal_id: int) -> set[int]:
        return self._expected_units[goal_id]

    @cached_property
    def _expected_units(self) -> dict[int, set[int]]:
        # Once per goal, not once per unit asked: the summing-up asks at every unit, and a
        # goal assigned to 10,000 units made that 10,000 × 10,000.
        return {
            goal_id: {unit for below in goals for unit in self.assigned.get(below, ())}
            for goal_id, goals in self.below.items()
        }


def load_cycle(
    session: Session,
    organization: Organization,
    cycle: ReportingCycle,
    *,
    resolution_id: int | None = None,
) -> CycleFigures:
    """The cycle's goals (of one resolution, or every one of the organization) with the
    figures reported on them, rolled up; a cycle with no periods yet is refused."""
    periods = list(
        session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.cycle_id == cycle.id)
            .order_by(ReportingPeriod.starts_on, ReportingPeriod.id)
        )
    )
    if not periods:
        raise InvalidInput(
            f"reporting cycle {cycle.name} has no periods yet: add a period before asking for "
            "its figures"
        )
    units = session.execute(
        select(Unit.id, Unit.parent_id, Unit.name).where(Unit.organization_id == organization.id)
    ).all()
    unit_names = {ORGANIZATION: organization.name} | {unit.id: unit.name for unit in units}
    parents = {unit.id: unit.parent_id or ORGANIZATION for unit in units}
    goals = goal_tree(session, organization.id, GoalFilter(resolution_id=resolution_id))
    resolutions = {
        row.id: (row.number, row.title)
        for row in session.execute(
            select(Resolution.id, Resolution.number, Resolution.title).where(
                Resolution.id.in_(sorted({goal.resolution_id for goal in goals}))
            )
        )
    }
    indicators = [indicator for goal in goals for indicator in goal.indicators]
    indicator_ids = sorted(indicator.id for indicator in indicators)
    period_ids = [period.id for period in periods]
    position = {period_id: number for number, period_id in enumerate(period_ids)}
    assigned: dict[int, set[int]] = {}
    for goal in goals:
        assigned[goal.id] = {assignment.unit_id for assignment in goal.assignments}

    values = _integer_rows(
        session,
        reported_values()
        .where(
            ProgressReport.period_id.in_(period_ids),
            ProgressReport.state.in_(COUNTED),
            ReportValue.indicator_id.in_(indicator_ids),
        )
        .order_by(ReportValue.indicator_id),
        4,
    )
    targets = _integer_rows(
        session,
        select(
            IndicatorTarget.indicator_id,
            IndicatorTarget.unit_id,
            IndicatorTarget.period_id,
            FigureUnits(IndicatorTarget.value),
            IndicatorTarget.baseline.is_(None),
            func.coalesce(FigureUnits(IndicatorTarget.baseline), 0),
        )
        .where(
            IndicatorTarget.period_id.in_(period_ids),
            IndicatorTarget.indicator_id.in_(indicator_ids),
        )
        .order_by(IndicatorTarget.indicator_id),
        6,
    )
    weights = _integer_rows(
        session,
        select(
            IndicatorWeight.indicator_id,
            IndicatorWeight.unit_id,
            FigureUnits(IndicatorWeight.weight),
        )
        .where(IndicatorWeight.indicator_id.in_(indicator_ids))
        .order_by(IndicatorWeight.indicator_id),
        3,
    )
    goal_ids = sorted(goal.id for goal in goals)
    status_rows = session.execute(
        select(
            ReportGoalStatus.goal_id,
            ProgressReport.unit_id,
            ProgressReport.period_id,
            ReportGoalStatus.status,
            ReportGoalStatus.reason,
        )
        .join(ProgressReport, ProgressReport.id == ReportGoalStatus.report_id)
        .where(
            ProgressReport.period_id.in_(period_ids),
            ProgressReport.state.in_(COUNTED),
            ReportGoalStatus.goal_id.in_(goal_ids),
        )
    ).all()
    reports = {
        (row.unit_id, position[row.period_id]): row.state
        for row in session.execute(
            select(ProgressReport.unit_id, ProgressReport.period_id, ProgressReport.state).where(
                ProgressReport.period_id.in_(period_ids)
            )
        )
    }

    # Period ids become the engine's period numbers.
    period_lookup = np.full(max(period_ids) + 1, -1, dtype=np.int64)
    period_lookup[period_ids] = np.arange(len(period_ids))
    for rows in (values, targets):
        rows[:, 2] = period_lookup[rows[:, 2]]

    touched: list[dict[int, set[int]]] = [{} for _ in periods]
    for goal_id, unit_id, period in _goals_reported(values, indicators):
        touched[period].setdefault(unit_id, set()).add(goal_id)
    statuses: dict[tuple[int, int, int], engine.GoalStatus] = {}
    reasons: dict[tuple[int, int, int], str] = {}
    for row in status_rows:
        key = (row.goal_id, row.unit_id, position[row.period_id])
        statuses[key] = engine.GoalStatus(row.status.value)
        reasons[key] = row.reason
        touched[key[2]].setdefault(row.unit_id, set()).add(row.goal_id)

    by_indicator = {
        name: _split(rows)
        for name, rows in (("values", values), ("targets", targets), ("weights", weights))
    }
    unit_targets = {
        indicator.id: _Targets.of(indicator, by_indicator["targets"][indicator.id])
        for indicator in indicators
        if indicator.id in by_indicator["targets"] and indicator.direction is not Direction.WITHIN
    }
    tree = engine.UnitTree.of({ORGANIZATION: None} | parents)
    empty = np.zeros((0, 4), dtype=np.int64)
    reports_in = []
    for indicator in indicators:
        reported = by_indicator["values"].get(indicator.id, empty)
        expected = assigned[indicator.goal_id] | set(reported[:, 1].tolist())
        reports_in.append(
            _engine_reports(
                indicator,
                expected,
                reported,
                unit_targets.get(indicator.id),
                by_indicator["weights"].get(indicator.id),
            )
        )
    try:
        rolled = engine.roll_up(tree, len(periods), reports_in)
        judged = _engine_goals(goals, periods[0].starts_on, periods[-1].ends_on)
    except engine.RollupError as error:
        raise Conflict(f"the figures of cycle {cycle.name} cannot be rolled up: {error}") from None
    return CycleFigures(
        organization=organization,
        cycle=cycle,
        periods=periods,
        resolution_id=resolution_id,
        unit_names=unit_names,
        unit_parents=parents,
        goals=goals,
        resolutions=resolutions,
        below=_goals_below(goals),
        assigned=assigned,
        tree=tree,
        rollup=rolled,
        judged=judged,
        reported_only=[replace(goal, decided_status=None) for goal in judged],
        statuses=statuses,
        reasons=reasons,
        touched=touched,
        reports=reports,
        targets=unit_targets,
    )


def reported_values() -> Select[int, int, int, int]:
    """Every reported value as (indicator, unit, period, the figure in ten-thousandths), for
    a caller to narrow down: the roll-up reads the accepted ones, the CSV export all."""
    return select(
        ReportValue.indicator_id,
        ProgressReport.unit_id,
        ProgressReport.period_id,
        FigureUnits(ReportValue.value),
    ).join(ProgressReport, ProgressReport.id == ReportValue.report_id)


def _integer_rows(session: Session, query: Executable, columns: int) -> engine.IntArray:
    """The rows of ``query``, every column a whole number, as one array."""
    # Through the connection: the session's way makes each row an ORM result first.
    rows = session.connection().execute(query).all()
    # Flattened first: numpy takes each row object apart slowly (seconds for a million).
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * columns)
    return flat.reshape(len(rows), columns)


def _goals_reported(
    values: engine.IntArray, indicators: Sequence[IndicatorView]
) -> list[tuple[int, int, int]]:
    """Each (goal, unit, period number) with a value reported, once however many of the
    goal's indicators the unit reported on; numpy finds them as single whole numbers (the
    three raveled into one), far faster than as rows."""
    goal_of = np.zeros(max((indicator.id for indicator in indicators), default=0) + 1, np.int64)
    for indicator in indicators:
        goal_of[indicator.id] = indicator.goal_id
    if not len(values):
        return []
    goals, units, periods = goal_of[values[:, 0]], values[:, 1], values[:, 2]
    shape = (int(goals.max()) + 1, int(units.max()) + 1, int(periods.max()) + 1)
    found = np.unravel_index(np.unique(np.ravel_multi_index((goals, units, periods), shape)), shape)
    return list(zip(*(axis.tolist() for axis in found), strict=True))


def _split(rows: engine.IntArray) -> dict[int, engine.IntArray]:
    """Rows sorted by their first column, by its value."""
    if not len(rows):
        return {}
    keys, starts = np.unique(rows[:, 0], return_index=True)
    ends = [*starts[1:].tolist(), len(rows)]
    return {
        int(key): rows[start:end]
        for key, start, end in zip(keys, starts.tolist(), ends, strict=True)
    }


def _engine_reports(
    indicator: IndicatorView,
    expected: set[int],
    values: engine.IntArray,
    targets: _Targets | None,
    weights: engine.IntArray | None,
) -> engine.Reports:
    """One indicator's reports, goalpost, targets and weights, as the engine takes them."""
    if indicator.direction is Direction.WITHIN:
        assert indicator.band_low is not None and indicator.band_high is not None
        goalpost = engine.Goalpost.within(
            indicator.baseline_value, indicator.band_low, indicator.band_high
        )
    else:
        assert indicator.target_value is not None
        goalpost = _GOALPOSTS[indicator.direction](indicator.baseline_value, indicator.target_value)
    unit_weights = None
    if weights is not None:
        unit_weights = engine.UnitWeights(weights[:, 1], weights[:, 2], FIGURE_PLACES)
    own = engine.Indicator(
        indicator.id,
        engine.Rule(indicator.rollup.value),
        goalpost,
        scale=FIGURE_PLACES,
        weights=unit_weights,
        share_needed=indicator.share_needed,
    )
    unit_targets = None
    if targets is not None:
        unit_targets = engine.UnitTargets(
            targets.unit, targets.period, targets.baseline, targets.value, targets.value
        )
    return engine.Reports(
        own,
        np.array(sorted(expected), dtype=np.int64),
        values[:, 1],
        values[:, 2],
        values[:, 3],
        unit_targets,
    )


def _goals_below(goals: Sequence[GoalNode]) -> dict[int, set[int]]:
    below = {goal.id: {goal.id} for goal in goals}
    for goal in reversed(goals):  # tree order reversed: every goal after the goals under it
        if goal.parent_id is not None:
            below[goal.parent_id] |= below[goal.id]
    return below


def _engine_goals(goals: Sequence[GoalNode], first: date, last: date) -> list[engine.Goal]:
    """The goals as the engine judges them, each with its start and due date (see above)."""
    earliest: dict[int, date | None] = {}
    latest: dict[int, date | None] = {}
    children: dict[int, list[int]] = {}
    for goal in goals:
        if goal.parent_id is not None:
            children.setdefault(goal.parent_id, []).append(goal.id)
    dates: dict[int, tuple[date, date]] = {}
    for goal in reversed(goals):
        parts = children.get(goal.id, [])
        starts = [i.baseline_on for i in goal.indicators] + [earliest[p] for p in parts]
        dues = [goal.due_on] + [i.target_on for i in goal.indicators] + [latest[p] for p in parts]
        earliest[goal.id] = min((day for day in starts if day is not None), default=None)
        latest[goal.id] = max((day for day in dues if day is not None), default=None)
        start = earliest[goal.id] or first
        due = goal.due_on or latest[goal.id] or last
        dates[goal.id] = (start, max(start, due))
    return [
        engine.Goal(
            goal.id,
            *dates[goal.id],
            parent=goal.parent_id,
            weight=goal.weight,
            indicators=tuple(indicator.id for indicator in goal.indicators),
            indicator_weights=tuple(indicator.weight for indicator in goal.indicators),
            decided_status=None if goal.status is None else engine.GoalStatus(goal.status.value),
        )
        for goal in goals
    ]


# --- views -------------------------------------------------------------------------------


def _decimal(units: int) -> Decimal:
    return Decimal(units).scaleb(-FIGURE_PLACES)


def _goalpost(
    figures: CycleFigures, indicator: IndicatorView, unit: int, period: int
) -> tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]:
    """The baseline, target and band of ``indicator`` at ``unit`` for ``period``."""
    if indicator.rollup is RollupRule.SHARE_ON_TARGET:
        return None, indicator.share_needed, None, None
    if indicator.direction is Direction.WITHIN:
        return indicator.baseline_value, None, indicator.band_low, indicator.band_high
    targets = figures.targets.get(indicator.id)
    if targets is not None:
        found = np.flatnonzero((targets.unit == unit) & (targets.period == period))
        if len(found):
            row = int(found[0])
            return (
                _decimal(int(targets.baseline[row])),
                _decimal(int(targets.value[row])),
                None,
                None,
            )
    if indicator.rollup is RollupRule.SUM and unit != ORGANIZATION:
        return None, None, None, None  # a part's target is not the whole's
    return indicator.baseline_value, indicator.target_value, None, None


def _indicator_figures(
    figures: CycleFigures, indicator: IndicatorView, unit: int, period: int
) -> IndicatorFigures:
    shown = figures.rollup.figures(indicator.id, unit, period)
    baseline, target, band_low, band_high = _goalpost(figures, indicator, unit, period)
    return IndicatorFigures(
        id=indicator.id,
        goal_id=indicator.goal_id,
        number=indicator.number,
        name=indicator.name,
        measure=indicator.measure,
        unit_label=indicator.unit_label,
        direction=indicator.direction,
        rollup=indicator.rollup,
        value=shown.value,
        value_period_id=(
            None if shown.value_period is None else figures.periods[shown.value_period].id
        ),
        reported=shown.reported,
        expected=shown.expected,
        baseline=baseline,
        target=target,
        band_low=band_low,
        band_high=band_high,
        progress=shown.progress,
        on_target=shown.on_target,
    )


def _model_status(status: engine.GoalStatus | None) -> GoalStatus | None:
    return None if status is None else GoalStatus(status.value)


def goals_at(figures: CycleFigures, unit: int, period: int) -> list[GoalRollup]:
    """Every goal at ``unit`` (its whole subtree) for the period numbered ``period``."""
    as_of = figures.periods[period].ends_on
    with_verdicts, reported = (
        engine.judge_goals(
            goals, figures.rollup, figures.statuses, unit=unit, period=period, as_of=as_of
        )
        for goals in (figures.judged, figures.reported_only)
    )
    inside = figures.subtree(unit)
    touched = figures.touched[period]
    found = []
    for goal in figures.goals:
        judged = with_verdicts[goal.id]
        status = _model_status(judged.status)
        expected = figures.expected_units(goal.id) & inside
        below = figures.below[goal.id]
        reported_here = sum(1 for member in expected if touched.get(member, set()) & below)
        progress, lagging = judged.progress, judged.lagging
        found.append(
            GoalRollup(
                id=goal.id,
                resolution_id=goal.resolution_id,
                parent_id=goal.parent_id,
                path=goal.path,
                depth=goal.depth,
                title=goal.title,
                due_on=goal.due_on,
                progress=progress,
                expected_progress=judged.expected_progress,
                lagging=lagging,
                status=status,
                reported_status=_model_status(reported[goal.id].status),
                verdict=goal.status,
                verdict_reason=goal.status_reason,
                standing=standing(status, progress, lagging, goal.due_on, as_of, reported_here),
                reported=reported_here,
                expected=len(expected),
                indicators=[
                    _indicator_figures(figures, indicator, unit, period)
                    for indicator in goal.indicators
                ],
            )
        )
    return found


def _expected_anywhere(figures: CycleFigures) -> set[int]:
    return {unit for units in figures.assigned.values() for unit in units}


def rollup_view(figures: CycleFigures, period: ReportingPeriod, unit_id: int | None) -> RollupView:
    """The goals at the unit (None: the whole organization) for the period."""
    number = figures.index(period)
    unit = ORGANIZATION if unit_id is None else unit_id
    expected = _expected_anywhere(figures) & figures.subtree(unit)
    return RollupView(
        cycle_id=figures.cycle.id,
        cycle=figures.cycle.name,
        period_id=period.id,
        period=period.name,
        period_state=period.state,
        as_of=period.ends_on,
        unit_id=unit_id,
        unit=figures.unit_names[unit],
        resolution_id=figures.resolution_id,
        reported=sum(1 for member in expected if figures.touched[number].get(member)),
        expected=len(expected),
        goals=goals_at(figures, unit, number),
    )


def report_card(figures: CycleFigures, period: ReportingPeriod, unit_id: int) -> ReportCard:
    """The unit's report card for the period: its goals and their figures over its subtree."""
    view = rollup_view(figures, period, unit_id)
    return ReportCard(
        **{**vars(view), "goals": [goal for goal in view.goals if goal.expected]},
        report_state=figures.reports.get((unit_id, figures.index(period))),
    )


# --- the interim summing-up ----------------------------------------------------------------


@dataclass(frozen=True)
class ReasonGiven:
    """A unit's status for a goal, with its reason: why a goal lags, in its own words."""

    unit: str
    status: GoalStatus
    reason: str


@dataclass(frozen=True)
class UnitNotReported:
    unit: str
    #: Its report as it stands (a draft, awaiting a decision, returned); None: none at all.
    state: ReportState | None


@dataclass(frozen=True)
class ResolutionGoals:
    id: int
    number: int
    title: str
    goals: list[GoalRollup]


@dataclass(frozen=True)
class HeatRow:
    """A unit and each goal at it, by the columns' goals; None where no unit of its subtree
    is assigned the goal."""

    unit_id: int
    unit: str
    depth: int
    cells: list[GoalRollup | None]


@dataclass(frozen=True)
class LeagueRow:
    """A unit assigned goals, by the mean progress of its goals over its subtree."""

    rank: int | None  # None: no progress measured
    unit: str
    progress: Decimal | None
    goals: int
    #: Of its goals, those fulfilled or on track.
    on_track: int
    report_state: ReportState | None


@dataclass(frozen=True)
class IndicatorSeries:
    """An indicator's figures for the whole organization, period by period to the one asked."""

    goal_path: str
    indicator: IndicatorFigures  # in the period asked
    periods: list[str]
    values: list[Decimal | None]
    reported: list[int]


@dataclass(frozen=True)
class SummingUpRecord:
    """What the interim summing-up states, for the whole organization at a period's end."""

    organization: str
    cycle: str
    period: ReportingPeriod
    previous_period: str | None
    now: RollupView
    #: The previous period's figures of each goal, by id (none in the first period).
    before: dict[int, GoalRollup]
    resolutions: list[ResolutionGoals]
    reasons: dict[int, list[ReasonGiven]]
    not_reported: list[UnitNotReported]
    heat_map: list[HeatRow]
    league: list[LeagueRow]
    charts: list[IndicatorSeries]
    head: HeadMark | None


def default_period(periods: Sequence[ReportingPeriod]) -> ReportingPeriod:
    """The period a summing-up is about when none is named: the latest that is no longer
    open (closed or frozen), else the first."""
    done = [period for period in periods if period.state is not PeriodState.OPEN]
    return done[-1] if done else periods[0]


def summing_up_record(
    session: Session, figures: CycleFigures, period: ReportingPeriod
) -> SummingUpRecord:
    number = figures.index(period)
    now = rollup_view(figures, period, None)
    before = (
        {goal.id: goal for goal in goals_at(figures, ORGANIZATION, number - 1)} if number else {}
    )
    head = current_head(session)
    # The heat map and the league ask at the same units: each unit's goals are judged once.
    at_unit = cache(partial(goals_at, figures, period=number))
    return SummingUpRecord(
        organization=figures.organization.name,
        cycle=figures.cycle.name,
        period=period,
        previous_period=figures.periods[number - 1].name if number else None,
        now=now,
        before=before,
        resolutions=[
            ResolutionGoals(
                resolution_id,
                *figures.resolutions[resolution_id],
                [goal for goal in now.goals if goal.resolution_id == resolution_id],
            )
            for resolution_id in sorted(
                figures.resolutions, key=lambda found: figures.resolutions[found][0]
            )
        ],
        reasons=_reasons(figures, number),
        not_reported=_not_reported(figures, number),
        heat_map=_heat_map(figures, at_unit),
        league=_league(figures, number, at_unit),
        charts=_charts(figures, now, number),
        head=None if head is None else HeadMark(*head, at_publication=False),
    )


def _by_name(figures: CycleFigures, units: Iterable[int]) -> list[int]:
    return sorted(units, key=lambda unit: (figures.unit_names[unit].casefold(), unit))


def _reasons(figures: CycleFigures, period: int) -> dict[int, list[ReasonGiven]]:
    """Each goal's reasons given with the statuses reported on it or on a goal under it."""
    given: dict[int, list[ReasonGiven]] = {}
    for (goal_id, unit, number), status in figures.statuses.items():
        reason = figures.reasons[goal_id, unit, number]
        if number == period and reason:
            given.setdefault(goal_id, []).append(
                ReasonGiven(figures.unit_names[unit], GoalStatus(status.value), reason)
            )
    found = {}
    for goal in figures.goals:
        below = [one for part in sorted(figures.below[goal.id]) for one in given.get(part, [])]
        if below:
            found[goal.id] = sorted(below, key=lambda one: one.unit.casefold())
    return found


def _not_reported(figures: CycleFigures, period: int) -> list[UnitNotReported]:
    touched = figures.touched[period]
    missing = [unit for unit in _expected_anywhere(figures) if not touched.get(unit)]
    return [
        UnitNotReported(figures.unit_names[unit], figures.reports.get((unit, period)))
        for unit in _by_name(figures, missing)
    ]


def _heat_map(figures: CycleFigures, at_unit: Callable[[int], list[GoalRollup]]) -> list[HeatRow]:
    """The units assigned goals, and the units above them, depth first by name."""
    shown: set[int] = set()
    for unit in _expected_anywhere(figures):
        while unit != ORGANIZATION and unit not in shown:
            shown.add(unit)
            unit = figures.unit_parents[unit]
    children: dict[int, list[int]] = {}
    for unit in shown:
        children.setdefault(figures.unit_parents[unit], []).append(unit)
    rows: list[HeatRow] = []
    waiting = [(unit, 0) for unit in reversed(_by_name(figures, children.get(ORGANIZATION, [])))]
    while waiting:
        unit, depth = waiting.pop()
        goals = at_unit(unit)
        rows.append(
            HeatRow(
                unit,
                figures.unit_names[unit],
                depth,
                [goal if goal.expected else None for goal in goals],
            )
        )
        waiting += [
            (child, depth + 1) for child in reversed(_by_name(figures, children.get(unit, [])))
        ]
    return rows


def _league(
    figures: CycleFigures, period: int, at_unit: Callable[[int], list[GoalRollup]]
) -> list[LeagueRow]:
    mine: dict[int, set[int]] = {}
    for goal_id, units in figures.assigned.items():
        for unit in units:
            mine.setdefault(unit, set()).add(goal_id)
    unranked = []
    for unit in _by_name(figures, mine):
        goals = [goal for goal in at_unit(unit) if goal.id in mine[unit]]
        measured = [Fraction(goal.progress) for goal in goals if goal.progress is not None]
        progress = (
            engine.rounded(sum(measured, Fraction(0)) / len(measured), engine.RATIO_PLACES)
            if measured
            else None
        )
        on_track = sum(
            1 for goal in goals if goal.standing in (Standing.FULFILLED, Standing.ON_TRACK)
        )
        unranked.append((unit, progress, len(goals), on_track, figures.reports.get((unit, period))))
    unranked.sort(key=lambda row: (row[1] is None, -(row[1] or 0)))
    league: list[LeagueRow] = []
    for place, (unit, progress, count, on_track, state) in enumerate(unranked, start=1):
        # Equal progress, equal rank: 1, 2, 2, 4.
        tied = league[-1].rank if league and league[-1].progress == progress else place
        league.append(
            LeagueRow(
                None if progress is None else tied,
                figures.unit_names[unit],
                progress,
                count,
                on_track,
                state,
            )
        )
    return league


def _charts(figures: CycleFigures, now: RollupView, period: int) -> list[IndicatorSeries]:
    series = []
    for goal in now.goals:
        for shown in goal.indicators:
            across = [
                figures.rollup.figures(shown.id, ORGANIZATION, number)
                for number in range(period + 1)
            ]
            series.append(
                IndicatorSeries(
                    goal.path,
                    shown,
                    [p.name for p in figures.periods[: period + 1]],
                    [figure.value for figure in across],
                    [figure.reported for figure in across],
                )
            )
    return series
