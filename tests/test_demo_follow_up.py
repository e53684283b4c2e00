"""The demo's follow-up: two quarters reported, one report returned and corrected, one branch
late and one report awaiting a decision — and the figures say so: the late branch is not
reported, never a zero, and only the reports accepted count; the next meeting has the
summing-up as a paper, which its communiqué cites.

On SQLite alone: the demo files everything through the actions, which the API's tests run on
both databases (tests/web/test_follow_up_api.py)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.follow_up_demo import load_demo_with_follow_up
from veche.actions.verify_periods import verify_periods
from veche.demo_follow_up import (
    ACCIDENTS,
    AWAITING_BRANCH,
    BRANCH_FIGURES,
    CORRECTED_BRANCH,
    FIRST_ACCIDENTS,
    LATE_BRANCH,
    NEXT_MEETING,
)
from veche.models import Meeting, Organization, ProgressReport, ReportingCycle, SummingUpPaper, Unit
from veche.models.follow_up import Direction, PeriodState, ReportState
from veche.queries.follow_up_rollup import (
    IndicatorFigures,
    RollupView,
    load_cycle,
    report_card,
    rollup_view,
    summing_up_record,
)
from veche.reports import build_report
from veche.reports.render import to_markdown

pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _indicator(view: RollupView, name: str) -> IndicatorFigures:
    return next(
        indicator for goal in view.goals for indicator in goal.indicators if indicator.name == name
    )


def test_the_demo_reports_two_quarters_with_one_branch_late(
    sessions: sessionmaker[Session],
) -> None:
    load_demo_with_follow_up(sessions)
    with sessions() as session:
        organization = session.scalars(select(Organization)).one()
        assert organization.publishes_follow_up
        units = {unit.name: unit.id for unit in session.scalars(select(Unit))}
        figures = load_cycle(session, organization, session.scalars(select(ReportingCycle)).one())
        first, second = figures.periods
        assert (first.state, second.state) == (PeriodState.FROZEN, PeriodState.CLOSED)
        assert verify_periods(session).holds

        # The late branch: nothing reported, nothing counted, not a zero.
        late = report_card(figures, second, units[LATE_BRANCH])
        assert late.report_state is None and (late.reported, late.expected) == (0, 1)
        assert late.goals and all(
            indicator.value is None and indicator.reported == 0
            for goal in late.goals
            for indicator in goal.indicators
        )

        # The whole organization counts the branches whose reports were accepted, and says
        # how many of those expected they are.
        whole = rollup_view(figures, second, None)
        counted = [
            name
            for name, (_, now) in BRANCH_FIGURES.items()
            if now is not None and name != AWAITING_BRANCH
        ]
        renewed = _indicator(whole, "Collective agreements renewed")
        assert (renewed.reported, renewed.expected) == (len(counted), len(BRANCH_FIGURES))
        now = {name: figures[1] for name, figures in BRANCH_FIGURES.items() if figures[1]}
        assert renewed.value == sum(now[name][0] for name in counted)
        assert whole.reported < whole.expected

        record = summing_up_record(session, figures, second)
        assert {(unit.unit, unit.state) for unit in record.not_reported} == {
            (LATE_BRANCH, None),
            (AWAITING_BRANCH, ReportState.SUBMITTED),
        }

        # The indicator that should fall, with the corrected branch's figure as accepted.
        accidents = _indicator(
            rollup_view(figures, first, None), "Accidents at work in the quarter"
        )
        assert accidents.direction is Direction.DOWN
        assert accidents.target is not None and accidents.target < (accidents.baseline or 0)
        assert accidents.value == sum(reported[0] for _, _, reported in ACCIDENTS.values())
        corrected = session.scalars(
            select(ProgressReport).where(
                ProgressReport.unit_id == units[CORRECTED_BRANCH],
                ProgressReport.period_id == first.id,
            )
        ).one()
        assert corrected.state is ReportState.LOCKED and corrected.return_reason
        assert Decimal(FIRST_ACCIDENTS) not in {value.value for value in corrected.values}

        # The next meeting has the second quarter's summing-up as a paper, which its
        # communiqué cites by title and digest.
        filed = session.scalars(select(SummingUpPaper)).one()
        assert filed.period_id == second.id
        assert filed.sha256 == hashlib.sha256(filed.document.text.encode()).hexdigest()
        meeting = session.get(Meeting, filed.document.meeting_id)
        assert meeting is not None and meeting.starts_on == NEXT_MEETING > second.ends_on
        cited = to_markdown(build_report(session, meeting, "communique"))
        assert filed.document.title in cited and filed.sha256 in cited
