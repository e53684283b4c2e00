"""The demo's follow-up: goals from the plenary meeting's resolutions, given to the regions and
branches with targets, and two quarters of progress reports filed and reviewed through the
actions — one report returned and corrected, one branch late, one report still awaiting a
decision — so that the follow-up desk, the summing-up and the public page have figures; and
the next plenary meeting, convened, with the summing-up filed as a paper on its first item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._text import Target
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.agenda import ItemSpec, do_add_item
from veche.actions.goal_assignments import do_assign_goal
from veche.actions.goals import GoalSpec, do_create_goal
from veche.actions.indicators import IndicatorSpec, do_create_indicator
from veche.actions.meetings import do_change_meeting_state, do_create_meeting
from veche.actions.org_updates import do_update_organization
from veche.actions.progress import (
    StatusGiven,
    do_accept_report,
    do_return_report,
    do_save_report,
    do_submit_report,
)
from veche.actions.reporting import (
    PeriodSpec,
    do_add_period,
    do_close_period,
    do_create_cycle,
    do_freeze_period,
)
from veche.actions.summing_up_papers import do_file_summing_up
from veche.actions.targets import do_set_target
from veche.models import Goal, Indicator, Meeting, ProgressReport, ReportingPeriod, Resolution, Unit
from veche.models.follow_up import Direction, GoalKind, GoalStatus, Measure, RollupRule
from veche.models.meetings import MeetingState

#: The branch that has not reported for the second quarter.
LATE_BRANCH = "Fisheries Branch"
#: The branch whose first report was returned, corrected and accepted.
CORRECTED_BRANCH = "Hill Mines Branch"
#: The branch whose second report still awaits the secretary's decision.
AWAITING_BRANCH = "Textile Branch"

_END_OF_2026 = date(2026, 12, 31)
#: The day the General Council meets next, to hear the summing-up of the second quarter.
NEXT_MEETING = date(2026, 9, 22)
_QUARTERS = (
    PeriodSpec("First quarter of 2026", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 15)),
    PeriodSpec("Second quarter of 2026", date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 15)),
)

#: Each branch's figures per quarter (in the order of ``demo._REGIONS``): agreements renewed
#: so far, the share of members covered by one (%), agreements reported to the Bureau (1/0),
#: safety steward elected (1/0). None: the branch has not reported that quarter.
BRANCH_FIGURES: dict[str, tuple[tuple[int, int, int, int], tuple[int, int, int, int] | None]] = {
    "Rail and Transport Branch": ((1, 64, 1, 1), (2, 68, 1, 1)),
    "Hill Mines Branch": ((1, 58, 0, 1), (2, 61, 1, 1)),
    "Northern Teachers' Branch": ((0, 71, 1, 0), (1, 72, 1, 1)),
    "Dockers' Branch": ((1, 55, 1, 1), (2, 59, 1, 1)),
    LATE_BRANCH: ((1, 60, 0, 1), None),
    "Coastal Health Workers' Branch": ((1, 62, 1, 1), (2, 66, 1, 1)),
    AWAITING_BRANCH: ((0, 52, 0, 1), (1, 54, 0, 1)),
    "Food and Farm Branch": ((1, 66, 1, 0), (2, 70, 1, 1)),
    "Valley Builders' Branch": ((1, 57, 1, 1), (1, 60, 1, 1)),
}
#: Accidents at work in the quarter, per branch in a risky trade: its own baseline (a
#: quarter of 2025), its targets for the two quarters, and what it reported.
ACCIDENTS = {
    "Rail and Transport Branch": (7, (6, 5), (5, 5)),
    "Hill Mines Branch": (8, (7, 6), (6, 6)),
    "Dockers' Branch": (6, (5, 5), (7, 7)),
    LATE_BRANCH: (5, (4, 3), (4, None)),
    "Valley Builders' Branch": (4, (4, 3), (6, 6)),
}
#: What the corrected branch first reported for the first quarter, and why it came back.
FIRST_ACCIDENTS = 14
_RETURN_REASON = (
    "The accidents figure counts the whole of 2025's last half-year; give the first quarter's "
    "alone."
)
#: Each region's stewards trained so far and whether its spring school was held, per quarter.
_REGION_FIGURES = {
    "Northern Region": ((18, 0), (46, 1)),
    "Coastal Region": ((12, 0), (38, 1)),
    "Valley Region": ((20, 1), (52, 1)),
}
#: Statuses given with a reason: (branch or region, quarter, goal key) → status and reason.
_REASONS = {
    (AWAITING_BRANCH, 0, "renew"): (
        GoalStatus.AT_RISK,
        "Talks with the employers resumed only in March.",
    ),
    ("Valley Builders' Branch", 1, "accidents"): (
        GoalStatus.AT_RISK,
        "Two new sites opened this spring; the steward visits them weekly.",
    ),
    ("Dockers' Branch", 1, "accidents"): (
        GoalStatus.OFF_TRACK,
        "The night shifts at the container quay still lack lighting.",
    ),
}


@dataclass(frozen=True)
class _Goals:
    """The goals units report on, by a short key, and their indicators."""

    goals: dict[str, Goal]
    indicators: dict[str, Indicator]


def load_demo_follow_up(session: Session, meeting: Meeting) -> None:
    """Goals from the meeting's resolutions with two quarters reported, and the
    organization's follow-up made public."""
    organization = meeting.term.body.organization
    loader = Caller(Actor.system("demo"), None, True, organization.id)
    units = {
        unit.name: unit
        for unit in session.scalars(select(Unit).where(Unit.organization_id == organization.id))
    }
    regions = [unit for unit in units.values() if unit.parent_id is None]
    branches = [unit for unit in units.values() if unit.parent_id is not None]
    resolutions = {
        resolution.title: resolution
        for resolution in session.scalars(
            select(Resolution).where(Resolution.meeting_id == meeting.id)
        )
    }
    made = _set_goals(session, loader, resolutions, regions, branches)
    cycle = do_create_cycle(session, loader, meeting.term_id, "Quarterly reports, 2026")
    periods = [do_add_period(session, loader, cycle, spec) for spec in _QUARTERS]
    _set_targets(session, loader, made, periods, regions, units)
    for quarter, period in enumerate(periods):
        _report_quarter(session, loader, made, period, quarter, regions, branches)
    do_close_period(session, loader, periods[0])
    do_freeze_period(session, loader, periods[0])
    do_close_period(session, loader, periods[1])
    _file_at_next_meeting(session, loader, meeting, cycle.id, periods[1].id)
    do_update_organization(session, loader, organization, publishes_follow_up=True)


