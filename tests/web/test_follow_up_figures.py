"""The follow-up's figures through the API and the command line, on both databases: the cycle of
tests/web/test_follow_up_api.py built again (its refusals left to it), its first period
frozen and a second reported (the Dockers' Branch late), then the roll-up checked by figures
computed by hand — a falling indicator, a mean where the units missing count for nothing, the
coverage — a unit's report card as its reporter reads it, and the interim summing-up, every
section, in Markdown, HTML and PDF, and from `veche report summing-up`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.apps import create_app
from tests.helpers import count_queries
from tests.web.sitting import PreparedSitting
from tests.web.test_follow_up_api import DOCKERS, TEACHERS, FollowUp, Reported, reported_cycle
from veche.cli import app as cli

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = pytest.mark.demo

RAIL = "Rail and Transport Branch"
MINES = "Hill Mines Branch"
NORTH = "Northern Region"


@dataclass
class Cycle(Reported):
    """The cycle built: the ids of what it holds, and the API."""

    follow: FollowUp
    client: TestClient
    cycle: int

    def get(self, path: str) -> Any:
        return self.follow.api.get(path)

    def unit(self, name: str) -> int:
        return self.follow.units[name]

    def document(self, query: str, expect: int = 200) -> Any:
        answer = self.client.get(
            f"/api/cycles/{self.cycle}/summing-up?{query}", headers=self.follow.api.secretary
        )
        assert answer.status_code == expect, answer.text
        return answer


def test_the_figures_of_a_cycle(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting, database_url: str
) -> None:
    app = create_app(engine)
    with TestClient(app) as client:
        built = _build(client, sessions, sitting)
        rollup = f"/periods/{built.periods['first']}/rollup"
        with count_queries(app.state.engine, app.state.reader) as before:
            built.get(rollup)
        debit = _second_period(built)
        with count_queries(app.state.engine, app.state.reader) as after:
            first = built.get(rollup)
        # Another period's reports, values and statuses, and one more indicator, are read in
        # the same queries.
        assert len(after) == len(before)
        _first_period(built, first, debit)
        _second_period_figures(built, debit)
        _report_card(built)
        _refusals(built)
        first_half = _summing_up_first(built)
        _summing_up_second(built)
    _command_line(built, database_url, first_half)


def _build(client: TestClient, sessions: sessionmaker[Session], sitting: PreparedSitting) -> Cycle:
    """The cycle of tests/web/test_follow_up_api.py, its first period then frozen."""
    api = sitting.api(client)
    units = {unit["name"]: unit["id"] for unit in api.get("/units")}
    follow = FollowUp(api, sessions, units, refusals=False)
    reported = reported_cycle(follow, sitting)
    indicators, first = reported.indicators, reported.periods["first"]
    # The region starts from 500 members paying (the organization's baseline is 1,000).
    api.call(
        "PUT",
        f"/indicators/{indicators['payers']}/targets",
        unit_id=units[NORTH],
        period_id=first,
        value=600,
        baseline=500,
    )
    api.post(f"/periods/{first}/state", expect=200, state="closed")
    docks = api.get(f"/periods/{first}/units/{units[DOCKERS]}/report")["report"]["id"]
    api.post(f"/reports/{docks}/decision", 200, decision="accepted")
    frozen = api.post(f"/periods/{first}/state", expect=200, state="frozen")
    return Cycle(**vars(reported), follow=follow, client=client, cycle=frozen["cycle_id"])


def _second_period(built: Cycle) -> int:
    """The dues are now due at the end of 2027 and measured by direct debit too; spending was
    due in September. The second half is reported by all but the Dockers' Branch."""
    api, goals, indicators = built.follow.api, built.goals, built.indicators
    api.call("PATCH", f"/goals/{goals['dues']}", due_on="2027-12-31")
    api.call("PATCH", f"/goals/{goals['spending']}", due_on="2026-09-30")
    debit = api.post(
        f"/goals/{goals['dues']}/indicators",
        name="Members paying by direct debit",
        measure="percent",
        baseline_value=20,
        target_value=50,
    )
    assert debit["rollup"] == "mean"
    on_track = [{"goal_id": goals["dues"], "status": "on_track"}]
    for unit, values, statuses in (
        (RAIL, {"payers": 260, "arrears": 4500, debit["id"]: 30}, on_track),
        (MINES, {"payers": 320, debit["id"]: 45}, on_track),
        (TEACHERS, {"payers": 40}, []),
    ):
        at = f"/periods/{built.periods['second']}/units/{built.unit(unit)}/report"
        report = api.call(
            "PUT",
            at,
            values=[
                {"indicator_id": indicators.get(str(key), key), "value": value}
                for key, value in values.items()
            ],
            statuses=statuses,
        )
        api.call("POST", f"{at}/submit")
        api.post(f"/reports/{report['id']}/decision", 200, decision="accepted")
    return int(debit["id"])


