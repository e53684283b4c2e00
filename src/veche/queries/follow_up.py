"""The follow-up's goals as the API reads them: goal trees with their indicators and
assignments, and an indicator's targets and weights, each list in a few queries whatever its
length. Reporting cycles and periods are read in ``queries/reporting.py``, progress reports
in ``queries/progress.py``."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from veche.models import (
    Body,
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorTarget,
    IndicatorWeight,
    Person,
    ReportingPeriod,
    Unit,
)
from veche.models.follow_up import (
    AssignmentRole,
    Direction,
    GoalKind,
    GoalStatus,
    Measure,
    RollupRule,
)
from veche.queries._listing import where_given
from veche.queries._views import view_of

# --- Goals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentView:
    id: int
    goal_id: int
    unit_id: int
    unit: str
    role: AssignmentRole
    responsible_person_id: int | None
    responsible: str | None


@dataclass(frozen=True)
class IndicatorHeading:
    """An indicator as every view of it names it: its goal, its number and name, what it
    measures in which unit, and which way is better."""

    id: int
    goal_id: int
    number: int
    name: str
    measure: Measure
    unit_label: str
    direction: Direction


@dataclass(frozen=True)
class IndicatorView(IndicatorHeading):
    band_low: Decimal | None
    band_high: Decimal | None
    baseline_value: Decimal
    baseline_on: date | None
    target_value: Decimal | None
    target_on: date | None
    rollup: RollupRule
    share_needed: Decimal
    weight: Decimal


def indicator_view(indicator: Indicator) -> IndicatorView:
    return view_of(IndicatorView, indicator)


@dataclass(frozen=True)
class GoalNode:
    """A goal in its place in its resolution's tree: ``path`` "2.1" is sub-goal 1 of goal
    2, ``depth`` 0 at the top."""

    id: int
    resolution_id: int
    parent_id: int | None
    number: int
    path: str
    depth: int
    title: str
    description: str
    paragraph: int | None
    first_line: int | None
    last_line: int | None
    clause_text: str
    owner_body_id: int
    owner_body: str
    due_on: date | None
    kind: GoalKind
    weight: Decimal
    status: GoalStatus | None
    status_reason: str
    sub_goal_ids: list[int]
    indicators: list[IndicatorView]
    assignments: list[AssignmentView]


@dataclass(frozen=True)
class GoalFilter:
    """Which goals to list; each field left empty matches every goal."""

    resolution_id: int | None = None
    unit_id: int | None = None  # goals assigned to the unit
    owner_body_id: int | None = None
    under: int | None = None  # a goal and every goal below it


def _in_tree_order(goals: Sequence[Goal]) -> list[tuple[Goal, str, int]]:
    """Goals depth first by resolution and number, each with its path and depth."""
    below: dict[int | None, list[Goal]] = {}
    for goal in sorted(goals, key=lambda goal: (goal.resolution_id, goal.number, goal.id)):
        below.setdefault(goal.parent_id, []).append(goal)
    ordered: list[tuple[Goal, str, int]] = []
    waiting = [(goal, str(goal.number), 0) for goal in reversed(below.get(None, []))]
    while waiting:
        goal, path, depth = waiting.pop()
        ordered.append((goal, path, depth))
        waiting.extend(
            (child, f"{path}.{child.number}", depth + 1)
            for child in reversed(below.get(goal.id, []))
        )
    return ordered


def _assignment_views(session: Session, goal_ids: Iterable[int]) -> dict[int, list[AssignmentView]]:
    rows = session.execute(
        select(GoalAssignment, Unit.name, Person.full_name)
        .join(Unit, Unit.id == GoalAssignment.unit_id)
        .outerjoin(Person, Person.id == GoalAssignment.responsible_person_id)
        .where(GoalAssignment.goal_id.in_(sorted(goal_ids)))
        .order_by(Unit.name, GoalAssignment.id)
    ).all()
    found: dict[int, list[AssignmentView]] = {}
    for assignment, unit, responsible in rows:
        found.setdefault(assignment.goal_id, []).append(
            view_of(AssignmentView, assignment, unit=unit, responsible=responsible)
        )
    return found


def assignment_view(session: Session, assignment: GoalAssignment) -> AssignmentView:
    views = _assignment_views(session, [assignment.goal_id])[assignment.goal_id]
    return next(view for view in views if view.id == assignment.id)


def goal_tree(
    session: Session, organization_id: int, wanted: GoalFilter, *, with_assignments: bool = True
) -> list[GoalNode]:
    """The goals ``wanted``, in their resolutions' trees, depth first, each with its path;
    ``with_assignments=False`` leaves their assignments empty (the roll-up reads them as
    bare pairs: a goal assigned to 10,000 branches is 10,000 views otherwise)."""
    owned = select(Goal).join(Body, Body.id == Goal.owner_body_id)
    owned = owned.where(Body.organization_id == organization_id)
    # Whole trees are read, so that every goal listed has its path; then narrowed.
    if wanted.resolution_id is not None:
        owned = owned.where(Goal.resolution_id == wanted.resolution_id)
    goals = session.scalars(owned.options(selectinload(Goal.owner_body))).all()
    ordered = _in_tree_order(goals)
    keep = {goal.id for goal in goals}
    if wanted.under is not None:
        inside = {wanted.under}
        for goal, _path, _depth in ordered:
            if goal.parent_id in inside:
                inside.add(goal.id)
        keep &= inside
    if wanted.owner_body_id is not None:
        keep &= {goal.id for goal in goals if goal.owner_body_id == wanted.owner_body_id}
    if wanted.unit_id is not None:
        keep &= set(
            session.scalars(
                select(GoalAssignment.goal_id).where(GoalAssignment.unit_id == wanted.unit_id)
            )
        )
    indicators: dict[int, list[IndicatorView]] = {}
    for indicator in session.scalars(
        select(Indicator)
        .where(Indicator.goal_id.in_(sorted(keep)))
        .order_by(Indicator.goal_id, Indicator.number)
    ):
        indicators.setdefault(indicator.goal_id, []).append(indicator_view(indicator))
    assignments = _assignment_views(session, keep) if with_assignments else {}
    children: dict[int, list[int]] = {}
    for goal, _path, _depth in ordered:
        if goal.parent_id is not None:
            children.setdefault(goal.parent_id, []).append(goal.id)
    return [
        view_of(
            GoalNode,
            goal,
            path=path,
            depth=depth,
            owner_body=goal.owner_body.name,
            sub_goal_ids=children.get(goal.id, []),
            indicators=indicators.get(goal.id, []),
            assignments=assignments.get(goal.id, []),
        )
        for goal, path, depth in ordered
        if goal.id in keep
    ]


def goal_node(session: Session, goal: Goal) -> GoalNode:
    """One goal with its path, indicators and assignments."""
    wanted = GoalFilter(resolution_id=goal.resolution_id)
    found = goal_tree(session, goal.owner_body.organization_id, wanted)
    return next(node for node in found if node.id == goal.id)


# --- Indicators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    id: int
    indicator_id: int
    unit_id: int
    unit: str
    period_id: int
    period: str
    value: Decimal
    baseline: Decimal | None


@dataclass(frozen=True)
class WeightView:
    unit_id: int
    weight: Decimal


def weight_views(weights: Iterable[IndicatorWeight]) -> list[WeightView]:
    return [view_of(WeightView, weight) for weight in weights]


@dataclass(frozen=True)
class IndicatorDetail(IndicatorView):
    """An indicator with its targets (by period, then unit) and the units' weights."""

    targets: list[TargetView]
    weights: list[WeightView]


