"""A frozen period's figures at every unit are final too: its report cards, the roll-up at a
unit, the summing-up's map, league and units not reported, and its "N of M units reported",
through the API, the pages and the summing-up, are those its freeze recorded — whatever is
changed afterwards in the indicators, their weights, the targets or the unit tree. A weighted
mean given a unit without a weight after the freeze does not refuse the frozen period (409):
nothing of it is rolled up again. A unit's figures that cannot be read are refused, not a
crash. On both databases."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.follow_up_demo import load_demo_with_follow_up
from tests.web.page_client import Browser, secretary
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.indicators import IndicatorSpec, do_create_indicator
from veche.actions.verify_periods import verify_periods
from veche.demo import DEMO_SECRETARY
from veche.models import (
    FrozenUnitRecord,
    Goal,
    Indicator,
    Organization,
    ProgressReport,
    ReportGoalStatus,
    ReportingCycle,
    ReportingPeriod,
    ReportValue,
    Unit,
)
from veche.models.follow_up import Direction, GoalStatus, Measure, ReportState, RollupRule
from veche.queries.follow_up_rollup import goal_row, goals_at, load_cycle
from veche.queries.follow_up_units import unit_rows
from veche.queries.frozen_records import record_text

pytestmark = pytest.mark.demo


@dataclass
class Served:
    """The demo's follow-up served: its cycle and its two quarters, the first frozen."""

    client: TestClient
    desk: Browser
    public: Browser
    headers: dict[str, str]
    cycle: int
    first: int
    second: int

    def api(self, verb: str, path: str, expect: int = 200, **body: Any) -> Any:
        answer = self.client.request(verb, "/api" + path, json=body or None, headers=self.headers)
        assert answer.status_code == expect, f"{verb} {path}: {answer.text}"
        return answer

    def page(self, browser: Browser, path: str) -> list[str]:
        answer = browser.get(path)
        assert answer.status_code == 200, f"{path}: {answer.text}"
        return _figures_shown(answer.text)

    def shown(self, period: int, units: list[int]) -> dict[str, Any]:
        """Every figure of the period at the whole organization and at each unit, wherever
        it is shown."""
        summing_up = self.api(
            "GET", f"/cycles/{self.cycle}/summing-up?period_id={period}&format=md"
        ).text
        return {
            # All of it but the journal's head, moved on by every change.
            "summing-up": summing_up.partition("## Journal")[0],
            "rollup": self.api("GET", f"/periods/{period}/rollup").json(),
            "public": self.page(
                self.public, f"/follow-up?cycle_id={self.cycle}&period_id={period}"
            ),
            "desk": self.page(self.desk, f"/secretary/follow-up/periods/{period}"),
            **{
                f"unit {unit}": [
                    self.api("GET", f"/periods/{period}/rollup?unit_id={unit}").json(),
                    self.api("GET", f"/periods/{period}/units/{unit}/card").json(),
                    self.page(self.public, f"/follow-up/periods/{period}/units/{unit}"),
                    self.page(self.desk, f"/report-cards/periods/{period}/units/{unit}"),
                ]
                for unit in units
            },
        }


def _figures_shown(page: str) -> list[str]:
    """Every percentage, figure, count and unit a page's tables and charts show, in order."""
    return re.findall(r"\d+(?:\.\d+)? ?%|\d+ of \d+|<td[^>]*>[^<]*</td>|<th[^>]*>[^<]*</th>", page)


@pytest.fixture
def served(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Served]:
    load_demo_with_follow_up(sessions)
    with sessions() as session:
        cycle = session.scalars(select(ReportingCycle)).one()
        first, second = session.scalars(
            select(ReportingPeriod.id).order_by(ReportingPeriod.starts_on)
        ).all()
        ids = cycle.id, first, second
    app = create_app(engine)
    with TestClient(app) as client:
        username, password = DEMO_SECRETARY
        token = client.post("/api/tokens", json={"username": username, "password": password})
        assert token.status_code in (200, 201), token.text
        yield Served(
            client,
            secretary(app),
            Browser(app),
            {"Authorization": f"Bearer {token.json()['token']}"},
            *ids,
        )


