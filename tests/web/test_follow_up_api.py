"""The follow-up of resolutions through the API, on both databases: goals with sub-goals and
indicators from an adopted resolution, assigned to units; targets cascaded down the unit
tree; a reporting cycle with two periods; a report drafted, submitted, returned, corrected,
submitted again and accepted; a period closed and frozen, its reports locked and its figures'
hash in the journal, which `veche verify` checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.apps import create_app
from tests.helpers import journaled
from tests.meeting_api import Api
from tests.web.sitting import PRESENT, PreparedSitting, journal_length
from veche.actions.journal_actions import JournalAction
from veche.cli import app as cli
from veche.models import ReportValue
from veche.queries.frozen_records import stored_record_text

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = pytest.mark.demo

DOCKERS = "Dockers' Branch"
TEACHERS = "Northern Teachers' Branch"


@dataclass
class FollowUp:
    api: Api
    sessions: sessionmaker[Session]
    units: dict[str, int]
    #: Whether the refusals are tried too: tests that only build the cycle
    #: (tests/web/test_follow_up_figures.py) leave them to this one.
    refusals: bool = True

    def refused(self, verb: str, path: str, expect: int, words: str, /, **body: Any) -> None:
        """The secretary's request fails with ``status`` and ``words``; nothing is journaled."""
        self.refused_as(None, verb, path, expect, words, **body)

    def refused_as(
        self, person: int | None, verb: str, path: str, expect: int, words: str, /, **body: Any
    ) -> None:
        if not self.refusals:
            return
        before = journal_length(self.sessions)
        answer = self.api.call(verb, path, expect, as_person=person, **body)
        assert words in answer["detail"], answer["detail"]
        assert journal_length(self.sessions) == before

    def journaled(self, action: JournalAction) -> list[dict[str, Any]]:
        return journaled(self.sessions, action)


def _adopt_resolution(api: Api, sitting: PreparedSitting) -> dict[str, Any]:
    """The sitting's draft on the budget, made final, voted on by the members present and
    settled: the resolution the goals come from."""
    motion = sitting.sitting.motion_id
    api.post(f"/motions/{motion}/final", expect=200, panel_outcome="No amendments.")
    api.decide(
        sitting.meeting_id, sitting.sitting.day, "On the budget", {"yes": PRESENT}, motion_id=motion
    )
    settled: dict[str, Any] = api.post(f"/motions/{motion}/settle", expect=200)["resolution"]
    return settled


def test_a_whole_cycle_of_follow_up(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting, database_url: str
) -> None:
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        units = {unit["name"]: unit["id"] for unit in api.get("/units")}
        follow = FollowUp(api, sessions, units)
        _freeze(follow, reported_cycle(follow, sitting), database_url)


@dataclass
class Reported:
    """The ids of what ``reported_cycle`` made: goals, indicators and periods by the test's
    names for them, and the Rail branch's reporter."""

    goals: dict[str, int]
    indicators: dict[str, int]
    periods: dict[str, int]
    reporter: int


def reported_cycle(follow: FollowUp, sitting: PreparedSitting) -> Reported:
    """From the sitting's resolution to the first period's reports: the goals, their
    indicators, the cycle, the targets, the changes and the reports (test_follow_up_figures.py
    starts from it too)."""
    goals = _goals(follow, _adopt_resolution(follow.api, sitting))
    indicators = _indicators(follow, goals)
    periods = _cycle(follow)
    _targets(follow, indicators, periods)
    _changes(follow, goals, indicators, periods)
    reported = Reported(goals, indicators, periods, _reporter(follow))
    _reports(follow, reported)
    return reported


