"""Reporting cycles within a body's term, their periods, and a period's way from open to
frozen.

A period is open while units file their reports; closed once filing has ended and the
reports are reviewed; frozen when its figures are final: every accepted report is locked,
and the SHA-256 of the figures they hold (``veche.follow_up.figures``) is written into the
journal entry of the freeze, which ``veche verify`` checks again. The freeze also records
what those figures roll up to at the whole organization and at every unit
(``queries/frozen_records.py``: its first lines in ``frozen_record``, each unit's line in a
row of ``frozen_unit_record``), with that record's SHA-256 in the same entry: what every
view of the period shows ever after. Forward only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from veche.actions._days import check_span
from veche.actions._follow_up import journal_change, row_of, working_organization
from veche.actions.access import Caller
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name
from veche.errors import Conflict, InvalidInput
from veche.follow_up.figures import FrozenStatus, FrozenValue, figures_hash
from veche.models import (
    FrozenRecord,
    FrozenUnitRecord,
    ProgressReport,
    ReportGoalStatus,
    ReportingCycle,
    ReportingPeriod,
    ReportValue,
    Term,
    Unit,
)
from veche.models.base import utcnow
from veche.models.follow_up import PERIOD_TRANSITIONS, PeriodState, ReportState
from veche.permissions import Permission
from veche.queries.follow_up_arrays import collector_paused
from veche.queries.follow_up_cycle import load_cycle
from veche.queries.frozen_records import frozen_record_lines

#: The units' lines of a record a freeze writes in one statement, at most.
_LINES_AT_ONCE = 5_000

# --- Cycles --------------------------------------------------------------------------------


def readable_period(session: Session, caller: Caller, period_id: int) -> ReportingPeriod:
    """A period, for one who may read the follow-up."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_READ)
    return row_of(session, organization, ReportingPeriod, period_id, "period")


def readable_cycle(session: Session, caller: Caller, cycle_id: int) -> ReportingCycle:
    """A reporting cycle, for one who may read the follow-up."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_READ)
    return row_of(session, organization, ReportingCycle, cycle_id, "reporting cycle")


def check_cycle(session: Session, caller: Caller, cycle_id: int) -> ReportingCycle:
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    return row_of(session, organization, ReportingCycle, cycle_id, "reporting cycle")


def _check_cycle_name(
    session: Session, term_id: int, name: str, *, renamed: ReportingCycle | None = None
) -> str:
    name = check_name(name, "the cycle's name", 200)
    clash = select(ReportingCycle.id).where(
        ReportingCycle.term_id == term_id, ReportingCycle.name == name
    )
    if renamed is not None:
        clash = clash.where(ReportingCycle.id != renamed.id)
    if session.scalar(clash) is not None:
        raise Conflict(f"the term already has a reporting cycle named {name!r}")
    return name


def do_create_cycle(session: Session, caller: Caller, term_id: int, name: str) -> ReportingCycle:
    """A reporting cycle of a body's term ("half-yearly reports"); its periods come next."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    term = row_of(session, organization, Term, term_id, "term")
    cycle = ReportingCycle(term_id=term.id, name=_check_cycle_name(session, term.id, name))
    session.add(cycle)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_REPORTING_CYCLE,
        {"cycle_id": cycle.id, "term_id": term.id, "name": cycle.name},
    )
    return cycle


def do_rename_cycle(
    session: Session, caller: Caller, cycle: ReportingCycle, name: str
) -> ReportingCycle:
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    cycle.name = _check_cycle_name(session, cycle.term_id, name, renamed=cycle)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.RENAME_REPORTING_CYCLE,
        {"cycle_id": cycle.id, "name": cycle.name},
    )
    return cycle


# --- Periods -------------------------------------------------------------------------------


def check_period(session: Session, caller: Caller, period_id: int) -> ReportingPeriod:
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    return row_of(session, organization, ReportingPeriod, period_id, "period", lock=True)


@dataclass(frozen=True)
class PeriodSpec:
    """A period's name and days: the first, the last, and the day its reports are due."""

    name: str
    starts_on: date
    ends_on: date
    due_on: date


def _check_period_spec(
    cycle: ReportingCycle, spec: PeriodSpec, *, changed: ReportingPeriod | None = None
) -> PeriodSpec:
    """A period's name, unique in its cycle, and its days: within the term, after the
    period starts, and clear of the cycle's other periods."""
    name = check_name(spec.name, "the period's name", 200)
    starts_on, ends_on, due_on = spec.starts_on, spec.ends_on, spec.due_on
    check_span("the period", starts_on, ends_on)
    if due_on < starts_on:
        raise InvalidInput(
            f"the reports cannot be due ({due_on}) before the period starts ({starts_on})"
        )
    term = cycle.term
    if starts_on < term.starts_on or (term.ends_on is not None and ends_on > term.ends_on):
        until = f"to {term.ends_on}" if term.ends_on is not None else "onwards"
        raise InvalidInput(
            f"the period ({starts_on} to {ends_on}) must lie within its term, from "
            f"{term.starts_on} {until}"
        )
    for other in cycle.periods:
        if other is changed:
            continue
        if other.name == name:
            raise Conflict(f"the cycle already has a period named {name!r}")
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            raise InvalidInput(
                f"the period ({starts_on} to {ends_on}) overlaps {other.name} "
                f"({other.starts_on} to {other.ends_on}); a cycle's periods follow each other"
            )
    return replace(spec, name=name)


