"""Progress reports: a unit's report for one period, filed by its reporter and reviewed by
those who manage the follow-up.

A report is saved as a draft (a value per indicator, a status per goal, a narrative), then
submitted; the secretary accepts it, or returns it with a reason, and a returned report is
corrected and submitted again. Freezing the period locks the accepted ones
(``actions/reporting.py``). A unit reports on the goals assigned to it and their indicators.

Filing asks for ``follow_up.report`` in the report's unit (a reporter granted in a region
files for its branches too); reviewing asks for ``follow_up.manage``. The unit is read before
the permission is asked in it: the organization's units are no secret to anyone in it
(``GET /api/units``), and a grant in a unit can only be asked once the unit is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._follow_up import check_text, row_of, working_organization
from veche.actions.access import Caller, authorize, caller_organization, holds
from veche.actions.indicators import check_value
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict, Forbidden, InvalidInput
from veche.models import (
    GoalAssignment,
    Indicator,
    ProgressReport,
    ReportGoalStatus,
    ReportingPeriod,
    ReportValue,
    Unit,
)
from veche.models.base import utcnow
from veche.models.follow_up import (
    EDITABLE_REPORT_STATES,
    REASON_NEEDED,
    REPORT_TRANSITIONS,
    GoalStatus,
    PeriodState,
    ReportState,
)
from veche.permissions import Permission


@dataclass(frozen=True)
class StatusGiven:
    """A goal's status as a unit reports it, with its reason."""

    status: GoalStatus
    reason: str = ""


@dataclass(frozen=True)
class UnitPeriod:
    """The unit and the period a report is for, read for one who may file it (or read it)."""

    unit: Unit
    period: ReportingPeriod
    report: ProgressReport | None


def _period_shared(session: Session, period_id: int) -> ReportingPeriod | None:
    # Read under a shared lock: a freeze (which takes the period for update) waits for the
    # reports being saved, and they for it, so none is changed after its period froze.
    return session.scalar(
        select(ReportingPeriod).where(ReportingPeriod.id == period_id).with_for_update(read=True)
    )


def unit_period(
    session: Session,
    caller: Caller,
    period_id: int,
    unit_id: int,
    *,
    reading: bool = False,
) -> UnitPeriod:
    """The unit's report for the period (if any), for its reporter (``follow_up.report`` in
    the unit); ``reading``: also for those who read the follow-up, and one who may do neither
    is told that it is the reading that is refused."""
    organization = caller_organization(session, caller)
    unit = row_of(session, organization, Unit, unit_id, "unit")
    if not reading:
        authorize(session, caller, Permission.FOLLOW_UP_REPORT, unit.id)
    elif not (
        holds(session, caller, Permission.FOLLOW_UP_READ, organization.id)
        or holds(session, caller, Permission.FOLLOW_UP_REPORT, unit.id)
    ):
        raise Forbidden(
            f"you may not read {unit.name}'s progress reports or report card: only a reporter "
            f"of {unit.name} or one who reads the follow-up may; ask the secretary if you need "
            "them"
        )
    period = row_of(session, organization, ReportingPeriod, period_id, "period")
    query = select(ProgressReport).where(
        ProgressReport.period_id == period.id, ProgressReport.unit_id == unit.id
    )
    if not reading:
        # The period first, then the report: the order a review takes them in too.
        period = _period_shared(session, period.id) or period
        query = query.with_for_update()
    return UnitPeriod(unit, period, session.scalar(query))


def readable_report(session: Session, caller: Caller, report_id: int) -> ProgressReport:
    """A report, for one who may read the follow-up (a unit's reporter reads the unit's
    report by its unit and period: ``unit_period``)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_READ)
    return row_of(session, organization, ProgressReport, report_id, "report")


def check_report(session: Session, caller: Caller, report_id: int) -> ProgressReport:
    """A report, for one who reviews reports (``follow_up.manage``)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    report = row_of(session, organization, ProgressReport, report_id, "report")
    # The period first, then the report: the order filing takes them in too, so that a
    # review and a filing (or a freeze) never wait for each other in a circle.
    _period_shared(session, report.period_id)
    locked = session.get(ProgressReport, report.id, with_for_update=True, populate_existing=True)
    return locked or report