def test_a_frozen_periods_figures_at_every_unit_stay_those_of_its_freeze(
    served: Served, sessions: sessionmaker[Session]
) -> None:
    goal = next(
        goal
        for goal in served.api("GET", "/goals").json()
        if goal["indicators"] and goal["assignments"]
    )
    given = [assignment["unit_id"] for assignment in goal["assignments"]]
    # A weighted mean, every unit given the goal weighted, before the second quarter freezes.
    weighted = served.api(
        "POST",
        f"/goals/{goal['id']}/indicators",
        201,
        name="Members organized, weighted by branch size",
        measure="count",
        target_value="10",
        rollup="weighted_mean",
    ).json()
    served.api(
        "PUT",
        f"/indicators/{weighted['id']}/weights",
        weights=[{"unit_id": unit, "weight": "2"} for unit in given],
    )
    awaiting = served.api("GET", f"/reports?period_id={served.second}&state=submitted").json()
    for report in awaiting["reports"]:
        served.api("POST", f"/reports/{report['id']}/decision", decision="accepted")
    served.api("POST", f"/periods/{served.second}/state", state="frozen")
    units = [unit["id"] for unit in served.api("GET", "/units").json()]
    before = {period: served.shown(period, units) for period in (served.first, served.second)}

    # After the freezes: an indicator's weight and baseline, the weights of the weighted mean,
    # every target, a unit moved to another place in the tree, and a unit added and given the
    # goal without a weight in the weighted mean.
    indicator = goal["indicators"][0]
    served.api("PATCH", f"/indicators/{indicator['id']}", weight="9", baseline_value="5")
    served.api(
        "PUT",
        f"/indicators/{weighted['id']}/weights",
        weights=[{"unit_id": unit, "weight": str(place + 3)} for place, unit in enumerate(given)],
    )
    with sessions.begin() as session:
        session.execute(text("UPDATE indicator_target SET value = value * 3"))
        moved = session.get_one(Unit, given[0])
        other_parent = session.scalars(
            select(Unit.id).where(Unit.id != moved.parent_id, Unit.id != moved.id)
        ).first()
    served.api("PATCH", f"/units/{given[0]}", parent_id=other_parent)
    late = served.api("POST", "/units", 201, name="Late Branch", kind="branch").json()
    served.api("POST", f"/goals/{goal['id']}/assignments", 201, unit_id=late["id"])

    for period in (served.first, served.second):
        assert served.shown(period, units) == before[period], period
    with sessions() as session:
        assert verify_periods(session).holds

    # A unit's figures that cannot be read are refused, not a crash; the rest still reads.
    with sessions.begin() as session:
        stored = next(
            line
            for line in session.scalars(
                select(FrozenUnitRecord)
                .where(FrozenUnitRecord.period_id == served.first)
                .order_by(FrozenUnitRecord.unit_id)
            )
            if json.loads(line.figures)[1]
        )
        unit, goals = json.loads(stored.figures)
        goals[0][1:3] = ["not a figure"]
        stored.figures = json.dumps([unit, goals])
    for path in (
        f"/periods/{served.first}/rollup?unit_id={unit}",
        f"/periods/{served.first}/units/{unit}/card",
    ):
        answer = served.api("GET", path, 409)
        assert "veche verify" in answer.json()["detail"]
    card = served.public.get(f"/follow-up/periods/{served.first}/units/{unit}")
    assert card.status_code == 409
    # The record's other parts still read.
    served.api("GET", f"/periods/{served.first}/rollup")
    # A unit's line gone is refused as well, not read as a unit without goals.
    with sessions.begin() as session:
        session.execute(
            text("DELETE FROM frozen_unit_record WHERE period_id = :period AND unit_id = :unit"),
            {"period": served.first, "unit": unit},
        )
    answer = served.api("GET", f"/periods/{served.first}/units/{unit}/card", 409)
    assert "veche verify" in answer.json()["detail"]
    with sessions.begin() as session:
        session.execute(
            text("UPDATE frozen_record SET figures = replace(figures, '\"units\"', '\"unit\"')")
        )
    served.api("GET", f"/periods/{served.first}/rollup", 409)


