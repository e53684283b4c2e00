"""The benchmark's world at a small size, twisted with what reading one period or one
subtree alone could get wrong: a value carried forward under ``latest``, a report returned, a
unit that never reported, an assignment taken back after the unit reported on it, a status
with its reason."""

from __future__ import annotations

from benchmarks.follow_up import Size
from benchmarks.follow_up_database import Filled, fill
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from veche.models import GoalAssignment, Unit
from veche.models.follow_up import GoalStatus as ModelGoalStatus
from veche.models.follow_up import (
    Indicator,
    ProgressReport,
    ReportGoalStatus,
    ReportState,
    ReportValue,
    RollupRule,
)

#: 2 districts of 59 branches below the demo's regions; two goals of 10 and 5 indicators.
SIZE = Size(units=120, indicators=15, periods=3)


def _report(session: Session, unit: int, period: int) -> int:
    found = session.scalar(
        select(ProgressReport.id).where(
            ProgressReport.unit_id == unit, ProgressReport.period_id == period
        )
    )
    assert found is not None
    return found


def _branches(session: Session, district: int) -> list[int]:
    return list(
        session.scalars(select(Unit.id).where(Unit.parent_id == district).order_by(Unit.id))
    )


def twisted(sessions: sessionmaker[Session]) -> tuple[Filled, dict[str, int]]:
    """The benchmark's world, small, every period open, with what a whole-cycle reading would
    hide: the world and its region, a district and the branch the first goal was taken from."""
    filled = fill(sessions, SIZE, seed=11, freeze=False)
    _first, second, third = filled.period_ids
    with sessions.begin() as session:
        branches = _branches(session, filled.district_id)
        latest = list(
            session.scalars(select(Indicator.id).where(Indicator.rollup == RollupRule.LATEST))
        )
        skipping, silent, returned, taken_back, late = branches[:5]
        # Under latest: one branch skips the last period (its second-period value carries),
        # another the last two (its first-period value carries).
        for unit, periods in ((skipping, [third]), (silent, [second, third])):
            for period in periods:
                session.execute(
                    delete(ReportValue).where(
                        ReportValue.report_id == _report(session, unit, period),
                        ReportValue.indicator_id.in_(latest),
                    )
                )
        # A returned report is not counted; a late unit has no report at all.
        session.execute(
            update(ProgressReport)
            .where(ProgressReport.id == _report(session, returned, second))
            .values(state=ReportState.RETURNED)
        )
        late_report = _report(session, late, third)
        session.execute(delete(ReportValue).where(ReportValue.report_id == late_report))
        session.execute(delete(ProgressReport).where(ProgressReport.id == late_report))
        # The first goal taken back from a branch after it reported: still expected.
        session.execute(
            delete(GoalAssignment).where(
                GoalAssignment.unit_id == taken_back,
                GoalAssignment.goal_id == filled.goal_ids[0],
            )
        )
        # A status with its reason, on the second goal.
        session.add(
            ReportGoalStatus(
                report_id=_report(session, skipping, third),
                goal_id=filled.goal_ids[1],
                status=ModelGoalStatus.AT_RISK,
                reason="A depot closed.",
            )
        )
        region = session.scalar(select(Unit.parent_id).where(Unit.id == filled.district_id))
        assert region is not None
    return filled, {"region": region, "district": filled.district_id, "branch": taken_back}
