"""The follow-up of resolutions: goals with their sub-goals, the units assigned to them, the
indicators that measure them with targets per unit and period, reporting cycles and their
periods, and the units' progress reports.

What rolls up (a region's figure from its branches', a goal's progress from its indicators')
is computed from these rows, never stored.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Dialect,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from veche.models.base import Base, Entity, WideInteger
from veche.models.columns import (
    BodyId,
    CycleId,
    GoalId,
    IndicatorId,
    PeriodId,
    PersonId,
    ReportId,
    ResolutionId,
    TermId,
    UnitId,
    enum_type,
)
from veche.models.motions import Resolution
from veche.models.org import Body, Person, Term, Unit
from veche.models.states import Transitions

#: A figure (a value, a target, a weight) holds this many digits, this many of them after
#: the point: 99,999,999,999,999.9999 at most, enough for any count or amount a body sets.
FIGURE_DIGITS = 18
FIGURE_PLACES = 4
#: The smallest step of a figure, for ``Decimal.quantize``.
FIGURE_STEP = Decimal(1).scaleb(-FIGURE_PLACES)


class _Scaled(Numeric):  # type: ignore[type-arg]
    """NUMERIC in SQLite's DDL, holding a whole number as the driver gives and takes it:
    SQLAlchemy's own Numeric would pass it through a float on SQLite."""

    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None

    def literal_processor(self, dialect: Dialect) -> None:
        return None


class Figure(TypeDecorator[Decimal]):
    """An exact decimal, NUMERIC(18, 4), read back as a ``Decimal`` with four places.

    PostgreSQL stores it as it is. SQLite has no exact decimal (a NUMERIC value given as
    text or a float keeps 15 significant digits), so there it is stored as a whole number of
    ten-thousandths, which SQLite keeps exactly up to 2**63 — every figure fits. So SQL
    compares a figure with another figure or a bound parameter (which this type scales), and
    with a literal only to tell its sign (``weight > 0``).
    """

    impl = Numeric(FIGURE_DIGITS, FIGURE_PLACES)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _Scaled(FIGURE_DIGITS, FIGURE_PLACES)
        return dialect.type_descriptor(Numeric(FIGURE_DIGITS, FIGURE_PLACES))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = Decimal(value).quantize(FIGURE_STEP)
        if dialect.name == "sqlite":
            return WideInteger(exact.scaleb(FIGURE_PLACES))
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-FIGURE_PLACES)
        return Decimal(value).quantize(FIGURE_STEP)


class FigureUnits(FunctionElement[int]):
    """A figure column read as a whole number of its smallest steps (ten-thousandths): the
    roll-up reads figures so, straight into its integer arrays, without a ``Decimal`` each
    (some microseconds apiece, for millions of values). NULL stays NULL."""

    type = BigInteger()
    inherit_cache = True
    name = "figure_units"

    def __init__(self, column: ColumnElement[Decimal] | Mapped[Decimal | None]) -> None:
        super().__init__(column)


@compiles(FigureUnits)
def _figure_units(element: FigureUnits, compiler: SQLCompiler, **kw: Any) -> str:
    # NUMERIC(18, 4) times 10**4 is whole, and at most 10**18: it fits a BIGINT exactly.
    column = compiler.process(element.clauses, **kw)
    return f"CAST({column} * {10**FIGURE_PLACES} AS BIGINT)"


@compiles(FigureUnits, "sqlite")
def _figure_units_sqlite(element: FigureUnits, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)  # stored so already


# --- Goals ---------------------------------------------------------------------------------


class GoalKind(enum.StrEnum):
    ACTION = "action"  # something to do: hold a school, sign an agreement
    OUTCOME = "outcome"  # a state to reach: 10,000 flats, membership up 5 %
    STANDING = "standing"  # kept up without an end: a report every quarter


class GoalStatus(enum.StrEnum):
    """Where a goal stands: as a unit reports it for a period, or as the body declares it
    (with a reason: "done" — "fulfilled in the main")."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"
    DROPPED = "dropped"
    SUPERSEDED = "superseded"


#: The statuses a unit must give a reason for (the body gives one for any status it declares).
REASON_NEEDED = frozenset(
    {
        GoalStatus.AT_RISK,
        GoalStatus.OFF_TRACK,
        GoalStatus.DONE,
        GoalStatus.DROPPED,
        GoalStatus.SUPERSEDED,
    }
)


class Goal(Entity):
    """A commitment a resolution makes, or a part of one (a sub-goal, at any depth), with
    the clause of the resolution it comes from, addressed as an amendment addresses a
    motion's text: a paragraph, or a range of lines."""

    __table_args__ = (CheckConstraint("weight > 0", name="positive_weight"),)

    resolution_id: Mapped[ResolutionId] = mapped_column(index=True)
    parent_id: Mapped[GoalId | None] = mapped_column(index=True)
    #: Its place among its siblings, from 1: goal 3 of the resolution, sub-goal 3.2.
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    paragraph: Mapped[int | None]
    first_line: Mapped[int | None]
    last_line: Mapped[int | None]
    #: The words of the clause, as they stand in the resolution.
    clause_text: Mapped[str] = mapped_column(Text, default="")
    owner_body_id: Mapped[BodyId] = mapped_column(index=True)
    due_on: Mapped[date | None]
    kind: Mapped[GoalKind] = mapped_column(enum_type(GoalKind, "goal_kind"))
    #: Its weight among its siblings when their progress is averaged.
    weight: Mapped[Decimal] = mapped_column(Figure(), default=Decimal(1))
    #: The body's own verdict, with its reason; none: the reports say where it stands.
    status: Mapped[GoalStatus | None] = mapped_column(enum_type(GoalStatus, "goal_status"))
    status_reason: Mapped[str] = mapped_column(Text, default="")

    resolution: Mapped[Resolution] = relationship()
    parent: Mapped[Goal | None] = relationship(remote_side="Goal.id")
    owner_body: Mapped[Body] = relationship()