def _file_at_next_meeting(
    session: Session, loader: Caller, before: Meeting, cycle_id: int, period_id: int
) -> Meeting:
    """The General Council's next plenary meeting, convened, with the summing-up of the
    period on its first item."""
    meeting = do_create_meeting(
        session,
        loader,
        before.term,
        "Plenary Meeting",
        starts_on=NEXT_MEETING,
        venue=before.venue,
        convened_by=before.convened_by,
        notice="The Executive Bureau convenes the General Council.\n\n"
        "Proposed agenda: the interim summing-up of the follow-up of the resolutions.\n",
    )
    item = do_add_item(
        session,
        loader,
        meeting,
        ItemSpec(title="On the interim summing-up of the follow-up of the resolutions"),
    )
    do_change_meeting_state(session, loader, meeting, MeetingState.CONVENED)
    do_file_summing_up(session, loader, item, cycle_id, period_id)
    return meeting


def _set_goals(
    session: Session,
    loader: Caller,
    resolutions: dict[str, Resolution],
    regions: Sequence[Unit],
    branches: Sequence[Unit],
) -> _Goals:
    wages = resolutions["On wages and agreements"].id
    safety = resolutions["On safety at work"].id
    training = resolutions["On training shop stewards"].id
    # The demo loader makes every goal and indicator: said once, not in every call.
    goal = partial(do_create_goal, session, loader)
    indicator = partial(do_create_indicator, session, loader)
    agreements = goal(
        GoalSpec(
            "Renew the branches' collective agreements and account for them",
            kind=GoalKind.OUTCOME,
            due_on=_END_OF_2026,
        ),
        resolution_id=wages,
    )
    renew = goal(
        GoalSpec("Renew every agreement within eighteen months", kind=GoalKind.OUTCOME),
        parent_id=agreements.id,
        clause=Target(first_line=2),
    )
    account = goal(
        GoalSpec("Report on each branch's agreements", kind=GoalKind.STANDING),
        parent_id=agreements.id,
        clause=Target(first_line=3),
    )
    safer = goal(
        GoalSpec("Safer work in every branch", kind=GoalKind.OUTCOME, due_on=_END_OF_2026),
        resolution_id=safety,
    )
    stewards = goal(
        GoalSpec("Elect a safety steward in every branch"),
        parent_id=safer.id,
        clause=Target(paragraph=1),
    )
    accidents = goal(
        GoalSpec("Fewer accidents at work in the mines, docks and building sites"),
        parent_id=safer.id,
    )
    school = goal(
        GoalSpec("Hold a stewards' school in each region every spring", due_on=date(2026, 6, 30)),
        resolution_id=training,
        clause=Target(first_line=1),
    )
    indicators = {
        "renewed": indicator(
            renew,
            IndicatorSpec(
                "Collective agreements renewed",
                Measure.COUNT,
                unit_label="agreements",
                target_value=Decimal(18),
                target_on=_END_OF_2026,
            ),
        ),
        "covered": indicator(
            renew,
            IndicatorSpec(
                "Members covered by a collective agreement",
                Measure.PERCENT,
                baseline_value=Decimal(60),
                target_value=Decimal(75),
                target_on=_END_OF_2026,
            ),
        ),
        "accounted": indicator(
            account,
            IndicatorSpec("Agreements reported to the Executive Bureau", Measure.MILESTONE),
        ),
        "steward": indicator(
            stewards,
            IndicatorSpec("Safety steward elected", Measure.MILESTONE),
        ),
        "accidents": indicator(
            accidents,
            IndicatorSpec(
                "Accidents at work in the quarter",
                Measure.COUNT,
                direction=Direction.DOWN,
                unit_label="accidents",
                baseline_value=Decimal(30),
                baseline_on=date(2025, 12, 31),
                target_value=Decimal(22),
                target_on=_END_OF_2026,
            ),
        ),
        "trained": indicator(
            school,
            IndicatorSpec(
                "Shop stewards trained",
                Measure.COUNT,
                unit_label="stewards",
                target_value=Decimal(150),
                target_on=date(2026, 6, 30),
            ),
        ),
        "held": indicator(
            school,
            IndicatorSpec(
                "Spring school held",
                Measure.MILESTONE,
                rollup=RollupRule.SHARE_ON_TARGET,
                share_needed=Decimal(1),
            ),
        ),
    }
    goals = {
        "renew": renew,
        "account": account,
        "stewards": stewards,
        "accidents": accidents,
        "school": school,
    }
    for branch in branches:
        for key in ("renew", "account", "stewards"):
            do_assign_goal(session, loader, goals[key], branch.id)
        if branch.name in ACCIDENTS:
            do_assign_goal(session, loader, accidents, branch.id)
    for region in regions:
        do_assign_goal(session, loader, school, region.id)
    return _Goals(goals, indicators)


