"""Goals from resolutions; the units they are given to are in ``goal_assignments``, and the
indicators that measure them in ``indicators``.

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

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._clauses import find_clause
from veche.actions._follow_up import (
    check_positive,
    check_text,
    count_of,
    journal_change,
    optional_row_of,
    row_of,
    what_depends,
    working_organization,
)
from veche.actions._numbering import next_number
from veche.actions._text import Target, check_target
from veche.actions.access import Caller
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name
from veche.errors import Conflict, InvalidInput
from veche.models import (
    Body,
    Goal,
    GoalAssignment,
    Indicator,
    Organization,
    ReportGoalStatus,
    Resolution,
)
from veche.models.follow_up import GoalKind, GoalStatus
from veche.permissions import Permission
from veche.queries.org import in_meeting_body


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
    clause: Target | str | None = None,
) -> Goal:
    """A goal of a resolution (optionally from one clause of it: its paragraph or lines, or
    its number as the text writes it, "2.1"), or a sub-goal of a goal."""
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
    if isinstance(clause, str):
        numbered = find_clause(resolution.text, clause, for_what="the goal comes from")
        clause = Target(first_line=numbered.first_line, last_line=numbered.last_line)
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


def do_delete_goal(session: Session, caller: Caller, goal: Goal) -> None:
    """Delete a goal set up by mistake: only one with nothing under or on it yet."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    depending = what_depends(
        [
            (count_of(session, Goal.id, Goal.parent_id == goal.id), "sub-goal"),
            (count_of(session, Indicator.id, Indicator.goal_id == goal.id), "indicator"),
            (count_of(session, GoalAssignment.id, GoalAssignment.goal_id == goal.id), "assignment"),
            (
                count_of(session, ReportGoalStatus.goal_id, ReportGoalStatus.goal_id == goal.id),
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
