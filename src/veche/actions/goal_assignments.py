"""Goals given to units: each assignment names the unit that reports on a goal, as the lead or
contributing, and the person answerable for it. Each change asks for ``follow_up.manage`` in
the organization before it reads the rows it names, and is journaled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._follow_up import optional_row_of, row_of, working_organization
from veche.actions.access import Caller
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict, InvalidInput
from veche.models import Goal, GoalAssignment, Organization, Person, Unit
from veche.models.follow_up import AssignmentRole
from veche.permissions import Permission


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


#: The most units one request gives a goal to (a large federation's branches, and more).
MOST_UNITS_AT_ONCE = 1000


def do_assign_goal_to_units(
    session: Session,
    caller: Caller,
    goal: Goal,
    unit_ids: Sequence[int],
    *,
    role: AssignmentRole = AssignmentRole.LEAD,
    responsible_person_id: int | None = None,
) -> list[GoalAssignment]:
    """Give a goal to several units at once, each as ``role`` and with the same person
    answerable, one journal entry each: all of them, or — one refused, the refusal naming
    its unit — none, as the caller's transaction is rolled back."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    if not unit_ids:
        raise InvalidInput("choose at least one unit to give the goal to")
    if len(unit_ids) > MOST_UNITS_AT_ONCE:
        raise InvalidInput(
            f"at most {MOST_UNITS_AT_ONCE} units at once, not {len(unit_ids)}: give the goal "
            "to the others in another request"
        )
    twice = sorted(unit_id for unit_id, times in Counter(unit_ids).items() if times > 1)
    if twice:
        raise InvalidInput(f"unit {twice[0]} is named twice: name each unit once")
    return [
        do_assign_goal(
            session,
            caller,
            goal,
            unit_id,
            role=role,
            responsible_person_id=responsible_person_id,
        )
        for unit_id in unit_ids
    ]


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
