"""A frozen period's figures are final: once frozen (with a record, since migration 0023), the
whole organization's figures of the period — the roll-up, the summing-up's goals, sections,
tables and charts, the public page and the secretary's desk — are those its freeze recorded,
whatever is changed afterwards in the indicators, weights, baselines, targets or directions;
the next period, not frozen, follows the change. A record edited in the database is what the
pages then show, and ``veche verify`` names it. On both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.follow_up_demo import load_demo_with_follow_up
from tests.web.page_client import Browser, secretary
from veche.actions.verify_periods import verify_periods
from veche.demo import DEMO_SECRETARY
from veche.models import FrozenRecord, Indicator, ReportingCycle, ReportingPeriod
from veche.models.follow_up import PeriodState

pytestmark = pytest.mark.demo


@dataclass
class Demo:
    """The demo's follow-up served: its cycle, its frozen first quarter and closed second."""

    client: TestClient
    desk: Browser
    public: Browser
    headers: dict[str, str]
    cycle: int
    frozen: int
    closed: int

    def api(self, verb: str, path: str, expect: int = 200, **body: Any) -> Any:
        answer = self.client.request(verb, "/api" + path, json=body or None, headers=self.headers)
        assert answer.status_code == expect, f"{verb} {path}: {answer.text}"
        return answer

    def figures(self, period: int) -> dict[str, Any]:
        """What the period's figures are, wherever they are shown."""
        summing_up = self.api(
            "GET", f"/cycles/{self.cycle}/summing-up?period_id={period}&format=md"
        ).text
        rollup = self.api("GET", f"/periods/{period}/rollup").json()
        public = self.public.get(f"/follow-up?cycle_id={self.cycle}&period_id={period}")
        desk = self.desk.get(f"/secretary/follow-up/periods/{period}")
        assert public.status_code == 200 and desk.status_code == 200, (public.text, desk.text)
        return {
            "rollup": rollup,
            "summing-up": _organization_parts(summing_up),
            "public": _figures_shown(public.text),
            "desk": _figures_shown(desk.text),
        }


def _organization_parts(markdown: str) -> str:
    """The summing-up's whole-organization figures: all but its map of units and league
    (units' figures, computed now) and the journal's head (moved on by every change)."""
    before_map, _, rest = markdown.partition("## Units and goals")
    _, _, charts = rest.partition("## Indicators: target against actual")
    return before_map + charts.partition("## Journal")[0]


def _figures_shown(page: str) -> list[str]:
    """Every percentage and figure a page's tables and charts show, in order."""
    return re.findall(r"\d+(?:\.\d+)? ?%|<td[^>]*>[^<]*</td>", page)


@pytest.fixture
def demo(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Demo]:
    load_demo_with_follow_up(sessions)
    with sessions() as session:
        cycle = session.scalars(select(ReportingCycle)).one()
        frozen, closed = session.scalars(
            select(ReportingPeriod).order_by(ReportingPeriod.starts_on)
        ).all()
        assert (frozen.state, closed.state) == (PeriodState.FROZEN, PeriodState.CLOSED)
        ids = cycle.id, frozen.id, closed.id
    app = create_app(engine)
    with TestClient(app) as client:
        username, password = DEMO_SECRETARY
        token = client.post("/api/tokens", json={"username": username, "password": password})
        assert token.status_code in (200, 201), token.text
        yield Demo(
            client,
            secretary(app),
            Browser(app),
            {"Authorization": f"Bearer {token.json()['token']}"},
            *ids,
        )


def _indicator_id(sessions: sessionmaker[Session], name: str) -> int:
    with sessions() as session:
        return session.scalars(select(Indicator.id).where(Indicator.name == name)).one()


