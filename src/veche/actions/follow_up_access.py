"""Who reaches the follow-up's pages: the units a reporter files for, where one whose only
business is reporting lands after logging in, and the summing-up read in a meeting.

A unit's reporter holds ``follow_up.report`` in the unit (or in a unit above it); the units
listed for them are those with goals to report on in which they hold it, found for the whole
tree at once (``units_holding``) by the rule the filing asks unit by unit.

The interim summing-up is read out at a later meeting: whoever may see a meeting
(``meeting.see``: its delegates, its chair, its secretary) reads the summing-up of every
reporting cycle of the meeting's organization from the meeting's pages, as they read the
meeting's own documents. The figures are the same the API gives those who read the
follow-up (``follow_up.read``); only the way in differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._follow_up import optional_row_of, row_of
from veche.actions.access import (
    Caller,
    access_meeting,
    caller_organization,
    may_see_meeting,
    units_holding,
)
from veche.actions.follow_up_figures import check_period_of
from veche.models import (
    Body,
    GoalAssignment,
    Meeting,
    Organization,
    ReportingCycle,
    ReportingPeriod,
    Term,
    Unit,
)
from veche.permissions import Permission
from veche.queries.follow_up_cycle import FiguresAsked


def units_reported_for(session: Session, caller: Caller) -> list[Unit]:
    """The units with goals assigned that the caller files reports for, by name."""
    organization = caller_organization(session, caller)
    with_goals = session.scalars(
        select(Unit)
        .where(
            Unit.organization_id == organization.id,
            Unit.id.in_(select(GoalAssignment.unit_id)),
        )
        .order_by(Unit.name, Unit.id)
    ).all()
    reached = units_holding(session, caller, Permission.FOLLOW_UP_REPORT, organization.id)
    return [unit for unit in with_goals if reached is None or unit.id in reached]


def reports_only(session: Session, caller: Caller) -> bool:
    """Whether the caller's business here is reporting alone: they file a unit's reports
    and take part in no meeting (so their meetings' page would have nothing to show)."""
    if caller.organization_id is None or not units_reported_for(session, caller):
        return False
    return session.scalar(select(Meeting.id).where(may_see_meeting(caller)).limit(1)) is None


def meeting_organization(session: Session, meeting: Meeting) -> Organization:
    organization = session.scalar(
        select(Organization)
        .join(Body, Body.organization_id == Organization.id)
        .join(Term, Term.body_id == Body.id)
        .where(Term.id == meeting.term_id)
    )
    assert organization is not None  # a meeting's term's body always has one
    return organization


@dataclass(frozen=True)
class MeetingCycles:
    """A meeting and the reporting cycles of its organization, each with its periods."""

    meeting: Meeting
    cycles: list[ReportingCycle]


def cycles_in_meeting(session: Session, caller: Caller, meeting_id: int) -> MeetingCycles:
    """The reporting cycles whose summing-up the meeting's participants read, newest first."""
    meeting = access_meeting(session, caller, meeting_id)
    organization = meeting_organization(session, meeting)
    cycles = session.scalars(
        select(ReportingCycle)
        .join(Term, Term.id == ReportingCycle.term_id)
        .join(Body, Body.id == Term.body_id)
        .where(Body.organization_id == organization.id)
        .order_by(Term.starts_on.desc(), ReportingCycle.id)
    ).all()
    return MeetingCycles(meeting, list(cycles))


def summing_up_in_meeting(
    session: Session, caller: Caller, meeting_id: int, cycle_id: int, period_id: int | None
) -> FiguresAsked:
    """The cycle and the period of a summing-up read in a meeting, for one who may see the
    meeting; a cycle of another organization is not found (404)."""
    meeting = access_meeting(session, caller, meeting_id)
    organization = meeting_organization(session, meeting)
    cycle = row_of(session, organization, ReportingCycle, cycle_id, "reporting cycle")
    period = optional_row_of(session, organization, ReportingPeriod, period_id, "period")
    check_period_of(cycle, period)
    return FiguresAsked(organization, cycle, period)