def _goals(f: FollowUp, resolution: dict[str, Any]) -> dict[str, int]:
    """A goal from each paragraph of the resolution, one with sub-goals two levels deep."""
    api, r = f.api, resolution["id"]
    budget = api.post(
        "/goals", resolution_id=r, paragraph=1, title="A balanced budget", kind="outcome"
    )
    assert budget["path"] == "1" and budget["depth"] == 0
    assert (
        budget["clause_text"]
        == "The Council approves the budget.\nSpending stays within the income."
    )
    assert budget["owner_body_id"] == api.bodies["General Council"]
    assert budget["weight"] == "1.0000" and budget["status"] is None
    dues = api.post("/goals", parent_id=budget["id"], title="Dues collected in full", weight="2")
    spending = api.post(
        "/goals",
        parent_id=budget["id"],
        title="Spending within income",
        owner_body_id=api.bodies["Executive Bureau"],
    )
    branches = api.post("/goals", parent_id=dues["id"], title="Every branch collects its dues")
    report = api.post(
        "/goals",
        resolution_id=r,
        first_line=4,
        title="The Bureau's yearly report",
        due_on="2026-12-31",
    )
    assert report["clause_text"] == "The Bureau reports in a year."
    assert (report["first_line"], report["last_line"]) == (4, 4)
    assert dues["resolution_id"] == r and dues["owner_body_id"] == api.bodies["General Council"]
    assert spending["owner_body"] == "Executive Bureau"
    tree = api.get(f"/goals?resolution_id={r}")
    assert [(g["path"], g["depth"], g["title"]) for g in tree] == [
        ("1", 0, "A balanced budget"),
        ("1.1", 1, "Dues collected in full"),
        ("1.1.1", 2, "Every branch collects its dues"),
        ("1.2", 1, "Spending within income"),
        ("2", 0, "The Bureau's yearly report"),
    ]
    assert tree[0]["sub_goal_ids"] == [dues["id"], spending["id"]]
    assert [g["path"] for g in api.get(f"/goals?under={dues['id']}")] == ["1.1", "1.1.1"]

    f.refused(
        "POST",
        "/goals",
        422,
        "there is no paragraph 5: the text has 2 paragraphs",
        resolution_id=r,
        paragraph=5,
        title="Nowhere",
    )
    f.refused(
        "POST", "/goals", 404, "there is no resolution 999999", resolution_id=999999, title="x"
    )
    f.refused("POST", "/goals", 422, "name the resolution the goal comes from", title="Adrift")
    f.refused(
        "POST",
        "/goals",
        422,
        f"goal {dues['id']} comes from resolution {r}",
        parent_id=dues["id"],
        resolution_id=r + 1,
        title="Elsewhere",
    )
    f.refused(
        "POST", "/goals", 422, "must be above 0", resolution_id=r, title="Weightless", weight=0
    )
    f.refused("DELETE", f"/goals/{budget['id']}", 409, "has 2 sub-goals")

    # The body's verdict on a goal is given with its reason.
    f.refused("POST", f"/goals/{report['id']}/status", 422, "say why", status="done")
    judged = api.call(
        "POST", f"/goals/{report['id']}/status", status="done", reason="Fulfilled in the main."
    )
    assert (judged["status"], judged["status_reason"]) == ("done", "Fulfilled in the main.")
    renamed = api.call("PATCH", f"/goals/{spending['id']}", title="Spending kept within income")
    assert renamed["title"] == "Spending kept within income"
    assert renamed["owner_body"] == "Executive Bureau"  # left out, left as it was

    # Assigned to units: the dues to three branches of the north and one of the coast.
    north = ("Rail and Transport Branch", "Hill Mines Branch", "Northern Teachers' Branch")
    for name in north:
        role = "contributing" if name == north[2] else "lead"
        api.post(f"/goals/{dues['id']}/assignments", unit_id=f.units[name], role=role)
    api.post(f"/goals/{dues['id']}/assignments", unit_id=f.units["Dockers' Branch"])
    lead = api.post(f"/goals/{report['id']}/assignments", unit_id=f.units["Northern Region"])
    assert (lead["unit"], lead["role"]) == ("Northern Region", "lead")
    f.refused(
        "POST",
        f"/goals/{dues['id']}/assignments",
        409,
        "already assigned",
        unit_id=f.units["Hill Mines Branch"],
    )
    assigned = api.get(f"/goals?unit_id={f.units['Hill Mines Branch']}")
    assert [g["path"] for g in assigned] == ["1.1"]
    return {
        "budget": budget["id"],
        "dues": dues["id"],
        "spending": spending["id"],
        "branches": branches["id"],
        "report": report["id"],
    }


