"""Reading only what a view needs: a cycle loaded for one period, or for one unit's subtree,
gives the very figures of the cycle loaded whole — with a value carried forward under
``latest``, a report returned, a unit that never reported, and an assignment taken back
after the unit reported on it. On both databases.

And the summing-up at congress scale: its map of units and goals and its league stop at a
level of the tree, and the document says where the units below are."""

from __future__ import annotations

import re

import pytest
from benchmarks.follow_up import Size
from benchmarks.follow_up_database import Filled, fill
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.follow_up.reading_world import twisted
from veche.models import Organization
from veche.models.follow_up import ReportingCycle, ReportingPeriod
from veche.queries import follow_up_rollup
from veche.queries.follow_up_cycle import FiguresAsked
from veche.queries.follow_up_rollup import (
    CycleFigures,
    load_cycle,
    report_card,
    rollup_view,
    summing_up_record,
)
from veche.reports import render_summing_up


def _whole(session: Session, filled: Filled) -> tuple[Organization, ReportingCycle, CycleFigures]:
    organization = session.scalars(select(Organization)).one()
    cycle = session.get_one(ReportingCycle, filled.cycle_id)
    return organization, cycle, load_cycle(session, organization, cycle)


def test_a_period_or_a_subtree_read_alone_gives_the_figures_of_the_whole_cycle(
    sessions: sessionmaker[Session],
) -> None:
    filled, units = twisted(sessions)
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
    filled = fill(sessions, Size(units=30, indicators=5, periods=2), seed=3, freeze=False)
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
    filled, units = twisted(sessions)
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
        text = render_summing_up(session, FiguresAsked(organization, cycle, last), "md").decode()
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