def test_what_a_freeze_kept_is_what_the_values_give_while_nothing_changed(
    served: Served, sessions: sessionmaker[Session]
) -> None:
    """Of every resolution and of each, at the whole organization and at every unit: the
    frozen quarter read from its record is the quarter computed from its values."""
    units = [unit["id"] for unit in served.api("GET", "/units").json()]
    resolutions = sorted({goal["resolution_id"] for goal in served.api("GET", "/goals").json()})
    assert len(resolutions) > 1

    def figures() -> list[Any]:
        return [
            served.api("GET", f"/periods/{served.first}/rollup?{narrowed}").json()
            for narrowed in (
                f"{resolution}{unit}"
                for resolution in ["", *(f"resolution_id={one}&" for one in resolutions)]
                for unit in ["", *(f"unit_id={one}" for one in units)]
            )
        ] + [
            served.api(
                "GET",
                f"/cycles/{served.cycle}/summing-up?period_id={served.first}&format=md"
                f"&resolution_id={resolution}",
            ).text.partition("## Journal")[0]
            for resolution in resolutions
        ]

    kept = figures()
    with sessions.begin() as session:
        session.execute(text("DELETE FROM frozen_record"))
    assert figures() == kept


def test_every_units_rows_at_once_are_those_of_each_unit_asked_alone(
    sessions: sessionmaker[Session],
) -> None:
    """What a freeze records of every unit (``unit_rows``, the whole tree at once) is what
    ``goals_at`` gives each unit asked alone: with sub-goals and their weights, indicators'
    weights, the body's verdicts (one setting a goal aside), a status reported setting one
    aside, per-unit targets, a band and a share of units on target."""
    load_demo_with_follow_up(sessions)
    with sessions() as session:
        organization = session.scalars(select(Organization)).one()
        me = Caller(Actor.system("tests"), None, True, organization.id)
        cycle = session.scalars(select(ReportingCycle)).one()
        goals = session.scalars(select(Goal).order_by(Goal.id)).all()
        measured = sorted(set(session.scalars(select(Indicator.goal_id))))
        leaves = [goal for goal in goals if goal.id in measured]
        parts = [goal for goal in leaves if goal.parent_id is not None]
        assert len(parts) > 1
        parts[0].weight = Decimal(3)
        first = session.scalars(select(Indicator).where(Indicator.goal_id == leaves[0].id)).first()
        assert first is not None
        first.weight = Decimal("2.5")
        parts[-1].status, parts[-1].status_reason = GoalStatus.DROPPED, "Merged into another."
        goals[0].status, goals[0].status_reason = GoalStatus.AT_RISK, "Slow."
        added = [
            do_create_indicator(session, me, leaves[0], spec)
            for spec in (
                IndicatorSpec(
                    "Stays within a band",
                    Measure.COUNT,
                    direction=Direction.WITHIN,
                    baseline_value=Decimal(5),
                    band_low=Decimal(3),
                    band_high=Decimal(8),
                ),
                IndicatorSpec(
                    "Branches on target",
                    Measure.COUNT,
                    target_value=Decimal(4),
                    rollup=RollupRule.SHARE_ON_TARGET,
                    share_needed=Decimal("0.75"),
                ),
            )
        ]
        counted = session.scalars(
            select(ProgressReport).where(
                ProgressReport.state.in_([ReportState.ACCEPTED, ReportState.LOCKED])
            )
        ).all()
        for place, report in enumerate(counted):
            for indicator in added:
                session.add(
                    ReportValue(
                        report_id=report.id, indicator_id=indicator.id, value=Decimal(place % 9)
                    )
                )
        session.add(
            ReportGoalStatus(
                report_id=counted[0].id,
                goal_id=parts[0].id,
                status=GoalStatus.DROPPED,
                reason="Given up here.",
            )
        )
        session.execute(text("DELETE FROM frozen_unit_record"))
        session.execute(text("DELETE FROM frozen_record"))
        units = session.scalars(select(Unit.id).order_by(Unit.id)).all()
        for period in session.scalars(select(ReportingPeriod)).all():
            figures = load_cycle(session, organization, cycle, period=period)
            assert not figures.frozen
            at_once = unit_rows(figures, 0)
            assert list(at_once) == units
            for unit in units:
                alone = [goal_row(goal) for goal in goals_at(figures, unit, 0)]
                assert record_text(at_once[unit]) == record_text(alone), (period.name, unit)
        session.rollback()
