"""A reporting cycle's figures read from the database and rolled up the unit tree by
``veche.follow_up.rollup``: what the roll-up, a unit's report card and the interim summing-up
(``queries/follow_up_rollup.py``) are made from.

**What counts.** A period's figures are those of its reports accepted or locked; a draft, a
report awaiting a decision and one returned are not counted. A unit that has not reported is
absent, never a zero. A unit is expected to report on an indicator when the indicator's goal
is assigned to it, or when it reported on it in a period of the cycle (the assignment taken
back since).

**The tree.** The organization is the root above its top units (``ORGANIZATION``).

**Reading only what is asked.** A view needs one period, and the report card one unit's
subtree; a cycle of 10,000 units, 100 indicators and 12 periods holds 12 million values. So
``load_cycle`` reads the values of the period asked (or of the periods asked: the
summing-up's history before it, where no frozen record holds it; every period when none
is) and of the unit's subtree (the whole organization when none is); the figures are the
same as those of the whole cycle, and a view asking for a period that was not read is
refused. Two things reach outside the periods, each read narrowly:

- Under ``latest`` a value is carried forward: a unit expected on such an indicator that did
  not report it in a period asked gets its latest earlier value, one query a period for
  those units alone (none when every unit reported).
- A unit reporting on a goal no longer assigned to it stays expected all cycle long; only
  the units that reported in the cycle without being assigned every goal are looked at.

**Reading fast.** Figures arrive as whole ten-thousandths (``FigureUnits``) through
``integer_rows``, straight into the engine's integer arrays, without a Python object a value.
The values of a period are found through the reports' (period, unit) index and the values'
(report, indicator) key. One query each for the units, the periods, the resolutions, the
targets, the weights, the assignments, the values, the statuses and the reports, and
``goal_tree``'s for the goals with their indicators: the same number whatever the number of
units, goals or reports. One more when a period asked is frozen: the records its freeze made
(``records``), whose figures are the period's, final (``queries/follow_up_rollup.py``). A
frozen period asked alone whose record keeps every unit's figures (the second format) is read
from it alone: its units, their tree, assignments and reports as they were at the freeze,
none of its values, and nothing rolled up (``FrozenUnits``, ``CycleFigures.kept``); a unit's
figures are its own row of the record, read when a view asks for that unit (one query for the
units a view shows, ``FrozenUnits.lines``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any, TypeVarTuple

import numpy as np
from sqlalchemy import BigInteger, ColumnElement, Select, Text, case, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from veche.errors import Conflict, InvalidInput
from veche.follow_up import rollup as engine
from veche.models import (
    FrozenRecord,
    FrozenUnitRecord,
    GoalAssignment,
    Indicator,
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
    PeriodState,
    ReportState,
    RollupRule,
)
from veche.queries.follow_up import GoalFilter, GoalNode, IndicatorView, goal_tree
from veche.queries.follow_up_arrays import integer_rows

#: The whole organization's node in the tree: the parent of its top units (ids start at 1).
ORGANIZATION = 0
#: The states of the reports whose figures count.
COUNTED = (ReportState.ACCEPTED, ReportState.LOCKED)
#: Report states as whole numbers, to be read as arrays.
_STATE_NUMBERS = {state: number for number, state in enumerate(ReportState)}
_STATES = list(ReportState)

Columns = TypeVarTuple("Columns")
#: The low bits of a value's key that hold its indicator (see ``_counted_values``).
_INDICATOR_BITS = 24

_GOALPOSTS = {
    Direction.UP: engine.Goalpost.up,
    Direction.DOWN: engine.Goalpost.down,
}


#: The formats of the record a freeze makes (``queries/frozen_records.py``): the first holds
#: the goals at the whole organization, the second every unit's figures too.
GOALS_RECORD = "veche frozen record 1"
UNITS_RECORD = "veche frozen record 2"
#: The units' lines of a record read in one query, at most (an ``IN`` list each).
_LINES_AT_ONCE = 2_000


def unreadable_record(period: ReportingPeriod) -> Conflict:
    """The refusal of a record that cannot be read: changed outside veche, never replaced by
    figures computed now."""
    return Conflict(
        f"the figures recorded at the freeze of period {period.name} cannot be read: the "
        "record was changed outside veche. Run veche verify to see what changed, and "
        "restore the record from a backup"
    )


def read_record(period: ReportingPeriod, text: str) -> dict[str, Any]:
    """A record's first line, its JSON object of the goals at the whole organization (the
    whole record, in the first format), of a format veche writes and of ``period``; else
    refused (409). The second format's other lines are ``FrozenUnits``'."""
    try:
        record = json.loads(text.partition("\n")[0])
    except ValueError:
        raise unreadable_record(period) from None
    if (
        not isinstance(record, dict)
        or record.get("period_id") != period.id
        or record.get("format") not in (GOALS_RECORD, UNITS_RECORD)
    ):
        raise unreadable_record(period)
    return record


def record_heads(column: InstrumentedAttribute[str]) -> ColumnElement[str]:
    """A record's first line, in SQL: what a reader of the goals at the whole organization
    alone reads, without the lines of every unit (the whole of a record of the first format)."""
    return _FirstLine(column)


class _FirstLine(FunctionElement[str]):
    type = Text()
    inherit_cache = True


@compiles(_FirstLine)
def _first_line_sqlite(element: _FirstLine, compiler: SQLCompiler, **kw: Any) -> str:
    text = compiler.process(next(iter(element.clauses)), **kw)
    return (
        f"CASE WHEN instr({text}, char(10)) = 0 THEN {text} "
        f"ELSE substr({text}, 1, instr({text}, char(10)) - 1) END"
    )


@compiles(_FirstLine, "postgresql")
def _first_line_postgresql(element: _FirstLine, compiler: SQLCompiler, **kw: Any) -> str:
    return f"split_part({compiler.process(next(iter(element.clauses)), **kw)}, chr(10), 1)"


@dataclass(frozen=True, eq=False)
class FrozenUnits:
    """What a record of the second format kept of a frozen period beyond the goals at the whole
    organization: the unit tree, the assignments and the reports as they were at the freeze,
    and every unit's goals with their figures, as rows (``queries/follow_up_rollup.py`` reads
    them into views), each unit's read from its own row when asked (``lines``)."""

    period: ReportingPeriod
    #: The goals at the whole organization, as the record holds them (every resolution's).
    goals: list[dict[str, Any]]
    parents: dict[int, int]  # ORGANIZATION above the top units
    assigned: dict[int, set[int]]  # the units each goal was assigned to
    reporting: dict[int, set[int]]  # the units that reported on each goal (a value or a status)
    reports: dict[int, ReportState]  # each unit's report, as it stood
    statuses: dict[tuple[int, int], tuple[engine.GoalStatus, str]]  # (goal, unit): with reason
    #: Where the units' lines are read from.
    session: Session
    #: The units' lines read so far: a unit's id and its goals as rows, as JSON.
    units: dict[int, str] = field(default_factory=dict)
    #: The goals read into views, by id, once (``follow_up_rollup`` fills it).
    typed: dict[int, Any] = field(default_factory=dict)

    @property
    def units_given_goals(self) -> set[int]:
        """The units assigned any goal at the freeze."""
        return {unit for units in self.assigned.values() for unit in units}

    def lines(self, units: Iterable[int]) -> dict[int, str]:
        """The lines of ``units`` that the freeze's tree holds (a unit made since has none),
        each read once: one query for those not read yet (a few for thousands). A line the
        record's facts name but that is gone is refused (409)."""
        wanted = sorted({unit for unit in units if unit in self.parents})
        unread = [unit for unit in wanted if unit not in self.units]
        for start in range(0, len(unread), _LINES_AT_ONCE):
            for unit, line in self.session.execute(
                select(FrozenUnitRecord.unit_id, FrozenUnitRecord.figures).where(
                    FrozenUnitRecord.period_id == self.period.id,
                    FrozenUnitRecord.unit_id.in_(unread[start : start + _LINES_AT_ONCE]),
                )
            ):
                self.units[unit] = line
        if any(unit not in self.units for unit in unread):
            raise unreadable_record(self.period)
        return {unit: self.units[unit] for unit in wanted}

    @classmethod
    def of(
        cls, session: Session, period: ReportingPeriod, record: dict[str, Any], text: str
    ) -> FrozenUnits:
        """The record ``text`` of ``period`` (its first two lines, as ``frozen_record`` holds
        them), its first line ``record`` (``read_record``'s), refused (409) when its lines are
        not as the freeze writes them."""
        try:
            _head, facts = text.split("\n")
            kept = json.loads(facts)
            units = kept["units"]
            assigned: dict[int, set[int]] = {}
            reporting: dict[int, set[int]] = {}
            for unit in units:
                for goal_id in unit["assigned"]:
                    assigned.setdefault(int(goal_id), set()).add(int(unit["id"]))
                for goal_id in unit["reported_on"]:
                    reporting.setdefault(int(goal_id), set()).add(int(unit["id"]))
            return cls(
                period=period,
                goals=list(record["goals"]),
                parents={
                    int(unit["id"]): ORGANIZATION if unit["parent"] is None else int(unit["parent"])
                    for unit in units
                },
                assigned=assigned,
                reporting=reporting,
                reports={
                    int(unit["id"]): ReportState(unit["report"])
                    for unit in units
                    if unit["report"] is not None
                },
                statuses={
                    (int(goal_id), int(unit_id)): (engine.GoalStatus(status), str(reason))
                    for goal_id, unit_id, status, reason in kept["statuses"]
                },
                session=session,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise unreadable_record(period) from None


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
    """A cycle's goals and reports as read, rolled up: what every view is made from.

    Periods are numbered by their place in ``periods``: every period of the cycle, or, when
    some were asked, the cycle's periods from the first asked (or the first a value under
    ``latest`` was carried from) to the last asked; those between not asked are numbered but
    not read whole (``read_whole`` holds the numbers of those that are).
    """

    organization: Organization
    cycle: ReportingCycle
    periods: list[ReportingPeriod]
    read_whole: frozenset[int]
    cycle_periods: list[ReportingPeriod]  # every period of the cycle, read or not
    resolution_id: int | None
    unit_names: dict[int, str]
    unit_parents: dict[int, int]  # ORGANIZATION above the top units; the tree's units only
    goals: list[GoalNode]  # in tree order
    resolutions: dict[int, tuple[int, str]]  # number and title, by id
    below: dict[int, set[int]]  # each goal and the goals under it
    assigned: dict[int, set[int]]  # the units of the tree each goal is assigned to
    tree: engine.UnitTree  # the organization's, or the subtree's of the unit asked
    rollup: engine.Rollup
    judged: list[engine.Goal]  # with the body's verdicts
    reported_only: list[engine.Goal]  # without them
    statuses: dict[tuple[int, int, int], engine.GoalStatus]  # (goal, unit, period number)
    reasons: dict[tuple[int, int, int], str]
    #: Per period number: the units that reported on each goal (a value or a status).
    reporting: list[dict[int, set[int]]]
    reports: dict[tuple[int, int], ReportState]  # (unit, period number): every report
    targets: dict[int, _Targets]
    #: The record made at the freeze of each period read whole and frozen with one, read, by
    #: number (``queries/frozen_records.py``): the whole organization's figures of the period,
    #: final.
    records: dict[int, dict[str, Any]]
    #: What the record of the second format of each period read whole kept of every unit, by
    #: number: the period's figures everywhere, final (``frozen_units``).
    frozen: dict[int, FrozenUnits] = field(default_factory=dict)

    def index(self, period: ReportingPeriod) -> int:
        for number, candidate in enumerate(self.periods):
            if candidate.id == period.id and number in self.read_whole:
                return number
        if period.cycle_id == self.cycle.id:
            # The caller loaded the cycle for another period: a mistake in the code.
            raise ValueError(f"the figures of period {period.id} were not read")
        raise InvalidInput(
            f"period {period.id} is not a period of reporting cycle {self.cycle.id}; name one "
            "of its periods"
        )

    def subtree(self, unit: int) -> set[int]:
        return set(self.tree.ids[self.tree.subtree(unit)].tolist())

    def expected_units(self, goal_id: int) -> set[int]:
        return self._expected_units[goal_id]

    def reporters(self, period: int) -> set[int]:
        """The units that reported on any goal in the period numbered ``period``."""
        return self._reporters[period]

    def kept(self, number: int) -> CycleFigures:
        """These figures with the period numbered ``number`` alone, as its record of the
        second format kept it: the tree, the assignments, the reports and the statuses of the
        freeze, and every figure read from the record (``queries/follow_up_rollup.py``)."""
        frozen = self.frozen[number]
        goal_ids = {goal.id for goal in self.goals}
        return replace(
            self,
            periods=[frozen.period],
            read_whole=frozenset({0}),
            # A unit of the freeze's tree is never deleted; should one be, it keeps its number.
            unit_names={**{unit: f"unit {unit}" for unit in frozen.parents}, **self.unit_names},
            unit_parents=frozen.parents,
            tree=engine.UnitTree.of({ORGANIZATION: None, **frozen.parents}),
            assigned={
                goal_id: units for goal_id, units in frozen.assigned.items() if goal_id in goal_ids
            },
            statuses={
                (goal_id, unit, 0): status
                for (goal_id, unit), (status, _reason) in frozen.statuses.items()
            },
            reasons={
                (goal_id, unit, 0): reason
                for (goal_id, unit), (_status, reason) in frozen.statuses.items()
            },
            reporting=[
                {
                    goal_id: units
                    for goal_id, units in frozen.reporting.items()
                    if goal_id in goal_ids
                }
            ],
            reports={(unit, 0): state for unit, state in frozen.reports.items()},
            records={},
            frozen={0: frozen},
        )

    @cached_property
    def units_given_goals(self) -> set[int]:
        """The units assigned any goal."""
        return {unit for units in self.assigned.values() for unit in units}

    def goal_reporters(self, period: int, goal_id: int) -> set[int]:
        """The units that reported on the goal or a goal under it in the period numbered
        ``period``."""
        return self._goal_reporters[period][goal_id]

    def statuses_inside(
        self, period: int, units: set[int]
    ) -> dict[tuple[int, int, int], engine.GoalStatus]:
        """The statuses reported by ``units`` in the period numbered ``period``."""
        by_unit = self._statuses_by_unit[period]
        if len(by_unit) <= len(units):
            return {
                key: status for unit in by_unit if unit in units for key, status in by_unit[unit]
            }
        return {key: status for unit in units for key, status in by_unit.get(unit, ())}

    @cached_property
    def _goal_reporters(self) -> list[dict[int, set[int]]]:
        # Once per goal, not once per unit asked (as ``_expected_units``).
        return [
            {
                goal_id: set().union(*(reporting.get(part, ()) for part in below))
                for goal_id, below in self.below.items()
            }
            for reporting in self.reporting
        ]

    @cached_property
    def _statuses_by_unit(
        self,
    ) -> list[dict[int, list[tuple[tuple[int, int, int], engine.GoalStatus]]]]:
        found: list[dict[int, list[tuple[tuple[int, int, int], engine.GoalStatus]]]] = [
            {} for _ in self.periods
        ]
        for key, status in self.statuses.items():
            found[key[2]].setdefault(key[1], []).append((key, status))
        return found

    @cached_property
    def _reporters(self) -> list[set[int]]:
        return [set().union(*by_goal.values()) for by_goal in self.reporting]

    @cached_property
    def _expected_units(self) -> dict[int, set[int]]:
        # Once per goal, not once per unit asked: the summing-up asks at many units, and a
        # goal assigned to 10,000 units made that 10,000 × 10,000.
        return {
            goal_id: {unit for below in goals for unit in self.assigned.get(below, ())}
            for goal_id, goals in self.below.items()
        }


@dataclass(frozen=True)
class _Scope:
    """What ``load_cycle`` reads: the periods (by id, in order) whose values are read whole,
    and the units of the subtree asked (None: every unit)."""

    period_ids: list[int]
    units: list[int] | None

    def reports(self, query: Select[*Columns]) -> Select[*Columns]:
        """``query`` narrowed to the reports of the scope's periods and units."""
        query = query.where(ProgressReport.period_id.in_(self.period_ids))
        if self.units is not None:
            query = query.where(ProgressReport.unit_id.in_(self.units))
        return query


@dataclass(frozen=True)
class FiguresAsked:
    """The rows a request for figures names, each of one organization: the cycle, its period
    (none: the latest no longer open, else the first), and the resolution or the unit that
    narrows them."""

    organization: Organization
    cycle: ReportingCycle
    period: ReportingPeriod | None
    resolution: Resolution | None = None
    unit: Unit | None = None

    @property
    def resolution_id(self) -> int | None:
        return self.resolution.id if self.resolution is not None else None


def cycle_periods(session: Session, cycle: ReportingCycle) -> list[ReportingPeriod]:
    """The cycle's periods in order; a cycle with none yet is refused."""
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
    return periods


def load_cycle(
    session: Session,
    organization: Organization,
    cycle: ReportingCycle,
    *,
    resolution_id: int | None = None,
    period: ReportingPeriod | Sequence[ReportingPeriod] | None = None,
    unit_id: int | None = None,
) -> CycleFigures:
    """The cycle's goals (of one resolution, or every one of the organization) with the
    figures reported on them, rolled up: for ``period`` alone (or those periods), or every
    period; over ``unit_id``'s subtree alone, or the whole organization. A cycle with no
    periods yet is refused."""
    periods = cycle_periods(session, cycle)
    if period is None:
        asked = periods
    else:
        wanted = {one.id for one in ([period] if isinstance(period, ReportingPeriod) else period)}
        if not wanted:
            # A caller's mistake: None asks for every period.
            raise ValueError("load_cycle was asked for no period")
        foreign = wanted - {one.id for one in periods}
        if foreign:
            raise InvalidInput(
                f"period {min(foreign)} is not a period of reporting cycle {cycle.id}; name one "
                "of its periods"
            )
        asked = [one for one in periods if one.id in wanted]
    units = session.execute(
        select(Unit.id, Unit.parent_id, Unit.name).where(Unit.organization_id == organization.id)
    ).all()
    unit_names = {ORGANIZATION: organization.name} | {unit.id: unit.name for unit in units}
    parents = {unit.id: unit.parent_id or ORGANIZATION for unit in units}
    if unit_id is None:
        inside = None
        tree_parents: dict[int, int | None] = {ORGANIZATION: None, **parents}
    else:
        if unit_id not in parents:
            raise InvalidInput(f"unit {unit_id} is not a unit of {organization.name}")
        inside = _subtree(parents, unit_id)
        parents = {unit: ORGANIZATION if unit == unit_id else parents[unit] for unit in inside}
        # Still below the organization's node: under ``sum`` a root's goalpost is the whole's.
        tree_parents = {ORGANIZATION: None, **parents}
    scope = _Scope([one.id for one in asked], None if inside is None else sorted(inside))

    goals = goal_tree(
        session, organization.id, GoalFilter(resolution_id=resolution_id), with_assignments=False
    )
    resolutions = {
        row.id: (row.number, row.title)
        for row in session.execute(
            select(Resolution.id, Resolution.number, Resolution.title).where(
                Resolution.id.in_(sorted({goal.resolution_id for goal in goals}))
            )
        )
    }
    records = _frozen_records(session, asked)
    frozen = {
        period_id: FrozenUnits.of(session, period, record, text)
        for period_id, (period, record, text) in records.items()
        if record["format"] == UNITS_RECORD
    }
    if len(asked) == 1 and asked[0].id in frozen:
        # Every figure of the period is the record's: nothing is read or rolled up again.
        return _as_recorded(
            organization,
            cycle,
            periods,
            frozen[asked[0].id],
            resolution_id=resolution_id,
            unit_names=unit_names,
            goals=goals,
            resolutions=resolutions,
        )
    indicators = [indicator for goal in goals for indicator in goal.indicators]
    indicator_ids = sorted(indicator.id for indicator in indicators)
    goal_ids = sorted(goal.id for goal in goals)
    assigned = _assigned(session, goal_ids, scope)
    strays = _reported_unassigned(session, periods, scope, indicators, assigned)
    expected = {
        indicator.id: np.concatenate(
            [assigned[indicator.goal_id], strays[strays[:, 0] == indicator.id, 1]]
        )
        for indicator in indicators
    }

    report_rows = integer_rows(
        session,
        scope.reports(
            select(
                ProgressReport.id,
                ProgressReport.unit_id,
                ProgressReport.period_id,
                case(
                    {state.value: number for state, number in _STATE_NUMBERS.items()},
                    value=ProgressReport.state,
                ),
            )
        ),
    )
    values, read = _values(session, periods, asked, scope, report_rows, indicators, expected)
    period_ids = [one.id for one in read]
    position = {period_id: number for number, period_id in enumerate(period_ids)}
    read_whole = frozenset(position[one.id] for one in asked)

    targets = integer_rows(
        session,
        _narrowed(
            select(
                IndicatorTarget.indicator_id,
                IndicatorTarget.unit_id,
                IndicatorTarget.period_id,
                FigureUnits(IndicatorTarget.value),
                case((IndicatorTarget.baseline.is_(None), 1), else_=0),
                func.coalesce(FigureUnits(IndicatorTarget.baseline), 0),
            ).where(
                IndicatorTarget.period_id.in_(period_ids),
                IndicatorTarget.indicator_id.in_(indicator_ids),
            ),
            IndicatorTarget.unit_id,
            scope,
        ),
    )
    weights = integer_rows(
        session,
        _narrowed(
            select(
                IndicatorWeight.indicator_id,
                IndicatorWeight.unit_id,
                FigureUnits(IndicatorWeight.weight),
            ).where(IndicatorWeight.indicator_id.in_(indicator_ids)),
            IndicatorWeight.unit_id,
            scope,
        ),
    )
    status_rows = session.execute(
        scope.reports(
            select(
                ReportGoalStatus.goal_id,
                ProgressReport.unit_id,
                ProgressReport.period_id,
                ReportGoalStatus.status,
                ReportGoalStatus.reason,
            )
            .join(ProgressReport, ProgressReport.id == ReportGoalStatus.report_id)
            .where(
                ProgressReport.state.in_(COUNTED),
                ReportGoalStatus.goal_id.in_(goal_ids),
            )
        )
    ).all()
    reports = {
        (unit, position[period_id]): _STATES[state]
        for _, unit, period_id, state in report_rows.tolist()
    }

    # Period ids become the engine's period numbers.
    period_lookup = np.full(max(one.id for one in periods) + 1, -1, dtype=np.int64)
    period_lookup[period_ids] = np.arange(len(period_ids))
    for rows in (values, targets):
        rows[:, 2] = period_lookup[rows[:, 2]]

    reporting = _goals_reported(values, indicators, len(read))
    for number in set(range(len(read))) - read_whole:
        reporting[number] = {}  # values carried from it, not its reports
    statuses: dict[tuple[int, int, int], engine.GoalStatus] = {}
    reasons: dict[tuple[int, int, int], str] = {}
    for row in status_rows:
        key = (row.goal_id, row.unit_id, position[row.period_id])
        statuses[key] = engine.GoalStatus(row.status.value)
        reasons[key] = row.reason
        reporting[key[2]].setdefault(row.goal_id, set()).add(row.unit_id)

    by_indicator = {
        name: _split(rows)
        for name, rows in (("values", values), ("targets", targets), ("weights", weights))
    }
    unit_targets = {
        indicator.id: _Targets.of(indicator, by_indicator["targets"][indicator.id])
        for indicator in indicators
        if indicator.id in by_indicator["targets"] and indicator.direction is not Direction.WITHIN
    }
    tree = engine.UnitTree.of(tree_parents)
    empty = np.zeros((0, 4), dtype=np.int64)
    reports_in = []
    for indicator in indicators:
        reported = by_indicator["values"].get(indicator.id, empty)
        reports_in.append(
            _engine_reports(
                indicator,
                # Repeated units are alike to the engine: no need to make them unique.
                np.concatenate([expected[indicator.id], reported[:, 1]]),
                reported,
                unit_targets.get(indicator.id),
                by_indicator["weights"].get(indicator.id),
            )
        )
    try:
        rolled = engine.roll_up(tree, len(read), reports_in)
        judged = _engine_goals(goals, periods[0].starts_on, periods[-1].ends_on)
    except engine.RollupError as error:
        raise Conflict(f"the figures of cycle {cycle.name} cannot be rolled up: {error}") from None
    return CycleFigures(
        organization=organization,
        cycle=cycle,
        periods=read,
        read_whole=read_whole,
        cycle_periods=periods,
        resolution_id=resolution_id,
        unit_names=unit_names,
        unit_parents=parents,
        goals=goals,
        resolutions=resolutions,
        below=_goals_below(goals),
        assigned={goal_id: set(units.tolist()) for goal_id, units in assigned.items()},
        tree=tree,
        rollup=rolled,
        judged=judged,
        reported_only=[replace(goal, decided_status=None) for goal in judged],
        statuses=statuses,
        reasons=reasons,
        reporting=reporting,
        reports=reports,
        targets=unit_targets,
        records={position[period_id]: record for period_id, (_, record, _) in records.items()},
        frozen={position[period_id]: units for period_id, units in frozen.items()},
    )


def frozen_units(session: Session, period: ReportingPeriod) -> FrozenUnits | None:
    """What the freeze of ``period`` kept of its units, when its record kept them (the second
    format); None for a period not frozen, or frozen before records kept them."""
    found = _frozen_records(session, [period]).get(period.id)
    if found is None or found[1]["format"] != UNITS_RECORD:
        return None
    return FrozenUnits.of(session, *found)


def _frozen_records(
    session: Session, asked: Sequence[ReportingPeriod]
) -> dict[int, tuple[ReportingPeriod, dict[str, Any], str]]:
    """The records of the frozen periods among those asked, with their periods and their
    first lines read, by period id; no query when none is frozen. A record whose first line
    cannot be read is refused (409)."""
    frozen = {one.id: one for one in asked if one.state is PeriodState.FROZEN}
    if not frozen:
        return {}
    return {
        period_id: (frozen[period_id], read_record(frozen[period_id], text), text)
        for period_id, text in session.execute(
            select(FrozenRecord.period_id, FrozenRecord.figures).where(
                FrozenRecord.period_id.in_(list(frozen))
            )
        )
    }


def _as_recorded(
    organization: Organization,
    cycle: ReportingCycle,
    periods: list[ReportingPeriod],
    frozen: FrozenUnits,
    *,
    resolution_id: int | None,
    unit_names: dict[int, str],
    goals: list[GoalNode],
    resolutions: dict[int, tuple[int, str]],
) -> CycleFigures:
    """A frozen period's figures as its record of the second format kept them, the goals'
    names and places as they are now. Nothing is rolled up: the views read the record."""
    tree = engine.UnitTree.of({ORGANIZATION: None})  # the record's, once kept
    return CycleFigures(
        organization=organization,
        cycle=cycle,
        periods=[frozen.period],
        read_whole=frozenset({0}),
        cycle_periods=periods,
        resolution_id=resolution_id,
        unit_names=unit_names,
        unit_parents={},
        goals=goals,
        resolutions=resolutions,
        below=_goals_below(goals),
        assigned={},
        tree=tree,
        rollup=engine.roll_up(tree, 1, []),
        judged=[],
        reported_only=[],
        statuses={},
        reasons={},
        reporting=[{}],
        reports={},
        targets={},
        records={},
        frozen={0: frozen},
    ).kept(0)


def reported_values() -> Select[int, int, int, int]:
    """Every reported value as (indicator, unit, period, the figure in ten-thousandths), for
    a caller to narrow down: the roll-up reads the accepted ones, the CSV export all."""
    return select(
        ReportValue.indicator_id,
        ProgressReport.unit_id,
        ProgressReport.period_id,
        FigureUnits(ReportValue.value),
    ).join(ProgressReport, ProgressReport.id == ReportValue.report_id)


def _values(
    session: Session,
    periods: list[ReportingPeriod],
    asked: list[ReportingPeriod],
    scope: _Scope,
    reports: engine.IntArray,
    indicators: Sequence[IndicatorView],
    expected: dict[int, engine.IntArray],
) -> tuple[engine.IntArray, list[ReportingPeriod]]:
    """The values counted on ``indicators`` as (indicator, unit, period id, figure), with
    those carried forward into each period ``asked`` under ``latest``; and the periods they
    are from, in order: every period, or those from the first asked (or the first a value
    was carried from) to the last asked."""
    values = _counted_values(session, scope, reports)
    # The indicators are picked here rather than in SQL: SQLite would otherwise look up
    # every (report, indicator) pair in the values' key, ten times slower than reading
    # each report's values and leaving out those of another resolution's goals.
    wanted = np.zeros(int(values[:, 0].max(initial=0)) + 1, dtype=np.bool_)
    wanted[[indicator.id for indicator in indicators if indicator.id < len(wanted)]] = True
    if not wanted[values[:, 0]].all():  # a copy of millions of rows only when needed
        values = values[wanted[values[:, 0]]]
    if len(asked) == len(periods):
        return values, periods
    asked_ids = [one.id for one in asked]
    carried = [
        _carried_forward(
            session,
            periods,
            one,
            scope,
            indicators,
            expected,
            values if len(asked) == 1 else values[values[:, 2] == one.id],
        )
        for one in asked
    ]
    # A value carried into a later period asked may be one read whole in an earlier one, or
    # one carried into it too: the engine takes each reported value once.
    extra = np.concatenate(carried)
    extra = extra[~np.isin(extra[:, 2], asked_ids)]
    if len(asked) > 1 and len(extra):
        extra = np.unique(extra, axis=0)
    ids = [one.id for one in periods]
    first = min(ids.index(found) for found in {*extra[:, 2].tolist(), asked_ids[0]})
    return np.concatenate([extra, values]), periods[first : ids.index(asked_ids[-1]) + 1]


def _counted_values(session: Session, scope: _Scope, reports: engine.IntArray) -> engine.IntArray:
    """The values of the scope's counted reports as (indicator, unit, period id, figure),
    ``reports`` being the scope's reports as (id, unit, period id, state number).

    Read as two columns, a value's report and indicator in one whole number, ``report ×
    2**24 + indicator``, its unit and period then found from its report: SQLite's driver
    makes a Python object of every column of every row, and a period can hold a million
    values, so two columns rather than four halve the reading.
    """
    counted = reports[np.isin(reports[:, 3], [_STATE_NUMBERS[state] for state in COUNTED])]
    counted = counted[np.argsort(counted[:, 0])]
    if not len(counted):
        return np.zeros((0, 4), dtype=np.int64)
    values = ReportValue.report_id.in_(
        scope.reports(select(ProgressReport.id)).where(ProgressReport.state.in_(COUNTED))
    )
    highest_indicator = session.scalar(select(func.max(Indicator.id))) or 0
    if highest_indicator >= 1 << _INDICATOR_BITS or counted[-1, 0] >= 1 << (62 - _INDICATOR_BITS):
        # Ids too large to share a whole number (never so in practice): four columns.
        return integer_rows(session, reported_values().where(values))
    key = cast(ReportValue.report_id, BigInteger) * (1 << _INDICATOR_BITS) + cast(
        ReportValue.indicator_id, BigInteger
    )
    rows = integer_rows(session, select(key, FigureUnits(ReportValue.value)).where(values))
    report_ids = rows[:, 0] >> _INDICATOR_BITS
    lowest, span = int(counted[0, 0]), int(counted[-1, 0] - counted[0, 0]) + 1
    if span < 8 * len(counted):
        # A cycle's reports have ids close together: a table by id beats a search.
        place = np.zeros(span, dtype=np.int64)
        place[counted[:, 0] - lowest] = np.arange(len(counted))
        report = place[np.clip(report_ids - lowest, 0, span - 1)]
    else:
        report = np.minimum(np.searchsorted(counted[:, 0], report_ids), len(counted) - 1)
    # Each statement sees the database as it is when it runs: a report accepted between
    # the two is left out, as the reports read first say.
    known = counted[report, 0] == report_ids
    if not known.all():
        rows, report = rows[known], report[known]
    found = np.empty((len(rows), 4), dtype=np.int64)
    found[:, 0] = rows[:, 0] & ((1 << _INDICATOR_BITS) - 1)
    found[:, 1] = counted[report, 1]
    found[:, 2] = counted[report, 2]
    found[:, 3] = rows[:, 1]
    return found


def _subtree(parents: dict[int, int], top: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for unit, parent in parents.items():
        children.setdefault(parent, []).append(unit)
    found, waiting = {top}, [top]
    while waiting:
        below = children.get(waiting.pop(), [])
        found.update(below)
        waiting += below
    return found


def _narrowed(
    query: Select[*Columns], unit: InstrumentedAttribute[int], scope: _Scope
) -> Select[*Columns]:
    """``query`` narrowed to the scope's units by its ``unit`` column."""
    return query if scope.units is None else query.where(unit.in_(scope.units))


def _assigned(session: Session, goal_ids: list[int], scope: _Scope) -> dict[int, engine.IntArray]:
    """The units of the scope each goal is assigned to."""
    pairs = integer_rows(
        session,
        _narrowed(
            select(GoalAssignment.goal_id, GoalAssignment.unit_id).where(
                GoalAssignment.goal_id.in_(goal_ids)
            ),
            GoalAssignment.unit_id,
            scope,
        ),
    )
    assigned = {goal_id: np.zeros(0, dtype=np.int64) for goal_id in goal_ids}
    assigned.update((goal_id, rows[:, 1]) for goal_id, rows in _split(pairs).items())
    return assigned


def _reported_unassigned(
    session: Session,
    periods: Sequence[ReportingPeriod],
    scope: _Scope,
    indicators: Sequence[IndicatorView],
    assigned: dict[int, engine.IntArray],
) -> engine.IntArray:
    """(indicator, unit) for each value a unit reported in the cycle on a goal not assigned
    to it (taken back since): such a unit stays expected in every period.

    Only a unit that reported in the cycle and lacks one of the goals is looked at: in a
    large organization, where branches are given every goal, none is.
    """
    measured = sorted({indicator.goal_id for indicator in indicators})
    reporters = integer_rows(
        session,
        _Scope([one.id for one in periods], scope.units)
        .reports(select(ProgressReport.unit_id).distinct())
        .where(ProgressReport.state.in_(COUNTED)),
    )
    # A goal is assigned to a unit once, so a unit holding every goal appears once a goal.
    held, times = np.unique(
        np.concatenate([assigned[goal_id] for goal_id in measured] or [np.zeros(0, np.int64)]),
        return_counts=True,
    )
    lacking = np.setdiff1d(reporters[:, 0], held[times == len(measured)])
    if not len(lacking):
        return np.zeros((0, 2), dtype=np.int64)
    return integer_rows(
        session,
        _Scope([one.id for one in periods], lacking.tolist())
        .reports(select(ReportValue.indicator_id, ProgressReport.unit_id).distinct())
        .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
        .where(
            ProgressReport.state.in_(COUNTED),
            ReportValue.indicator_id.in_(sorted(indicator.id for indicator in indicators)),
        ),
    )


def _carried_forward(
    session: Session,
    periods: Sequence[ReportingPeriod],
    period: ReportingPeriod,
    scope: _Scope,
    indicators: Sequence[IndicatorView],
    expected: dict[int, engine.IntArray],
    values: engine.IntArray,
) -> engine.IntArray:
    """Under ``latest``, the latest value before ``period`` of each unit expected that did not
    report in it: rows like ``values``'."""
    earlier = [one.id for one in periods[: periods.index(period)]]
    latest = [indicator for indicator in indicators if indicator.rollup is RollupRule.LATEST]
    none = np.zeros((0, 4), dtype=np.int64)
    if not earlier or not latest:
        return none
    # Each (indicator, unit) as one whole number, for numpy's set operations: a million
    # values a period are too many for Python tuples.
    span = 1 + max(
        [int(values[:, 1].max(initial=0))]
        + [int(expected[indicator.id].max(initial=0)) for indicator in latest]
    )
    unreported = []
    for indicator in latest:
        reported = np.zeros(span, dtype=np.bool_)
        reported[values[values[:, 0] == indicator.id, 1]] = True
        owed = expected[indicator.id]
        unreported.append(indicator.id * span + owed[~reported[owed]])
    missing = np.unique(np.concatenate(unreported))
    if not len(missing):
        return none
    rows = integer_rows(
        session,
        _Scope(earlier, np.unique(missing % span).tolist())
        .reports(reported_values())
        .where(
            ProgressReport.state.in_(COUNTED),
            ReportValue.indicator_id.in_(np.unique(missing // span).tolist()),
        ),
    )
    keys = rows[:, 0] * span + rows[:, 1]
    owing = np.isin(keys, missing)
    rows, keys = rows[owing], keys[owing]
    if not len(rows):
        return none  # nothing reported before: nothing to carry forward
    # The latest of each pair: sorted by pair, then period, the last row of each pair.
    place = np.zeros(max(earlier) + 1, dtype=np.int64)
    place[earlier] = np.arange(len(earlier))
    order = np.lexsort((place[rows[:, 2]], keys))
    rows, keys = rows[order], keys[order]
    latest_rows: engine.IntArray = rows[np.append(keys[1:] != keys[:-1], True)]
    return latest_rows


def _goals_reported(
    values: engine.IntArray, indicators: Sequence[IndicatorView], periods: int
) -> list[dict[int, set[int]]]:
    """Per period number, the units that reported a value on each goal, once however many
    of the goal's indicators they reported on; numpy finds them as single whole numbers
    (period, goal and unit raveled into one), far faster than as rows."""
    found: list[dict[int, set[int]]] = [{} for _ in range(periods)]
    if not len(values):
        return found
    goal_of = np.zeros(max(indicator.id for indicator in indicators) + 1, np.int64)
    for indicator in indicators:
        goal_of[indicator.id] = indicator.goal_id
    shape = (periods, int(goal_of.max()) + 1, int(values[:, 1].max()) + 1)
    keys = np.unique(
        np.ravel_multi_index((values[:, 2], goal_of[values[:, 0]], values[:, 1]), shape)
    )
    period, goal, unit = np.unravel_index(keys, shape)
    # Sorted by period and goal: each (period, goal) is one run of units.
    starts = np.flatnonzero(np.diff(period * shape[1] + goal, prepend=-1))
    for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(keys)], strict=True):
        found[int(period[start])][int(goal[start])] = set(unit[start:end].tolist())
    return found


def _split(rows: engine.IntArray) -> dict[int, engine.IntArray]:
    """Rows by the value of their first column, an id (a small whole number), each group in
    the order read."""
    if not len(rows):
        return {}
    counts = np.bincount(rows[:, 0])
    keys = np.flatnonzero(counts)
    # Few keys (the indicators) and many rows (a million values): by their places among
    # the keys, 16-bit numbers when they fit, numpy's stable sort is a radix sort.
    place = np.zeros(len(counts), dtype=np.int16 if len(keys) < 2**15 else np.int64)
    place[keys] = np.arange(len(keys))
    rows = rows[np.argsort(place[rows[:, 0]], kind="stable")]
    ends = np.cumsum(counts[keys])
    return {
        key: rows[end - count : end]
        for key, count, end in zip(keys.tolist(), counts[keys].tolist(), ends.tolist(), strict=True)
    }


def _engine_reports(
    indicator: IndicatorView,
    expected: engine.IntArray,
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
        expected,
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
    """The goals as the engine judges them, each with its start and due date (see
    ``queries/follow_up_rollup.py``)."""
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
