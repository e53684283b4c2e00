"""What each change to the follow-up of resolutions asks for, declared once: goals and their
assignments, indicators with their weights and targets, reporting cycles and periods, and
progress reports. The API takes each as its JSON body; each makes its change through its
action.

Figures are exact decimals with at most four places, sent as JSON numbers or, to keep every
digit through any client, as strings ("1250.5"); answers give them as strings.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from veche.actions._text import Target
from veche.actions.access import Caller
from veche.actions.goal_assignments import (
    MOST_UNITS_AT_ONCE,
    check_assignment,
    do_assign_goal,
    do_assign_goal_to_units,
    do_update_assignment,
)
from veche.actions.goals import (
    GoalSpec,
    check_goal,
    do_create_goal,
    do_set_goal_status,
    do_update_goal,
)
from veche.actions.indicators import (
    IndicatorSpec,
    check_indicator,
    do_create_indicator,
    do_set_weights,
    do_update_indicator,
)
from veche.actions.org_updates import KEEP
from veche.actions.progress import StatusGiven, do_accept_report, do_return_report, do_save_report
from veche.actions.reporting import (
    PeriodSpec,
    check_cycle,
    check_period,
    do_add_period,
    do_create_cycle,
    do_move_period,
    do_rename_cycle,
    do_update_period,
)
from veche.actions.targets import TargetSet, do_set_target
from veche.decimals import decimal_number
from veche.errors import InvalidInput
from veche.models import (
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorWeight,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
)
from veche.models.base import MAX_INT
from veche.models.follow_up import (
    FIGURE_DIGITS,
    FIGURE_PLACES,
    AssignmentRole,
    Direction,
    GoalKind,
    GoalStatus,
    Measure,
    PeriodState,
    RollupRule,
)
from veche.web.api.types import Id
from veche.web.inputs_org import LEFT_OUT, _Change


def _written_figure(value: object) -> object:
    """A figure sent as text is read as ``veche.decimals`` reads one: "1_000", "١٢٣" or
    full-width digits are refused as pydantic refuses "abc"."""
    if not isinstance(value, str):
        return value
    number = decimal_number(value)
    if number is None:
        raise PydanticCustomError("decimal_parsing", "Input should be a valid decimal")
    return number


#: An exact figure: at most 14 digits before the point and 4 after.
Figure = Annotated[
    Decimal,
    BeforeValidator(_written_figure),
    Field(
        max_digits=FIGURE_DIGITS,
        decimal_places=FIGURE_PLACES,
        description='an exact decimal, at most 4 places: a number, or a string such as "1250.5"',
    ),
]
#: How long a description, a reason or a narrative may be (``actions._follow_up.MAX_TEXT``).
LONG_TEXT = 20_000
#: How many weights one request may carry: one a unit, for the largest organizations.
MAX_LINES = 10_000
#: How many values or statuses one unit's report may carry, and how long a goal's reason may
#: be: a report stays within a bulk request's limit (``veche.web.body_limit``).
MAX_REPORT_LINES = 1_000
REASON_TEXT = 1_000


class _Merged(_Change):
    """A change that names only what it changes, merged with the row's current fields into
    the whole that the action checks again."""

    def merged(self, row: object) -> dict[str, Any]:
        """Each field as given, or as ``row`` has it where the change leaves it out."""
        return {
            name: getattr(row, name) if value is KEEP else value
            for name, value in self.changes().items()
        }


def _no_repeats(ids: list[int], what: str) -> None:
    """Refuse a list naming one row twice: which of the two should stand is not for us to
    guess."""
    repeated = sorted(i for i, times in Counter(ids).items() if times > 1)
    if repeated:
        named = ", ".join(str(i) for i in repeated)
        raise ValueError(
            f"name each {what} once: {named} {'is' if len(repeated) == 1 else 'are'} given twice"
        )


# --- Goals ---------------------------------------------------------------------------------


#: A new goal's fields that say where it comes from; the rest say what it is (``GoalSpec``).
_WHERE_FROM = {"resolution_id", "parent_id", "clause", "paragraph", "first_line", "last_line"}


class GoalIn(BaseModel):
    """A goal of a resolution, or a sub-goal of a goal, optionally from one clause of the
    resolution: by its number as the text writes it, a paragraph, or lines first_line to
    last_line."""

    resolution_id: Id | None = Field(
        default=None, description="the resolution; a sub-goal's is its parent's"
    )
    parent_id: Id | None = Field(default=None, description="the goal it is part of, if any")
    clause: str | None = Field(
        default=None,
        max_length=40,
        description="the clause, by its number as the resolution's text writes it: 2, 2.1, 3 b)",
    )
    paragraph: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="the clause: a paragraph of the text, from 1"
    )
    first_line: int | None = Field(default=None, ge=1, le=MAX_INT, description="or its first line")
    last_line: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="and its last (default: first_line)"
    )
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=LONG_TEXT, description="Markdown")
    owner_body_id: Id | None = Field(
        default=None,
        description="the body answerable for it; default: the body that adopted the resolution "
        "(for a sub-goal, its parent's owner)",
    )
    due_on: date | None = None
    kind: GoalKind = GoalKind.ACTION
    weight: Figure = Field(default=Decimal(1), description="its weight among its siblings")

    def create(self, session: Session, caller: Caller) -> Goal:
        clause: Target | str | None = None
        by_place = (self.paragraph, self.first_line, self.last_line) != (None, None, None)
        if self.clause is not None and self.clause.strip():
            if by_place:
                raise InvalidInput(
                    "name the clause by its number, its paragraph or its lines: one of them"
                )
            clause = self.clause
        elif self.paragraph is not None or self.first_line is not None:
            clause = Target(self.paragraph, self.first_line, self.last_line)
        elif self.last_line is not None:
            raise InvalidInput("a clause's last line needs its first line as well")
        spec = GoalSpec(**self.model_dump(exclude=_WHERE_FROM))
        return do_create_goal(
            session,
            caller,
            spec,
            resolution_id=self.resolution_id,
            parent_id=self.parent_id,
            clause=clause,
        )


class GoalUpdate(_Merged):
    """A goal's title, description, owner, due date, kind or weight among its siblings."""

    title: str = Field(default=LEFT_OUT, min_length=1, max_length=500)
    description: str = Field(default=LEFT_OUT, max_length=LONG_TEXT)
    owner_body_id: Id = Field(default=LEFT_OUT)
    due_on: date | None = Field(default=None, description="null for none")
    kind: GoalKind = Field(default=LEFT_OUT)
    weight: Figure = Field(default=LEFT_OUT)

    def apply(self, session: Session, caller: Caller, goal_id: int) -> Goal:
        goal = check_goal(session, caller, goal_id)
        return do_update_goal(session, caller, goal, GoalSpec(**self.merged(goal)))