def do_add_period(
    session: Session, caller: Caller, cycle: ReportingCycle, spec: PeriodSpec
) -> ReportingPeriod:
    """A period of the cycle, open for reports at once."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    checked = asdict(_check_period_spec(cycle, spec))
    period = ReportingPeriod(cycle=cycle, state=PeriodState.OPEN, **checked)
    session.add(period)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ADD_REPORTING_PERIOD,
        {"period_id": period.id, "cycle_id": cycle.id, **checked},
    )
    return period


def do_update_period(
    session: Session, caller: Caller, period: ReportingPeriod, spec: PeriodSpec
) -> ReportingPeriod:
    """Rename a period or change its days (its due date, most often), until it is frozen."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    if period.state is PeriodState.FROZEN:
        raise Conflict(f"period {period.name} is frozen; its days stay as they were")
    checked = asdict(_check_period_spec(period.cycle, spec, changed=period))
    journal_change(
        session, caller, period, checked, JournalAction.UPDATE_REPORTING_PERIOD, period_id=period.id
    )
    return period


def do_close_period(session: Session, caller: Caller, period: ReportingPeriod) -> ReportingPeriod:
    """End the filing of reports: no unit starts one any more, the submitted ones are
    reviewed, and a report returned may still be corrected and submitted again."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    PERIOD_TRANSITIONS.check_step(period.state, PeriodState.CLOSED, f"period {period.name}")
    period.state = PeriodState.CLOSED
    session.flush()
    record(session, caller.actor, JournalAction.CLOSE_REPORTING_PERIOD, {"period_id": period.id})
    return period


def do_move_period(
    session: Session, caller: Caller, period: ReportingPeriod, state: PeriodState
) -> ReportingPeriod:
    """Move a period on to the state named: closed, or frozen."""
    if state is PeriodState.CLOSED:
        return do_close_period(session, caller, period)
    if state is PeriodState.FROZEN:
        return do_freeze_period(session, caller, period)
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    PERIOD_TRANSITIONS.check_move(period.state, state, f"period {period.name}")
    return period


def frozen_figures(
    session: Session, period_id: int
) -> tuple[int, list[FrozenValue], list[FrozenStatus]]:
    """The locked reports of a period: how many, and the values and statuses they hold."""
    locked = select(ProgressReport.id).where(
        ProgressReport.period_id == period_id, ProgressReport.state == ReportState.LOCKED
    )
    reports = session.scalar(select(func.count()).select_from(locked.subquery())) or 0
    values = [
        FrozenValue(unit_id, indicator_id, value)
        for unit_id, indicator_id, value in session.execute(
            select(ProgressReport.unit_id, ReportValue.indicator_id, ReportValue.value)
            .join(ReportValue, ReportValue.report_id == ProgressReport.id)
            .where(ProgressReport.id.in_(locked))
        )
    ]
    statuses = [
        FrozenStatus(unit_id, goal_id, status.value)
        for unit_id, goal_id, status in session.execute(
            select(ProgressReport.unit_id, ReportGoalStatus.goal_id, ReportGoalStatus.status)
            .join(ReportGoalStatus, ReportGoalStatus.report_id == ProgressReport.id)
            .where(ProgressReport.id.in_(locked))
        )
    ]
    return reports, values, statuses


def do_freeze_period(session: Session, caller: Caller, period: ReportingPeriod) -> ReportingPeriod:
    """Make a closed period's figures final: its accepted reports are locked, the hash of
    the figures they hold goes into the journal, and so does the hash of the record of what
    they roll up to at the whole organization and at every unit, kept beside the period.
    Reports still awaiting a decision hold the freeze up; drafts and reports returned and not
    submitted again are left out, as not reported."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    PERIOD_TRANSITIONS.check_step(period.state, PeriodState.FROZEN, f"period {period.name}")
    waiting = session.scalars(
        select(Unit.name)
        .join(ProgressReport, ProgressReport.unit_id == Unit.id)
        .where(
            ProgressReport.period_id == period.id,
            ProgressReport.state == ReportState.SUBMITTED,
        )
        .order_by(Unit.name)
    ).all()
    if waiting:
        raise Conflict(
            f"period {period.name} has {len(waiting)} submitted report"
            f"{'' if len(waiting) == 1 else 's'} awaiting a decision ({', '.join(waiting)}): "
            f"accept or return {'it' if len(waiting) == 1 else 'them'} before freezing"
        )
    # One statement, not a row object a report: a period of 10,000 reports.
    session.execute(
        update(ProgressReport)
        .where(ProgressReport.period_id == period.id, ProgressReport.state == ReportState.ACCEPTED)
        .values(state=ReportState.LOCKED)
    )
    period.state = PeriodState.FROZEN
    session.flush()
    # A value a line: a million objects at the size, which the collector would walk
    # again and again.
    with collector_paused():
        reports, values, statuses = frozen_figures(session, period.id)
        period.figures_hash = figures_hash(period.id, values, statuses)
    # Every goal of the organization, at the whole organization and at every unit, as the
    # roll-up gives them now that the reports are locked: what the figures were when the
    # period was made final.
    kept = frozen_record_lines(
        load_cycle(session, organization, period.cycle, period=period), period
    )
    session.add(FrozenRecord(period_id=period.id, figures=kept.head))
    session.flush()
    now = utcnow()
    lines = [
        {"period_id": period.id, "unit_id": unit, "figures": line, "created_at": now}
        for unit, line in kept.units.items()
    ]
    for start in range(0, len(lines), _LINES_AT_ONCE):
        session.execute(insert(FrozenUnitRecord), lines[start : start + _LINES_AT_ONCE])
    record(
        session,
        caller.actor,
        JournalAction.FREEZE_REPORTING_PERIOD,
        {
            "period_id": period.id,
            "reports": reports,
            "values": len(values),
            "statuses": len(statuses),
            "figures_hash": period.figures_hash,
            "record_hash": kept.hash,
        },
    )
    return period
