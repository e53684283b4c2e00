"""The follow-up's pages write figures and goals as a person reads them: no trailing zeros,
percentages to two places at most, "0 of 1 unit", and each goal named with its resolution
where several resolutions' goals stand together ("R2 · 1").

On SQLite alone: the pages' words; the figures themselves are the API's, tested on both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, distinct, func, select
from sqlalchemy.orm import Session, sessionmaker

import veche
from tests.apps import create_app
from tests.assembly import bearer_token
from tests.follow_up_demo import load_demo_with_follow_up
from tests.helpers import general_council_term
from tests.prepared import prepared
from tests.web.follow_up_world import MINES, PASSWORD, RAIL, FollowUpWorld, build_follow_up
from tests.web.page_client import Browser, secretary
from veche.demo import DEMO_SECRETARY
from veche.models import Goal, GoalAssignment, ReportingPeriod, Unit
from veche.web.pages import follow_up_desk, public_follow_up
from veche.web.templating import templates

pytestmark = [pytest.mark.demo, pytest.mark.one_database]

follow_up_world = prepared("follow_up_world", build_follow_up)

#: A percentage written with more than two places: 60.5556 %.
LONG_PERCENT = re.compile(r"\d\.\d{3,} %")


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    app = create_app(engine)
    with TestClient(app):
        yield app


def test_one_unit_is_one_unit(follow_up_world: FollowUpWorld, app: FastAPI) -> None:
    w = follow_up_world
    desk = secretary(app)
    token = bearer_token(desk.client, *DEMO_SECRETARY)
    (mines,) = [
        assignment["id"]
        for assignment in desk.client.get(f"/api/goals/{w.goal_id}", headers=token).json()[
            "assignments"
        ]
        if assignment["unit_id"] == w.units[MINES]
    ]
    assert desk.client.delete(f"/api/assignments/{mines}", headers=token).status_code == 204
    page = desk.get(f"/secretary/follow-up/periods/{w.second_period}").text
    assert re.search(r'data-testid="coverage">0 of 1 unit reported<', page)
    published = desk.post("/secretary/organization", {"publishes_follow_up": "true"})
    assert published.status_code == 303, published.text
    public = Browser(app).get(f"/follow-up?cycle_id={w.cycle_id}&period_id={w.second_period}")
    assert "0 of 1 unit with goals reported for First half of 2026" in public.text


def test_figures_and_goals_of_several_resolutions(
    engine: Engine, sessions: sessionmaker[Session], app: FastAPI
) -> None:
    load_demo_with_follow_up(sessions)
    with sessions() as session:
        period = session.scalars(select(ReportingPeriod.id).order_by(ReportingPeriod.id)).all()[-1]
        region = session.scalars(select(Unit.id).where(Unit.name == "Coastal Region")).one()
    desk = secretary(app)
    page = desk.get(f"/secretary/follow-up/periods/{period}").text
    # Resolutions 2 and 3 each have a goal 1.1: the roll-up and the reports name which.
    assert re.search(r'<th scope="row">R2 · 1\.1 Renew every agreement', page)
    assert re.search(r'<th scope="row">R3 · 1\.1 Elect a safety steward', page)
    assert "<li>R3 · 1.1 Safety steward elected: 1</li>" in page
    # A figure reported in percent is written so.
    assert "<li>R2 · 1.1 Members covered by a collective agreement: 66 %</li>" in page
    # A unit given goals of both files a report whose headings say which goal is which.
    with sessions() as session:
        both = session.scalars(
            select(GoalAssignment.unit_id)
            .join(Goal, Goal.id == GoalAssignment.goal_id)
            .group_by(GoalAssignment.unit_id)
            .having(func.count(distinct(Goal.resolution_id)) > 1)
        ).first()
    assert both is not None
    form = desk.get(f"/reporting/periods/{period}/units/{both}").text
    assert re.search(r'<h2 id="goal-\d+">R2 · 1\.1 ', form)
    assert re.search(r'<h2 id="goal-\d+">R3 · 1\.1 ', form)
    assert re.search(r'data-testid="coverage">10 of 12 units reported<', page)
    # A region's share of members covered is the mean of its branches' percentages.
    card = Browser(app).get(f"/follow-up/periods/{period}/units/{region}").text
    covered = re.search(r"Members covered by a collective agreement</th>\s*<td>([^<]*)</td>", card)
    assert covered and covered.group(1) == "62.5 %"
    assert not LONG_PERCENT.search(card)


def test_the_tables_of_figures_fit_a_phone(
    engine: Engine, sessions: sessionmaker[Session], app: FastAPI
) -> None:
    """Measured in Chromium at 390 px: the goals' table took 438 px of the 358 there are, and
    the charts' frames 278 (a figure's margins). Their tables are tightened on a phone, and a
    chart's frame takes the whole width (its drawing scrolls in it, its words kept legible)."""
    load_demo_with_follow_up(sessions)
    page = Browser(app).get("/follow-up").text
    assert page.count('<table class="figures">') == 3  # the goals of three resolutions
    assert re.search(r'<figure class="chart">\s*<div class="scroll chart-frame"', page)
    css = (Path(veche.__file__).parent / "web" / "static" / "veche.css").read_text()
    phone = css[css.index("@media (max-width: 36rem) {\n  .chart-frame svg") :]
    phone = phone[: phone.index("\n}")]
    assert "table.figures th, table.figures td { padding: .4rem .25rem; }" in phone
    assert "figure.chart { margin: 1rem 0; }" in css


