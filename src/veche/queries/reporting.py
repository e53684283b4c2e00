"""Reporting cycles and their periods as the API reads them, each period with its reports
counted by state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from veche.models import Body, ProgressReport, ReportingCycle, ReportingPeriod, Term
from veche.models.follow_up import PeriodState, ReportState
from veche.queries._listing import where_given
from veche.queries._views import view_of
from veche.queries.org import term_label


@dataclass(frozen=True)
class PeriodView:
    id: int
    cycle_id: int
    name: str
    starts_on: date
    ends_on: date
    due_on: date
    state: PeriodState
    figures_hash: str | None
    #: How many of its reports are in each state.
    reports: dict[ReportState, int]


@dataclass(frozen=True)
class CycleView:
    id: int
    term_id: int
    term: str
    name: str
    periods: list[PeriodView]


def _report_counts(
    session: Session, period_ids: Iterable[int]
) -> dict[int, dict[ReportState, int]]:
    counts: dict[int, dict[ReportState, int]] = {}
    for period_id, state, number in session.execute(
        select(ProgressReport.period_id, ProgressReport.state, func.count())
        .where(ProgressReport.period_id.in_(sorted(period_ids)))
        .group_by(ProgressReport.period_id, ProgressReport.state)
    ):
        counts.setdefault(period_id, {})[state] = number
    return counts


def period_views(session: Session, periods: Sequence[ReportingPeriod]) -> list[PeriodView]:
    counts = _report_counts(session, (period.id for period in periods))
    return [
        view_of(
            PeriodView,
            period,
            reports={state: counts.get(period.id, {}).get(state, 0) for state in ReportState},
        )
        for period in periods
    ]


def cycle_views(
    session: Session,
    organization_id: int,
    *,
    term_id: int | None = None,
    cycle_id: int | None = None,
) -> list[CycleView]:
    """The organization's reporting cycles (of one term, or one cycle), newest term first,
    each with its periods in order."""
    query = (
        select(ReportingCycle)
        .join(Term, Term.id == ReportingCycle.term_id)
        .join(Body, Body.id == Term.body_id)
        .where(Body.organization_id == organization_id)
        .options(
            selectinload(ReportingCycle.periods),
            selectinload(ReportingCycle.term).selectinload(Term.body),
        )
        .order_by(Term.starts_on.desc(), ReportingCycle.id)
    )
    query = where_given(query, (ReportingCycle.term_id, term_id), (ReportingCycle.id, cycle_id))
    cycles = session.scalars(query).all()
    periods = period_views(session, [period for cycle in cycles for period in cycle.periods])
    by_cycle: dict[int, list[PeriodView]] = {}
    for view in periods:
        by_cycle.setdefault(view.cycle_id, []).append(view)
    return [
        view_of(CycleView, cycle, term=term_label(cycle.term), periods=by_cycle.get(cycle.id, []))
        for cycle in cycles
    ]
