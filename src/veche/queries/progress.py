"""Progress reports as the API reads them: a report with its values and statuses, the
list filtered by period, cycle, unit and state, and the form a unit fills in, each list in
a few queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from veche.ids import Id
from veche.models import (
    Goal,
    GoalAssignment,
    IndicatorTarget,
    Organization,
    ProgressReport,
    ReportingPeriod,
    Resolution,
    Unit,
)
from veche.models.follow_up import AssignmentRole, Direction, GoalStatus, Measure, ReportState
from veche.queries._listing import paged, where_given
from veche.queries._views import view_of
from veche.queries.follow_up import GoalFilter, goal_tree
from veche.queries.reporting import PeriodView, period_views


@dataclass(frozen=True)
class ReportView:
    id: int
    period_id: int
    period: str
    unit_id: int
    unit: str
    state: ReportState
    narrative: str
    return_reason: str
    submitted_at: datetime | None
    created_at: datetime
    values: list[ValueView]
    statuses: list[StatusView]


class ReportFilter(BaseModel):
    """Which reports to list; each field left empty matches every report. ``GET
    /api/reports`` takes it as its query."""

    model_config = ConfigDict(frozen=True)

    period_id: Id | None = None
    cycle_id: Id | None = None
    unit_id: Id | None = None
    state: ReportState | None = None


@dataclass(frozen=True)
class ValueView:
    """A report's value for an indicator."""

    indicator_id: int
    value: Decimal


@dataclass(frozen=True)
class StatusView:
    """A report's status for a goal, with its reason."""

    goal_id: int
    status: GoalStatus
    reason: str


_REPORT_LOADS = (
    selectinload(ProgressReport.values),
    selectinload(ProgressReport.statuses),
    selectinload(ProgressReport.unit),
    selectinload(ProgressReport.period),
)


def report_view(report: ProgressReport) -> ReportView:
    return view_of(
        ReportView,
        report,
        period=report.period.name,
        unit=report.unit.name,
        values=[view_of(ValueView, value) for value in report.values],
        statuses=[view_of(StatusView, status) for status in report.statuses],
    )


def report_list(
    session: Session, organization: Organization, wanted: ReportFilter, *, limit: int, offset: int
) -> tuple[int, list[ReportView]]:
    """(how many match, one page of them), by period, then unit."""
    query = (
        select(ProgressReport)
        .join(Unit, Unit.id == ProgressReport.unit_id)
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .where(Unit.organization_id == organization.id)
    )
    query = where_given(
        query,
        (ProgressReport.period_id, wanted.period_id),
        (ReportingPeriod.cycle_id, wanted.cycle_id),
        (ProgressReport.unit_id, wanted.unit_id),
        (ProgressReport.state, wanted.state),
    )
    total, page = paged(
        session,
        query,
        ReportingPeriod.starts_on,
        ReportingPeriod.id,
        Unit.name,
        Unit.id,
        limit=limit,
        offset=offset,
    )
    return total, [report_view(r) for r in session.scalars(page.options(*_REPORT_LOADS))]


@dataclass(frozen=True)
class FormIndicator:
    """An indicator a unit reports on, with the unit's target for the period, if any."""

    id: int
    number: int
    name: str
    measure: Measure
    unit_label: str
    direction: Direction
    target: Decimal | None
    baseline: Decimal | None


@dataclass(frozen=True)
class FormGoal:
    """A goal assigned to the unit, with what the unit reports on it."""

    id: int
    resolution_id: int
    path: str
    title: str
    role: AssignmentRole
    indicators: list[FormIndicator]


@dataclass(frozen=True)
class ReportForm:
    """What a unit reports for a period: its goals with their indicators and targets, and
    its report as it stands (none yet: ``report`` is null)."""

    unit_id: int
    unit: str
    period: PeriodView
    report: ReportView | None
    goals: list[FormGoal]
    #: Each resolution's number, where the goals come from several (their paths, numbered
    #: within their resolution, would repeat): read with ``goal_label``. Empty otherwise.
    resolution_numbers: dict[int, int] = field(default_factory=dict)


def report_form(
    session: Session,
    unit: Unit,
    period: ReportingPeriod,
    report: ProgressReport | None,
) -> ReportForm:
    """The unit's report form for the period, in a handful of queries."""
    roles = dict(
        session.execute(
            select(GoalAssignment.goal_id, GoalAssignment.role).where(
                GoalAssignment.unit_id == unit.id
            )
        ).all()
    )
    resolutions = set(session.scalars(select(Goal.resolution_id).where(Goal.id.in_(sorted(roles)))))
    nodes = [
        node
        for resolution_id in sorted(resolutions)
        for node in goal_tree(
            session, unit.organization_id, GoalFilter(resolution_id=resolution_id, unit_id=unit.id)
        )
    ]
    targets = {
        target.indicator_id: target
        for target in session.scalars(
            select(IndicatorTarget).where(
                IndicatorTarget.unit_id == unit.id, IndicatorTarget.period_id == period.id
            )
        )
    }
    goals = [
        view_of(
            FormGoal,
            node,
            role=roles[node.id],
            indicators=[
                view_of(
                    FormIndicator,
                    indicator,
                    target=targets[indicator.id].value if indicator.id in targets else None,
                    baseline=targets[indicator.id].baseline if indicator.id in targets else None,
                )
                for indicator in node.indicators
            ],
        )
        for node in nodes
    ]
    return ReportForm(
        unit.id,
        unit.name,
        period_views(session, [period])[0],
        report_view(report) if report is not None else None,
        goals,
        resolution_numbers={
            resolution_id: number
            for resolution_id, number in session.execute(
                select(Resolution.id, Resolution.number).where(
                    Resolution.id.in_(sorted(resolutions))
                )
            )
        }
        if len(resolutions) > 1
        else {},
    )