class AssignmentRole(enum.StrEnum):
    LEAD = "lead"
    CONTRIBUTING = "contributing"


class GoalAssignment(Entity):
    """A goal given to a unit, which reports on it: as the lead, or contributing."""

    __table_args__ = (UniqueConstraint("goal_id", "unit_id"),)

    goal_id: Mapped[GoalId]
    unit_id: Mapped[UnitId] = mapped_column(index=True)
    role: Mapped[AssignmentRole] = mapped_column(enum_type(AssignmentRole, "assignment_role"))
    responsible_person_id: Mapped[PersonId | None]

    goal: Mapped[Goal] = relationship()
    unit: Mapped[Unit] = relationship()
    responsible: Mapped[Person | None] = relationship()


# --- Indicators and targets ----------------------------------------------------------------


class Measure(enum.StrEnum):
    COUNT = "count"  # a whole number: flats, members
    AMOUNT = "amount"  # money or a quantity, in the indicator's unit: EUR, km, t
    PERCENT = "percent"
    MILESTONE = "milestone"  # reached (1) or not (0)


class Direction(enum.StrEnum):
    UP = "up"  # the higher the better
    DOWN = "down"  # the lower the better: accidents, arrears
    WITHIN = "within"  # within band_low … band_high


class RollupRule(enum.StrEnum):
    """How the units' figures make their parent's: the rule the roll-up applies."""

    SUM = "sum"
    MEAN = "mean"
    WEIGHTED_MEAN = "weighted_mean"  # each unit by its weight (``IndicatorWeight``)
    MIN = "min"
    MAX = "max"
    LATEST = "latest"
    SHARE_ON_TARGET = "share_on_target"  # the share of units on target (``share_needed``)


class Indicator(Entity):
    """What measures a goal: a quantity, the way it should move, where it starts (the
    baseline) and where it should be by when (the target)."""

    __table_args__ = (
        UniqueConstraint("goal_id", "number"),
        CheckConstraint("weight > 0", name="positive_weight"),
        CheckConstraint("share_needed > 0", name="positive_share_needed"),
    )

    goal_id: Mapped[GoalId]
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    measure: Mapped[Measure] = mapped_column(enum_type(Measure, "measure"))
    #: The currency or measurement unit of an amount ("EUR", "km"), or what is counted.
    unit_label: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[Direction] = mapped_column(enum_type(Direction, "direction"))
    band_low: Mapped[Decimal | None] = mapped_column(Figure())
    band_high: Mapped[Decimal | None] = mapped_column(Figure())
    baseline_value: Mapped[Decimal] = mapped_column(Figure())
    baseline_on: Mapped[date | None]
    target_value: Mapped[Decimal | None] = mapped_column(Figure())
    target_on: Mapped[date | None]
    rollup: Mapped[RollupRule] = mapped_column(enum_type(RollupRule, "rollup_rule"))
    #: Under ``share_on_target``: the share of units on target that puts their parent on it.
    share_needed: Mapped[Decimal] = mapped_column(Figure(), default=Decimal(1))
    #: Its weight among the goal's indicators when the goal's progress is averaged.
    weight: Mapped[Decimal] = mapped_column(Figure(), default=Decimal(1))

    goal: Mapped[Goal] = relationship()


class IndicatorTarget(Entity):
    """Where an indicator going up or down should stand in one unit at the end of one
    period, and where the unit starts from."""

    __table_args__ = (UniqueConstraint("indicator_id", "period_id", "unit_id"),)

    indicator_id: Mapped[IndicatorId]
    period_id: Mapped[PeriodId] = mapped_column(index=True)
    unit_id: Mapped[UnitId] = mapped_column(index=True)
    value: Mapped[Decimal] = mapped_column(Figure())
    #: The unit's own starting point; none: the indicator's baseline.
    baseline: Mapped[Decimal | None] = mapped_column(Figure())


