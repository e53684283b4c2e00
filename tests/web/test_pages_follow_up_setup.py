"""The secretary sets up the follow-up of a resolution from the pages alone: a reporting cycle
with a period, goals from an adopted resolution (from a clause, and a sub-goal), an indicator
with a target for a unit and period, and the goal given to a unit. Each is seen on its page
and through the API; each kind of refusal comes back on its form with what was typed and why,
and journals nothing; one without the right is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import bearer_token
from tests.helpers import general_council_term
from tests.prepared import prepared
from tests.web.follow_up_world import MINES, PASSWORD, RAIL, FollowUpWorld, build_follow_up
from tests.web.page_client import Browser, secretary
from tests.web.sitting import journal_length
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import Resolution
from veche.web.inputs_follow_up import IndicatorUpdate

#: On SQLite alone: the changes are the API's own, tested on both databases in
#: tests/web/test_follow_up_api.py; what these prove is the pages' reading of the forms.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

follow_up_world = prepared("follow_up_world", build_follow_up)

SETUP = "/secretary/follow-up/setup"
#: The fields chosen from a list: shown as chosen only when the list holds what was sent.
CHOSEN = {
    "term_id",
    "parent_id",
    "kind",
    "unit_id",
    "unit_ids",
    "period_id",
    "role",
    "measure",
    "clause",
}


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    app = create_app(engine)
    with TestClient(app):  # started, as a server starts it
        yield app


class _Desk:
    """The secretary's browser, the API asked with their token, and the journal's length
    to see that a refusal changed nothing."""

    def __init__(self, app: FastAPI, sessions: sessionmaker[Session]) -> None:
        self.browser = secretary(app)
        self.token = bearer_token(self.browser.client, *DEMO_SECRETARY)
        self.sessions = sessions

    def api(self, path: str) -> Any:
        answer = self.browser.client.get(f"/api{path}", headers=self.token)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def page(self, path: str) -> str:
        shown = self.browser.get(path)
        assert shown.status_code == 200, shown.text
        return unescape(shown.text)

    def done(self, path: str, form: dict[str, Any]) -> str:
        """Post a form that is carried out: the redirect's page, with its message."""
        sent = self.browser.post(path, form)
        assert sent.status_code == 303, sent.text
        return self.page(sent.headers["location"])

    def refused(self, path: str, form: dict[str, Any], status: int, words: str) -> str:
        """Post a form that is refused: the page with the form again, which says why and
        shows what was typed; the journal is as it was."""
        before = journal_length(self.sessions)
        sent = self.browser.post(path, form)
        page = unescape(sent.text)
        assert sent.status_code == status, page
        assert words in page, page
        for name, typed in form.items():
            if typed and name not in CHOSEN:
                assert f'value="{typed}"' in page or f">{typed}</textarea>" in page, name
        assert 'role="alert"' in page
        assert journal_length(self.sessions) == before
        return page