def test_a_frozen_periods_figures_stay_those_recorded_at_its_freeze(
    demo: Demo, sessions: sessionmaker[Session]
) -> None:
    frozen_before = demo.figures(demo.frozen)
    # The attack's figures: goal 1 of the first resolution at 43.98 %, its goal 1.1 at 21.3 %.
    assert (
        "| 1 | Renew the branches' collective agreements and account for them | 43.98 %"
        in (frozen_before["summing-up"])
    )
    assert (
        "| 1.1 | Renew every agreement within eighteen months | 21.3 %"
        in (frozen_before["summing-up"])
    )
    closed_before = demo.figures(demo.closed)
    covered = _indicator_id(sessions, "Members covered by a collective agreement")
    accidents = _indicator_id(sessions, "Accidents at work in the quarter")

    # Through the API: the attacker's change of a weight and a baseline.
    demo.api("PATCH", f"/indicators/{covered}", weight="9", baseline_value="5")
    # In the database: the frozen period's targets and an indicator's direction.
    with sessions.begin() as session:
        session.execute(
            text("UPDATE indicator_target SET value = value * 3 WHERE period_id = :period"),
            {"period": demo.frozen},
        )
        session.execute(
            text("UPDATE indicator SET direction = 'up' WHERE id = :id"), {"id": accidents}
        )

    assert demo.figures(demo.frozen) == frozen_before
    # The period not frozen follows the changes.
    closed_after = demo.figures(demo.closed)
    for shown in ("rollup", "summing-up", "public", "desk"):
        assert closed_after[shown] != closed_before[shown], shown


def test_a_record_edited_is_what_is_shown_and_verify_names_it(
    demo: Demo, sessions: sessionmaker[Session]
) -> None:
    before = demo.api("GET", f"/periods/{demo.frozen}/rollup").json()
    progress = before["goals"][0]["progress"]
    assert progress is not None
    with sessions.begin() as session:
        stored = session.scalars(
            select(FrozenRecord).where(FrozenRecord.period_id == demo.frozen)
        ).one()
        edited = stored.figures.replace(f'"progress":"{progress}"', '"progress":"0.9999"', 1)
        assert edited != stored.figures
        stored.figures = edited
    after = demo.api("GET", f"/periods/{demo.frozen}/rollup").json()
    assert after["goals"][0]["progress"] == "0.9999"
    with sessions() as session:
        check = verify_periods(session)
    (problem,) = check.problems
    assert re.fullmatch(
        rf"period {demo.frozen} \(First quarter of 2026\): its record of the figures no longer "
        r"matches the one made at its freeze \(entry \d+\): it was changed",
        problem,
    ), problem


def test_a_record_that_cannot_be_read_is_refused_not_a_crash(
    demo: Demo, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.execute(
            text("UPDATE frozen_record SET figures = :text WHERE period_id = :period"),
            {"text": "not a record", "period": demo.frozen},
        )
    answer = demo.api("GET", f"/periods/{demo.frozen}/rollup", expect=409)
    assert "veche verify" in answer.json()["detail"]
    # The summing-up of the period and of the next, whose history reads it.
    for period in (demo.frozen, demo.closed):
        demo.api("GET", f"/cycles/{demo.cycle}/summing-up?period_id={period}&format=md", expect=409)
    assert demo.public.get("/follow-up").status_code == 409


def test_an_indicator_recorded_then_deleted_has_no_earlier_points(
    demo: Demo, sessions: sessionmaker[Session]
) -> None:
    """An indicator with neither targets nor values may be deleted after a freeze that
    recorded it; the summing-up of that period, its history computed from the values of an
    earlier period with no record, shows it without earlier figures."""
    goal = demo.api("GET", "/goals").json()[0]
    added = demo.api(
        "POST",
        f"/goals/{goal['id']}/indicators",
        201,
        name="Leaflets",
        measure="count",
        target_value="10",
    ).json()
    awaiting = demo.api("GET", f"/reports?period_id={demo.closed}&state=submitted").json()
    for report in awaiting["reports"]:
        demo.api("POST", f"/reports/{report['id']}/decision", decision="accepted")
    demo.api("POST", f"/periods/{demo.closed}/state", state="frozen")
    demo.api("DELETE", f"/indicators/{added['id']}", 204)
    with sessions.begin() as session:
        # The first quarter as if frozen before records were kept: computed from its values.
        session.execute(
            text("DELETE FROM frozen_record WHERE period_id = :period"), {"period": demo.frozen}
        )
    summed_up = demo.api(
        "GET", f"/cycles/{demo.cycle}/summing-up?period_id={demo.closed}&format=md"
    ).text
    leaflets = summed_up.partition("Leaflets, the whole organization")[2]
    assert "| First quarter of 2026 | not reported | 0 / 0 |" in leaflets