def _set_targets(
    session: Session,
    loader: Caller,
    made: _Goals,
    periods: Sequence[ReportingPeriod],
    regions: Sequence[Unit],
    units: dict[str, Unit],
) -> None:
    """Agreements renewed: three a region by the first quarter's end, six by the second's,
    one and two a branch; stewards trained: twenty, then fifty a region; accidents: each
    risky branch's own, down from its baseline."""
    renewed, trained, accidents = (
        made.indicators[key] for key in ("renewed", "trained", "accidents")
    )
    target = partial(do_set_target, session, loader)
    for quarter, period in enumerate(periods):
        for region in regions:
            target(
                renewed,
                unit_id=region.id,
                period_id=period.id,
                value=Decimal(3 * (quarter + 1)),
            )
            target(
                trained,
                unit_id=region.id,
                period_id=period.id,
                value=Decimal(20 if quarter == 0 else 50),
            )
        for unit in units.values():
            if unit.parent_id is not None:
                target(
                    renewed,
                    unit_id=unit.id,
                    period_id=period.id,
                    value=Decimal(quarter + 1),
                )
        for name, (baseline, targets, _reported) in ACCIDENTS.items():
            target(
                accidents,
                unit_id=units[name].id,
                period_id=period.id,
                value=Decimal(targets[quarter]),
                baseline=Decimal(baseline),
            )