def _by_id(found: list[dict[str, Any]], wanted: int) -> dict[str, Any]:
    return next(item for item in found if item["id"] == wanted)


def _goal(view: dict[str, Any], wanted: int) -> dict[str, Any]:
    return _by_id(view["goals"], wanted)


def _indicator(view: dict[str, Any], goal: int, wanted: int) -> dict[str, Any]:
    return _by_id(_goal(view, goal)["indicators"], wanted)


def _figures(found: dict[str, Any]) -> tuple[Any, ...]:
    return (
        found["value"],
        found["reported"],
        found["expected"],
        found["progress"],
        found["on_target"],
    )


def _first_period(built: Cycle, view: dict[str, Any], debit: int) -> None:
    """The first half, frozen: the Rail, Hill Mines and Dockers' branches reported; the
    teachers' report is a draft and the Northern Region (the yearly report) sent none."""
    goals, indicators = built.goals, built.indicators
    assert (view["unit"], view["unit_id"], view["period_state"]) == (
        "Riverlands Federation of Trade Unions",
        None,
        "frozen",
    )
    assert (view["reported"], view["expected"]) == (3, 5)
    assert [goal["path"] for goal in view["goals"]] == ["1", "1.1", "1.2", "2"]
    # Members paying: 240 + 310 + 75, the teachers missing; still short of the baseline.
    payers = _indicator(view, goals["dues"], indicators["payers"])
    assert _figures(payers) == ("625.0000", 3, 4, "0.0000", False)
    assert (payers["baseline"], payers["target"]) == ("1000.0000", "1200.0000")
    # Arrears should fall from 50,000.50 to 20,000: 5,000 is past the target.
    arrears = _indicator(view, goals["dues"], indicators["arrears"])
    assert _figures(arrears) == ("5000.0000", 1, 4, "1.0000", True)
    # The period is frozen: its figures are those recorded at its freeze. Direct debit, added
    # since, is not among them, and the dues' line still ends where it did then.
    dues = _goal(view, goals["dues"])
    assert debit not in [indicator["id"] for indicator in dues["indicators"]]
    # The dues: the mean of 0 and 1; at risk as the railway reported it; on a line from
    # January 2026 to the cycle's end in December 2026 (no due date of its own at the
    # freeze), 180 of 364 days.
    assert (dues["due_on"], dues["progress"], dues["expected_progress"]) == (
        None,
        "0.5000",
        "0.4945",
    )
    assert (dues["status"], dues["lagging"], dues["standing"]) == ("at_risk", False, "lagging")
    assert (dues["reported"], dues["expected"]) == (3, 4)
    # The budget: its spending goal has no figures and counts for nothing, not for zero.
    budget = _goal(view, goals["budget"])
    assert (budget["progress"], budget["status"], budget["standing"]) == (
        "0.5000",
        "at_risk",
        "lagging",
    )
    spending = _goal(view, goals["spending"])
    assert (spending["progress"], spending["status"], spending["standing"]) == (
        None,
        None,
        "not_reported",
    )
    report = _goal(view, goals["report"])
    assert (report["status"], report["reported_status"], report["verdict"]) == (
        "done",
        None,
        "done",
    )
    assert (report["verdict_reason"], report["standing"]) == ("Fulfilled in the main.", "fulfilled")
    published = _indicator(view, goals["report"], indicators["published"])
    assert _figures(published) == (None, 0, 1, None, None)
    assert published["target"] == "1.0000"  # the share of units on target needed

    # In the Northern Region: the railway's and the mines' 550 against the region's 600, from
    # its 500, the teachers missing; a part of a sum has no target but its own: the Coast none.
    north = built.get(
        f"/periods/{built.periods['first']}/rollup?unit_id={built.unit(NORTH)}"
        f"&resolution_id={view['goals'][0]['resolution_id']}"
    )
    payers = _indicator(north, goals["dues"], indicators["payers"])
    assert (payers["value"], payers["reported"], payers["expected"]) == ("550.0000", 2, 3)
    assert (payers["baseline"], payers["target"], payers["progress"]) == (
        "500.0000",
        "600.0000",
        "0.5000",
    )
    coast = built.get(
        f"/periods/{built.periods['first']}/rollup?unit_id={built.unit('Coastal Region')}"
    )
    payers = _indicator(coast, goals["dues"], indicators["payers"])
    assert (payers["value"], payers["target"], payers["progress"]) == ("75.0000", None, None)


