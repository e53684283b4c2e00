"""The follow-up benchmarks' bulk inserts: many units below others, a goal assigned to them all
(the actions would take minutes for so many; they are not what is timed)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from veche.models import GoalAssignment, Unit
from veche.models.follow_up import AssignmentRole


def add_units(
    session: Session,
    organization_id: int,
    kind: str,
    name: str,
    parents: Sequence[int],
    count: int,
) -> list[int]:
    """``count`` units of ``kind``, below ``parents`` in turn, each named by formatting
    ``name`` with its number (from 0): their ids, in that order."""
    rows = [
        {
            "organization_id": organization_id,
            "parent_id": parents[number % len(parents)],
            "name": name.format(number),
            "kind": kind,
        }
        for number in range(count)
    ]
    return list(
        session.scalars(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), rows)
    )


def assign_to_all(session: Session, goal_id: int, units: Sequence[int]) -> None:
    """The goal assigned to every one of ``units``, each contributing to it."""
    session.execute(
        insert(GoalAssignment),
        [
            {"goal_id": goal_id, "unit_id": unit, "role": AssignmentRole.CONTRIBUTING}
            for unit in units
        ],
    )