class GoalStatusIn(BaseModel):
    """The body's verdict on a goal, with its reason; null takes a verdict back."""

    status: GoalStatus | None
    reason: str = Field(
        default="",
        max_length=LONG_TEXT,
        description='needed with a status: "fulfilled in the main"',
    )

    def apply(self, session: Session, caller: Caller, goal_id: int) -> Goal:
        goal = check_goal(session, caller, goal_id)
        return do_set_goal_status(session, caller, goal, self.status, self.reason)


class AssignmentIn(BaseModel):
    """A goal given to a unit, as the lead or contributing."""

    unit_id: Id
    role: AssignmentRole = AssignmentRole.LEAD
    responsible_person_id: Id | None = Field(default=None, description="who answers for it")

    def assign(self, session: Session, caller: Caller, goal_id: int) -> GoalAssignment:
        goal = check_goal(session, caller, goal_id)
        return do_assign_goal(session, caller, goal, **self.model_dump())


class AssignmentsIn(BaseModel):
    """A goal given to several units at once, each as the lead or contributing, with the same
    person answerable: all of them or none."""

    unit_ids: list[Id] = Field(
        default_factory=list,
        max_length=MOST_UNITS_AT_ONCE,
        description=f"the units, at least one, at most {MOST_UNITS_AT_ONCE}, each once",
    )
    role: AssignmentRole = AssignmentRole.LEAD
    responsible_person_id: Id | None = Field(default=None, description="who answers for it")

    def assign(self, session: Session, caller: Caller, goal_id: int) -> list[GoalAssignment]:
        goal = check_goal(session, caller, goal_id)
        return do_assign_goal_to_units(session, caller, goal, **self.model_dump())


