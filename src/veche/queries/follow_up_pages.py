"""The follow-up as its pages read it: the reports a reporter has to file, the last figure a
unit reported for each indicator, and the secretary's follow-up desk — every unit expected to
report in a period, with its report as it stands. Each in a few queries whatever its length."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from veche.models import (
    Body,
    GoalAssignment,
    Organization,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
    ReportValue,
    Term,
    Unit,
)
from veche.models.follow_up import PeriodState, ReportState
from veche.queries.follow_up import GoalFilter, goal_tree
from veche.queries.follow_up_cycle import frozen_units
from veche.queries.follow_up_rollup import COUNTED
from veche.queries.progress import ReportFilter, ReportView, report_list

# --- The reporter's list -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDue:
    """A report a unit files (or has filed) for a period that is not frozen yet."""

    cycle: str
    period_id: int
    period: str
    period_state: PeriodState
    due_on: date
    unit_id: int
    unit: str
    #: Its report as it stands; None: not begun.
    state: ReportState | None


def reports_due(session: Session, organization_id: int, units: Sequence[Unit]) -> list[ReportDue]:
    """The units' reports of every period not frozen, by due date, then unit."""
    return _unit_reports(
        session,
        organization_id,
        units,
        ReportingPeriod.state != PeriodState.FROZEN,
        newest_first=False,
        # A closed period takes back only the reports returned to their units.
        listed=lambda period, state: (
            period.state is PeriodState.OPEN or state is ReportState.RETURNED
        ),
    )


def reports_past(session: Session, organization_id: int, units: Sequence[Unit]) -> list[ReportDue]:
    """The units' reports of every period closed or frozen, to read again: the latest period
    first, then by unit; a unit that filed none is listed too, as not reported. A report
    returned in a closed period is left out: its unit still files it (``reports_due``)."""
    return _unit_reports(
        session,
        organization_id,
        units,
        ReportingPeriod.state != PeriodState.OPEN,
        newest_first=True,
        listed=lambda period, state: (
            period.state is PeriodState.FROZEN or state is not ReportState.RETURNED
        ),
    )


def _unit_reports(
    session: Session,
    organization_id: int,
    units: Sequence[Unit],
    periods_wanted: ColumnElement[bool],
    *,
    newest_first: bool,
    listed: Callable[[ReportingPeriod, ReportState | None], bool],
) -> list[ReportDue]:
    """Each of the units' reports (or its absence) in the organization's periods wanted, by
    due date, then unit, where ``listed`` keeps it."""
    order = (
        (ReportingPeriod.due_on.desc(), ReportingPeriod.id.desc())
        if newest_first
        else (ReportingPeriod.due_on, ReportingPeriod.id)
    )
    periods = session.scalars(
        select(ReportingPeriod)
        .join(ReportingCycle, ReportingCycle.id == ReportingPeriod.cycle_id)
        .join(Term, Term.id == ReportingCycle.term_id)
        .join(Body, Body.id == Term.body_id)
        .where(Body.organization_id == organization_id, periods_wanted)
        .order_by(*order)
        .options(selectinload(ReportingPeriod.cycle))
    ).all()
    states = {
        (period_id, unit_id): state
        for period_id, unit_id, state in session.execute(
            select(ProgressReport.period_id, ProgressReport.unit_id, ProgressReport.state).where(
                ProgressReport.period_id.in_([period.id for period in periods]),
                ProgressReport.unit_id.in_([unit.id for unit in units]),
            )
        )
    }
    return [
        ReportDue(
            period.cycle.name,
            period.id,
            period.name,
            period.state,
            period.due_on,
            unit.id,
            unit.name,
            states.get((period.id, unit.id)),
        )
        for period in periods
        for unit in units
        if listed(period, states.get((period.id, unit.id)))
    ]


@dataclass(frozen=True)
class LastValue:
    """The figure a unit last reported for an indicator, counted, in an earlier period."""

    value: Decimal
    period: str


def last_values(session: Session, unit_id: int, period: ReportingPeriod) -> dict[int, LastValue]:
    """The unit's latest counted figure for each indicator in the cycle's earlier periods."""
    rows = session.execute(
        select(ReportValue.indicator_id, ReportValue.value, ReportingPeriod.name)
        .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .where(
            ProgressReport.unit_id == unit_id,
            ProgressReport.state.in_(COUNTED),
            ReportingPeriod.cycle_id == period.cycle_id,
            ReportingPeriod.starts_on < period.starts_on,
        )
        .order_by(ReportingPeriod.starts_on)
    )
    # Later periods come last and overwrite earlier ones.
    return {indicator_id: LastValue(value, name) for indicator_id, value, name in rows}


# --- The secretary's desk ------------------------------------------------------------------


@dataclass(frozen=True)
class DeskRow:
    """A unit expected to report in the period (or that reported all the same), and its
    report as it stands (None: not begun)."""

    unit_id: int
    unit: str
    report: ReportView | None

    @property
    def state(self) -> ReportState | None:
        return None if self.report is None else self.report.state


@dataclass(frozen=True)
class Named:
    """What a report's line is about, as the desk names it: "1.1 Members paying dues"."""

    path: str
    name: str
    unit_label: str = ""


@dataclass(frozen=True)
class PeriodDesk:
    rows: list[DeskRow]
    goals: dict[int, Named]
    indicators: dict[int, Named]

    def count(self, state: ReportState | None) -> int:
        return sum(1 for row in self.rows if row.state is state)


#: The most reports a desk lists: one a unit of the largest organizations.
DESK_LIMIT = 10_000


def period_desk(
    session: Session, organization: Organization, period: ReportingPeriod
) -> PeriodDesk:
    """Every unit with goals (of a frozen period, those given goals at its freeze, as its
    record kept them), and any other that reported, by name, with its report."""
    _total, reports = report_list(
        session, organization, ReportFilter(period_id=period.id), limit=DESK_LIMIT, offset=0
    )
    by_unit = {report.unit_id: report for report in reports}
    kept = frozen_units(session, period) if period.state is PeriodState.FROZEN else None
    expected = session.execute(
        select(Unit.id, Unit.name).where(
            Unit.organization_id == organization.id,
            Unit.id.in_(
                select(GoalAssignment.unit_id) if kept is None else sorted(kept.units_given_goals)
            ),
        )
    ).all()
    names = {unit_id: name for unit_id, name in expected} | {
        report.unit_id: report.unit for report in reports
    }
    rows = [
        DeskRow(unit_id, name, by_unit.get(unit_id))
        for unit_id, name in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    ]
    goals, indicators = {}, {}
    for node in goal_tree(session, organization.id, GoalFilter()):
        goals[node.id] = Named(node.path, node.title)
        for indicator in node.indicators:
            indicators[indicator.id] = Named(node.path, indicator.name, indicator.unit_label)
    return PeriodDesk(rows, goals, indicators)