def test_the_secretary_sets_up_a_cycle_and_its_period(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    desk = _Desk(app, sessions)
    assert f'href="{SETUP}"' in desk.page("/secretary/follow-up")
    with sessions() as session:
        term = general_council_term(session).id

    shown = desk.done("/secretary/follow-up/cycles", {"term_id": str(term), "name": "Quarterly"})
    assert "Reporting cycle added: Quarterly" in shown
    cycle = next(c for c in desk.api("/cycles") if c["name"] == "Quarterly")
    assert (cycle["term_id"], cycle["periods"]) == (term, [])
    at = f"/secretary/follow-up/cycles/{cycle['id']}/periods"
    quarter = {
        "name": "Third quarter of 2026",
        "starts_on": "2026-07-01",
        "ends_on": "2026-09-30",
        "due_on": "2026-10-15",
    }
    shown = desk.done(at, quarter)
    assert "Period added: Third quarter of 2026" in shown
    assert "2026-07-01 – 2026-09-30" in shown
    periods = desk.api(f"/cycles/{cycle['id']}")["periods"]
    assert [(p["name"], p["starts_on"], p["due_on"], p["state"]) for p in periods] == [
        ("Third quarter of 2026", "2026-07-01", "2026-10-15", "open")
    ]

    # Refused: a name the term's cycles have, a period overlapping another, a term not there.
    desk.refused(
        "/secretary/follow-up/cycles",
        {"term_id": str(term), "name": "Half-yearly reports"},
        409,
        "already has a reporting cycle",
    )
    overlapping = quarter | {"name": "August", "starts_on": "2026-08-01", "ends_on": "2026-08-31"}
    page = desk.refused(at, overlapping, 422, "overlaps Third quarter of 2026")
    assert f'id="period-{cycle["id"]}-error"' in page  # said at the cycle's own form
    desk.refused("/secretary/follow-up/cycles", {"term_id": "999999", "name": "X"}, 404, "999999")
    assert len(desk.api(f"/cycles/{cycle['id']}")["periods"]) == 1


def test_the_secretary_sets_up_a_resolutions_goals(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w, desk = follow_up_world, _Desk(app, sessions)
    resolution = desk.api(f"/goals/{w.goal_id}")["resolution_id"]
    here = f"/secretary/follow-up/resolutions/{resolution}"
    assert f'href="{here}"' in desk.page(SETUP)

    # A goal from the resolution's first paragraph, and a sub-goal of it.
    shown = desk.done(
        f"{here}/goals",
        {"title": "Dues collected in full", "paragraph": "1", "kind": "outcome", "weight": ""},
    )
    assert "Goal added: Dues collected in full" in shown
    top = [g for g in desk.api(f"/goals?resolution_id={resolution}") if g["depth"] == 0]
    goal = next(g for g in top if g["title"] == "Dues collected in full")
    assert (goal["paragraph"], goal["kind"], goal["weight"]) == (1, "outcome", "1.0000")
    assert goal["clause_text"] and goal["clause_text"] in shown
    desk.done(f"{here}/goals", {"title": "Every branch collects", "parent_id": str(goal["id"])})
    tree = desk.api(f"/goals?under={goal['id']}")
    assert [(g["path"], g["title"]) for g in tree] == [
        (goal["path"], "Dues collected in full"),
        (f"{goal['path']}.1", "Every branch collects"),
    ]
    assert f"{goal['path']}.1 Every branch collects" in desk.page(here)

    # An indicator of it, a target for a unit and period, and the goal given to a unit.
    at = f"/secretary/follow-up/goals/{goal['id']}"
    payers = {"name": "Members paying", "measure": "count", "baseline_value": "10"}
    shown = desk.done(f"{at}/indicators", payers | {"target_value": "20", "unit_label": ""})
    assert "Indicator added: Members paying" in shown
    (indicator,) = desk.api(f"/goals/{goal['id']}")["indicators"]
    assert (indicator["baseline_value"], indicator["target_value"]) == ("10.0000", "20.0000")
    assert indicator["rollup"] == "sum"
    target_at = f"/secretary/follow-up/indicators/{indicator['id']}/targets"
    target = {"unit_id": str(w.units[RAIL]), "period_id": str(w.second_period), "value": "15"}
    shown = desk.done(target_at, target | {"baseline": ""})
    # Figures as people write them, not as stored (15.0000).
    assert f"Target set: 15 for {RAIL}." in shown
    assert f"First half of 2026, {RAIL}: 15" in shown
    assert "count · up · from 10 to 20" in shown
    detail = desk.api(f"/indicators/{indicator['id']}")
    assert [(t["unit"], t["period_id"], t["value"], t["baseline"]) for t in detail["targets"]] == [
        (RAIL, w.second_period, "15.0000", None)
    ]
    # One form gives the goal to the units ticked, with the person answerable.
    assert 'name="unit_ids"' in shown and 'name="responsible_person_id"' in shown
    (ada,) = desk.api("/people?q=Railwright")["people"]
    given = {"unit_ids": [str(w.units[RAIL])], "role": "lead", "responsible_person_id": ada["id"]}
    shown = desk.done(f"{at}/assignments", given)
    assert f"Goal given to {RAIL} (lead)." in shown
    assigned = desk.api(f"/goals/{goal['id']}")["assignments"]
    assert [(a["unit"], a["role"], a["responsible"]) for a in assigned] == [
        (RAIL, "lead", "Ada Railwright")
    ]

    # A decimal comma, which the model itself refuses, is said in words on the error page.
    comma = desk.browser.post(f"{here}/goals", {"title": "Commas", "weight": "7,5"})
    assert comma.status_code == 422
    said = unescape(comma.text)
    assert "weight: '7,5' is not a number: write decimals with a point, as 7.5" in said
    assert "body →" not in said

    # Each kind of refusal, said at its form with what was typed; nothing changed.
    desk.refused(
        f"{here}/goals", {"title": "Nowhere", "paragraph": "99"}, 422, "there is no paragraph 99"
    )
    desk.refused(
        f"{here}/goals",
        {"title": "Lines", "last_line": "3"},
        422,
        "a clause's last line needs its first line as well",
    )
    page = desk.refused(
        f"{here}/goals",
        {"title": "Elsewhere", "parent_id": str(w.goal_id + 10_000)},
        404,
        "there is no goal",
    )
    assert 'id="goal-error"' in page
    desk.refused(
        f"{at}/indicators",
        payers | {"name": "Shrinking", "target_value": "5"},
        422,
        "needs a target above its baseline",
    )
    page = desk.refused(target_at, target | {"unit_id": "999999"}, 404, "there is no unit 999999")
    assert f'id="target-{indicator["id"]}-error"' in page
    # All the units ticked or none: one that has the goal already is named, and the other
    # is not given it either, and comes back ticked.
    page = desk.refused(
        f"{at}/assignments",
        {"unit_ids": [str(w.units[MINES]), str(w.units[RAIL])], "role": "contributing"},
        409,
        f"already assigned to {RAIL}",
    )
    assert re.search(rf'name="unit_ids" value="{w.units[MINES]}" checked', page)
    desk.refused(f"{at}/assignments", {"role": "lead"}, 422, "choose at least one unit")
    assert len(desk.api(f"/goals?resolution_id={resolution}")) == len(top) + 1
    assert len(desk.api(f"/indicators/{indicator['id']}")["targets"]) == 1

    # The body's verdict, with its reason; refused without one; then taken back.
    verdict_at = f"{at}/status"
    page = desk.refused(verdict_at, {"status": "done", "reason": ""}, 422, "reason")
    assert f'id="verdict-{goal["id"]}-error"' in page
    shown = desk.done(verdict_at, {"status": "done", "reason": "Fulfilled in the main."})
    assert "verdict on Dues collected in full: done" in shown
    decided = desk.api(f"/goals/{goal['id']}")
    assert (decided["status"], decided["status_reason"]) == ("done", "Fulfilled in the main.")
    desk.done(verdict_at, {"status": "", "reason": ""})
    assert desk.api(f"/goals/{goal['id']}")["status"] is None


@pytest.mark.one_database
def test_one_without_the_right_is_refused(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    reporter = Browser(app)
    reporter.log_in(w.reporter, PASSWORD)
    resolution = _Desk(app, sessions).api(f"/goals/{w.goal_id}")["resolution_id"]
    assert reporter.get(SETUP).status_code == 403
    assert reporter.get(f"/secretary/follow-up/resolutions/{resolution}").status_code == 403
    before = journal_length(sessions)
    for path, form in (
        ("/secretary/follow-up/cycles", {"term_id": "1", "name": "Mine"}),
        (
            f"/secretary/follow-up/cycles/{w.cycle_id}/periods",
            {
                "name": "Mine",
                "starts_on": "2027-01-01",
                "ends_on": "2027-06-30",
                "due_on": "2027-07-15",
            },
        ),
        (f"/secretary/follow-up/resolutions/{resolution}/goals", {"title": "Mine"}),
        (
            f"/secretary/follow-up/goals/{w.goal_id}/indicators",
            {"name": "Mine", "measure": "count", "target_value": "2000"},
        ),
        (f"/secretary/follow-up/goals/{w.goal_id}/assignments", {"unit_ids": str(w.units[RAIL])}),
        (f"/secretary/follow-up/goals/{w.goal_id}/status", {"status": "done", "reason": "Mine"}),
        (
            f"/secretary/follow-up/indicators/{w.indicator_id}/targets",
            {"unit_id": str(w.units[RAIL]), "period_id": str(w.second_period), "value": "1"},
        ),
    ):
        assert reporter.post(path, form).status_code == 403, path
    assert journal_length(sessions) == before


def test_the_secretary_changes_and_takes_back_what_was_set_up(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w, desk = follow_up_world, _Desk(app, sessions)
    with sessions() as session:
        term = general_council_term(session).id

    # A cycle renamed, refused a name its term's other cycle has; a period's days moved,
    # refused a last day before its first.
    cycle_at = f"/secretary/follow-up/cycles/{w.cycle_id}"
    shown = desk.done(cycle_at, {"name": "Half-year reports"})
    assert "Reporting cycle renamed: Half-year reports" in shown
    # Each edit form opens with the record as it stands.
    assert f'id="cycle-edit-{w.cycle_id}-name" name="name"' in shown
    assert 'value="Half-year reports"' in shown
    assert desk.api(f"/cycles/{w.cycle_id}")["name"] == "Half-year reports"
    desk.done("/secretary/follow-up/cycles", {"term_id": str(term), "name": "Quarterly"})
    other = next(c["id"] for c in desk.api("/cycles") if c["name"] == "Quarterly")
    page = desk.refused(
        f"/secretary/follow-up/cycles/{other}",
        {"name": "Half-year reports"},
        409,
        "already has a reporting cycle",
    )
    assert f'id="cycle-edit-{other}-error"' in page
    period = desk.api(f"/periods/{w.second_period}")
    days = {name: period[name] for name in ("name", "starts_on", "ends_on", "due_on")}
    period_at = f"/secretary/follow-up/periods/{w.second_period}"
    shown = desk.done(period_at, days | {"name": "Spring", "due_on": period["ends_on"]})
    assert "Period saved: Spring" in shown
    assert (
        f'id="period-edit-{w.second_period}-due" name="due_on" type="date" required value="{period["ends_on"]}"'
        in shown
    )
    moved = desk.api(f"/periods/{w.second_period}")
    assert (moved["name"], moved["due_on"]) == ("Spring", period["ends_on"])
    backwards = days | {"ends_on": period["starts_on"], "starts_on": period["ends_on"]}
    page = desk.refused(period_at, backwards, 422, "before")
    assert f'id="period-edit-{w.second_period}-error"' in page

    # A goal with a sub-goal: changed; refused deletion while the sub-goal stands.
    resolution = desk.api(f"/goals/{w.goal_id}")["resolution_id"]
    here = f"/secretary/follow-up/resolutions/{resolution}"
    desk.done(f"{here}/goals", {"title": "A draft goal"})
    goal = next(
        g for g in desk.api(f"/goals?resolution_id={resolution}") if g["title"] == "A draft goal"
    )
    desk.done(f"{here}/goals", {"title": "A draft part", "parent_id": str(goal["id"])})
    (part,) = [g for g in desk.api(f"/goals?under={goal['id']}") if g["id"] != goal["id"]]
    at = f"/secretary/follow-up/goals/{goal['id']}"
    edited = {
        "title": "Dues collected in full",
        "description": "Every branch, every month.",
        "owner_body_id": str(goal["owner_body_id"]),
        "due_on": "2026-12-31",
        "kind": "outcome",
        "weight": "2",
    }
    shown = desk.done(at, edited)
    assert "Goal saved: Dues collected in full" in shown
    assert "· weight 2</p>" in shown
    # Choices in words, not the API's codes.
    assert '<option value="not_started">not started</option>' in shown
    assert '<option value="weighted_mean">weighted mean</option>' in shown
    assert f'action="{at}/delete"' in shown
    assert f'id="goal-edit-{goal["id"]}-due" name="due_on" type="date" value="2026-12-31"' in shown
    saved = desk.api(f"/goals/{goal['id']}")
    assert (saved["description"], saved["due_on"], saved["kind"], saved["weight"]) == (
        "Every branch, every month.",
        "2026-12-31",
        "outcome",
        "2.0000",
    )
    # Left blank on the page, the due day and the description are emptied.
    desk.done(at, edited | {"due_on": "", "description": ""})
    saved = desk.api(f"/goals/{goal['id']}")
    assert (saved["due_on"], saved["description"], saved["title"]) == (
        None,
        "",
        "Dues collected in full",
    )
    page = desk.refused(f"{at}/delete", {}, 409, "has 1 sub-goal")
    assert f'id="goal-edit-{goal["id"]}-error"' in page
    # The goal's form, opened with the refusal, still shows the goal as it stands.
    assert (
        f'name="title" required maxlength="500" autocomplete="off" value="{edited["title"]}"'
        in page
    )

    # An indicator changed; refused deletion while it has a target; the target taken back,
    # the goal taken back from its unit, then the indicator, the sub-goal and the goal deleted.
    payers = {"name": "Members paying", "measure": "count", "target_value": "20"}
    desk.done(f"{at}/indicators", payers)
    (indicator,) = desk.api(f"/goals/{goal['id']}")["indicators"]
    indicator_at = f"/secretary/follow-up/indicators/{indicator['id']}"
    # The indicator's form as the page sends it: every field, as it stands.
    as_shown = {
        name: "" if indicator[name] is None else str(indicator[name])
        for name in IndicatorUpdate.model_fields
    }
    renamed = as_shown | {"name": "Paying members", "target_value": "25"}
    shown = desk.done(indicator_at, renamed)
    assert "Indicator saved: Paying members" in shown
    changed = desk.api(f"/indicators/{indicator['id']}")
    assert (changed["name"], changed["target_value"], changed["rollup"]) == (
        "Paying members",
        "25.0000",
        "sum",
    )
    page = desk.refused(
        indicator_at, as_shown | {"baseline_value": "30"}, 422, "above its baseline"
    )
    assert f'id="indicator-edit-{indicator["id"]}-error"' in page
    # A frozen period's targets are neither set nor taken back: no button, no choice.
    page = desk.page(here)
    frozen = desk.api(f"/periods/{w.first_period}")["name"]
    kept = desk.api(f"/indicators/{w.indicator_id}")["targets"]
    assert any(t["period_id"] == w.first_period for t in kept)
    for target in kept:
        button = f'action="/secretary/follow-up/targets/{target["id"]}/delete"'
        assert (button in page) is (target["period_id"] != w.first_period)
    assert f": {frozen} (frozen)</option>" not in page and frozen in page
    assert " (open)</option>" in page
    # A weighted mean: the units' weights, one field a unit; one left blank has none.
    desk.done(indicator_at, renamed | {"rollup": "weighted_mean"})
    rail, mines = (f"weight_{w.units[name]}" for name in (RAIL, MINES))
    shown = desk.done(f"{indicator_at}/weights", {rail: "3", mines: ""})
    assert "The units' weights are saved." in shown
    # Shown as typed, not as stored (3.0000), so that it is sent back as it stands.
    assert re.search(f'name="{rail}" inputmode="decimal" [^>]* value="3">', shown)
    weights = desk.api(f"/indicators/{indicator['id']}")["weights"]
    assert weights == [{"unit_id": w.units[RAIL], "weight": "3.0000"}]
    page = desk.refused(
        f"{indicator_at}/weights",
        {rail: "2", mines: "0"},
        422,
        f"the weight of {MINES} must be above 0",
    )
    assert f'id="weights-{indicator["id"]}-error"' in page
    target = {"unit_id": str(w.units[RAIL]), "period_id": str(w.second_period), "value": "15"}
    desk.done(f"{indicator_at}/targets", target)
    desk.refused(f"{indicator_at}/delete", {}, 409, "target")
    (set_target,) = desk.api(f"/indicators/{indicator['id']}")["targets"]
    assert f'action="/secretary/follow-up/targets/{set_target["id"]}/delete"' in desk.page(here)
    shown = desk.done(f"/secretary/follow-up/targets/{set_target['id']}/delete", {})
    assert f"Target taken back: {RAIL}, Spring." in shown
    assert desk.api(f"/indicators/{indicator['id']}")["targets"] == []
    desk.done(f"{at}/assignments", {"unit_ids": str(w.units[RAIL]), "role": "lead"})
    (assignment,) = desk.api(f"/goals/{goal['id']}")["assignments"]
    assert f'action="/secretary/follow-up/assignments/{assignment["id"]}/delete"' in desk.page(here)
    shown = desk.done(
        f"/secretary/follow-up/assignments/{assignment['id']}", {"role": "contributing"}
    )
    assert f"{RAIL} now has the goal as contributing." in shown
    assert desk.api(f"/goals/{goal['id']}")["assignments"][0]["role"] == "contributing"
    shown = desk.done(f"/secretary/follow-up/assignments/{assignment['id']}/delete", {})
    assert f"Goal taken back from {RAIL}." in shown
    assert desk.api(f"/goals/{goal['id']}")["assignments"] == []
    assert "Indicator deleted: Paying members" in desk.done(f"{indicator_at}/delete", {})
    assert "Goal deleted: A draft part" in desk.done(
        f"/secretary/follow-up/goals/{part['id']}/delete", {}
    )
    assert "Goal deleted: Dues collected in full" in desk.done(f"{at}/delete", {})
    left = [g["title"] for g in desk.api(f"/goals?resolution_id={resolution}")]
    assert "Dues collected in full" not in left and "A draft part" not in left


def test_a_goal_comes_from_a_clause_named_by_its_number(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    """The page offers the resolution's numbered clauses, as the motion's page numbers them,
    with the lines each spans; a goal made from one quotes it. (The demo's texts number no
    clauses: this resolution's text is set to one that does.)"""
    w, desk = follow_up_world, _Desk(app, sessions)
    resolution_id = desk.api(f"/goals/{w.goal_id}")["resolution_id"]
    with transaction(sessions) as session:
        resolution = session.get(Resolution, resolution_id)
        assert resolution is not None
        resolution.text = (
            "The Council resolves:\n\n1. Dues are collected in full.\n"
            "2. Each branch reports:\n   a) every quarter;\n   b) on time.\n"
        )
    here = f"/secretary/follow-up/resolutions/{resolution_id}"
    page = desk.page(here)
    assert '<option value="2. b)">Clause 2. b) · line 6</option>' in page
    assert '<option value="2.">Clause 2. · lines 4–6</option>' in page
    shown = desk.done(f"{here}/goals", {"title": "Reports on time", "clause": "2. b)"})
    assert "Goal added: Reports on time" in shown
    goal = next(
        g
        for g in desk.api(f"/goals?resolution_id={resolution_id}")
        if g["title"] == "Reports on time"
    )
    assert (goal["first_line"], goal["last_line"], goal["clause_text"]) == (6, 6, "   b) on time.")
    desk.refused(f"{here}/goals", {"title": "Nowhere", "clause": "9"}, 422, "there is no clause 9")
    desk.refused(
        f"{here}/goals",
        {"title": "Twice", "clause": "1", "paragraph": "2"},
        422,
        "name the clause by its number, its paragraph or its lines: one of them",
    )


def test_a_units_target_lies_the_way_its_indicator_goes(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    """From the unit's own baseline, or else the indicator's; holding steady is a target too.
    A part of a sum starts from no part of the whole's baseline: see the test above, where a
    branch's 15 stands beside the whole's baseline of 10."""
    w, desk = follow_up_world, _Desk(app, sessions)
    at = f"/secretary/follow-up/goals/{w.goal_id}/indicators"
    share = {"name": "Members voting", "measure": "percent", "baseline_value": "80"}
    desk.done(at, share | {"target_value": "90", "rollup": "mean"})
    indicator = next(
        i for i in desk.api(f"/goals/{w.goal_id}")["indicators"] if i["name"] == "Members voting"
    )
    targets = f"/secretary/follow-up/indicators/{indicator['id']}/targets"
    where = {"unit_id": str(w.units[RAIL]), "period_id": str(w.second_period)}
    desk.refused(
        targets,
        where | {"value": "75"},
        422,
        f"{RAIL}'s target may not be below the indicator's baseline (80.0000): 75",
    )
    desk.refused(
        targets,
        where | {"value": "85", "baseline": "90"},
        422,
        f"{RAIL}'s target may not be below its own baseline (90.0000): 85",
    )
    assert desk.api(f"/indicators/{indicator['id']}")["targets"] == []
    desk.done(targets, where | {"value": "80"})
    desk.done(targets, where | {"value": "95", "baseline": "90"})
    (target,) = desk.api(f"/indicators/{indicator['id']}")["targets"]
    assert (target["value"], target["baseline"]) == ("95.0000", "90.0000")