@pytest.mark.parametrize(
    ("measure", "rollup", "value", "shown"),
    [
        ("percent", "mean", "27.391304", "27.39 %"),
        ("percent", "mean", "40.0000", "40 %"),
        ("count", "sum", "20.0000", "20 plots"),
        ("count", "sum", "1200.5000", "1,200.5 plots"),
        ("milestone", "share_on_target", "0.333333", "33.33 %"),
    ],
)
def test_an_indicator_figure_as_the_tables_write_it(
    measure: str, rollup: str, value: str, shown: str
) -> None:
    macros = templates.env.get_template("public/_follow_up.html").make_module(
        vars=public_follow_up.WORDS
    )
    indicator = SimpleNamespace(measure=measure, rollup=rollup, unit_label="plots")
    figure_of = macros.figure_of  # type: ignore[attr-defined]  # a macro of the template
    assert str(figure_of(indicator, Decimal(value))) == shown


def test_the_desk_links_the_csv_files(follow_up_world: FollowUpWorld, app: FastAPI) -> None:
    w = follow_up_world
    desk = secretary(app)
    token = bearer_token(desk.client, *DEMO_SECRETARY)
    listed = desk.get("/secretary/follow-up").text
    for kind in ("goals", "assignments", "indicators", "weights", "targets", "values"):
        link = f"/secretary/follow-up/files/{kind}.csv"
        assert f'href="{link}"' in listed
        answer = desk.get(link)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
        assert answer.headers["content-disposition"] == f'attachment; filename="{kind}.csv"'
        assert answer.text == desk.client.get(f"/api/follow-up/{kind}.csv", headers=token).text
    # The values with their report's state: the frozen period's figure counts, a draft not.
    reporter = Browser(app)
    reporter.log_in(w.reporter, PASSWORD)
    form = f"/reporting/periods/{w.second_period}/units/{w.units[RAIL]}"
    saved = reporter.post(form, {f"value_{w.indicator_id}": "275", "intent": "save"})
    assert saved.status_code == 303, saved.text
    resolution = desk.client.get(f"/api/goals/{w.goal_id}", headers=token).json()["resolution_id"]
    values = desk.get("/secretary/follow-up/files/values.csv").text.splitlines()
    assert values[0].endswith(",value,report_state")
    assert values[1:] == [
        f"{resolution},1,1,{RAIL},Half-yearly reports,Second half of 2025,230,locked",
        f"{resolution},1,1,{RAIL},Half-yearly reports,First half of 2026,275,draft",
    ]
    assert reporter.get("/secretary/follow-up/files/values.csv").status_code == 403
    assert desk.get("/secretary/follow-up/files/people.csv").status_code == 422


@pytest.mark.parametrize(
    ("today", "caution"),
    [
        (date(2026, 12, 5), "has not started yet: it runs from 2026-12-06 to 2026-12-31"),
        (date(2026, 12, 6), "has not ended yet: it runs to 2026-12-31"),
        (date(2026, 12, 31), "has not ended yet"),
        (date(2027, 1, 1), ""),
    ],
)
def test_a_period_not_over_is_cautioned_of(today: date, caution: str) -> None:
    december = ReportingPeriod(
        name="December 2026",
        starts_on=date(2026, 12, 6),
        ends_on=date(2026, 12, 31),
        due_on=date(2027, 1, 10),
    )
    said = follow_up_desk._too_early(december, today)
    assert caution in said and bool(said) == bool(caution)


def test_the_desk_cautions_before_closing_a_period_not_begun(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    desk = secretary(app)
    token = bearer_token(desk.client, *DEMO_SECRETARY)
    with sessions() as session:
        term = general_council_term(session).id
    cycle = desk.client.post("/api/cycles", json={"term_id": term, "name": "Later"}, headers=token)
    assert cycle.status_code == 201, cycle.text
    later = {"name": "Spring 2099", "starts_on": "2099-03-01", "ends_on": "2099-05-31"}
    period = desk.client.post(
        f"/api/cycles/{cycle.json()['id']}/periods",
        json=later | {"due_on": "2099-06-15"},
        headers=token,
    )
    assert period.status_code == 201, period.text
    page = desk.get(f"/secretary/follow-up/periods/{period.json()['id']}").text
    assert re.search(
        r'id="period-too-early"[^>]*><strong>Caution:</strong> This period has not started yet: '
        r"it runs from 2099-03-01 to 2099-05-31",
        page,
    )
    assert 'name="confirmed" value="yes" required aria-describedby="period-too-early"' in page
    # A period over (the world's second ended on 2026-06-30) is closed without a caution.
    over = desk.get(f"/secretary/follow-up/periods/{w.second_period}").text
    assert 'id="confirm-closed"' in over and "period-too-early" not in over