class IndicatorWeight(Base):
    """A unit's weight in an indicator's weighted mean (a region's membership, say)."""

    __table_args__ = (CheckConstraint("weight > 0", name="positive_weight"),)

    indicator_id: Mapped[IndicatorId] = mapped_column(primary_key=True)
    unit_id: Mapped[UnitId] = mapped_column(primary_key=True, index=True)
    weight: Mapped[Decimal] = mapped_column(Figure())


# --- Reporting cycles and periods ----------------------------------------------------------


class ReportingCycle(Entity):
    """The reporting of a body's term, in periods: "half-yearly reports, 8th term"."""

    __table_args__ = (UniqueConstraint("term_id", "name"),)

    term_id: Mapped[TermId]
    name: Mapped[str] = mapped_column(String(200))

    term: Mapped[Term] = relationship()
    periods: Mapped[list[ReportingPeriod]] = relationship(
        back_populates="cycle", order_by="ReportingPeriod.starts_on"
    )


class PeriodState(enum.StrEnum):
    OPEN = "open"  # units file their reports
    CLOSED = "closed"  # filing has ended; the reports are reviewed
    FROZEN = "frozen"  # the figures are final and hashed into the journal


#: open → closed → frozen, forward only.
PERIOD_TRANSITIONS = Transitions(
    {PeriodState.OPEN: (PeriodState.CLOSED,), PeriodState.CLOSED: (PeriodState.FROZEN,)},
    steps={"close": PeriodState.CLOSED, "freeze": PeriodState.FROZEN},
)


class ReportingPeriod(Entity):
    """One period of a cycle, with the day its reports are due."""

    __table_args__ = (
        UniqueConstraint("cycle_id", "name"),
        CheckConstraint("starts_on <= ends_on", name="ordered_dates"),
    )

    cycle_id: Mapped[CycleId]
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    due_on: Mapped[date]
    state: Mapped[PeriodState] = mapped_column(enum_type(PeriodState, "period_state"))
    #: The SHA-256 of the figures frozen (``veche.follow_up.figures``), also in the journal.
    figures_hash: Mapped[str | None] = mapped_column(String(64))

    cycle: Mapped[ReportingCycle] = relationship(back_populates="periods")


# --- Progress reports ----------------------------------------------------------------------


class ReportState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back with a reason, to be corrected and submitted again
    ACCEPTED = "accepted"
    LOCKED = "locked"  # its period is frozen


#: draft → submitted → accepted → locked; a submitted report may be returned, and a
#: returned one submitted again.
REPORT_TRANSITIONS = Transitions(
    {
        ReportState.DRAFT: (ReportState.SUBMITTED,),
        ReportState.SUBMITTED: (ReportState.RETURNED, ReportState.ACCEPTED),
        ReportState.RETURNED: (ReportState.SUBMITTED,),
        ReportState.ACCEPTED: (ReportState.LOCKED,),
    },
    steps={
        "submit": ReportState.SUBMITTED,
        "return": ReportState.RETURNED,
        "accept": ReportState.ACCEPTED,
        "lock": ReportState.LOCKED,
    },
)

#: The states in which a report's unit may still change it.
EDITABLE_REPORT_STATES = (ReportState.DRAFT, ReportState.RETURNED)


class ProgressReport(Entity):
    """A unit's report for one period: a value per indicator, a status per goal, and a
    narrative (Markdown)."""

    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    period_id: Mapped[PeriodId]
    unit_id: Mapped[UnitId] = mapped_column(index=True)
    state: Mapped[ReportState] = mapped_column(enum_type(ReportState, "report_state"))
    narrative: Mapped[str] = mapped_column(Text, default="")
    #: Why it was last returned (kept once it is submitted again, for the record).
    return_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]

    period: Mapped[ReportingPeriod] = relationship()
    unit: Mapped[Unit] = relationship()
    values: Mapped[list[ReportValue]] = relationship(
        cascade="all, delete-orphan", order_by="ReportValue.indicator_id"
    )
    statuses: Mapped[list[ReportGoalStatus]] = relationship(
        cascade="all, delete-orphan", order_by="ReportGoalStatus.goal_id"
    )


class ReportValue(Base):
    """A report's figure for one indicator."""

    report_id: Mapped[ReportId] = mapped_column(primary_key=True)
    indicator_id: Mapped[IndicatorId] = mapped_column(primary_key=True, index=True)
    value: Mapped[Decimal] = mapped_column(Figure())


class ReportGoalStatus(Base):
    """A report's status for one goal, with the reason the status needs."""

    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'on_track') OR reason <> ''", name="reason_given"
        ),
    )

    report_id: Mapped[ReportId] = mapped_column(primary_key=True)
    goal_id: Mapped[GoalId] = mapped_column(primary_key=True, index=True)
    status: Mapped[GoalStatus] = mapped_column(enum_type(GoalStatus, "reported_status"))
    reason: Mapped[str] = mapped_column(Text, default="")
