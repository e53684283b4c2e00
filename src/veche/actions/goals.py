"""Goals from resolutions, the units they are given to, and the indicators that measure them.

A goal comes from an adopted resolution, and from one of its clauses when it names one
(a paragraph or a range of lines, addressed as an amendment addresses a motion's text);
its sub-goals, to any depth, come from the same resolution. Each change asks for
``follow_up.manage`` in the organization before it reads the rows it names, and is journaled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from veche.actions._follow_up import (
    check_figure,
    check_positive,
    check_text,
    journal_change,
    optional_row_of,
    row_of,
    working_organization,
)
from veche.actions._numbering import next_number
from veche.actions._text import Target, check_target
from veche.actions.access import Caller
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import (
    Body,
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorTarget,
    IndicatorWeight,
    Organization,
    Person,
    ReportGoalStatus,
    ReportValue,
    Resolution,
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
from veche.permissions import Permission
from veche.queries.org import in_meeting_body

# --- Goals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalSpec:
    """What a goal says of itself; ``owner_body_id`` None: the body whose meeting adopted
    the resolution (for a sub-goal, its parent's owner)."""

    title: str
    description: str = ""
    owner_body_id: int | None = None
    due_on: date | None = None
    kind: GoalKind = GoalKind.ACTION
    weight: Decimal = Decimal(1)


def reading_organization(session: Session, caller: Caller) -> Organization:
    """The caller's organization, for one who may read the follow-up (``follow_up.read``)."""
    return working_organization(session, caller, Permission.FOLLOW_UP_READ)


def readable_goal(session: Session, caller: Caller, goal_id: int) -> Goal:
    organization = reading_organization(session, caller)
    return row_of(session, organization, Goal, goal_id, "goal")


def readable_indicator(session: Session, caller: Caller, indicator_id: int) -> Indicator:
    organization = reading_organization(session, caller)
    return row_of(session, organization, Indicator, indicator_id, "indicator")


def check_goal(session: Session, caller: Caller, goal_id: int) -> Goal:
    """A goal of the caller's organization, for one who may manage the follow-up."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    return row_of(session, organization, Goal, goal_id, "goal")


def _adopting_body(session: Session, resolution: Resolution) -> Body:
    return session.scalars(in_meeting_body(select(Body), resolution.meeting_id)).one()


def do_create_goal(
    session: Session,
    caller: Caller,
    spec: GoalSpec,
    *,
    resolution_id: int | None = None,
    parent_id: int | None = None,
    clause: Target | None = None,
) -> Goal:
    """A goal of a resolution (optionally from one clause of it), or a sub-goal of a goal."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    parent = optional_row_of(session, organization, Goal, parent_id, "goal")
    if parent is not None:
        if resolution_id is not None and resolution_id != parent.resolution_id:
            raise InvalidInput(
                f"goal {parent.id} comes from resolution {parent.resolution_id}, and so do its "
                f"sub-goals: leave resolution_id out, or name {parent.resolution_id}"
            )
        resolution = parent.resolution
    elif resolution_id is None:
        raise InvalidInput(
            "name the resolution the goal comes from (resolution_id), or the goal it is part "
            "of (parent_id)"
        )
    else:
        resolution = row_of(session, organization, Resolution, resolution_id, "resolution")
    if clause is not None and clause.paragraph is not None and clause.first_line is not None:
        raise InvalidInput("name the clause by its paragraph or by its lines, not both")
    clause_text = check_target(resolution.text, clause) if clause is not None else ""
    if spec.owner_body_id is None:
        owner = parent.owner_body if parent is not None else _adopting_body(session, resolution)
        spec = replace(spec, owner_body_id=owner.id)
    checked = _check_goal_spec(session, organization, spec)
    # Goals are numbered among their siblings, and a top goal's siblings share no row but
    # their resolution's: taking it makes two goals added at once number one after the other.
    session.execute(select(Resolution.id).where(Resolution.id == resolution.id).with_for_update())
    number = next_number(
        session,
        Goal.number,
        Goal.resolution_id == resolution.id,
        Goal.parent_id == parent.id if parent is not None else Goal.parent_id.is_(None),
    )
    goal = Goal(
        resolution_id=resolution.id,
        parent_id=parent.id if parent is not None else None,
        number=number,
        paragraph=clause.paragraph if clause is not None else None,
        first_line=clause.first_line if clause is not None else None,
        last_line=(clause.last_line or clause.first_line) if clause is not None else None,
        clause_text=clause_text,
        status=None,
        **checked,
    )
    session.add(goal)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_GOAL,
        {
            "goal_id": goal.id,
            "resolution_id": resolution.id,
            "parent_id": goal.parent_id,
            "number": number,
            "paragraph": goal.paragraph,
            "first_line": goal.first_line,
            "last_line": goal.last_line,
            **checked,
        },
    )
    return goal


