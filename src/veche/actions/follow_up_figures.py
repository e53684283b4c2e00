"""Who may read the follow-up's figures — the roll-up, a unit's report card, the interim
summing-up — and the rows a request for them names.

Reading them asks for ``follow_up.read`` in the organization, before any row named is read;
a unit's report card is also for the unit's reporters (``follow_up.report`` in the unit, or
in a unit above it), as the unit's report form is.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from veche.actions._follow_up import optional_row_of, row_of, working_organization
from veche.actions.access import Caller, caller_organization
from veche.actions.progress import unit_period
from veche.errors import InvalidInput
from veche.models import ReportingCycle, ReportingPeriod, Resolution, Unit
from veche.permissions import Permission
from veche.queries.follow_up_cycle import FiguresAsked


def readable_figures(
    session: Session,
    caller: Caller,
    *,
    cycle_id: int | None = None,
    period_id: int | None = None,
    resolution_id: int | None = None,
    unit_id: int | None = None,
) -> FiguresAsked:
    """The cycle (named, or the period's), the period, the resolution and the unit named,
    for one who may read the follow-up; a period of another cycle is refused (422)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_READ)
    period = optional_row_of(session, organization, ReportingPeriod, period_id, "period")
    if cycle_id is not None:
        cycle = row_of(session, organization, ReportingCycle, cycle_id, "reporting cycle")
    elif period is not None:
        cycle = period.cycle
    else:
        raise InvalidInput("name the reporting cycle or the period the figures are for")
    check_period_of(cycle, period)
    return FiguresAsked(
        organization,
        cycle,
        period,
        optional_row_of(session, organization, Resolution, resolution_id, "resolution"),
        optional_row_of(session, organization, Unit, unit_id, "unit"),
    )


def check_period_of(cycle: ReportingCycle, period: ReportingPeriod | None) -> None:
    if period is not None and period.cycle_id != cycle.id:
        raise InvalidInput(
            f"period {period.name} is not a period of reporting cycle {cycle.name}: name one "
            "of its periods, or none for the latest that is no longer open"
        )


def readable_card(session: Session, caller: Caller, period_id: int, unit_id: int) -> FiguresAsked:
    """The period and the unit of a report card, for one who reads the follow-up or reports
    for the unit."""
    found = unit_period(session, caller, period_id, unit_id, reading=True)
    return FiguresAsked(
        caller_organization(session, caller), found.period.cycle, found.period, unit=found.unit
    )
