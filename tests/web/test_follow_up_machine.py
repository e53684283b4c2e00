"""The follow-up of resolutions driven through the API in random orders, step by step, against
a model of what it holds (tests/web/follow_up_model.py): no answer is a 5xx, a refusal
journals nothing, every answer's status is the one the model expects, and at checkpoints
the roll-up's figures are those the model computes its own way from the reports accepted.

Each run starts from a resolution adopted at the prepared sitting (tests/web/sitting.py) and
makes a world of its own: a unit tree (a region, two branches, a section under one), a
reporting cycle of two quarters, and a goal with two measured sub-goals of different weights,
given to units, one of them mostly measured by a weighted mean of units weighed differently,
with three units' reports accepted, one setting a sub-goal aside. That is what the paths the
rules alone seldom reach need (a sub-goal's weight, a sub-goal set aside, a unit's weight in a
weighted mean), so that nearly every run takes each: the first run of the suite's few, made of
hypothesis' simplest draws, too, and on PostgreSQL it is the only one. Its rules then
set up goals and sub-goals (from a clause or not, weighted among their siblings), the body's
verdicts, empty goals deleted (and goals not empty refused), indicators (counts, percents,
amounts and milestones, going up, down or staying within a band, rolled up by every rule,
weighted), the units' weights in a weighted mean, assignments of goals to units and their
removal, targets cascading down the tree (refused when the branches' would add up to more than
their region's) and taken back, and the units' reports saved, submitted, returned, corrected
and accepted; periods renamed, closed and frozen. Bad requests come among them: ids that are
none, figures of the wrong kind, with too many places or not finite, a report on a goal not
the unit's, a status without its reason, changes after a freeze, a second report once one is
submitted, a decision on a report not awaiting one, a freeze while one awaits.

At a checkpoint, and at the end of every run for each period, the roll-up at the whole
organization, at the region and at a branch shows, for each goal, its progress, status,
verdict and coverage, and for each indicator its value (and the period it comes from),
coverage, progress and whether it is on target, as the model computes them; the branch's
report card shows the goals it is expected on with the same figures, and its report's state.
A frozen period's values, their coverage and its figures' hash never change afterwards,
whatever else happens, and its summing-up gives the hash; its roll-up at the whole
organization is the one of its freeze, goal by goal and indicator by indicator.

A weighted mean whose units expected in a sub-tree lack a weight stops the roll-up there
(409): the machine expects it (``FollowUpModel.unweighted``). The tests at the end keep two
bugs it found fixed: a latest value with nothing to carry forward, and a weighted mean no unit
of a sub-tree reports on.

``VECHE_FUZZ_EXAMPLES`` raises the number of runs through it, to look harder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from itertools import count
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import stateful
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import Api
from tests.web.follow_up_model import (
    RANKED,
    REASON_NEEDED,
    SET_ASIDE,
    STATUSES,
    FollowUpModel,
    GoalModel,
    IndicatorModel,
    ReportModel,
    wrong_side_of_baseline,
)
from tests.web.fuzzing import NO_ROW, run_machine
from tests.web.sitting import PreparedSitting, journal_length

#: The sitting (tests/web/sitting.py) starts from the demo organization.
pytestmark = pytest.mark.demo

#: Runs through the machine on SQLite (a quarter as many on PostgreSQL), each of ``STEPS``
#: steps.
RUNS = 2
STEPS = 30
#: Where an indicator goes.
DIRECTIONS = ("up", "down", "within")
#: How an indicator's values roll up the unit tree.
RULES = ("sum", "mean", "weighted_mean", "min", "max", "latest", "share_on_target")
#: The resolution's text: three paragraphs, for goals from a clause.
RESOLUTION = (
    "The branches grow their paying membership.\n"
    "\n"
    "Every region trains its reporters.\n"
    "\n"
    "The accidents at work fall.\n"
)
PERIODS = (
    ("First quarter", "2026-01-01", "2026-03-31", "2026-04-15"),
    ("Second quarter", "2026-04-01", "2026-06-30", "2026-07-15"),
)
SERIAL = count(1)
#: A goal's weights among its siblings.
GOAL_WEIGHTS: tuple[int | str, ...] = (1, 2, 3, "0.5")
#: A unit's weights in a weighted mean.
UNIT_WEIGHTS = ("1", "2", "0.5", "1250.25")
Row = TypeVar("Row")

#: Figures a measure takes, as the API is sent them.
FIGURES: dict[str, st.SearchStrategy[Decimal | int]] = {
    "count": st.integers(0, 40),
    "percent": st.decimals(0, 100, places=2),
    "amount": st.decimals(0, 5000, places=4),
    "milestone": st.integers(0, 1),
}
#: The rule each measure rolls up by unless told.
DEFAULT_RULES = {"count": "sum", "amount": "sum", "percent": "mean", "milestone": "share_on_target"}
#: Figures the API refuses whatever the measure, as it reads the request (422): too many
#: places or digits, not a number.
BAD_FIGURES = st.sampled_from(["1.00001", "1e20", "many", [1]])
#: Figures an indicator refuses (422).
NOT_FINITE = st.sampled_from(["NaN", "Infinity", "-Infinity"])


def as_sent(value: Decimal | int) -> str | int:
    return value if isinstance(value, int) else str(value)


@dataclass
class World:
    """What every run shares: the secretary's client on the sitting's copy, the resolution the
    goals come from, and the sessions to count the journal by."""

    api: Api
    sessions: sessionmaker[Session]
    resolution_id: int


class FollowUpMachine(stateful.RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.model = FollowUpModel({}, {})
        self.units: list[int] = []
        self.cycle = 0
        #: What a frozen period's roll-up showed at its freeze: its indicators' values.
        self.frozen: dict[int, tuple[str | None, dict[int, tuple[Any, ...]]]] = {}
        #: What a frozen period's roll-up at the whole organization showed at its freeze: the
        #: figures it shows ever after, whatever changes since (None: it was refused).
        self.recorded: dict[int, dict[int, dict[str, Any]] | None] = {}
        #: Steps taken: periods move on only after a third of a run.
        self.steps = 0

    @stateful.invariant()
    def count_steps(self) -> None:
        self.steps += 1

    # --- sending -------------------------------------------------------------------------

    def send(self, verb: str, path: str, expect: int | None, body: Any = None) -> Response:
        """The secretary's request: never a 5xx, the status expected (when the model knows
        it), and a refusal journals nothing."""
        before = journal_length(self.world.sessions)
        answer = self.world.api.client.request(
            verb, "/api" + path, json=body, headers=self.world.api.secretary
        )
        assert answer.status_code < 500, f"{verb} {path} {body}: {answer.text}"
        if expect is not None:
            assert answer.status_code == expect, f"{verb} {path} {body}: {answer.text}"
        if answer.status_code >= 400:
            assert journal_length(self.world.sessions) == before, f"{verb} {path} journaled"
        return answer

    def read(self, path: str) -> Any:
        return self.send("GET", path, 200).json()

    @staticmethod
    def pick(data: st.DataObject, likely: list[Any], anything: list[Any]) -> Any:
        """One of ``likely`` mostly (when there is one; always from the simplest draws), now
        and then one of ``anything``."""
        if likely and data.draw(st.integers(0, 4)) < 4:
            return data.draw(st.sampled_from(likely))
        return data.draw(st.sampled_from(anything))

    @staticmethod
    def one_of(
        data: st.DataObject,
        rows: dict[int, Row],
        having: Callable[[Row], object] = lambda row: True,
    ) -> Row:
        """One of the model's ``rows`` (goals, indicators), drawn by id among those ``having``
        holds for."""
        return rows[data.draw(st.sampled_from(sorted(i for i, row in rows.items() if having(row))))]

    # --- the world of a run --------------------------------------------------------------

    @stateful.initialize(data=st.data())
    def make_world(self, data: st.DataObject) -> None:
        serial = next(SERIAL)
        parents: dict[int, int | None] = {}

        def unit(name: str, parent: int | None) -> int:
            made: int = self.send(
                "POST", "/units", 201, {"name": f"{name} {serial}", "parent_id": parent}
            ).json()["id"]
            parents[made] = parent
            return made

        region = unit("Fuzzing Region", None)
        branch = unit("Fuzzing Branch", region)
        unit("Fuzzing Section", branch)
        unit("Other Branch", region)
        cycle = self.send(
            "POST",
            "/cycles",
            201,
            {"term_id": self.world.api.term_id, "name": f"Fuzzed cycle {serial}"},
        ).json()["id"]
        self.cycle = cycle
        periods = {}
        for name, starts, ends, due in PERIODS:
            made = self.send(
                "POST",
                f"/cycles/{cycle}/periods",
                201,
                {"name": name, "starts_on": starts, "ends_on": ends, "due_on": due},
            ).json()
            periods[made["id"]] = "open"
        self.model = FollowUpModel(parents, periods)
        self.units = list(parents)
        self.set_up_rare_paths(data)

    def set_up_rare_paths(self, data: st.DataObject) -> None:
        """What the paths the rules seldom reach need, so that most runs take them (the
        first, made of the simplest draws, too): a goal with two measured sub-goals of
        different weights, the first measured mostly by a weighted mean, every unit weighed
        differently; and the first period's reports accepted from the branch, its section and
        the other branch, each of them a different figure. The branch's report, and now and
        then its section's, set the first sub-goal aside: at the branch it is set aside, while
        at the region the other branch mostly keeps it counted beside the second, by their
        weights."""
        region, branch, section, other = self.units
        self.add_goal(data, mistakes=False)
        top = list(self.model.goals)[-1]
        for weight in data.draw(st.permutations(GOAL_WEIGHTS))[:2]:
            self.add_goal(data, mistakes=False, parent=top, weight=weight)
        first, second = list(self.model.goals)[-2:]
        # Going up or down mostly: a band's progress is all or nothing where its baseline is
        # within it.
        heading = ("up", "down")
        mostly_weighted = self.pick(data, ["weighted_mean"], list(RULES))
        self.add_indicator(
            data, mistakes=False, goal=first, rule=mostly_weighted, directions=heading
        )
        self.add_indicator(data, mistakes=False, goal=second, directions=heading)
        for indicator in self.model.indicators.values():
            if indicator.rule == "weighted_mean":
                self.weigh(data, indicator)
        reporters = {first: [branch, section, other], second: [other]}
        for goal, units in ((first, (branch, section, other)), (second, (region, other))):
            for unit in units:
                self.assign(data, mistakes=False, goal=self.model.goals[goal], unit=unit)
        figures = {
            (unit, indicator.id): figure
            for indicator in self.model.indicators.values()
            for unit, figure in zip(
                reporters[indicator.goal],
                data.draw(st.permutations(self.spread(indicator))),
                strict=False,
            )
        }
        ranked, anything = list(RANKED), [None, *STATUSES]
        said: dict[int, dict[int, str | None]] = {
            branch: {first: data.draw(st.sampled_from(SET_ASIDE))},
            section: {first: data.draw(st.sampled_from([None, *SET_ASIDE]))},
            other: {
                first: self.pick(data, ranked, anything),
                second: self.pick(data, ranked, anything),
            },
        }
        for unit, statuses in said.items():
            values = {i: figure for (by, i), figure in figures.items() if by == unit}
            self.accept_report(unit, values, statuses)

    # --- goals ---------------------------------------------------------------------------

    @stateful.rule(data=st.data())
    def add_goal(
        self,
        data: st.DataObject,
        mistakes: bool = True,
        parent: int | None = None,
        weight: int | str | None = None,
    ) -> None:
        """A goal (under ``parent``, of ``weight``, where given): mostly at the top or under
        a goal not measured, since a goal's sub-goals make its indicators count no more."""
        goals = self.model.goals
        if parent is None:
            unmeasured = [g for g, goal in goals.items() if not goal.indicators]
            parent = self.pick(data, [None, *unmeasured], [None, *goals])
        if weight is None:
            weight = data.draw(st.sampled_from(GOAL_WEIGHTS))
        body: dict[str, Any] = {"title": "A goal", "weight": weight}
        if parent is None:
            body["resolution_id"] = self.world.resolution_id
            if data.draw(st.booleans()):
                body["paragraph"] = data.draw(st.integers(1, 3))
        else:
            body["parent_id"] = parent
        wrong = mistakes and data.draw(
            st.sampled_from([None] * 10 + ["no parent", "no paragraph", "no weight", "both"])
        )
        expect = 201
        if wrong == "no parent":
            body.pop("resolution_id", None)
            body["parent_id"], expect = NO_ROW, 404
        elif wrong == "no paragraph" and parent is None:
            body["paragraph"], expect = 99, 422
        elif wrong == "no weight":
            body["weight"], expect = data.draw(st.sampled_from([0, -1, "heavy"])), 422
        elif wrong == "both" and parent is None:
            body.update(paragraph=1, first_line=1, last_line=1)
            expect = 422
        answer = self.send("POST", "/goals", expect, body)
        if expect == 201:
            made = answer.json()["id"]
            goals[made] = GoalModel(made, parent, Decimal(str(weight)))

    @stateful.precondition(lambda self: bool(self.model.goals))
    @stateful.rule(data=st.data())
    def give_verdict(self, data: st.DataObject) -> None:
        goal = data.draw(st.sampled_from(sorted(self.model.goals)))
        status = data.draw(st.sampled_from([None, *STATUSES]))
        reason = data.draw(st.sampled_from(["", "as the body found"]))
        expect = 422 if status is not None and not reason else 200
        self.send("POST", f"/goals/{goal}/status", expect, {"status": status, "reason": reason})
        if expect == 200:
            self.model.goals[goal].verdict = status

    @stateful.precondition(lambda self: bool(self.model.goals))
    @stateful.rule(data=st.data())
    def delete_goal(self, data: st.DataObject) -> None:
        goal = self.one_of(data, self.model.goals)
        busy = (
            any(g.parent == goal.id for g in self.model.goals.values())
            or goal.indicators
            or goal.assigned
            or goal.status_reported
        )
        self.send("DELETE", f"/goals/{goal.id}", 409 if busy else 204)
        if not busy:
            del self.model.goals[goal.id]

    # --- indicators ----------------------------------------------------------------------

    @stateful.precondition(lambda self: bool(self.model.goals))
    @stateful.rule(data=st.data())
    def add_indicator(
        self,
        data: st.DataObject,
        mistakes: bool = True,
        goal: int | None = None,
        rule: str | None = None,
        directions: tuple[str, ...] = DIRECTIONS,
    ) -> None:
        """An indicator (on ``goal``, rolled up by ``rule``, where given; going one of
        ``directions`` mostly)."""
        if goal is None:
            goal = data.draw(st.sampled_from(sorted(self.model.goals)))
        measure = data.draw(st.sampled_from(sorted(FIGURES)))
        figures = FIGURES["count" if measure == "milestone" else measure]
        direction = self.pick(data, list(directions), list(DIRECTIONS))
        if measure == "milestone" and not (mistakes and data.draw(st.integers(0, 9)) == 0):
            direction = "up"  # else refused: a milestone goes from 0 to 1
        if rule is None:
            rule = data.draw(st.sampled_from([None, *RULES]))
        share_needed = data.draw(st.sampled_from(["1", "0.5", "0.75", "0.3333"]))
        weight = data.draw(st.sampled_from([1, 2, "0.25"]))
        ends: list[Any] = sorted(data.draw(st.lists(figures, min_size=3, max_size=3, unique=True)))
        body: dict[str, Any] = {
            "name": "An indicator",
            "measure": measure,
            "direction": direction,
            "weight": weight,
            "unit_label": "EUR" if measure == "amount" else "",
        }
        if rule is not None:
            body["rollup"] = rule
        if rule == "share_on_target":
            body["share_needed"] = share_needed
        band = None
        target = None
        if measure == "milestone":
            baseline, target = Decimal(0), Decimal(1)
        elif direction == "within":
            band = (Decimal(ends[1]), Decimal(ends[2]))
            baseline = Decimal(data.draw(st.sampled_from(ends)))
            body.update(baseline_value=as_sent(baseline), band_low=as_sent(ends[1]))
            body["band_high"] = as_sent(ends[2])
        else:
            low, high = Decimal(ends[0]), Decimal(ends[2])
            baseline, target = (low, high) if direction == "up" else (high, low)
            body.update(baseline_value=as_sent(baseline), target_value=as_sent(target))
        wrong = mistakes and data.draw(
            st.sampled_from([None] * 10 + ["figure", "backwards", "no label", "fraction", "share"])
        )
        expect = 201
        if measure == "milestone" and direction != "up":
            expect = 422
        elif wrong == "figure":
            body["baseline_value"], expect = data.draw(BAD_FIGURES | NOT_FINITE), 422
        elif wrong == "backwards" and direction != "within" and measure != "milestone":
            body["target_value"], expect = as_sent(baseline), 422
        elif wrong == "no label" and measure == "amount":
            body["unit_label"], expect = "", 422
        elif wrong == "fraction" and measure == "count":
            body["baseline_value"], expect = "2.5", 422
        elif wrong == "share":
            body["share_needed"], expect = data.draw(st.sampled_from(["1.5", "0", "-0.5"])), 422
        answer = self.send("POST", f"/goals/{goal}/indicators", expect, body)
        if expect != 201:
            return
        made = answer.json()
        default = DEFAULT_RULES[measure]
        assert made["rollup"] == (rule or default)
        assert Decimal(made["baseline_value"]) == baseline
        self.model.indicators[made["id"]] = IndicatorModel(
            made["id"],
            goal,
            measure,
            direction,
            rule or default,
            baseline,
            target,
            band,
            Decimal(str(weight)),
            Decimal(share_needed if rule == "share_on_target" else 1),
        )
        self.model.goals[goal].indicators.append(made["id"])

    def figure(self, data: st.DataObject, indicator: IndicatorModel) -> Decimal | int:
        """A figure the indicator takes: mostly between its baseline and its target or band,
        so that progress is seldom all or nothing."""
        if data.draw(st.integers(0, 3)) == 3:
            return data.draw(FIGURES[indicator.measure])
        ends = [indicator.baseline, indicator.target, *(indicator.band or ())]
        low, high = min(e for e in ends if e is not None), max(e for e in ends if e is not None)
        if indicator.measure in ("count", "milestone"):
            return data.draw(st.integers(int(low), int(high)))
        places = 2 if indicator.measure == "percent" else 4
        return data.draw(st.decimals(low, high, places=places))

    @staticmethod
    def spread(indicator: IndicatorModel) -> list[Decimal | int]:
        """Three figures of the indicator, each of a progress of its own: halfway from its
        baseline to the end of its target or band farthest from it, that end, and the
        baseline."""
        start = indicator.baseline
        ends = [end for end in (indicator.target, *(indicator.band or ())) if end is not None]
        far = max(ends, key=lambda end: abs(end - start))
        if indicator.measure in ("count", "milestone"):
            return [int((start + far) // 2), int(far), int(start)]
        places = Decimal(1).scaleb(-2 if indicator.measure == "percent" else -4)
        return [((start + far) / 2).quantize(places, ROUND_FLOOR), far, start]

    @stateful.precondition(lambda self: bool(self.model.indicators))
    @stateful.rule(data=st.data())
    def set_target(self, data: st.DataObject) -> None:
        # Mostly where a target is taken: an indicator going up or down, at a unit whose
        # roll-up the checks read, in the period the units report in.
        targeted = [i for i, ind in self.model.indicators.items() if ind.band is None]
        indicator = self.model.indicators[self.pick(data, targeted, sorted(self.model.indicators))]
        unit = self.pick(data, self.units[:2], self.units)
        periods = list(self.model.periods)
        period = self.pick(
            data, [p for p in periods if self.model.periods[p] == "open"][:1], periods
        )
        value = Decimal(self.figure(data, indicator))
        baseline = data.draw(st.none() | st.just(Decimal(self.figure(data, indicator))))
        body: dict[str, Any] = {"unit_id": unit, "period_id": period, "value": str(value)}
        if baseline is not None:
            body["baseline"] = str(baseline)
        wrong = data.draw(st.sampled_from([None] * 5 + ["unit", "period", "figure"]))
        if wrong == "figure":
            body["value"], expect = data.draw(BAD_FIGURES), 422
        elif wrong == "unit":
            body["unit_id"] = NO_ROW
            expect = 404
        elif wrong == "period":
            body["period_id"] = NO_ROW
            expect = 404
        elif self.model.periods[period] == "frozen":
            expect = 409
        elif (
            indicator.direction == "within"
            or wrong_side_of_baseline(indicator, value, baseline)
            or (indicator.rule == "sum" and not self.fits(indicator, unit, period, value))
        ):
            expect = 422
        else:
            expect = 200
        answer = self.send("PUT", f"/indicators/{indicator.id}/targets", expect, body)
        if expect == 200:
            indicator.targets[(unit, period)] = (value, baseline)
            indicator.target_ids[(unit, period)] = answer.json()["target"]["id"]

    @stateful.precondition(lambda self: any(i.targets for i in self.model.indicators.values()))
    @stateful.rule(data=st.data())
    def remove_target(self, data: st.DataObject) -> None:
        indicator = self.one_of(data, self.model.indicators, lambda i: i.targets)
        where = data.draw(st.sampled_from(sorted(indicator.targets)))
        frozen = self.model.periods[where[1]] == "frozen"
        self.send("DELETE", f"/targets/{indicator.target_ids[where]}", 409 if frozen else 204)
        if not frozen:
            del indicator.targets[where], indicator.target_ids[where]

    @stateful.precondition(lambda self: bool(self.model.indicators))
    @stateful.rule(data=st.data())
    def set_weights(self, data: st.DataObject) -> None:
        """Every unit's weight at once, mostly on a weighted mean."""
        means = [i for i, ind in self.model.indicators.items() if ind.rule == "weighted_mean"]
        indicator = self.model.indicators[self.pick(data, means, sorted(self.model.indicators))]
        # Mostly every unit, so that the weighted mean can be rolled up.
        weighed = (
            self.units
            if data.draw(st.integers(0, 3)) > 0
            else data.draw(st.lists(st.sampled_from(self.units), unique=True))
        )
        weights = {u: data.draw(st.sampled_from(UNIT_WEIGHTS)) for u in weighed}
        wrong = data.draw(st.sampled_from([None] * 8 + ["no unit", "nothing"]))
        sent = [{"unit_id": u, "weight": w} for u, w in weights.items()]
        expect = 200
        if wrong == "no unit":
            sent.append({"unit_id": NO_ROW, "weight": "1"})
            expect = 404
        elif wrong == "nothing" and sent:
            sent[0]["weight"], expect = data.draw(st.sampled_from(["0", "-1", "NaN"])), 422
        self.send("PUT", f"/indicators/{indicator.id}/weights", expect, {"weights": sent})
        if expect == 200:
            indicator.weights = {u: Decimal(w) for u, w in weights.items()}

    def weigh(self, data: st.DataObject, indicator: IndicatorModel) -> None:
        """Every unit's weight in a weighted mean, each unit's its own."""
        weights = dict(zip(self.units, data.draw(st.permutations(UNIT_WEIGHTS)), strict=True))
        sent = [{"unit_id": unit, "weight": weight} for unit, weight in weights.items()]
        self.send("PUT", f"/indicators/{indicator.id}/weights", 200, {"weights": sent})
        indicator.weights = {unit: Decimal(weight) for unit, weight in weights.items()}

    def fits(self, indicator: IndicatorModel, unit: int, period: int, value: Decimal) -> bool:
        """Whether a target fits its parent's and its children's, for a sum."""

        def target(of: int) -> Decimal | None:
            found = indicator.targets.get((of, period))
            return None if found is None else found[0]

        parent = self.model.parents[unit]
        if parent is not None and (above := target(parent)) is not None:
            siblings = [target(s) for s in self.model.children(parent) if s != unit]
            if value + sum(t for t in siblings if t is not None) > above:
                return False
        below = [target(c) for c in self.model.children(unit)]
        return sum((t for t in below if t is not None), Decimal(0)) <= value

    # --- assignments ---------------------------------------------------------------------

    @stateful.precondition(lambda self: bool(self.model.goals))
    @stateful.rule(data=st.data())
    def assign(
        self,
        data: st.DataObject,
        mistakes: bool = True,
        goal: GoalModel | None = None,
        unit: int | None = None,
    ) -> None:
        """A goal given to a unit (``goal`` to ``unit``, where given)."""
        if goal is None:
            goal = self.one_of(data, self.model.goals)
        if unit is None:
            unit = data.draw(st.sampled_from([*self.units, NO_ROW] if mistakes else self.units))
        role = data.draw(st.sampled_from(["lead", "contributing"]))
        expect = 404 if unit == NO_ROW else 409 if unit in goal.assigned else 201
        answer = self.send(
            "POST", f"/goals/{goal.id}/assignments", expect, {"unit_id": unit, "role": role}
        )
        if expect == 201:
            goal.assigned[unit] = answer.json()["id"]

    @stateful.precondition(lambda self: any(g.assigned for g in self.model.goals.values()))
    @stateful.rule(data=st.data())
    def unassign(self, data: st.DataObject) -> None:
        goal = self.one_of(data, self.model.goals, lambda g: g.assigned)
        unit = data.draw(st.sampled_from(sorted(goal.assigned)))
        self.send("DELETE", f"/assignments/{goal.assigned.pop(unit)}", 204)

    # --- reports -------------------------------------------------------------------------

    def report_path(self, period: int, unit: int) -> str:
        return f"/periods/{period}/units/{unit}/report"

    @stateful.rule(data=st.data())
    def save_report(self, data: st.DataObject, mistakes: bool = True) -> None:
        periods = list(self.model.periods)
        filing = [p for p in periods if self.model.periods[p] == "open"]
        # Mostly the first period still open, so that several units report in one.
        period = self.pick(data, filing[:1], periods)
        measuring = [
            unit
            for unit in self.units
            if any(
                unit in self.model.goals[i.goal].assigned for i in self.model.indicators.values()
            )
        ]
        unit = self.pick(data, measuring, self.units)
        mine = {g for g, goal in self.model.goals.items() if unit in goal.assigned}
        measured = sorted(i for i, ind in self.model.indicators.items() if ind.goal in mine)
        anything = sorted(self.model.indicators)
        values: dict[int, Any] = {}
        for indicator in data.draw(
            st.lists(st.sampled_from(measured or [0]), unique=True, min_size=1)
        ):
            if indicator:
                values[indicator] = self.figure(data, self.model.indicators[indicator])
        statuses: dict[int, tuple[str, str]] = {}
        for goal in data.draw(
            st.lists(st.sampled_from(sorted(mine) or [0]), unique=True, min_size=1)
        ):
            if goal:
                status = data.draw(st.sampled_from(STATUSES))
                statuses[goal] = (status, "as the unit found" if status in REASON_NEEDED else "")
        narrative = data.draw(st.sampled_from(["", "We did what we could."]))
        wrong = mistakes and data.draw(
            st.sampled_from([None] * 12 + ["not ours", "figure", "no reason", "no unit"])
        )
        bad = None
        if wrong == "not ours" and (strays := [i for i in anything if i not in measured]):
            values[data.draw(st.sampled_from(strays))] = 1
            bad = 422
        elif wrong == "figure" and values:
            values[next(iter(values))] = data.draw(BAD_FIGURES)
            bad = 422
        elif wrong == "no reason" and statuses:
            goal = next(iter(statuses))
            statuses[goal] = ("off_track", "")
            bad = 422
        elif wrong == "no unit":
            unit, bad = NO_ROW, 404
        report = self.model.reports.get((period, unit))
        state = self.model.periods[period]
        if (wrong == "figure" and values) or bad == 404:
            expect = bad or 422
        elif (
            state == "frozen"
            or (state == "closed" and (report is None or report.state != "returned"))
            or (report is not None and report.state not in ("draft", "returned"))
        ):
            expect = 409
        else:
            expect = bad or 200
        self.put_report(period, unit, expect, values, statuses, narrative)

    def put_report(
        self,
        period: int,
        unit: int,
        expect: int,
        values: dict[int, Any],
        statuses: dict[int, tuple[str, str]],
        narrative: str,
    ) -> None:
        """A unit's report saved: its values, its statuses (with their reasons) and its
        narrative."""
        body = {
            "narrative": narrative,
            "values": [{"indicator_id": i, "value": as_sent(v)} for i, v in values.items()],
            "statuses": [
                {"goal_id": g, "status": s, "reason": r} for g, (s, r) in statuses.items()
            ],
        }
        answer = self.send("PUT", self.report_path(period, unit), expect, body)
        if expect != 200:
            return
        report = self.model.reports.get((period, unit))
        if report is None:
            report = self.model.reports[(period, unit)] = ReportModel(answer.json()["id"])
        report.values = {i: Decimal(v) for i, v in values.items()}
        report.statuses = {g: s for g, (s, _) in statuses.items()}
        report.narrative = narrative
        for goal in statuses:
            self.model.goals[goal].status_reported = True

    def accept_report(
        self, unit: int, values: dict[int, Decimal | int], statuses: dict[int, str | None]
    ) -> None:
        """The unit's report of the first period with ``values`` and ``statuses`` (None:
        none named), saved, submitted and accepted."""
        period = next(iter(self.model.periods))
        named = {
            goal: (status, "as the unit found" if status in REASON_NEEDED else "")
            for goal, status in statuses.items()
            if status is not None
        }
        self.put_report(period, unit, 200, values, named, "")
        report = self.model.reports[(period, unit)]
        self.send("POST", self.report_path(period, unit) + "/submit", 200)
        self.send("POST", f"/reports/{report.id}/decision", 200, {"decision": "accepted"})
        report.state = "accepted"

    @stateful.rule(data=st.data())
    def file_report(self, data: st.DataObject) -> None:
        """Reports' whole way in one step: each saved, submitted and decided, so that most
        runs have figures that count."""
        for _ in range(data.draw(st.integers(1, 4))):
            self.save_report(data, mistakes=False)
            self.submit_report(data)
            self.decide(data, mistakes=False)

    @stateful.rule(data=st.data())
    def submit_report(self, data: st.DataObject) -> None:
        editable = [
            where
            for where, report in self.model.reports.items()
            if report.state in ("draft", "returned")
        ]
        anywhere = [(p, u) for p in self.model.periods for u in self.units]
        period, unit = self.pick(data, sorted(editable), anywhere)
        report = self.model.reports.get((period, unit))
        state = self.model.periods[period]
        if (
            report is None
            or state == "frozen"
            or (state == "closed" and report.state != "returned")
            or report.state not in ("draft", "returned")
        ):
            expect = 409
        elif not (report.values or report.statuses or report.narrative):
            expect = 422
        else:
            expect = 200
        self.send("POST", self.report_path(period, unit) + "/submit", expect)
        if expect == 200 and report is not None:
            report.state = "submitted"

    @stateful.precondition(lambda self: bool(self.model.reports))
    @stateful.rule(data=st.data())
    def decide(self, data: st.DataObject, mistakes: bool = True) -> None:
        awaiting = [w for w, r in self.model.reports.items() if r.state == "submitted"]
        where = self.pick(data, sorted(awaiting), sorted(self.model.reports))
        report = self.model.reports[where]
        decision = data.draw(
            st.sampled_from(
                ["accepted", "accepted", "returned", "returned quietly"]
                if mistakes
                else ["accepted", "accepted", "accepted", "returned"]
            )
        )
        body: dict[str, Any] = {"decision": decision.split()[0]}
        if decision == "returned":
            body["reason"] = "the figures do not add up"
        report_id = report.id if not mistakes or data.draw(st.integers(0, 9)) else NO_ROW
        if report_id == NO_ROW:
            expect = 404
        elif self.model.periods[where[0]] == "frozen" or report.state != "submitted":
            expect = 409
        elif decision == "returned quietly":
            expect = 422
        else:
            expect = 200
        self.send("POST", f"/reports/{report_id}/decision", expect, body)
        if expect == 200:
            report.state = body["decision"]

    # --- periods -------------------------------------------------------------------------

    @stateful.precondition(lambda self: self.steps > STEPS // 3)
    @stateful.rule(data=st.data())
    def move_period(self, data: st.DataObject) -> None:
        period = data.draw(st.sampled_from(list(self.model.periods)))
        wanted = data.draw(st.sampled_from(["closed", "frozen", "open"]))
        state = self.model.periods[period]
        awaiting = any(
            report.state == "submitted"
            for (at, _), report in self.model.reports.items()
            if at == period
        )
        forward = (state, wanted) in (("open", "closed"), ("closed", "frozen"))
        expect: int | None = 200 if forward and not (wanted == "frozen" and awaiting) else 409
        if wanted == state == "open":
            expect = None  # asking for the state it is in: not documented
        if expect == 200 and wanted == "frozen" and self.model.unweighted(None):
            expect = None  # the freeze may need the roll-up a weighted mean stops
        answer = self.send("POST", f"/periods/{period}/state", expect, {"state": wanted})
        assert answer.status_code in (200, 409), answer.text
        if answer.status_code != 200 or wanted == state:
            return
        self.model.periods[period] = wanted
        if wanted == "frozen":
            for (at, _), report in self.model.reports.items():
                if at == period and report.state == "accepted":
                    report.state = "locked"
            self.check_figures(period)
            self.frozen[period] = self.frozen_figures(period)
            self.recorded[period] = self.rollup(period, None)

    @stateful.rule(data=st.data())
    def rename_period(self, data: st.DataObject) -> None:
        """A period's name changes until it is frozen."""
        period = data.draw(st.sampled_from(list(self.model.periods)))
        frozen = self.model.periods[period] == "frozen"
        name = f"Quarter {next(SERIAL)}"
        self.send("PATCH", f"/periods/{period}", 409 if frozen else 200, {"name": name})

    # --- figures -------------------------------------------------------------------------

    def rollup(self, period: int, unit: int | None) -> dict[int, dict[str, Any]] | None:
        """The roll-up's goals of this run by id (the resolution holds others' too); None
        where a weighted mean lacks a unit's weight, which the roll-up refuses (409)."""
        query = f"resolution_id={self.world.resolution_id}"
        if unit is not None:
            query += f"&unit_id={unit}"
        unweighted = self.model.unweighted(unit)
        answer = self.send("GET", f"/periods/{period}/rollup?{query}", 409 if unweighted else 200)
        if unweighted:
            assert f"indicator {unweighted[0]}" in answer.json()["detail"] or len(unweighted) > 1
            return None
        goals = answer.json()["goals"]
        return {goal["id"]: goal for goal in goals if goal["id"] in self.model.goals}

    def frozen_figures(self, period: int) -> tuple[str | None, dict[int, tuple[Any, ...]]]:
        """A frozen period's hash, and each indicator's value, its period and coverage."""
        values = {
            indicator["id"]: (
                indicator["value"],
                indicator["value_period_id"],
                indicator["reported"],
            )
            for goal in (self.rollup(period, None) or {}).values()
            for indicator in goal["indicators"]
        }
        return self.read(f"/periods/{period}")["figures_hash"], values

    @stateful.precondition(lambda self: bool(self.model.goals))
    @stateful.rule(data=st.data())
    def check_rollup(self, data: st.DataObject) -> None:
        self.check_figures(data.draw(st.sampled_from(list(self.model.periods))))
        self.frozen_stay()

    def check_figures(self, period: int) -> None:
        """The roll-up at the whole organization, the region and a branch, and the branch's
        report card, against the model's figures."""
        for unit in (None, self.units[0], self.units[1]):
            shown = self.rollup(period, unit)
            if shown is None:
                continue
            recorded = self.recorded.get(period) if unit is None else None
            if recorded is not None:
                # Frozen: the whole organization's figures are those of its freeze, not the
                # model's now (a goal deleted since is no longer the run's to compare).
                assert shown == {
                    goal_id: goal
                    for goal_id, goal in recorded.items()
                    if goal_id in self.model.goals
                }
                continue
            assert set(shown) == set(self.model.goals)
            for goal_id, goal in shown.items():
                self.check_goal(goal, self.model.goals[goal_id], unit, period)
            if unit == self.units[1]:
                self.check_card(period, unit, shown)

    def check_goal(
        self, shown: dict[str, Any], goal: GoalModel, unit: int | None, period: int
    ) -> None:
        assert [i["id"] for i in shown["indicators"]] == goal.indicators
        for indicator in shown["indicators"]:
            model = self.model.indicator_figure(
                self.model.indicators[indicator["id"]], unit, period
            )
            where = (unit, period, indicator)
            assert decimal_or_none(indicator["value"]) == model.value, where
            assert indicator["value_period_id"] == model.value_period, where
            assert (indicator["reported"], indicator["expected"]) == (
                model.reported,
                model.expected,
            ), where
            assert decimal_or_none(indicator["progress"]) == model.progress, where
            assert indicator["on_target"] == model.on_target, where
        expected = self.model.goal_figure(goal, unit, period)
        where = (unit, period, shown)
        assert decimal_or_none(shown["progress"]) == expected.progress, where
        assert shown["status"] == expected.status, where
        assert shown["verdict"] == goal.verdict, where
        assert (shown["reported"], shown["expected"]) == (expected.reported, expected.expected), (
            where
        )

    def check_card(self, period: int, unit: int, rollup: dict[int, dict[str, Any]]) -> None:
        """The unit's report card: the goals it or a unit below it is expected on, with the
        roll-up's figures there, and its own report's state."""
        card = self.read(f"/periods/{period}/units/{unit}/card")
        report = self.model.reports.get((period, unit))
        assert card["report_state"] == (None if report is None else report.state)
        mine = {goal["id"]: goal for goal in card["goals"] if goal["id"] in self.model.goals}
        assert mine == {goal_id: goal for goal_id, goal in rollup.items() if goal["expected"]}

    def teardown(self) -> None:
        """The figures at the end of the run, in every period; then every weighted mean and
        latest value is rolled up by max instead: the runs after this one share the
        resolution, and a weighted mean of this run still lacking a unit's weight would stop
        their roll-ups at the whole organization."""
        for period in self.model.periods:
            self.check_figures(period)
        self.frozen_stay()
        for indicator in self.model.indicators.values():
            if indicator.rule in ("weighted_mean", "latest"):
                self.send("PATCH", f"/indicators/{indicator.id}", 200, {"rollup": "max"})

    def frozen_stay(self) -> None:
        """A frozen period's values, coverage and hash never change; its summing-up says its
        figures are final, with their hash."""
        for period, figures in self.frozen.items():
            now = self.frozen_figures(period)
            assert now[0] == figures[0]
            summed = self.send(
                "GET",
                f"/cycles/{self.cycle}/summing-up?period_id={period}",
                409 if self.model.unweighted(None) else 200,
            )
            assert summed.status_code == 409 or str(figures[0]) in summed.text
            for indicator, shown in figures[1].items():
                if indicator in now[1]:
                    assert now[1][indicator] == shown, indicator


def decimal_or_none(shown: str | None) -> Decimal | None:
    return None if shown is None else Decimal(shown)


@pytest.fixture
def world(engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting) -> Any:
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        resolution = sitting.adopt(api, "On the follow-up", RESOLUTION)
        yield World(api, sessions, resolution["id"])


def test_the_follow_up_in_any_order_reads_as_the_model_says(
    world: World, database_url: str
) -> None:
    class OnThisDatabase(FollowUpMachine):
        pass

    OnThisDatabase.world = world
    run_machine(
        OnThisDatabase,
        "the follow-up machine",
        database_url,
        runs=RUNS,
        steps=STEPS,
        fewer_on_postgresql=4,
    )


# The bugs the machine found, each as small as it comes.


def _measured_goal(api: Api, sitting: PreparedSitting, rule: str) -> tuple[int, int, int]:
    """A goal measured by a count rolled up by ``rule``, given to a new branch, and a cycle of
    the two quarters: the indicator's, the branch's and the second quarter's ids."""
    resolution = sitting.adopt(api, "On the follow-up", RESOLUTION)
    goal = api.post("/goals", resolution_id=resolution["id"], title="Members grow")["id"]
    indicator = api.post(
        f"/goals/{goal}/indicators",
        name="Members",
        measure="count",
        baseline_value=10,
        target_value=20,
        rollup=rule,
    )["id"]
    branch = api.post("/units", name="A new branch")["id"]
    api.post(f"/goals/{goal}/assignments", unit_id=branch, role="lead")
    cycle = api.post("/cycles", term_id=api.term_id, name="Quarterly reports")["id"]
    _, second = (
        api.post(f"/cycles/{cycle}/periods", name=name, starts_on=starts, ends_on=ends, due_on=due)
        for name, starts, ends, due in PERIODS
    )
    return indicator, branch, second["id"]


@pytest.mark.one_database  # the roll-up is computed in Python, alike on both
def test_a_latest_value_never_reported_rolls_up(engine: Engine, sitting: PreparedSitting) -> None:
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        api = sitting.api(client)
        indicator, _, second = _measured_goal(api, sitting, "latest")
        rolled = client.get(f"/api/periods/{second}/rollup", headers=api.secretary)
        api.post(f"/periods/{second}/state", 200, state="closed")
        frozen = client.post(
            f"/api/periods/{second}/state", json={"state": "frozen"}, headers=api.secretary
        )
        # Both fail alike: 500.
        assert (rolled.status_code, frozen.status_code) == (200, 200), rolled.text
        shown = next(
            one
            for goal in rolled.json()["goals"]
            for one in goal["indicators"]
            if one["id"] == indicator
        )
        assert (shown["value"], shown["reported"], shown["expected"]) == (None, 0, 1)


@pytest.mark.one_database  # the roll-up is computed in Python, alike on both
def test_a_weighted_mean_no_unit_reports_on_stops_no_roll_up(
    engine: Engine, sitting: PreparedSitting
) -> None:
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        indicator, branch, second = _measured_goal(api, sitting, "weighted_mean")
        elsewhere = api.post("/units", name="A branch given nothing")["id"]
        api.call(
            "PUT", f"/indicators/{indicator}/weights", weights=[{"unit_id": branch, "weight": 2}]
        )
        # The branch given nothing expects no report on the weighted mean.
        card = client.get(f"/api/periods/{second}/units/{elsewhere}/card", headers=api.secretary)
        assert card.status_code == 200, card.text
        assert card.json()["goals"] == []