def _second_period_figures(built: Cycle, debit: int) -> None:
    goals, indicators = built.goals, built.indicators
    view = built.get(f"/periods/{built.periods['second']}/rollup")
    assert (view["period_state"], view["reported"], view["expected"]) == ("open", 3, 5)
    payers = _indicator(view, goals["dues"], indicators["payers"])
    assert _figures(payers) == ("620.0000", 3, 4, "0.0000", False)  # 260 + 320 + 40
    arrears = _indicator(view, goals["dues"], indicators["arrears"])
    assert _figures(arrears) == ("4500.0000", 1, 4, "1.0000", True)
    # The mean of the two branches that reported, (30 + 45) / 2: the two that did not are
    # not zeros (which would make it 18.75). Progress (37.5 − 20) / (50 − 20) = 7/12.
    assert _figures(_indicator(view, goals["dues"], debit)) == (
        "37.500000",
        2,
        4,
        "0.5833",
        False,
    )
    # (0 + 1 + 7/12) / 3 = 19/36, ahead of the line's 364 of 729 days: on track.
    dues = _goal(view, goals["dues"])
    assert Decimal(dues["progress"]) == round(Decimal(19) / Decimal(36), 4)
    assert (dues["expected_progress"], dues["lagging"], dues["standing"]) == (
        "0.4993",
        False,
        "on_track",
    )
    spending = _goal(view, goals["spending"])
    assert (spending["due_on"], spending["standing"]) == ("2026-09-30", "overdue")


def _report_card(built: Cycle) -> None:
    """The railway's card, as its reporter reads it: its goals (the dues, and the budget above
    them), its figures against its own targets."""
    first = built.periods["first"]
    card = built.follow.api.call(
        "GET",
        f"/periods/{first}/units/{built.unit(RAIL)}/card",
        as_person=built.reporter,
    )
    assert (card["unit"], card["report_state"], card["reported"], card["expected"]) == (
        RAIL,
        "locked",
        1,
        1,
    )
    assert [(goal["path"], goal["reported"], goal["expected"]) for goal in card["goals"]] == [
        ("1", 1, 1),
        ("1.1", 1, 1),
    ]
    goals, indicators = built.goals, built.indicators
    # From its own baseline of 200 to its target of 250: 240 is four fifths of the way.
    payers = _indicator(card, goals["dues"], indicators["payers"])
    assert _figures(payers) == ("240.0000", 1, 1, "0.8000", False)
    assert (payers["baseline"], payers["target"]) == ("200.0000", "250.0000")
    # Falling from the indicator's 50,000.50 to the railway's 4,000: 5,000 is
    # 45,000.50 / 46,000.50 of the way.
    arrears = _indicator(card, goals["dues"], indicators["arrears"])
    progress = Fraction(Decimal("45000.5")) / Fraction(Decimal("46000.5"))
    assert _figures(arrears) == ("5000.0000", 1, 1, "0.9783", False)
    assert round(float(progress), 4) == 0.9783
    assert (arrears["baseline"], arrears["target"]) == ("50000.5000", "4000.0000")
    dues = _goal(card, goals["dues"])
    assert (dues["progress"], dues["status"]) == ("0.8891", "at_risk")  # (0.8 + 0.97826) / 2


