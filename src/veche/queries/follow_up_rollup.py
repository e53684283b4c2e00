"""The follow-up's views of a reporting cycle's figures (read and rolled up by
``queries/follow_up_cycle.py``): the API's roll-up, a unit's report card and the interim
summing-up — each unit's figures per period with their coverage, the goals' progress and
status.

**What counts.** A period's figures are those of its reports accepted or locked. A unit that
has not reported is absent, never a zero: every figure says how many of the units expected
reported ("3 of 4").

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

**The summing-up's units.** Its map of units against goals shows the units given goals and
the units above them, depth first; its league ranks the units given goals. Both are tables a
meeting reads, so at congress scale they stop at a level of the tree: the map shows the
levels from the top down while they fit in ``UNIT_ROWS`` rows, and when more than
``UNIT_ROWS`` units are given goals the league ranks the units of the deepest level the map
shows instead, each by the goals of its subtree. The units below are in their own report
cards, and the document says so.

**A frozen period's figures are final.** A period frozen with a record
(``queries/frozen_records.py``) has the goals its freeze recorded: ``goals_at`` reads them,
and every view takes them from it — the roll-up, the summing-up's goals, sections, tables,
charts and what changed, the public page and the desk. A record of the second format (every
freeze since 5 December 2026) holds the figures at every unit too, and the units reported
and expected, with the tree, the assignments and the reports of the freeze: ``load_cycle``
then reads nothing else and rolls nothing up (``CycleFigures.kept``), so a frozen period's
report cards, roll-up at a unit, summing-up map, league and units not reported are those of
its freeze, and a change that would refuse a roll-up now (a weighted mean's unit without a
weight) refuses only the periods computed now. So a later change of an indicator, a weight,
a baseline, a target, a direction, a due date, a verdict, the unit tree or an assignment
changes only the periods not frozen. A record that cannot be read is refused (409), never
replaced by figures computed now. A record of the first format holds the goals at the whole
organization alone: the rest of its period is computed now, as before; a period frozen before
records were kept (migration 0023) is computed from its values.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache, partial
from types import NoneType, UnionType
from typing import Any, get_args, get_origin, get_type_hints

import numpy as np
from sqlalchemy.orm import Session

from veche.follow_up import rollup as engine
from veche.models import ReportingPeriod
from veche.models.follow_up import (
    FIGURE_PLACES,
    Direction,
    GoalStatus,
    PeriodState,
    ReportState,
    RollupRule,
)
from veche.queries._views import view_of
from veche.queries.follow_up import IndicatorHeading, IndicatorView
from veche.queries.follow_up_cycle import COUNTED as COUNTED
from veche.queries.follow_up_cycle import (
    GOALS_RECORD,
    UNITS_RECORD,
    FrozenUnits,
    read_record,
    unreadable_record,
)
from veche.queries.follow_up_cycle import ORGANIZATION as ORGANIZATION
from veche.queries.follow_up_cycle import CycleFigures as CycleFigures
from veche.queries.follow_up_cycle import load_cycle as load_cycle
from veche.queries.follow_up_cycle import reported_values as reported_values
from veche.queries.journal_head import HeadMark, current_head

#: The most rows the summing-up's map of units and its league show (see above).
UNIT_ROWS = 300

_SET_ASIDE = frozenset({GoalStatus.DROPPED, GoalStatus.SUPERSEDED})
_BEHIND = frozenset({GoalStatus.AT_RISK, GoalStatus.OFF_TRACK})


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
class IndicatorFigures(IndicatorHeading):
    """An indicator at a unit (its whole subtree) for a period, beside its goalpost there."""

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


# --- the record of a frozen period ----------------------------------------------------------

#: The format a freeze writes its record in (``queries/frozen_records.py``); the first, of the
#: goals at the whole organization alone, is still read. A field added to the views later
#: makes a new format, read with a default for the records written before it.
RECORD_FORMAT = UNITS_RECORD
#: The columns of a unit's goal in a record of the second format, after the goal's id and
#: before its indicators' rows; the rest of the goal is the same at every unit, and read from
#: the goal at the whole organization.
GOAL_COLUMNS = (
    "progress",
    "expected_progress",
    "lagging",
    "status",
    "reported_status",
    "standing",
    "reported",
    "expected",
)
#: The columns of an indicator's row, after its id.
INDICATOR_COLUMNS = (
    "value",
    "value_period_id",
    "reported",
    "expected",
    "baseline",
    "target",
    "band_low",
    "band_high",
    "progress",
    "on_target",
)


def recorded_goals(text: str, resolution_id: int | None = None) -> list[GoalRollup]:
    """The goals at the whole organization a record holds, as the roll-up gave them (of one
    resolution, or all), whichever its format: its first line (the whole, in the first)."""
    record = json.loads(text.partition("\n")[0])
    if record["format"] not in (GOALS_RECORD, UNITS_RECORD):
        raise ValueError(f"a frozen record written as {record['format']!r}, not {RECORD_FORMAT!r}")
    goals = [_typed(GoalRollup, goal) for goal in record["goals"]]
    return [goal for goal in goals if resolution_id in (None, goal.resolution_id)]


@cache
def _field_types(kind: type) -> dict[str, Any]:
    hints = get_type_hints(kind)
    return {field.name: hints[field.name] for field in fields(kind)}


def _typed(kind: Any, raw: Any) -> Any:
    """``raw``, read from JSON, as the ``kind`` the view declares for it."""
    if raw is None:
        return None
    if isinstance(kind, UnionType):  # ``X | None``
        (kind,) = (arg for arg in get_args(kind) if arg is not NoneType)
    if get_origin(kind) is list:
        (item,) = get_args(kind)
        return [_typed(item, one) for one in raw]
    if isinstance(kind, type) and is_dataclass(kind):
        types = _field_types(kind)
        return kind(**{name: _typed(types[name], value) for name, value in raw.items()})
    if kind is date:
        return date.fromisoformat(raw)
    return kind(raw)  # a decimal from its string, an enum from its value, a number, a word


_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, ArithmeticError)


def goals_recorded(
    period: ReportingPeriod, text: str, resolution_id: int | None = None
) -> list[GoalRollup]:
    """The goals recorded at the freeze of ``period`` (of one resolution, or all). A record
    that cannot be read, or is another period's, was changed outside veche: refused (409),
    never replaced by figures computed now."""
    return _goals_of(period, read_record(period, text), resolution_id)


def _goals_of(
    period: ReportingPeriod, record: dict[str, Any], resolution_id: int | None
) -> list[GoalRollup]:
    try:
        goals = [_typed(GoalRollup, goal) for goal in record["goals"]]
    except _UNREADABLE:
        raise unreadable_record(period) from None
    return [goal for goal in goals if resolution_id in (None, goal.resolution_id)]


def _recorded_goals_at(
    figures: CycleFigures, period: int, record: dict[str, Any], *, with_indicators: bool
) -> list[GoalRollup]:
    """The goals recorded at the freeze of the period numbered ``period``: its figures at
    the whole organization, final."""
    goals = _goals_of(figures.periods[period], record, figures.resolution_id)
    # A resolution whose every goal was deleted since the freeze (they had nothing to keep
    # them) is no longer read with the cycle, to be named: its goals are left out.
    return [
        goal if with_indicators else replace(goal, indicators=[])
        for goal in goals
        if goal.resolution_id in figures.resolutions
    ]


def _kept_goals(frozen: FrozenUnits) -> dict[int, GoalRollup]:
    """The goals at the whole organization of a record of the second format, by id, read
    once: every unit's goals are these, with the unit's own figures."""
    if not frozen.typed:
        frozen.typed.update(
            (goal.id, goal) for goal in _goals_of(frozen.period, {"goals": frozen.goals}, None)
        )
    return frozen.typed


def _frozen_goals_at(
    figures: CycleFigures, frozen: FrozenUnits, unit: int, *, with_indicators: bool
) -> list[GoalRollup]:
    """The goals at ``unit`` as the record kept them at the freeze (none at a unit made since)."""
    if unit == ORGANIZATION:
        goals = list(_kept_goals(frozen).values())
        if not with_indicators:
            goals = [replace(goal, indicators=[]) for goal in goals]
    else:
        line = frozen.lines([unit]).get(unit)
        if line is None:
            return []
        try:
            goals = _unit_goals(frozen, line, with_indicators=with_indicators)
        except _UNREADABLE:
            raise unreadable_record(frozen.period) from None
    return [
        goal
        for goal in goals
        if goal.resolution_id in figures.resolutions
        and figures.resolution_id in (None, goal.resolution_id)
    ]


def _unit_goals(frozen: FrozenUnits, line: str, *, with_indicators: bool) -> list[GoalRollup]:
    kept = _kept_goals(frozen)
    _unit, rows = json.loads(line)
    goal_types, indicator_types = _field_types(GoalRollup), _field_types(IndicatorFigures)
    found = []
    for goal_id, *columns, indicator_rows in rows:
        goal = kept[goal_id]
        own = {
            name: _typed(goal_types[name], value)
            for name, value in zip(GOAL_COLUMNS, columns, strict=True)
        }
        indicators = []
        if with_indicators:
            by_id = {shown.id: shown for shown in goal.indicators}
            for indicator_id, *figures in indicator_rows:
                indicators.append(
                    replace(
                        by_id[indicator_id],
                        **{
                            name: _typed(indicator_types[name], value)
                            for name, value in zip(INDICATOR_COLUMNS, figures, strict=True)
                        },
                    )
                )
        found.append(replace(goal, **own, indicators=indicators))
    return found


def goal_row(goal: GoalRollup) -> list[Any]:
    """A goal at a unit as a record of the second format holds it: its id, its own figures
    (``GOAL_COLUMNS``) and its indicators' rows (``INDICATOR_COLUMNS``), as JSON writes them."""
    return [
        goal.id,
        *(getattr(goal, name) for name in GOAL_COLUMNS),
        [
            [shown.id, *(getattr(shown, name) for name in INDICATOR_COLUMNS)]
            for shown in goal.indicators
        ],
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
    return view_of(
        IndicatorFigures,
        indicator,
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


def goals_at(
    figures: CycleFigures, unit: int, period: int, *, with_indicators: bool = True
) -> list[GoalRollup]:
    """Every goal at ``unit`` (its whole subtree) for the period numbered ``period``; its
    indicators' figures left out when not ``with_indicators`` (a map of units and goals
    shows none, and at hundreds of units they are most of the work). At the whole
    organization — and at every unit, with a record of the second format — a period frozen
    with a record has the goals its freeze recorded: its figures are final, whatever changed
    since in the indicators, weights, targets or the unit tree."""
    if period in figures.frozen:
        return _frozen_goals_at(
            figures, figures.frozen[period], unit, with_indicators=with_indicators
        )
    record = figures.records.get(period) if unit == ORGANIZATION else None
    if record is not None:
        return _recorded_goals_at(figures, period, record, with_indicators=with_indicators)
    as_of = figures.periods[period].ends_on
    inside = figures.subtree(unit)
    # The statuses reported inside the subtree alone: a freeze judges every unit's goals.
    statuses = figures.statuses_inside(period, inside)
    with_verdicts = engine.judge_goals(
        figures.judged, figures.rollup, statuses, unit=unit, period=period, as_of=as_of
    )
    reported = with_verdicts
    if any(goal.decided_status is not None for goal in figures.judged):
        reported = engine.judge_goals(
            figures.reported_only, figures.rollup, statuses, unit=unit, period=period, as_of=as_of
        )
    found = []
    for goal in figures.goals:
        judged = with_verdicts[goal.id]
        status = _model_status(judged.status)
        expected = figures.expected_units(goal.id) & inside
        reported_here = len(expected & figures.goal_reporters(period, goal.id))
        progress, lagging = judged.progress, judged.lagging
        found.append(
            view_of(
                GoalRollup,
                goal,
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
                    if with_indicators
                ],
            )
        )
    return found


def rollup_view(figures: CycleFigures, period: ReportingPeriod, unit_id: int | None) -> RollupView:
    """The goals at the unit (None: the whole organization) for the period."""
    number = figures.index(period)
    unit = ORGANIZATION if unit_id is None else unit_id
    # A unit made after the freeze of the period read (the record's tree) expects none.
    in_subtree = (
        figures.units_given_goals & figures.subtree(unit)
        if unit == ORGANIZATION or unit in figures.unit_parents
        else set()
    )
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
        reported=len(in_subtree & figures.reporters(number)),
        expected=len(in_subtree),
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


#: Each earlier period's goals at the whole organization recorded at its freeze, by period id.
RecordedGoals = Mapping[int, Sequence[GoalRollup]]


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
    #: The deepest level of the tree the map shows (0: the top units); None: every level.
    heat_map_deepest: int | None
    #: The units the map leaves out, each in its own report card.
    left_out: int
    league: list[LeagueRow]
    #: The level of the tree the league ranks, each unit by its subtree's goals; None: it
    #: ranks the units given goals, each by its own.
    league_level: int | None
    charts: list[IndicatorSeries]
    head: HeadMark | None


def default_period(periods: Sequence[ReportingPeriod]) -> ReportingPeriod:
    """The period a summing-up is about when none is named: the latest that is no longer
    open (closed or frozen), else the first."""
    done = [period for period in periods if period.state is not PeriodState.OPEN]
    return done[-1] if done else periods[0]


def summing_up_record(
    session: Session,
    figures: CycleFigures,
    period: ReportingPeriod,
    recorded: RecordedGoals | None = None,
) -> SummingUpRecord:
    """The summing-up at the end of ``period``, its history (the charts' earlier points and
    the previous period's goals) from ``recorded`` where a period before it was recorded at
    its freeze, else from ``figures``, which must have read those periods whole."""
    recorded = recorded or {}
    history = figures.cycle_periods[: _place(figures.cycle_periods, period)]
    past = {
        one.id: (
            recorded[one.id]
            if one.id in recorded
            else goals_at(figures, ORGANIZATION, figures.index(one))
        )
        for one in history
    }
    number = figures.index(period)
    if number in figures.frozen:
        # Its units, their tree and their reports as its freeze kept them, with its figures.
        figures = figures.kept(number)
        number = 0
    now = rollup_view(figures, period, None)
    before = {goal.id: goal for goal in past[history[-1].id]} if history else {}
    head = current_head(session)
    # The heat map and the league ask at the same units: each unit's goals are judged once.
    at_unit = cache(partial(goals_at, figures, period=number, with_indicators=False))
    shown = _units_shown(figures)
    if number in figures.frozen:
        # The lines of the units shown (the league's are among them), in a few queries.
        figures.frozen[number].lines(unit for unit, _depth in shown.rows)
    league, league_level = _league(figures, number, shown, at_unit)
    return SummingUpRecord(
        organization=figures.organization.name,
        cycle=figures.cycle.name,
        period=period,
        previous_period=history[-1].name if history else None,
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
        heat_map=_heat_map(figures, shown, at_unit),
        heat_map_deepest=shown.deepest,
        left_out=shown.left_out,
        league=league,
        league_level=league_level,
        charts=_charts(now, history, past),
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
    missing = figures.units_given_goals - figures.reporters(period)
    return [
        UnitNotReported(figures.unit_names[unit], figures.reports.get((unit, period)))
        for unit in _by_name(figures, missing)
    ]


@dataclass(frozen=True)
class _UnitsShown:
    """The units the summing-up's map shows, depth first by name, with their depths, and
    those it leaves out (see the module's docstring)."""

    rows: list[tuple[int, int]]
    #: The deepest level shown (0 for the top units); None: every level.
    deepest: int | None
    left_out: int


def _units_shown(figures: CycleFigures) -> _UnitsShown:
    """The units given goals and the units above them, down to the deepest level that
    keeps the rows within ``UNIT_ROWS``."""
    shown: set[int] = set()
    for unit in figures.units_given_goals:
        while unit != ORGANIZATION and unit not in shown:
            shown.add(unit)
            unit = figures.unit_parents[unit]
    children: dict[int, list[int]] = {}
    for unit in shown:
        children.setdefault(figures.unit_parents[unit], []).append(unit)
    rows: list[tuple[int, int]] = []
    waiting = [(unit, 0) for unit in reversed(_by_name(figures, children.get(ORGANIZATION, [])))]
    while waiting:
        unit, depth = waiting.pop()
        rows.append((unit, depth))
        waiting += [
            (child, depth + 1) for child in reversed(_by_name(figures, children.get(unit, [])))
        ]
    if len(rows) <= UNIT_ROWS:
        return _UnitsShown(rows, None, 0)
    per_level = np.bincount([depth for _, depth in rows])
    fitting = np.flatnonzero(np.cumsum(per_level) <= UNIT_ROWS)
    # At least the top level, however many units it has.
    deepest = int(fitting[-1]) if len(fitting) else 0
    kept = [(unit, depth) for unit, depth in rows if depth <= deepest]
    return _UnitsShown(kept, deepest, len(rows) - len(kept))


def _heat_map(
    figures: CycleFigures, shown: _UnitsShown, at_unit: Callable[[int], list[GoalRollup]]
) -> list[HeatRow]:
    return [
        HeatRow(
            unit,
            figures.unit_names[unit],
            depth,
            [goal if goal.expected else None for goal in at_unit(unit)],
        )
        for unit, depth in shown.rows
    ]


def _league(
    figures: CycleFigures,
    period: int,
    shown: _UnitsShown,
    at_unit: Callable[[int], list[GoalRollup]],
) -> tuple[list[LeagueRow], int | None]:
    """The league, and the level of the tree it ranks (None: the units given goals)."""
    mine: dict[int, set[int]] = {}
    for goal_id, units in figures.assigned.items():
        for unit in units:
            mine.setdefault(unit, set()).add(goal_id)
    level = None
    if len(mine) > UNIT_ROWS:
        # Too many to read: the deepest level the map shows, each unit by its subtree's goals.
        level = shown.deepest if shown.deepest is not None else 0
        mine = {
            unit: {goal.id for goal in at_unit(unit) if goal.expected}
            for unit, depth in shown.rows
            if depth == level
        }
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
    return league, level


def _place(periods: Sequence[ReportingPeriod], period: ReportingPeriod) -> int:
    return [one.id for one in periods].index(period.id)


def _charts(
    now: RollupView, history: Sequence[ReportingPeriod], past: RecordedGoals
) -> list[IndicatorSeries]:
    """Each indicator's whole-organization figure and coverage, period by period: the
    periods of ``history`` with their goals in ``past`` (recorded at their freeze, or computed),
    then the one asked."""
    # An indicator a period's goals do not hold was made after it, or deleted since: none
    # reported it then.
    unrecorded = (None, 0)
    points_of = {
        period_id: {
            shown.id: (shown.value, shown.reported) for goal in goals for shown in goal.indicators
        }
        for period_id, goals in past.items()
    }
    series = []
    for goal in now.goals:
        for shown in goal.indicators:
            points = [points_of[one.id].get(shown.id, unrecorded) for one in history]
            points.append((shown.value, shown.reported))
            series.append(
                IndicatorSeries(
                    goal.path,
                    shown,
                    [*(one.name for one in history), now.period],
                    [value for value, _ in points],
                    [reported for _, reported in points],
                )
            )
    return series