class AssignmentUpdate(_Merged):
    role: AssignmentRole = Field(default=LEFT_OUT)
    responsible_person_id: Id | None = Field(default=None, description="null for none")

    def apply(self, session: Session, caller: Caller, assignment_id: int) -> GoalAssignment:
        assignment = check_assignment(session, caller, assignment_id)
        return do_update_assignment(session, caller, assignment, **self.merged(assignment))


# --- Indicators, weights and targets -------------------------------------------------------


class IndicatorIn(BaseModel):
    """What measures a goal. Going up or down, it takes a target_value (above or below its
    baseline); staying within a band, band_low and band_high; a milestone goes from 0 to 1."""

    name: str = Field(min_length=1, max_length=300)
    measure: Measure
    direction: Direction = Direction.UP
    unit_label: str = Field(
        default="", max_length=40, description='an amount\'s currency or unit: "EUR", "km"'
    )
    baseline_value: Figure = Decimal(0)
    baseline_on: date | None = None
    target_value: Figure | None = None
    target_on: date | None = None
    band_low: Figure | None = None
    band_high: Figure | None = None
    rollup: RollupRule | None = Field(
        default=None,
        description="how the units' figures roll up; default: sum for counts and amounts, "
        "mean for percents, share_on_target for milestones",
    )
    share_needed: Figure = Field(
        default=Decimal(1),
        description="under share_on_target: the share of units on target (above 0, at most "
        "1) that puts their parent on target",
    )
    weight: Figure = Field(default=Decimal(1), description="its weight among the goal's indicators")

    def spec(self) -> IndicatorSpec:
        return IndicatorSpec(**self.model_dump())

    def create(self, session: Session, caller: Caller, goal_id: int) -> Indicator:
        goal = check_goal(session, caller, goal_id)
        return do_create_indicator(session, caller, goal, self.spec())


class IndicatorUpdate(_Merged):
    """An indicator's fields; what it measures and which way it goes stay once it has
    targets or values."""

    name: str = Field(default=LEFT_OUT, min_length=1, max_length=300)
    measure: Measure = Field(default=LEFT_OUT)
    direction: Direction = Field(default=LEFT_OUT)
    unit_label: str = Field(default=LEFT_OUT, max_length=40)
    baseline_value: Figure = Field(default=LEFT_OUT)
    baseline_on: date | None = None
    target_value: Figure | None = None
    target_on: date | None = None
    band_low: Figure | None = None
    band_high: Figure | None = None
    rollup: RollupRule = Field(default=LEFT_OUT)
    share_needed: Figure = Field(default=LEFT_OUT)
    weight: Figure = Field(default=LEFT_OUT)

    def apply(self, session: Session, caller: Caller, indicator_id: int) -> Indicator:
        indicator = check_indicator(session, caller, indicator_id)
        spec = IndicatorSpec(**self.merged(indicator))
        return do_update_indicator(session, caller, indicator, spec)


class UnitWeightIn(BaseModel):
    unit_id: Id
    weight: Figure


class WeightsIn(BaseModel):
    """Every unit's weight in the indicator's weighted mean (a unit left out has none)."""

    weights: list[UnitWeightIn] = Field(max_length=MAX_LINES)

    @model_validator(mode="after")
    def _each_unit_once(self) -> WeightsIn:
        _no_repeats([w.unit_id for w in self.weights], "unit")
        return self

    def apply(self, session: Session, caller: Caller, indicator_id: int) -> list[IndicatorWeight]:
        indicator = check_indicator(session, caller, indicator_id)
        weights = {w.unit_id: w.weight for w in self.weights}
        return do_set_weights(session, caller, indicator, weights)