def _indicators(f: FollowUp, goals: dict[str, int]) -> dict[str, int]:
    """Members paying dues (a count that should rise), arrears (an amount that should fall)
    and the Bureau's report published (a milestone)."""
    api = f.api
    payers = api.post(
        f"/goals/{goals['dues']}/indicators",
        name="Members paying dues",
        measure="count",
        baseline_value=1000,
        target_value="1200",
        target_on="2026-12-31",
    )
    assert (payers["rollup"], payers["direction"], payers["target_value"]) == (
        "sum",
        "up",
        "1200.0000",
    )
    arrears = api.post(
        f"/goals/{goals['dues']}/indicators",
        name="Dues in arrears",
        measure="amount",
        unit_label="EUR",
        direction="down",
        baseline_value="50000.50",
        target_value=20000,
    )
    assert arrears["number"] == 2 and arrears["baseline_value"] == "50000.5000"
    published = api.post(
        f"/goals/{goals['report']}/indicators", name="Report published", measure="milestone"
    )
    assert (published["baseline_value"], published["target_value"]) == ("0.0000", "1.0000")
    assert published["rollup"] == "share_on_target"
    dues = f.api.get(f"/goals/{goals['dues']}")
    assert [i["name"] for i in dues["indicators"]] == ["Members paying dues", "Dues in arrears"]

    at = f"/goals/{goals['dues']}/indicators"
    f.refused(
        "POST",
        at,
        422,
        "needs a target above its baseline (1000.0000), not 900.0000",
        name="Shrinking",
        measure="count",
        baseline_value=1000,
        target_value=900,
    )
    f.refused(
        "POST",
        at,
        422,
        "needs its currency or unit",
        name="Money",
        measure="amount",
        target_value=5,
    )
    f.refused(
        "POST", at, 422, "a whole number from 0", name="Halves", measure="count", target_value="2.5"
    )
    f.refused(
        "POST",
        at,
        422,
        "band_low and band_high",
        name="Band",
        measure="percent",
        direction="within",
        band_low=5,
    )
    f.refused(
        "POST",
        at,
        422,
        "no more than 4 decimal places",
        name="Fine",
        measure="percent",
        target_value="1.00001",
    )
    return {"payers": payers["id"], "arrears": arrears["id"], "published": published["id"]}


def _cycle(f: FollowUp) -> dict[str, int]:
    """Half-yearly reports of the 8th General Council: two periods."""
    api = f.api
    cycle = api.post("/cycles", term_id=api.term_id, name="Half-yearly reports")
    at = f"/cycles/{cycle['id']}/periods"
    first, second = (
        api.post(at, name=name, starts_on=starts, ends_on=ends, due_on=due)
        for name, starts, ends, due in (
            ("First half of 2026", "2026-01-01", "2026-06-30", "2026-07-15"),
            ("Second half of 2026", "2026-07-01", "2026-12-31", "2027-01-15"),
        )
    )
    assert (first["state"], first["figures_hash"]) == ("open", None)
    for words, name, starts, ends, due in (
        ("overlaps First half of 2026", "Spring", "2026-03-01", "2026-05-31", "2026-06-15"),
        ("must lie within its term", "Before", "2020-01-01", "2020-06-30", "2020-07-15"),
    ):
        f.refused("POST", at, 422, words, name=name, starts_on=starts, ends_on=ends, due_on=due)
    f.refused(
        "POST",
        "/cycles",
        409,
        "already has a reporting cycle",
        term_id=api.term_id,
        name="Half-yearly reports",
    )
    listed = api.get(f"/cycles?term_id={api.term_id}")
    assert [(c["name"], [p["name"] for p in c["periods"]]) for c in listed] == [
        ("Half-yearly reports", ["First half of 2026", "Second half of 2026"])
    ]
    return {"first": first["id"], "second": second["id"]}