def target_view(session: Session, target: IndicatorTarget) -> TargetView:
    return target_views(session, [target])[0]


def target_views(session: Session, targets: Sequence[IndicatorTarget]) -> list[TargetView]:
    units = dict(
        session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_({t.unit_id for t in targets}))
        ).all()
    )
    periods = dict(
        session.execute(
            select(ReportingPeriod.id, ReportingPeriod.name).where(
                ReportingPeriod.id.in_({t.period_id for t in targets})
            )
        ).all()
    )
    return [
        view_of(TargetView, t, unit=units[t.unit_id], period=periods[t.period_id]) for t in targets
    ]


def targets_by_indicator(
    session: Session, indicator_ids: Collection[int]
) -> dict[int, list[TargetView]]:
    """Every target of the indicators, by indicator, by period then unit: read at once, not
    one query an indicator."""
    targets = session.scalars(
        select(IndicatorTarget)
        .join(ReportingPeriod, ReportingPeriod.id == IndicatorTarget.period_id)
        .join(Unit, Unit.id == IndicatorTarget.unit_id)
        .where(IndicatorTarget.indicator_id.in_(indicator_ids))
        .order_by(ReportingPeriod.starts_on, ReportingPeriod.id, Unit.name, Unit.id)
    ).all()
    found: dict[int, list[TargetView]] = {}
    for target in target_views(session, targets):
        found.setdefault(target.indicator_id, []).append(target)
    return found


def weights_by_indicator(
    session: Session, indicator_ids: Collection[int]
) -> dict[int, dict[int, Decimal]]:
    """Each unit's weight in each of the indicators' weighted mean, by indicator and unit:
    read at once, not one query an indicator."""
    found: dict[int, dict[int, Decimal]] = {}
    for weight in session.scalars(
        select(IndicatorWeight).where(IndicatorWeight.indicator_id.in_(indicator_ids))
    ):
        found.setdefault(weight.indicator_id, {})[weight.unit_id] = weight.weight
    return found


def indicator_detail(
    session: Session, indicator: Indicator, *, period_id: int | None = None
) -> IndicatorDetail:
    """An indicator with its targets (of one period, if named) and weights."""
    query = (
        select(IndicatorTarget)
        .join(ReportingPeriod, ReportingPeriod.id == IndicatorTarget.period_id)
        .join(Unit, Unit.id == IndicatorTarget.unit_id)
        .where(IndicatorTarget.indicator_id == indicator.id)
        .order_by(ReportingPeriod.starts_on, ReportingPeriod.id, Unit.name, Unit.id)
    )
    targets = session.scalars(where_given(query, (IndicatorTarget.period_id, period_id))).all()
    weights = session.scalars(
        select(IndicatorWeight)
        .where(IndicatorWeight.indicator_id == indicator.id)
        .order_by(IndicatorWeight.unit_id)
    ).all()
    return view_of(
        IndicatorDetail,
        indicator,
        targets=target_views(session, targets),
        weights=weight_views(weights),
    )