def _check_goal_spec(
    session: Session, organization: Organization, spec: GoalSpec
) -> dict[str, Any]:
    """The goal's fields as stored, each checked."""
    if spec.owner_body_id is None:
        raise InvalidInput("name the body that owns the goal (owner_body_id)")
    owner = row_of(session, organization, Body, spec.owner_body_id, "body")
    return {
        "title": check_name(spec.title, "the goal's title", 500),
        "description": check_text(spec.description, "the goal's description"),
        "owner_body_id": owner.id,
        "due_on": spec.due_on,
        "kind": spec.kind,
        "weight": check_positive(spec.weight, "the goal's weight"),
    }


def do_update_goal(session: Session, caller: Caller, goal: Goal, spec: GoalSpec) -> Goal:
    """Change what a goal says of itself: its title, description, owner, due date, kind or
    weight among its siblings (its resolution, clause and place in the tree stay)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    checked = _check_goal_spec(session, organization, spec)
    changed = {name: value for name, value in checked.items() if getattr(goal, name) != value}
    journal_change(session, caller, goal, changed, JournalAction.UPDATE_GOAL, goal_id=goal.id)
    return goal


def do_set_goal_status(
    session: Session, caller: Caller, goal: Goal, status: GoalStatus | None, reason: str = ""
) -> Goal:
    """The body's own verdict on a goal, with its reason ("done": "fulfilled in the main");
    ``None`` takes a verdict back, leaving the goal's status to the reports."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    reason = check_text(reason, "the reason")
    if status is not None and not reason:
        raise InvalidInput(
            f"say why goal {goal.id} is {status.value.replace('_', ' ')} (reason): "
            "the body's verdict on a goal is given with its reason"
        )
    goal.status = status
    goal.status_reason = reason
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SET_GOAL_STATUS,
        {"goal_id": goal.id, "status": status, "reason": reason},
    )
    return goal


def _count(session: Session, column: Any, *where: Any) -> int:
    return session.scalar(select(func.count(column)).where(*where)) or 0


def _what_depends(parts: list[tuple[int, str]]) -> str:
    return ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in parts if n)


def do_delete_goal(session: Session, caller: Caller, goal: Goal) -> None:
    """Delete a goal set up by mistake: only one with nothing under or on it yet."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    depending = _what_depends(
        [
            (_count(session, Goal.id, Goal.parent_id == goal.id), "sub-goal"),
            (_count(session, Indicator.id, Indicator.goal_id == goal.id), "indicator"),
            (_count(session, GoalAssignment.id, GoalAssignment.goal_id == goal.id), "assignment"),
            (
                _count(session, ReportGoalStatus.goal_id, ReportGoalStatus.goal_id == goal.id),
                "reported status",
            ),
        ]
    )
    if depending:
        raise Conflict(
            f"goal {goal.id} has {depending}: delete or remove those first "
            "(a goal on which units have reported stays, for the record)"
        )
    session.delete(goal)
    session.flush()
    record(session, caller.actor, JournalAction.DELETE_GOAL, {"goal_id": goal.id})


# --- Assignments ---------------------------------------------------------------------------


def check_assignment(session: Session, caller: Caller, assignment_id: int) -> GoalAssignment:
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    return row_of(session, organization, GoalAssignment, assignment_id, "assignment")


def _check_responsible(
    session: Session, organization: Organization, person_id: int | None
) -> int | None:
    person = optional_row_of(session, organization, Person, person_id, "person")
    return person.id if person is not None else None


def do_assign_goal(
    session: Session,
    caller: Caller,
    goal: Goal,
    unit_id: int,
    *,
    role: AssignmentRole = AssignmentRole.LEAD,
    responsible_person_id: int | None = None,
) -> GoalAssignment:
    """Give a goal to a unit, as the lead or contributing, with the person answerable for it."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    unit = row_of(session, organization, Unit, unit_id, "unit")
    responsible = _check_responsible(session, organization, responsible_person_id)
    if session.scalar(
        select(GoalAssignment.id).where(
            GoalAssignment.goal_id == goal.id, GoalAssignment.unit_id == unit.id
        )
    ):
        raise Conflict(f"goal {goal.id} is already assigned to {unit.name}; change that assignment")
    assignment = GoalAssignment(
        goal_id=goal.id, unit_id=unit.id, role=role, responsible_person_id=responsible
    )
    session.add(assignment)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ASSIGN_GOAL,
        {
            "assignment_id": assignment.id,
            "goal_id": goal.id,
            "unit_id": unit.id,
            "role": role,
            "responsible_person_id": responsible,
        },
    )
    return assignment


