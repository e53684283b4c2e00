"""Assignments from a follow-up file: a goal given to a unit in a role, with the person
answerable for it, a line at a time through the assignment actions (each journaled)."""

from __future__ import annotations

from sqlalchemy import select

from veche.actions.follow_up_csv.lines import CellProblem, Line, choice_of, path_text
from veche.actions.follow_up_csv.rows import Importer, RoleGiven
from veche.actions.goal_assignments import do_assign_goal, do_update_assignment
from veche.models import GoalAssignment
from veche.models.follow_up import AssignmentRole


def take_assignment(run: Importer, line: Line) -> None:
    """Assign the goal to the unit as the line says, or change the assignment's role or the
    person answerable (an empty ``responsible`` keeps the one there)."""
    _resolution, path, goal = run.goal(line)
    unit_id = run.unit(line.required("unit"), "unit")
    role: AssignmentRole = line.parsed("role", choice_of(AssignmentRole), required=True)
    named = line.get("responsible")
    responsible = run.person(named, "responsible") if named else None
    earlier = run.roles_given.get((goal.id, unit_id))
    if earlier is not None and earlier.line.source == line.source:
        raise CellProblem(
            None, f"the same assignment (goal and unit) is on line {earlier.line.number} already"
        )
    if earlier is not None and earlier.role is not role:
        # goals.csv's lead or contributing cell, in the same import: one of them is wrong.
        raise CellProblem(
            "role",
            f"{earlier.line.place} gives goal {path_text(path)} to "
            f"{run.names.unit_names[unit_id]} as {earlier.role.value}, this line as "
            f"{role.value}: a unit holds a goal in one role",
        )
    run.roles_given[goal.id, unit_id] = RoleGiven(role, line)
    stored = run.session.scalar(
        select(GoalAssignment).where(
            GoalAssignment.goal_id == goal.id, GoalAssignment.unit_id == unit_id
        )
    )
    if stored is None:
        do_assign_goal(
            run.session, run.caller, goal, unit_id, role=role, responsible_person_id=responsible
        )
    else:
        kept = responsible if responsible is not None else stored.responsible_person_id
        if (stored.role, stored.responsible_person_id) == (role, kept):
            run.summary.unchanged += 1
            return
        do_update_assignment(run.session, run.caller, stored, role=role, responsible_person_id=kept)
    run.summary.assignments_set += 1