def _refusals(built: Cycle) -> None:
    api, reporter, first = built.follow.api, built.reporter, built.periods["first"]
    mines = f"/periods/{first}/units/{built.unit(MINES)}/card"
    refused = api.call("GET", mines, 403, as_person=reporter)
    assert (
        f"you may not read {MINES}'s progress reports or report card: only a reporter of {MINES}"
        in refused["detail"]
    )
    refused = api.call("GET", f"/periods/{first}/rollup", 403, as_person=reporter)
    assert "may read the follow-up of resolutions" in refused["detail"]
    assert "there is no period 999999" in api.call("GET", "/periods/999999/rollup", 404)["detail"]
    assert (
        "there is no unit 999999"
        in (api.call("GET", f"/periods/{first}/rollup?unit_id=999999", 404)["detail"])
    )
    assert (
        "there is no reporting cycle 999999"
        in (api.call("GET", "/cycles/999999/summing-up", 404)["detail"])
    )


def _section(text: str, heading: str) -> str:
    """The text under a Markdown heading, to the next heading of any level."""
    found = re.search(rf"^#+ {re.escape(heading)}\n\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    assert found is not None, heading
    return found.group(1).strip()


def _sections(text: str, expected: dict[str, str]) -> dict[str, str]:
    """The text under each heading that ``expected`` names, to be compared with it at once."""
    return {heading: _section(text, heading) for heading in expected}


def _summing_up_first(built: Cycle) -> str:
    """The first half's summing-up: the default period, as the latest no longer open."""
    text: str = built.document("").text
    frozen = built.get(f"/periods/{built.periods['first']}")["figures_hash"]
    assert text.startswith(
        "# Interim summing-up of Half-yearly reports, 8th term: First half of 2026\n\n"
        "*Riverlands Federation of Trade Unions*\n\n"
        "The figures of First half of 2026, from 1 January 2026 to 30 June 2026, from the "
        "progress reports accepted: 3 of 5 units reported on their goals.\n\n"
        f"The period is frozen: its figures are final, and their SHA-256, {frozen}, is in the "
        "journal's entry of the freeze (veche verify checks it).\n"
    )
    # The line of the freeze, to the cycle's end: the dues' due date set since moves it not.
    line = (
        "“{title}” — at risk; progress 50 % (by the straight line, 49.45 % by the period's end); 3 of 4 "
        "units reported. Rail and Transport Branch, at risk: Two depots closed in March."
    )
    sections = {
        "Where the goals stand": (
            "- Fulfilled: 1\n- On track: 0\n- Lagging: 2\n- Overdue: 0\n- Not reported: 1"
        ),
        "Fulfilled": (
            "- Goal 2 “The Bureau's yearly report” — done (the body's verdict: “Fulfilled in the "
            "main.”)."
        ),
        "On track": "None.",
        "Lagging": (
            f"- Goal 1 {line.format(title='A balanced budget')}\n"
            f"- Goal 1.1 {line.format(title='Dues collected in full')}"
        ),
        "Overdue": "None.",
        "Not reported": (
            "- Goal 1.2 “Spending kept within income” — 0 of 0 units reported.\n\n"
            "Units that have not reported for First half of 2026: Northern Region (no report); "
            "Northern Teachers' Branch (a draft)."
        ),
        "Changes since the last period": (
            "This is the cycle's first period: there is nothing to compare it with."
        ),
        "Resolution No. 1 “On the budget”": (
            "| Goal | Title | Progress | Status | Standing | Coverage |\n"
            "| --- | --- | --- | --- | --- | --- |\n"
            "| 1 | A balanced budget | 50 % | at risk | lagging | 3 / 4 |\n"
            "| 1.1 | Dues collected in full | 50 % | at risk | lagging | 3 / 4 |\n"
            "| 1.2 | Spending kept within income | — | not reported | not reported | 0 / 0 |\n"
            "| 2 | The Bureau's yearly report | — | done (the body's verdict: “Fulfilled in the "
            "main.”) | fulfilled | 0 / 1 |"
        ),
        "1.1 Dues in arrears": (
            "*1.1 Dues in arrears, the whole organization: the target is 20,000 EUR.*\n\n"
            "| Period | Actual | Units reported |\n| --- | --- | --- |\n"
            "| First half of 2026 | 5,000 EUR | 1 / 4 |"
        ),
    }
    assert _sections(text, sections) == sections
    heat = _section(text, "Units and goals")
    assert "| Unit | 1 | 1.1 | 1.2 | 2 |" in heat
    assert heat.endswith(
        "| Coastal Region | reported, no target | reported, no target | — | — |\n"
        "| · Dockers' Branch | reported, no target | reported, no target | — | — |\n"
        "| Northern Region | 50 %, lagging | 50 %, lagging | — | fulfilled |\n"
        "| · Hill Mines Branch | 100 %, on track | 100 %, on track | — | — |\n"
        "| · Northern Teachers' Branch | not reported | not reported | — | — |\n"
        "| · Rail and Transport Branch | 88.91 %, lagging | 88.91 %, lagging | — | — |"
    ), heat
    assert _section(text, "League table of units").endswith(
        "| Rank | Unit | Progress | Goals fulfilled or on track | Report |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| 1 | Hill Mines Branch | 100 % | 1 of 1 | locked |\n"
        "| 2 | Rail and Transport Branch | 88.91 % | 0 of 1 | locked |\n"
        "| — | Dockers' Branch | — | 0 of 1 | locked |\n"
        "| — | Northern Region | — | 1 of 1 | no report |\n"
        "| — | Northern Teachers' Branch | — | 0 of 1 | a draft |"
    )
    assert "Check with: veche verify --expect-head " in text
    return text


def _summing_up_second(built: Cycle) -> None:
    second = built.periods["second"]
    text = built.document(f"period_id={second}").text
    assert "The period is open: units are still reporting, and its figures will change." in text
    sections = {
        "Where the goals stand": (
            "- Fulfilled: 1\n- On track: 2\n- Lagging: 0\n- Overdue: 1\n- Not reported: 0"
        ),
        "Lagging": "None.",
        "Overdue": (
            "- Goal 1.2 “Spending kept within income” — due 30 September 2026; not reported; no "
            "figures yet."
        ),
        "Not reported": (
            "None.\n\nUnits that have not reported for Second half of 2026: Dockers' Branch (no "
            "report); Northern Region (no report)."
        ),
        "Changes since First half of 2026": (
            "- Goal 1 “A balanced budget”: lagging (at risk) → on track; progress 50 % → 52.78 %.\n"
            "- Goal 1.1 “Dues collected in full”: lagging (at risk) → on track; progress 50 % → "
            "52.78 %.\n"
            "- Goal 1.2 “Spending kept within income”: not reported → overdue."
        ),
    }
    assert _sections(text, sections) == sections
    assert _section(text, "On track").startswith(
        "- Goal 1 “A balanced budget” — on track; progress 52.78 % (by the straight line, "
        "49.93 % by the period's end); 3 of 4 units reported."
    )
    assert _section(text, "1.1 Members paying by direct debit").endswith(
        "| First half of 2026 | not reported | 0 / 4 |\n| Second half of 2026 | 37.5 % | 2 / 4 |"
    )

    page = built.document(f"period_id={second}&format=html")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    # Four charts, each drawn and named for those who cannot see it.
    assert html.count("<svg ") == 4 and html.count("<figure>") == 4
    assert '<title id="chart-1-title">1.1 Members paying their dues</title>' in html
    assert (
        '<desc id="chart-1-desc">Actual: First half of 2026: 625; Second half of 2026: 620. '
        "Target: 1,200. Baseline: 1,000.</desc>"
    ) in html
    # The heat map says each cell in words and colours it by a class.
    assert (
        '<th scope="row">Northern Region</th><td class="tone-fair">58.33 %, on track</td>'
    ) in html
    assert '<td class="tone-bad">overdue</td>' in html
    assert "Generated by veche from the progress reports accepted." in html
    pdf = built.document(f"period_id={second}&format=pdf")
    assert pdf.content.startswith(b"%PDF-")


def _command_line(built: Cycle, database_url: str, first_half: str) -> None:
    runner = CliRunner()
    at = ["--db", database_url]
    printed = runner.invoke(cli, ["report", "summing-up", "--cycle", str(built.cycle), *at])
    assert printed.exit_code == 0, printed.output
    assert printed.output == first_half
    for arguments, words in (
        (["--cycle", "999999"], "there is no reporting cycle 999999"),
        ([], "add --cycle ID"),
    ):
        refused = runner.invoke(cli, ["report", "summing-up", *arguments, *at])
        assert refused.exit_code == 2, refused.output
        assert words in refused.output
    refused = runner.invoke(cli, ["report", "summary", *at])
    assert refused.exit_code == 2 and "give a meeting's id or summing-up" in refused.output
