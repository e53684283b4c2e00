"""Reporting through the API: cycles of a term and their periods, and the units' progress
reports — filed by a unit's reporter, reviewed by those who manage the follow-up.

A reporter reaches their unit's report by its period and unit
(``/periods/{period_id}/units/{unit_id}/report``): the permission is asked in the unit the
address names. Those who read the follow-up list and read every report by its id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from veche.actions.goals import reading_organization
from veche.actions.progress import (
    check_report,
    do_submit_report,
    do_withdraw_report,
    readable_report,
    unit_period,
)
from veche.actions.reporting import readable_cycle, readable_period
from veche.models import ProgressReport, ReportingCycle, ReportingPeriod
from veche.queries.progress import (
    ReportFilter,
    ReportForm,
    ReportView,
    report_form,
    report_list,
    report_view,
)
from veche.queries.reporting import CycleView, PeriodView, cycle_views, period_views
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import Id, PageQuery
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_follow_up import (
    CycleIn,
    CycleUpdate,
    PeriodIn,
    PeriodStateIn,
    PeriodUpdate,
    ReportDecisionIn,
    ReportIn,
)

router = APIRouter(tags=["follow-up"], responses=REFUSALS)


class ReportsOut(BaseModel):
    total: int
    reports: list[ReportView]


def _cycle(session: Session, cycle: ReportingCycle) -> CycleView:
    organization_id = cycle.term.body.organization_id
    return cycle_views(session, organization_id, cycle_id=cycle.id)[0]


def _period(session: Session, period: ReportingPeriod) -> PeriodView:
    return period_views(session, [period])[0]


def _report(session: Session, report: ProgressReport) -> ReportView:
    session.flush()
    return report_view(report)


@router.get("/cycles")
def list_cycles(
    caller: CallerDep, session: SessionDep, term_id: Id | None = None
) -> list[CycleView]:
    """Reporting cycles, newest term first, each with its periods and how many of their
    reports are in each state."""
    organization = reading_organization(session, caller)
    return cycle_views(session, organization.id, term_id=term_id)


@router.post("/cycles", status_code=201)
def create_cycle(body: CycleIn, caller: CallerDep, session: Transaction) -> CycleView:
    """A reporting cycle of a body's term."""
    return _cycle(session, body.create(session, caller))


@router.get("/cycles/{cycle_id}")
def get_cycle(cycle_id: Id, caller: CallerDep, session: SessionDep) -> CycleView:
    return _cycle(session, readable_cycle(session, caller, cycle_id))


@router.patch("/cycles/{cycle_id}")
def rename_cycle(
    cycle_id: Id, body: CycleUpdate, caller: CallerDep, session: Transaction
) -> CycleView:
    return _cycle(session, body.apply(session, caller, cycle_id))


@router.post("/cycles/{cycle_id}/periods", status_code=201)
def add_period(cycle_id: Id, body: PeriodIn, caller: CallerDep, session: Transaction) -> PeriodView:
    """A period of the cycle, open for reports."""
    return _period(session, body.add(session, caller, cycle_id))


@router.get("/periods/{period_id}")
def get_period(period_id: Id, caller: CallerDep, session: SessionDep) -> PeriodView:
    return _period(session, readable_period(session, caller, period_id))


@router.patch("/periods/{period_id}")
def update_period(
    period_id: Id, body: PeriodUpdate, caller: CallerDep, session: Transaction
) -> PeriodView:
    """Rename a period or change its days, until it is frozen."""
    return _period(session, body.apply(session, caller, period_id))


@router.post("/periods/{period_id}/state")
def move_period(
    period_id: Id, body: PeriodStateIn, caller: CallerDep, session: Transaction
) -> PeriodView:
    """Close the period's filing, then freeze its figures (forward only)."""
    return _period(session, body.apply(session, caller, period_id))


@router.get("/periods/{period_id}/units/{unit_id}/report")
def get_unit_report(
    period_id: Id, unit_id: Id, caller: CallerDep, session: SessionDep
) -> ReportForm:
    """What the unit reports for the period — its goals, their indicators and the unit's
    targets — and its report as it stands (`report` null: none yet)."""
    found = unit_period(session, caller, period_id, unit_id, reading=True)
    return report_form(session, found.unit, found.period, found.report)


@router.put("/periods/{period_id}/units/{unit_id}/report")
def save_unit_report(
    period_id: Id, unit_id: Id, body: ReportIn, caller: CallerDep, session: Transaction
) -> ReportView:
    """Save the unit's report, whole: a new draft, or a draft or returned report changed."""
    return _report(session, body.save(session, caller, period_id, unit_id))


@router.post("/periods/{period_id}/units/{unit_id}/report/submit")
def submit_unit_report(
    period_id: Id, unit_id: Id, caller: CallerDep, session: Transaction
) -> ReportView:
    """Submit the unit's report for review."""
    return _report(session, do_submit_report(session, caller, period_id, unit_id))


@router.post("/periods/{period_id}/units/{unit_id}/report/withdraw")
def withdraw_unit_report(
    period_id: Id, unit_id: Id, caller: CallerDep, session: Transaction
) -> ReportView:
    """Take the unit's submitted report back to a draft, to correct it, while the secretary
    has not decided on it and the period is open."""
    return _report(session, do_withdraw_report(session, caller, period_id, unit_id))


@router.get("/reports")
def list_reports(
    caller: CallerDep,
    session: SessionDep,
    wanted: Annotated[ReportFilter, Query()],
    page: PageQuery,
) -> ReportsOut:
    """Progress reports by period, then unit; filter by period, cycle, unit and state."""
    organization = reading_organization(session, caller)
    total, found = report_list(session, organization, wanted, limit=page.limit, offset=page.offset)
    return ReportsOut(total=total, reports=found)


@router.get("/reports/{report_id}")
def get_report(report_id: Id, caller: CallerDep, session: SessionDep) -> ReportView:
    return report_view(readable_report(session, caller, report_id))


@router.post("/reports/{report_id}/decision")
def decide_report(
    report_id: Id, body: ReportDecisionIn, caller: CallerDep, session: Transaction
) -> ReportView:
    """Accept a submitted report, or return it to its unit saying what to correct."""
    report = check_report(session, caller, report_id)
    return _report(session, body.decide(session, caller, report))
