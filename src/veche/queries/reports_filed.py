"""The reports a reporter's units filed in periods whose filing has ended, to read again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from veche.models import Body, ProgressReport, ReportingCycle, ReportingPeriod, Term, Unit
from veche.models.follow_up import PeriodState, ReportState
from veche.queries.follow_up_pages import ReportDue


def reports_past(session: Session, organization_id: int, units: Sequence[Unit]) -> list[ReportDue]:
    """The units' reports of every period closed or frozen, the latest period first, then by
    unit; a unit that filed none is listed too, as not reported. A report returned in a closed
    period is left out: its unit still files it (``queries.follow_up_pages.reports_due``)."""
    periods = session.scalars(
        select(ReportingPeriod)
        .join(ReportingCycle, ReportingCycle.id == ReportingPeriod.cycle_id)
        .join(Term, Term.id == ReportingCycle.term_id)
        .join(Body, Body.id == Term.body_id)
        .where(Body.organization_id == organization_id, ReportingPeriod.state != PeriodState.OPEN)
        .order_by(ReportingPeriod.due_on.desc(), ReportingPeriod.id.desc())
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
        if period.state is PeriodState.FROZEN
        or states.get((period.id, unit.id)) is not ReportState.RETURNED
    ]