def _statuses(made: _Goals, unit: str, quarter: int, keys: Sequence[str]) -> dict[int, StatusGiven]:
    given = {}
    for key in keys:
        status, reason = _REASONS.get((unit, quarter, key), (GoalStatus.ON_TRACK, ""))
        given[made.goals[key].id] = StatusGiven(status, reason)
    return given


def _report_quarter(
    session: Session,
    loader: Caller,
    made: _Goals,
    period: ReportingPeriod,
    quarter: int,
    regions: Sequence[Unit],
    branches: Sequence[Unit],
) -> None:
    """Every unit's report for the quarter, saved, submitted and accepted — but the late
    branch's (none) and, in the second quarter, the one still awaiting a decision."""
    ids = {key: indicator.id for key, indicator in made.indicators.items()}
    for region in regions:
        trained, held = _REGION_FIGURES[region.name][quarter]
        _file(
            session,
            loader,
            period,
            region,
            values={ids["trained"]: Decimal(trained), ids["held"]: Decimal(held)},
            statuses=_statuses(made, region.name, quarter, ["school"]),
            narrative=f"The {region.name}'s school trained {trained} shop stewards so far.",
        )
    for branch in branches:
        figures = BRANCH_FIGURES[branch.name][quarter]
        if figures is None:
            continue  # late: nothing filed
        renewed, covered, accounted, steward = figures
        values = {
            ids["renewed"]: Decimal(renewed),
            ids["covered"]: Decimal(covered),
            ids["accounted"]: Decimal(accounted),
            ids["steward"]: Decimal(steward),
        }
        keys = ["renew", "account", "stewards"]
        if branch.name in ACCIDENTS:
            accidents = ACCIDENTS[branch.name][2][quarter]
            assert accidents is not None  # only the late branch has none, and it filed nothing
            values[ids["accidents"]] = Decimal(accidents)
            keys.append("accidents")
        narrative = (
            f"{branch.name}: {renewed} agreement{'' if renewed == 1 else 's'} renewed so far; "
            f"{covered} % of members covered."
        )
        statuses = _statuses(made, branch.name, quarter, keys)
        if branch.name == CORRECTED_BRANCH and quarter == 0:
            first = {**values, ids["accidents"]: Decimal(FIRST_ACCIDENTS)}
            report = _file(
                session, loader, period, branch, first, statuses, narrative, decide=False
            )
            do_return_report(session, loader, report, _RETURN_REASON)
        _file(
            session,
            loader,
            period,
            branch,
            values,
            statuses,
            narrative,
            decide=not (branch.name == AWAITING_BRANCH and quarter == 1),
        )


def _file(
    session: Session,
    loader: Caller,
    period: ReportingPeriod,
    unit: Unit,
    values: dict[int, Decimal],
    statuses: dict[int, StatusGiven],
    narrative: str,
    *,
    decide: bool = True,
) -> ProgressReport:
    """Save and submit a unit's report, and (``decide``) accept it."""
    do_save_report(
        session, loader, period.id, unit.id, narrative=narrative, values=values, statuses=statuses
    )
    report = do_submit_report(session, loader, period.id, unit.id)
    if decide:
        do_accept_report(session, loader, report)
    return report