def _subject(report: ProgressReport) -> str:
    return f"report {report.id} ({report.unit.name}, {report.period.name})"


def _check_unfrozen(period: ReportingPeriod, doing: str) -> None:
    if period.state is PeriodState.FROZEN:
        raise Conflict(f"cannot {doing}: period {period.name} is frozen, its reports are final")


def _check_filing(period: ReportingPeriod, report: ProgressReport | None, doing: str) -> None:
    """Units file while the period is open; once it is closed only a returned report may
    still be corrected and submitted again."""
    _check_unfrozen(period, doing)
    if period.state is PeriodState.CLOSED and (
        report is None or report.state is not ReportState.RETURNED
    ):
        raise Conflict(
            f"cannot {doing}: the filing of reports for period {period.name} has ended; "
            "ask those who manage the follow-up"
        )


def _assigned(session: Session, unit: Unit) -> set[int]:
    return set(
        session.scalars(select(GoalAssignment.goal_id).where(GoalAssignment.unit_id == unit.id))
    )


def check_values(
    session: Session, unit: Unit, assigned: set[int], values: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    indicators = {
        indicator.id: indicator
        for indicator in session.scalars(select(Indicator).where(Indicator.id.in_(sorted(values))))
    }
    checked = {}
    for indicator_id, value in sorted(values.items()):
        indicator = indicators.get(indicator_id)
        if indicator is None or indicator.goal_id not in assigned:
            raise InvalidInput(
                f"indicator {indicator_id} does not measure a goal assigned to {unit.name}: "
                "report on the indicators of its goals"
            )
        checked[indicator_id] = check_value(
            indicator, value, f"the value of indicator {indicator_id}"
        )
    return checked


def check_statuses(
    unit: Unit, assigned: set[int], statuses: Mapping[int, StatusGiven]
) -> dict[int, StatusGiven]:
    checked = {}
    for goal_id, given in sorted(statuses.items()):
        if goal_id not in assigned:
            raise InvalidInput(
                f"goal {goal_id} is not assigned to {unit.name}: report on its own goals"
            )
        reason = check_text(given.reason, f"the reason for goal {goal_id}'s status")
        if given.status in REASON_NEEDED and not reason:
            raise InvalidInput(
                f"goal {goal_id} is reported {given.status.value.replace('_', ' ')}: say why "
                "(reason), as every status but not started and on track needs"
            )
        checked[goal_id] = StatusGiven(given.status, reason)
    return checked


def do_save_report(
    session: Session,
    caller: Caller,
    period_id: int,
    unit_id: int,
    *,
    narrative: str = "",
    values: Mapping[int, Decimal] | None = None,
    statuses: Mapping[int, StatusGiven] | None = None,
) -> ProgressReport:
    """Save the unit's report for the period as it now stands, whole: a draft started, or a
    draft or returned report changed."""
    found = unit_period(session, caller, period_id, unit_id)
    unit, period, report = found.unit, found.period, found.report
    _check_filing(period, report, f"change {unit.name}'s report for {period.name}")
    if report is not None and report.state not in EDITABLE_REPORT_STATES:
        raise Conflict(
            f"{_subject(report)} is {report.state.value}: it changes only as a draft or once "
            "returned"
        )
    assigned = _assigned(session, unit)
    checked_values = check_values(session, unit, assigned, values or {})
    checked_statuses = check_statuses(unit, assigned, statuses or {})
    narrative = check_text(narrative, "the narrative")
    if report is None:
        report = ProgressReport(period=period, unit=unit, state=ReportState.DRAFT)
        session.add(report)
    report.narrative = narrative
    report.values = [
        ReportValue(indicator_id=indicator_id, value=value)
        for indicator_id, value in checked_values.items()
    ]
    report.statuses = [
        ReportGoalStatus(goal_id=goal_id, status=given.status, reason=given.reason)
        for goal_id, given in checked_statuses.items()
    ]
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SAVE_PROGRESS_REPORT,
        {
            "report_id": report.id,
            "period_id": period.id,
            "unit_id": unit.id,
            "state": report.state,
            "values": [[i, v] for i, v in checked_values.items()],
            "statuses": [[g, s.status, s.reason] for g, s in checked_statuses.items()],
            "narrative": narrative,
        },
    )
    return report