def do_update_assignment(
    session: Session,
    caller: Caller,
    assignment: GoalAssignment,
    *,
    role: AssignmentRole,
    responsible_person_id: int | None,
) -> GoalAssignment:
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    assignment.role = role
    assignment.responsible_person_id = _check_responsible(
        session, organization, responsible_person_id
    )
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.UPDATE_ASSIGNMENT,
        {
            "assignment_id": assignment.id,
            "role": role,
            "responsible_person_id": assignment.responsible_person_id,
        },
    )
    return assignment


def do_remove_assignment(session: Session, caller: Caller, assignment: GoalAssignment) -> None:
    """Take a goal back from a unit; what it reported on the goal stays in its reports."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    session.delete(assignment)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.REMOVE_ASSIGNMENT,
        {"assignment_id": assignment.id, "goal_id": assignment.goal_id},
    )


# --- Indicators ----------------------------------------------------------------------------

#: The rule an indicator rolls up by when none is named: amounts and counts add up, percents
#: are averaged, and milestones count the units that reached them.
DEFAULT_ROLLUP = {
    Measure.COUNT: RollupRule.SUM,
    Measure.AMOUNT: RollupRule.SUM,
    Measure.PERCENT: RollupRule.MEAN,
    Measure.MILESTONE: RollupRule.SHARE_ON_TARGET,
}


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator measures and where it should go. For a yes/no milestone the
    baseline is 0 and the target 1; an indicator that stays within a band takes its band
    (``band_low``, ``band_high``) instead of a target."""

    name: str
    measure: Measure
    direction: Direction = Direction.UP
    unit_label: str = ""
    baseline_value: Decimal = Decimal(0)
    baseline_on: date | None = None
    target_value: Decimal | None = None
    target_on: date | None = None
    band_low: Decimal | None = None
    band_high: Decimal | None = None
    rollup: RollupRule | None = None
    share_needed: Decimal = Decimal(1)
    weight: Decimal = Decimal(1)


def check_indicator(session: Session, caller: Caller, indicator_id: int) -> Indicator:
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    return row_of(session, organization, Indicator, indicator_id, "indicator")


def check_value(indicator: Indicator | IndicatorSpec, value: Decimal, what: str) -> Decimal:
    """A value of the indicator's measure: a count is whole and not negative, a milestone is
    0 (not reached) or 1 (reached)."""
    exact = check_figure(value, what)
    if indicator.measure is Measure.COUNT and (exact < 0 or exact != exact.to_integral_value()):
        raise InvalidInput(f"{what} counts something: a whole number from 0, not {value}")
    if indicator.measure is Measure.MILESTONE and exact not in (0, 1):
        raise InvalidInput(f"{what} is a milestone: 1 when reached, 0 when not, not {value}")
    return exact


def check_indicator_spec(spec: IndicatorSpec) -> dict[str, Any]:
    """The indicator's fields as stored, each checked, and checked against each other."""
    if spec.measure is Measure.MILESTONE:
        if spec.direction is not Direction.UP:
            raise InvalidInput("a milestone goes up, from 0 (not reached) to 1 (reached)")
        spec = replace(spec, baseline_value=Decimal(0), target_value=Decimal(1))
    unit_label = " ".join(spec.unit_label.split())
    if len(unit_label) > 40:
        raise InvalidInput("the indicator's unit is longer than 40 characters")
    if spec.measure is Measure.AMOUNT and not unit_label:
        raise InvalidInput(
            'an amount needs its currency or unit of measurement (unit_label: "EUR")'
        )
    baseline = check_value(spec, spec.baseline_value, "the baseline")
    target = band_low = band_high = None
    if spec.direction is Direction.WITHIN:
        if spec.target_value is not None:
            raise InvalidInput(
                "an indicator that stays within a band takes band_low and band_high, "
                "not a target_value"
            )
        if spec.band_low is None or spec.band_high is None:
            raise InvalidInput("an indicator that stays within a band needs band_low and band_high")
        band_low = check_value(spec, spec.band_low, "the band's low end")
        band_high = check_value(spec, spec.band_high, "the band's high end")
        if band_low > band_high:
            raise InvalidInput(
                f"the band's low end ({band_low}) is above its high end ({band_high}); swap them"
            )
    else:
        if spec.band_low is not None or spec.band_high is not None:
            raise InvalidInput(
                f"an indicator going {spec.direction.value} takes a target_value, not a band"
            )
        if spec.target_value is None:
            raise InvalidInput(f"an indicator going {spec.direction.value} needs a target_value")
        target = check_value(spec, spec.target_value, "the target")
        rises = spec.direction is Direction.UP
        if (target <= baseline) if rises else (target >= baseline):
            raise InvalidInput(
                f"an indicator that should {'rise' if rises else 'fall'} needs a target "
                f"{'above' if rises else 'below'} its baseline ({baseline}), not {target}"
            )
    if spec.baseline_on and spec.target_on and spec.target_on < spec.baseline_on:
        raise InvalidInput(
            f"the target's date ({spec.target_on}) is before the baseline's ({spec.baseline_on})"
        )
    share_needed = check_positive(spec.share_needed, "the share needed on target")
    if share_needed > 1:
        raise InvalidInput(
            f"the share needed on target is at most 1 (all units), not {share_needed}"
        )
    return {
        "name": check_name(spec.name, "the indicator's name", 300),
        "measure": spec.measure,
        "unit_label": unit_label,
        "direction": spec.direction,
        "band_low": band_low,
        "band_high": band_high,
        "baseline_value": baseline,
        "baseline_on": spec.baseline_on,
        "target_value": target,
        "target_on": spec.target_on,
        "rollup": spec.rollup or DEFAULT_ROLLUP[spec.measure],
        "share_needed": share_needed,
        "weight": check_positive(spec.weight, "the indicator's weight"),
    }


