"""What the follow-up's pages show: a reporting cycle's goals at the end of one of its
periods, resolution by resolution, with the charts and the units that have report cards — for
the public page (when the organization publishes its follow-up) and a unit's report card.

Every figure comes from ``queries/follow_up_rollup.py``, which counts the reports accepted
(or locked by a freeze) and nothing else: a draft, a report awaiting a decision or one
returned shows nowhere here. A frozen period's figures — its goals, its charts' points, its
units and their report cards — are those recorded at its freeze, where it was recorded
(``queries/frozen_records.py``; a record of the first format, older, holds the whole
organization's alone, and a report card of its period is computed).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.errors import NotFound
from veche.models import (
    Body,
    EvidenceDocument,
    Organization,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
    Term,
)
from veche.queries.follow_up_cycle import FiguresAsked, cycle_periods
from veche.queries.follow_up_rollup import (
    HeatRow,
    ReportCard,
    ResolutionGoals,
    RollupView,
    default_period,
    load_cycle,
    report_card,
)
from veche.queries.frozen_records import read_summing_up
from veche.reports.document import Chart
from veche.reports.summing_up import indicator_chart


@dataclass(frozen=True)
class FollowUpPage:
    """The cycle's goals at the whole organization for one period."""

    organization: Organization
    cycles: list[ReportingCycle]
    cycle: ReportingCycle | None  # None: no cycle has a period yet
    periods: list[ReportingPeriod]
    view: RollupView | None
    resolutions: list[ResolutionGoals]
    charts: list[Chart]
    #: The units with report cards: the summing-up's heat map's rows, in its order.
    units: list[HeatRow]


@dataclass(frozen=True)
class EvidenceShown:
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CardPage:
    """A unit's report card for a period, with the periods to choose from; ``inside`` (for
    those who read the follow-up or report for the unit) also the unit's own report's
    narrative and evidence, whatever its state."""

    organization: Organization
    card: ReportCard
    periods: list[ReportingPeriod]
    #: The card's goals, resolution by resolution.
    resolutions: list[ResolutionGoals]
    narrative: str = ""
    evidence: list[EvidenceShown] = field(default_factory=list)


def _cycles(session: Session, organization: Organization) -> list[ReportingCycle]:
    """The organization's reporting cycles that have a period, newest first."""
    return list(
        session.scalars(
            select(ReportingCycle)
            .join(Term, Term.id == ReportingCycle.term_id)
            .join(Body, Body.id == Term.body_id)
            .where(
                Body.organization_id == organization.id,
                ReportingCycle.id.in_(select(ReportingPeriod.cycle_id)),
            )
            .order_by(ReportingCycle.id.desc())
        )
    )


def _period(
    cycle: ReportingCycle, periods: list[ReportingPeriod], period_id: int | None
) -> ReportingPeriod:
    if period_id is None:
        return default_period(periods)
    for period in periods:
        if period.id == period_id:
            return period
    raise NotFound(f"reporting cycle {cycle.name} has no period {period_id}")


def follow_up_page(
    session: Session,
    organization: Organization,
    *,
    cycle_id: int | None = None,
    period_id: int | None = None,
) -> FollowUpPage:
    """The cycle named (default: the newest with a period) at the end of the period named
    (default: the latest no longer open, else the first)."""
    cycles = _cycles(session, organization)
    if cycle_id is not None:
        cycle = next((one for one in cycles if one.id == cycle_id), None)
        if cycle is None:
            raise NotFound(f"there is no reporting cycle {cycle_id} with figures to show")
    elif cycles:
        cycle = cycles[0]
    else:
        return FollowUpPage(organization, [], None, [], None, [], [], [])
    periods = cycle_periods(session, cycle)
    asked = FiguresAsked(organization, cycle, _period(cycle, periods, period_id))
    record = read_summing_up(session, asked)
    return FollowUpPage(
        organization=organization,
        cycles=cycles,
        cycle=cycle,
        periods=periods,
        view=record.now,
        resolutions=record.resolutions,
        charts=[
            indicator_chart(series, number) for number, series in enumerate(record.charts, start=1)
        ],
        units=record.heat_map,
    )


def card_page(
    session: Session,
    organization: Organization,
    period: ReportingPeriod,
    unit_id: int,
    *,
    inside: bool = False,
) -> CardPage:
    """The unit's report card for the period (the unit and the period already checked to be
    the organization's, and the caller's right to read them, ``inside`` or not)."""
    figures = load_cycle(session, organization, period.cycle, period=period, unit_id=unit_id)
    card = report_card(figures, period, unit_id)
    by_resolution = [
        ResolutionGoals(
            resolution_id,
            number,
            title,
            [goal for goal in card.goals if goal.resolution_id == resolution_id],
        )
        for resolution_id, (number, title) in sorted(
            figures.resolutions.items(), key=lambda found: found[1][0]
        )
    ]
    shown = CardPage(
        organization,
        card,
        figures.cycle_periods,
        [resolution for resolution in by_resolution if resolution.goals],
    )
    if not inside:
        return shown
    report = session.scalar(
        select(ProgressReport).where(
            ProgressReport.period_id == period.id, ProgressReport.unit_id == unit_id
        )
    )
    if report is None:
        return shown
    evidence = session.execute(
        select(
            EvidenceDocument.id,
            EvidenceDocument.filename,
            EvidenceDocument.content_type,
            EvidenceDocument.size,
            EvidenceDocument.sha256,
        )
        .where(EvidenceDocument.report_id == report.id)
        .order_by(EvidenceDocument.id)
    )
    return replace(
        shown,
        narrative=report.narrative,
        evidence=[EvidenceShown(*row) for row in evidence],
    )