def do_submit_report(
    session: Session, caller: Caller, period_id: int, unit_id: int
) -> ProgressReport:
    """Submit the unit's report for review: a draft, or a returned report corrected."""
    found = unit_period(session, caller, period_id, unit_id)
    unit, period, report = found.unit, found.period, found.report
    if report is None:
        raise Conflict(
            f"{unit.name} has no report for {period.name} yet: save it (PUT) before submitting"
        )
    _check_filing(period, report, f"submit {_subject(report)}")
    REPORT_TRANSITIONS.check_step(report.state, ReportState.SUBMITTED, _subject(report))
    if not (report.values or report.statuses or report.narrative):
        raise InvalidInput(
            f"{_subject(report)} is empty: give a value, a status or a narrative first"
        )
    report.state = ReportState.SUBMITTED
    report.submitted_at = utcnow()
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SUBMIT_PROGRESS_REPORT,
        {"report_id": report.id},
    )
    return report


def withdrawable(period: ReportingPeriod, report: ProgressReport | None) -> bool:
    """Whether the report's unit may still take it back to a draft (``do_withdraw_report``):
    submitted, the secretary not having decided on it, while the period is open."""
    return (
        report is not None
        and report.state is ReportState.SUBMITTED
        and period.state is PeriodState.OPEN
    )


def do_withdraw_report(
    session: Session, caller: Caller, period_id: int, unit_id: int
) -> ProgressReport:
    """Take the unit's submitted report back to a draft, to correct it, while the secretary
    has not decided on it and the period is open; after that, only the secretary returns it.

    Journalled with what it holds, as a save is: the figures the secretary will be sent next
    may differ from those submitted."""
    found = unit_period(session, caller, period_id, unit_id)
    unit, period, report = found.unit, found.period, found.report
    if report is None:
        raise Conflict(f"{unit.name} has no report for {period.name}: there is nothing to withdraw")
    doing = f"withdraw {_subject(report)}"
    _check_unfrozen(period, doing)
    if report.state is not ReportState.SUBMITTED:
        advice = {
            ReportState.DRAFT: "it is still a draft: correct it and submit it",
            ReportState.RETURNED: "it was returned: correct it and submit it again",
        }.get(report.state, "the secretary has decided on it; ask them if a figure is wrong")
        raise Conflict(f"cannot {doing}: it is {report.state.value}, not submitted; {advice}")
    if period.state is not PeriodState.OPEN:
        raise Conflict(
            f"cannot {doing}: the filing of reports for period {period.name} has ended; ask the "
            "secretary to return it to you for correction"
        )
    report.state = ReportState.DRAFT
    report.submitted_at = None
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.WITHDRAW_PROGRESS_REPORT,
        {
            "report_id": report.id,
            "period_id": period.id,
            "unit_id": unit.id,
            "state": report.state,
            "values": sorted([line.indicator_id, line.value] for line in report.values),
            "statuses": sorted(
                [line.goal_id, line.status, line.reason] for line in report.statuses
            ),
            "narrative": report.narrative,
        },
    )
    return report


def do_return_report(
    session: Session, caller: Caller, report: ProgressReport, reason: str
) -> ProgressReport:
    """Send a submitted report back to its unit, saying what to correct."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    _check_unfrozen(report.period, f"return {_subject(report)}")
    REPORT_TRANSITIONS.check_step(report.state, ReportState.RETURNED, _subject(report))
    reason = check_text(reason, "the reason")
    if not reason:
        raise InvalidInput(f"say what {report.unit.name} should correct (reason)")
    report.state = ReportState.RETURNED
    report.return_reason = reason
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.RETURN_PROGRESS_REPORT,
        {"report_id": report.id, "reason": reason},
    )
    return report


def do_accept_report(session: Session, caller: Caller, report: ProgressReport) -> ProgressReport:
    """Accept a submitted report: its figures count once the period is frozen."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    _check_unfrozen(report.period, f"accept {_subject(report)}")
    REPORT_TRANSITIONS.check_step(report.state, ReportState.ACCEPTED, _subject(report))
    report.state = ReportState.ACCEPTED
    session.flush()
    record(session, caller.actor, JournalAction.ACCEPT_PROGRESS_REPORT, {"report_id": report.id})
    return report