def _targets(f: FollowUp, indicators: dict[str, int], periods: dict[str, int]) -> None:
    """The region's target for members paying dues, shared out among its branches: short is
    a warning, over is refused, whichever is set last."""
    api, u = f.api, f.units
    at = f"/indicators/{indicators['payers']}/targets"
    first = periods["first"]
    region = api.call("PUT", at, unit_id=u["Northern Region"], period_id=first, value=600)
    assert region["warnings"] == []
    rail = api.call(
        "PUT", at, unit_id=u["Rail and Transport Branch"], period_id=first, value=250, baseline=200
    )
    assert rail["target"]["baseline"] == "200.0000"
    assert rail["warnings"] == [
        "the targets of the units under Northern Region add up to 250, short of its "
        "600: 350 is not shared out yet"
    ]
    mines = api.call("PUT", at, unit_id=u["Hill Mines Branch"], period_id=first, value=300)
    assert "50 is not shared out yet" in mines["warnings"][0]
    f.refused(
        "PUT",
        at,
        422,
        "would add up to 650, above Northern Region's own 600: "
        "give Northern Teachers' Branch at most 50,",
        unit_id=u["Northern Teachers' Branch"],
        period_id=first,
        value=100,
    )
    teachers = api.call(
        "PUT", at, unit_id=u["Northern Teachers' Branch"], period_id=first, value=50
    )
    assert teachers["warnings"] == []
    f.refused(
        "PUT",
        at,
        422,
        "have targets adding up to 600 already, above 500:",
        unit_id=u["Northern Region"],
        period_id=first,
        value=500,
    )
    # Another period, and an indicator that is not additive, are not held to these sums.
    api.call(
        "PUT", at, unit_id=u["Rail and Transport Branch"], period_id=periods["second"], value=900
    )
    detail = api.get(f"/indicators/{indicators['payers']}?period_id={first}")
    assert [(t["unit"], t["value"]) for t in detail["targets"]] == [
        ("Hill Mines Branch", "300.0000"),
        ("Northern Region", "600.0000"),
        ("Northern Teachers' Branch", "50.0000"),
        ("Rail and Transport Branch", "250.0000"),
    ]
    arrears = f"/indicators/{indicators['arrears']}/targets"
    api.call("PUT", arrears, unit_id=u["Rail and Transport Branch"], period_id=first, value=4000)
    assert [t["value"] for t in f.journaled(JournalAction.SET_TARGET)][-1] == "4000.0000"


def _changes(
    f: FollowUp, goals: dict[str, int], indicators: dict[str, int], periods: dict[str, int]
) -> None:
    """What the secretary changes and takes back: weights, indicators, assignments, goals,
    targets, a cycle's name and a period's due date."""
    api, u = f.api, f.units
    rail, mines = u["Rail and Transport Branch"], u["Hill Mines Branch"]
    weights = f"/indicators/{indicators['arrears']}/weights"
    given = api.call(
        "PUT",
        weights,
        weights=[{"unit_id": mines, "weight": "1.5"}, {"unit_id": rail, "weight": 3}],
    )
    assert sorted((w["unit_id"], w["weight"]) for w in given) == sorted(
        [(rail, "3.0000"), (mines, "1.5000")]
    )
    f.refused(
        "PUT",
        weights,
        422,
        "name each unit once",
        weights=[{"unit_id": rail, "weight": 1}, {"unit_id": rail, "weight": 2}],
    )
    f.refused(
        "PUT", weights, 404, "there is no unit 999999", weights=[{"unit_id": 999999, "weight": 1}]
    )
    f.refused("PUT", weights, 422, "must be above 0", weights=[{"unit_id": rail, "weight": 0}])
    assert len(api.get(f"/indicators/{indicators['arrears']}")["weights"]) == 2

    payers = f"/indicators/{indicators['payers']}"
    renamed = api.call("PATCH", payers, name="Members paying their dues")
    assert (renamed["name"], renamed["target_value"]) == ("Members paying their dues", "1200.0000")
    f.refused("PATCH", payers, 409, "has 5 targets in its measure and direction", measure="percent")
    f.refused("PATCH", payers, 422, "needs a target above its baseline", target_value=10)
    f.refused("DELETE", payers, 409, "has 5 targets")
    spare = api.post(
        f"/goals/{goals['spending']}/indicators", name="Spare", measure="percent", target_value=50
    )
    api.call("DELETE", f"/indicators/{spare['id']}", 204)
    f.refused("DELETE", f"/indicators/{spare['id']}", 404, f"there is no indicator {spare['id']}")

    valley = api.post(f"/goals/{goals['spending']}/assignments", unit_id=u["Valley Region"])
    person = api.post("/people", full_name="Vera Valley")["id"]
    changed = api.call(
        "PATCH", f"/assignments/{valley['id']}", role="contributing", responsible_person_id=person
    )
    assert (changed["role"], changed["responsible"]) == ("contributing", "Vera Valley")
    api.call("DELETE", f"/assignments/{valley['id']}", 204)
    assert api.get(f"/goals/{goals['spending']}")["assignments"] == []
    api.call("DELETE", f"/goals/{goals['branches']}", 204)
    assert api.get(f"/goals/{goals['dues']}")["sub_goal_ids"] == []

    second = api.call(
        "PUT", f"{payers}/targets", unit_id=mines, period_id=periods["second"], value=10
    )
    api.call("DELETE", f"/targets/{second['target']['id']}", 204)
    assert [t["unit"] for t in api.get(f"{payers}?period_id={periods['second']}")["targets"]] == [
        "Rail and Transport Branch"
    ]

    period = api.call("PATCH", f"/periods/{periods['first']}", due_on="2026-07-20")
    assert (period["name"], period["due_on"]) == ("First half of 2026", "2026-07-20")
    cycle = api.call("PATCH", f"/cycles/{period['cycle_id']}", name="Half-yearly reports, 8th term")
    assert api.get(f"/cycles/{cycle['id']}")["name"] == "Half-yearly reports, 8th term"
    assert api.get(f"/periods/{periods['first']}")["state"] == "open"
    journaled = {
        action: len(f.journaled(action))
        for action in (
            JournalAction.SET_INDICATOR_WEIGHTS,
            JournalAction.DELETE_INDICATOR,
            JournalAction.REMOVE_ASSIGNMENT,
            JournalAction.DELETE_GOAL,
            JournalAction.REMOVE_TARGET,
            JournalAction.UPDATE_REPORTING_PERIOD,
            JournalAction.RENAME_REPORTING_CYCLE,
        )
    }
    assert set(journaled.values()) == {1}, journaled


