"""Reading only what a view needs: a cycle loaded for one period, or for one unit's subtree,
gives the very figures of the cycle loaded whole — with a value carried forward under
``latest``, a report returned, a unit that never reported, and an assignment taken back
after the unit reported on it. On both databases.

And the summing-up at congress scale: its map of units and goals and its league stop at a
level of the tree, and the document says where the units below are."""

from __future__ import annotations

import re

import pytest
from benchmarks.follow_up_database import Filled, Size, fill
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from veche.models import GoalAssignment, Organization, Unit
from veche.models.follow_up import GoalStatus as ModelGoalStatus
from veche.models.follow_up import (
    Indicator,
    ProgressReport,
    ReportGoalStatus,
    ReportingCycle,
    ReportingPeriod,
    ReportState,
    ReportValue,
    RollupRule,
)
from veche.queries import follow_up_rollup
from veche.queries.follow_up_rollup import (
    CycleFigures,
    load_cycle,
    report_card,
    rollup_view,
    summing_up_record,
)
from veche.reports import render_summing_up

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


def _twisted(sessions: sessionmaker[Session]) -> tuple[Filled, dict[str, int]]:
    """The benchmark's world, small, with what a whole-cycle reading would hide."""
    filled = fill(sessions, SIZE, seed=11)
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


def _whole(session: Session, filled: Filled) -> tuple[Organization, ReportingCycle, CycleFigures]:
    organization = session.scalars(select(Organization)).one()
    cycle = session.get_one(ReportingCycle, filled.cycle_id)
    return organization, cycle, load_cycle(session, organization, cycle)


def test_a_period_or_a_subtree_read_alone_gives_the_figures_of_the_whole_cycle(
    sessions: sessionmaker[Session],
) -> None:
    filled, units = _twisted(sessions)
    with sessions() as session:
        organization, cycle, whole = _whole(session, filled)
        for period_id in filled.period_ids:
            period = session.get_one(ReportingPeriod, period_id)
            alone = load_cycle(session, organization, cycle, period=period)
            assert rollup_view(alone, period, None) == rollup_view(whole, period, None)
            for unit in units.values():
                subtree = load_cycle(session, organization, cycle, period=period, unit_id=unit)
                assert rollup_view(subtree, period, unit) == rollup_view(whole, period, unit)
                assert report_card(subtree, period, unit) == report_card(whole, period, unit)
            one_resolution = load_cycle(
                session,
                organization,
                cycle,
                period=period,
                resolution_id=whole.goals[0].resolution_id,
            )
            assert (
                rollup_view(one_resolution, period, None).goals
                == rollup_view(whole, period, None).goals
            )

        # The twists show: the carried value is the earlier period's, the unit taken back is
        # still expected, the late and returned ones are not counted.
        last = session.get_one(ReportingPeriod, filled.period_ids[-1])
        view = rollup_view(load_cycle(session, organization, cycle, period=last), last, None)
        latest = [
            shown for goal in view.goals for shown in goal.indicators if shown.rollup == "latest"
        ]
        assert latest and all(shown.reported == shown.expected - 3 for shown in latest)
        first = view.goals[0].indicators[0]
        assert (first.reported, first.expected) == (117, 118)


def test_a_view_of_a_period_not_read_is_refused(sessions: sessionmaker[Session]) -> None:
    filled = fill(sessions, Size(units=30, indicators=5, periods=2), seed=3)
    with sessions() as session:
        organization, cycle, _ = _whole(session, filled)
        first, second = (session.get_one(ReportingPeriod, one) for one in filled.period_ids)
        alone = load_cycle(session, organization, cycle, period=second)
        assert [period.id for period in alone.cycle_periods] == filled.period_ids
        with pytest.raises(ValueError, match=f"the figures of period {first.id} were not read"):
            rollup_view(alone, first, None)


def test_the_summing_up_shows_the_levels_of_the_tree_a_meeting_can_read(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    filled, units = _twisted(sessions)
    monkeypatch.setattr(follow_up_rollup, "UNIT_ROWS", 10)
    with sessions() as session:
        organization, cycle, whole = _whole(session, filled)
        last = session.get_one(ReportingPeriod, filled.period_ids[-1])
        record = summing_up_record(session, whole, last)
        # The regions and the two districts; the 118 branches are left out.
        assert {row.depth for row in record.heat_map} == {0, 1}
        assert record.heat_map_deepest == 1 and record.left_out == 118
        assert {row.unit_id for row in record.heat_map} >= {units["region"], units["district"]}
        # The league ranks the districts, each by the goals of its branches.
        assert record.league_level == 1
        assert sorted(row.unit for row in record.league) == ["District 0000", "District 0001"]
        assert all(row.goals == 2 and row.progress is not None for row in record.league)
        text = render_summing_up(session, organization, cycle, "md", last).decode()
        assert re.search(
            r"The table stops at the top 2 levels of the unit tree: the 118 units below are "
            r"each shown in their own report card\.",
            text,
        )
        assert "The units at level 2 from the top of the unit tree" in text
        assert "| · Branch " not in text

    monkeypatch.setattr(follow_up_rollup, "UNIT_ROWS", 300)
    with sessions() as session:
        organization, cycle, whole = _whole(session, filled)
        record = summing_up_record(session, whole, last)
        assert record.heat_map_deepest is None and record.left_out == 0
        assert record.league_level is None and len(record.league) == 118