class TargetIn(BaseModel):
    """Where the indicator should stand in a unit at the end of a period, and where the unit
    starts from."""

    unit_id: Id
    period_id: Id
    value: Figure
    baseline: Figure | None = Field(
        default=None, description="the unit's own starting point; null: the indicator's"
    )

    def set(self, session: Session, caller: Caller, indicator_id: int) -> TargetSet:
        indicator = check_indicator(session, caller, indicator_id)
        return do_set_target(session, caller, indicator, **self.model_dump())


# --- Cycles and periods --------------------------------------------------------------------


class CycleIn(BaseModel):
    """A reporting cycle of a body's term."""

    term_id: Id
    name: str = Field(min_length=1, max_length=200, description='"half-yearly reports"')

    def create(self, session: Session, caller: Caller) -> ReportingCycle:
        return do_create_cycle(session, caller, self.term_id, self.name)


class CycleUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200)

    def apply(self, session: Session, caller: Caller, cycle_id: int) -> ReportingCycle:
        cycle = check_cycle(session, caller, cycle_id)
        return do_rename_cycle(session, caller, cycle, self.name)


class PeriodIn(BaseModel):
    """A period of a cycle: its days and the day its reports are due."""

    name: str = Field(min_length=1, max_length=200, description='"first half of 2026"')
    starts_on: date
    ends_on: date
    due_on: date

    def add(self, session: Session, caller: Caller, cycle_id: int) -> ReportingPeriod:
        cycle = check_cycle(session, caller, cycle_id)
        return do_add_period(session, caller, cycle, PeriodSpec(**self.model_dump()))


class PeriodUpdate(_Merged):
    name: str = Field(default=LEFT_OUT, min_length=1, max_length=200)
    starts_on: date = Field(default=LEFT_OUT)
    ends_on: date = Field(default=LEFT_OUT)
    due_on: date = Field(default=LEFT_OUT)

    def apply(self, session: Session, caller: Caller, period_id: int) -> ReportingPeriod:
        period = check_period(session, caller, period_id)
        return do_update_period(session, caller, period, PeriodSpec(**self.merged(period)))


class PeriodStateIn(BaseModel):
    """The state a period moves on to: closed, then frozen."""

    state: PeriodState

    def apply(self, session: Session, caller: Caller, period_id: int) -> ReportingPeriod:
        period = check_period(session, caller, period_id)
        return do_move_period(session, caller, period, self.state)


# --- Progress reports ----------------------------------------------------------------------


class ValueIn(BaseModel):
    indicator_id: Id
    value: Figure


class StatusIn(BaseModel):
    goal_id: Id
    status: GoalStatus
    reason: str = Field(
        default="",
        max_length=REASON_TEXT,
        description="needed for every status but not_started and on_track",
    )


class ReportIn(BaseModel):
    """A unit's report for a period as it now stands, whole: what it leaves out it does not
    report (a missing value is never read as zero)."""

    narrative: str = Field(default="", max_length=LONG_TEXT, description="Markdown")
    values: list[ValueIn] = Field(default_factory=list, max_length=MAX_REPORT_LINES)
    statuses: list[StatusIn] = Field(default_factory=list, max_length=MAX_REPORT_LINES)

    @model_validator(mode="after")
    def _each_once(self) -> ReportIn:
        _no_repeats([v.indicator_id for v in self.values], "indicator")
        _no_repeats([s.goal_id for s in self.statuses], "goal")
        return self

    def save(
        self, session: Session, caller: Caller, period_id: int, unit_id: int
    ) -> ProgressReport:
        return do_save_report(
            session,
            caller,
            period_id,
            unit_id,
            narrative=self.narrative,
            values={v.indicator_id: v.value for v in self.values},
            statuses={s.goal_id: StatusGiven(s.status, s.reason) for s in self.statuses},
        )


class ReportDecisionIn(BaseModel):
    """The review of a submitted report: accepted, or returned to its unit with what to
    correct."""

    decision: Literal["accepted", "returned"]
    reason: str = Field(
        default="", max_length=LONG_TEXT, description="to return it: what to correct"
    )

    def decide(self, session: Session, caller: Caller, report: ProgressReport) -> ProgressReport:
        if self.decision == "accepted":
            return do_accept_report(session, caller, report)
        return do_return_report(session, caller, report, self.reason)