def _reporter(f: FollowUp) -> int:
    """A person who reports for the Rail and Transport Branch (the unit reporter's role,
    granted in that unit)."""
    person = f.api.post("/people", full_name="Ada Railwright")["id"]
    f.api.post(
        "/role-grants",
        role="reporter",
        scope="unit",
        scope_id=f.units["Rail and Transport Branch"],
        person_id=person,
    )
    return int(person)


def _reports(f: FollowUp, reported: Reported) -> None:
    api, u = f.api, f.units
    goals, indicators, periods = reported.goals, reported.indicators, reported.periods
    reporter = reported.reporter
    rail = f"/periods/{periods['first']}/units/{u['Rail and Transport Branch']}/report"
    mines = f"/periods/{periods['first']}/units/{u['Hill Mines Branch']}/report"
    form = api.call("GET", rail, as_person=reporter)
    assert form["report"] is None and form["unit"] == "Rail and Transport Branch"
    assert [(g["path"], g["role"]) for g in form["goals"]] == [("1.1", "lead")]
    assert [(i["name"], i["target"], i["baseline"]) for i in form["goals"][0]["indicators"]] == [
        ("Members paying their dues", "250.0000", "200.0000"),
        ("Dues in arrears", "4000.0000", None),
    ]
    # A unit's reporter files for their unit alone, and reads nothing else of the follow-up.
    f.refused_as(
        reporter, "PUT", mines, 403, "only a reporter of Hill Mines Branch", narrative="Not ours."
    )
    f.refused_as(reporter, "GET", "/goals", 403, "may read the follow-up of resolutions")
    f.refused_as(
        reporter,
        "POST",
        "/reports/1/decision",
        403,
        "may manage the follow-up",
        decision="accepted",
    )

    values: list[dict[str, Any]] = [
        {"indicator_id": indicators["payers"], "value": 240},
        {"indicator_id": indicators["arrears"], "value": "5100.25"},
    ]
    at_risk = {"goal_id": goals["dues"], "status": "at_risk"}
    f.refused_as(
        reporter,
        "PUT",
        rail,
        422,
        "is reported at risk: say why",
        values=values,
        statuses=[at_risk],
    )
    f.refused_as(
        reporter,
        "PUT",
        rail,
        422,
        "does not measure a goal assigned to Rail",
        values=[{"indicator_id": indicators["published"], "value": 1}],
    )
    f.refused_as(reporter, "PUT", rail, 422, "name each indicator once", values=values + values[:1])

    def file_figures(narrative: str) -> Any:
        """The reporter files ``values`` as they stand, the dues at risk and why."""
        why = [{**at_risk, "reason": "Two depots closed in March."}]
        return api.call(
            "PUT", rail, as_person=reporter, values=values, statuses=why, narrative=narrative
        )

    draft = file_figures("Collections are *behind* in the depots.")
    assert draft["state"] == "draft"
    assert [(v["indicator_id"], v["value"]) for v in draft["values"]] == [
        (indicators["payers"], "240.0000"),
        (indicators["arrears"], "5100.2500"),
    ]
    submitted = api.call("POST", f"{rail}/submit", as_person=reporter)
    assert submitted["state"] == "submitted" and submitted["submitted_at"]
    f.refused_as(
        reporter,
        "PUT",
        rail,
        409,
        "is submitted: it changes only as a draft",
        narrative="Second thoughts.",
    )
    report = submitted["id"]
    decision = f"/reports/{report}/decision"
    f.refused(
        "POST",
        decision,
        422,
        "say what Rail and Transport Branch should correct",
        decision="returned",
        reason=" ",
    )
    returned = api.post(
        decision, expect=200, decision="returned", reason="Give the arrears as of the 30th of June."
    )
    assert (returned["state"], returned["return_reason"]) == (
        "returned",
        "Give the arrears as of the 30th of June.",
    )
    f.refused(
        "POST",
        decision,
        409,
        f"cannot accept report {report} (Rail and Transport Branch, First half of 2026): "
        "it is returned, not submitted",
        decision="accepted",
    )
    values[1]["value"] = "5000"
    file_figures("Collections are behind in the depots.")
    api.call("POST", f"{rail}/submit", as_person=reporter)
    accepted = api.post(decision, expect=200, decision="accepted")
    assert accepted["state"] == "accepted"
    assert [v["value"] for v in accepted["values"]] == ["240.0000", "5000.0000"]

    # The Hill Mines Branch reports through the secretary (an administrator files anywhere);
    # the Dockers' Branch submits and waits; the teachers leave theirs a draft.
    api.call(
        "PUT",
        mines,
        values=[{"indicator_id": indicators["payers"], "value": 310}],
        statuses=[{"goal_id": goals["dues"], "status": "on_track"}],
    )
    api.call("POST", f"{mines}/submit")
    api.post(f"/reports/{api.get(mines)['report']['id']}/decision", 200, decision="accepted")
    docks = f"/periods/{periods['first']}/units/{u[DOCKERS]}/report"
    api.call("PUT", docks, values=[{"indicator_id": indicators["payers"], "value": 75}])
    api.call("POST", f"{docks}/submit")
    teachers = f"/periods/{periods['first']}/units/{u[TEACHERS]}/report"
    api.call("PUT", teachers, narrative="We are counting.")
    listed = api.get(f"/reports?period_id={periods['first']}&state=accepted")
    assert listed["total"] == 2
    assert [r["unit"] for r in listed["reports"]] == [
        "Hill Mines Branch",
        "Rail and Transport Branch",
    ]
    assert api.get(f"/reports/{report}")["narrative"] == "Collections are behind in the depots."