def do_create_indicator(
    session: Session, caller: Caller, goal: Goal, spec: IndicatorSpec
) -> Indicator:
    """An indicator measuring a goal."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    checked = check_indicator_spec(spec)
    number = next_number(session, Indicator.number, Indicator.goal_id == goal.id)
    indicator = Indicator(goal_id=goal.id, number=number, **checked)
    session.add(indicator)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_INDICATOR,
        {"indicator_id": indicator.id, "goal_id": goal.id, "number": number, **checked},
    )
    return indicator


def _figures_recorded(session: Session, indicator: Indicator) -> str:
    return _what_depends(
        [
            (
                _count(session, IndicatorTarget.id, IndicatorTarget.indicator_id == indicator.id),
                "target",
            ),
            (
                _count(session, ReportValue.report_id, ReportValue.indicator_id == indicator.id),
                "reported value",
            ),
        ]
    )


def do_update_indicator(
    session: Session, caller: Caller, indicator: Indicator, spec: IndicatorSpec
) -> Indicator:
    """Change an indicator. What it measures and which way it goes stay once targets or
    values are recorded for it: they were given in those terms."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    checked = check_indicator_spec(spec)
    changed = {name: value for name, value in checked.items() if getattr(indicator, name) != value}
    if {"measure", "direction"} & changed.keys():
        recorded = _figures_recorded(session, indicator)
        if recorded:
            raise Conflict(
                f"indicator {indicator.id} has {recorded} in its measure and direction; "
                "set up a new indicator to measure otherwise"
            )
    journal_change(
        session,
        caller,
        indicator,
        changed,
        JournalAction.UPDATE_INDICATOR,
        indicator_id=indicator.id,
    )
    return indicator


def do_delete_indicator(session: Session, caller: Caller, indicator: Indicator) -> None:
    """Delete an indicator set up by mistake: only one with no targets or values yet."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    recorded = _figures_recorded(session, indicator)
    if recorded:
        raise Conflict(
            f"indicator {indicator.id} has {recorded}: delete the targets first; "
            "an indicator units have reported on stays, for the record"
        )
    session.execute(delete(IndicatorWeight).where(IndicatorWeight.indicator_id == indicator.id))
    session.delete(indicator)
    session.flush()
    record(session, caller.actor, JournalAction.DELETE_INDICATOR, {"indicator_id": indicator.id})


def do_set_weights(
    session: Session, caller: Caller, indicator: Indicator, weights: dict[int, Decimal]
) -> list[IndicatorWeight]:
    """The units' weights in the indicator's weighted mean, all of them at once (a unit left
    out has none)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    known = set(
        session.scalars(
            select(Unit.id).where(
                Unit.organization_id == organization.id, Unit.id.in_(sorted(weights))
            )
        )
    )
    missing = sorted(set(weights) - known)
    if missing:
        raise NotFound(f"there is no unit {missing[0]}")
    checked = {
        unit_id: check_positive(weight, f"unit {unit_id}'s weight")
        for unit_id, weight in weights.items()
    }
    session.execute(delete(IndicatorWeight).where(IndicatorWeight.indicator_id == indicator.id))
    rows = [
        IndicatorWeight(indicator_id=indicator.id, unit_id=unit_id, weight=weight)
        for unit_id, weight in sorted(checked.items())
    ]
    session.add_all(rows)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SET_INDICATOR_WEIGHTS,
        {"indicator_id": indicator.id, "weights": [[u, w] for u, w in sorted(checked.items())]},
    )
    return rows
