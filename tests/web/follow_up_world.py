"""The follow-up the pages' tests start from, made through the actions in a database holding the
demo: the demo's plenary meeting (whose resolutions the goals come from), a goal with an
indicator assigned to two branches, a cycle of two half-years — the first frozen with the Rail
branch's figure in it, the second open — a reporter of the Rail branch, and logins for a
delegate and the chair of the meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tests.accounts import grant
from tests.helpers import demo_organization, general_council_term
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.goal_assignments import do_assign_goal
from veche.actions.goals import GoalSpec, do_create_goal
from veche.actions.indicators import IndicatorSpec, do_create_indicator
from veche.actions.org import do_create_person, do_create_user
from veche.actions.progress import do_accept_report, do_save_report, do_submit_report
from veche.actions.reporting import (
    PeriodSpec,
    do_add_period,
    do_close_period,
    do_create_cycle,
    do_freeze_period,
)
from veche.actions.targets import do_set_target
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo_meeting import load_demo_meeting
from veche.models import Meeting, Participant, ProgressReport, Resolution, Unit
from veche.models.follow_up import GoalKind, Measure
from veche.models.meetings import ParticipantRole
from veche.permissions import Scope

RAIL = "Rail and Transport Branch"
MINES = "Hill Mines Branch"
PASSWORD = "a reporter's long passphrase"
#: The cycle's two periods: the first is frozen with a figure in it, the second open.
HALF_YEARS = (
    PeriodSpec("Second half of 2025", date(2025, 7, 1), date(2025, 12, 31), date(2026, 1, 15)),
    PeriodSpec("First half of 2026", date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 15)),
)


@dataclass(frozen=True)
class FollowUpWorld:
    meeting_id: int
    cycle_id: int
    first_period: int
    second_period: int
    goal_id: int
    indicator_id: int
    units: dict[str, int]
    #: User names, each with ``PASSWORD``.
    reporter: str
    delegate: str
    chair: str


def build_follow_up(url: str) -> FollowUpWorld:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            organization = demo_organization(session)
            meeting = load_demo_meeting(session, organization)
            operator = Caller(Actor.system("tests"), None, True, organization.id)
            units = {
                name: unit_id
                for unit_id, name in session.execute(select(Unit.id, Unit.name))
                if name in (RAIL, MINES)
            }
            resolution = session.scalars(
                select(Resolution)
                .where(Resolution.meeting_id == meeting.id)
                .order_by(Resolution.number)
            ).first()
            assert resolution is not None
            goal = do_create_goal(
                session,
                operator,
                GoalSpec("Every branch grows its paying membership", kind=GoalKind.OUTCOME),
                resolution_id=resolution.id,
            )
            indicator = do_create_indicator(
                session,
                operator,
                goal,
                IndicatorSpec(
                    "Members paying dues",
                    Measure.COUNT,
                    baseline_value=Decimal(1000),
                    target_value=Decimal(1200),
                ),
            )
            for unit_id in units.values():
                do_assign_goal(session, operator, goal, unit_id)
            term = general_council_term(session)
            cycle = do_create_cycle(session, operator, term.id, "Half-yearly reports")
            first, second = (
                do_add_period(session, operator, cycle, half_year) for half_year in HALF_YEARS
            )
            for period, value in ((first, 250), (second, 300)):
                do_set_target(
                    session,
                    operator,
                    indicator,
                    unit_id=units[RAIL],
                    period_id=period.id,
                    value=Decimal(value),
                    baseline=Decimal(200),
                )
            do_save_report(
                session, operator, first.id, units[RAIL], values={indicator.id: Decimal(230)}
            )
            report = do_submit_report(session, operator, first.id, units[RAIL])
            do_accept_report(session, operator, report)
            do_close_period(session, operator, first)
            do_freeze_period(session, operator, first)
            assert session.get(ProgressReport, report.id) is not None

            reporter = do_create_person(session, operator, organization, "Ada Railwright")
            do_create_user(
                session, operator, organization, "ada.railwright", PASSWORD, person=reporter
            )
            grant(session, operator, "reporter", reporter, (Scope.UNIT, units[RAIL]))
            # A member of the meeting logs in as a delegate; another, granted the chair's role
            # in the meeting, as its chair.
            members = session.scalars(
                select(Participant)
                .where(
                    Participant.meeting_id == meeting.id,
                    Participant.role == ParticipantRole.MEMBER,
                    Participant.office.is_(None),
                )
                .order_by(Participant.id)
            ).all()
            delegate, chair = members[-1], members[-2]
            for login, participant in (("a.delegate", delegate), ("the.chair", chair)):
                do_create_user(
                    session, operator, organization, login, PASSWORD, person=participant.person
                )
            grant(session, operator, "chair", chair.person, (Scope.MEETING, meeting.id))
            assert isinstance(meeting, Meeting)
            return FollowUpWorld(
                meeting.id,
                cycle.id,
                first.id,
                second.id,
                goal.id,
                indicator.id,
                units,
                "ada.railwright",
                "a.delegate",
                "the.chair",
            )
    finally:
        engine.dispose()