def _freeze(f: FollowUp, reported: Reported, database_url: str) -> None:
    api, u = f.api, f.units
    goals, indicators, periods = reported.goals, reported.indicators, reported.periods
    reporter = reported.reporter
    first = periods["first"]
    state = f"/periods/{first}/state"
    f.refused(
        "POST",
        state,
        409,
        "cannot freeze period First half of 2026: it is open, not closed",
        state="frozen",
    )
    assert api.post(state, expect=200, state="closed")["state"] == "closed"
    f.refused(
        "POST",
        state,
        409,
        "period First half of 2026 is closed; it can move on to frozen only, not open",
        state="open",
    )
    coast = f"/periods/{first}/units/{u['Fisheries Branch']}/report"
    f.refused(
        "PUT",
        coast,
        409,
        "the filing of reports for period First half of 2026 has ended",
        narrative="Late.",
    )
    docks = api.get(f"/periods/{first}/units/{u[DOCKERS]}/report")["report"]["id"]
    f.refused(
        "POST",
        state,
        409,
        f"1 submitted report awaiting a decision ({DOCKERS})",
        state="frozen",
    )
    api.post(f"/reports/{docks}/decision", 200, decision="accepted")
    frozen = api.post(state, expect=200, state="frozen")
    assert frozen["state"] == "frozen"
    assert frozen["reports"] == {
        "draft": 1,
        "submitted": 0,
        "returned": 0,
        "accepted": 0,
        "locked": 3,
    }

    # The hash covers every locked report's values and statuses, written as these lines.
    rail, mines, dockers = (
        u[n] for n in ("Rail and Transport Branch", "Hill Mines Branch", "Dockers' Branch")
    )
    payers, arrears = indicators["payers"], indicators["arrears"]
    lines = sorted(
        [
            ((rail, 0, payers), f"unit {rail} indicator {payers} value 240.0000"),
            ((rail, 0, arrears), f"unit {rail} indicator {arrears} value 5000.0000"),
            ((rail, 1, goals["dues"]), f"unit {rail} goal {goals['dues']} status at_risk"),
            ((mines, 0, payers), f"unit {mines} indicator {payers} value 310.0000"),
            ((mines, 1, goals["dues"]), f"unit {mines} goal {goals['dues']} status on_track"),
            ((dockers, 0, payers), f"unit {dockers} indicator {payers} value 75.0000"),
        ]
    )
    text = f"veche follow-up figures 1\nperiod {first}\n" + "".join(
        f"{line}\n" for _key, line in lines
    )
    expected = hashlib.sha256(text.encode()).hexdigest()
    assert frozen["figures_hash"] == expected
    (entry,) = f.journaled(JournalAction.FREEZE_REPORTING_PERIOD)
    with f.sessions() as session:
        # The period's roll-up as the freeze recorded it, hashed into the same entry.
        recorded = stored_record_text(session, first)
    assert recorded is not None
    assert entry == {
        "period_id": first,
        "reports": 3,
        "values": 4,
        "statuses": 2,
        "figures_hash": expected,
        "record_hash": hashlib.sha256(recorded.encode()).hexdigest(),
    }

    # Frozen, the reports are locked and nothing of the period changes.
    rail_at = f"/periods/{first}/units/{rail}/report"
    assert api.get(rail_at)["report"]["state"] == "locked"
    f.refused_as(
        reporter,
        "PUT",
        rail_at,
        409,
        "period First half of 2026 is frozen",
        narrative="A late correction.",
    )
    f.refused("POST", f"/periods/{first}/units/{u[TEACHERS]}/report/submit", 409, "is frozen")
    f.refused(
        "POST", f"/reports/{docks}/decision", 409, "is frozen", decision="returned", reason="Late."
    )
    f.refused(
        "PUT",
        f"/indicators/{payers}/targets",
        409,
        "is frozen",
        unit_id=rail,
        period_id=first,
        value=1,
    )
    f.refused(
        "POST", state, 409, "cannot close period First half of 2026: it is frozen", state="closed"
    )
    # The second period goes on.
    api.call(
        "PUT",
        f"/periods/{periods['second']}/units/{rail}/report",
        as_person=reporter,
        narrative="Starting.",
    )

    # `veche verify` hashes the frozen figures again; a value changed since is named.
    runner = CliRunner()
    held = runner.invoke(cli, ["verify", "--db", database_url])
    assert held.exit_code == 0, held.output
    assert "Hashed the figures of 1 frozen period again: each matches its freeze." in held.output
    with f.sessions.begin() as session:
        session.execute(
            update(ReportValue).where(ReportValue.indicator_id == payers).values(value=241)
        )
    broken = runner.invoke(cli, ["verify", "--db", database_url])
    assert broken.exit_code == 1
    assert f"period {first} (First half of 2026): its figures no longer match" in broken.output
