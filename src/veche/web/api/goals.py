"""Goals from resolutions through the API: the goal trees, the units they are assigned to,
and the indicators that measure them with their weights and targets.

Reading asks for ``follow_up.read`` in the organization, every change for
``follow_up.manage`` (the actions ask)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from veche.actions.goal_assignments import check_assignment, do_remove_assignment
from veche.actions.goals import (
    check_goal,
    do_delete_goal,
    readable_goal,
    readable_indicator,
    reading_organization,
)
from veche.actions.indicators import check_indicator, do_delete_indicator
from veche.actions.targets import check_target_row, do_remove_target
from veche.queries.follow_up import (
    AssignmentView,
    GoalFilter,
    GoalNode,
    IndicatorDetail,
    IndicatorView,
    TargetView,
    WeightView,
    assignment_view,
    goal_node,
    goal_tree,
    indicator_detail,
    indicator_view,
    target_view,
    weight_views,
)
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_follow_up import (
    AssignmentIn,
    AssignmentsIn,
    AssignmentUpdate,
    GoalIn,
    GoalStatusIn,
    GoalUpdate,
    IndicatorIn,
    IndicatorUpdate,
    TargetIn,
    WeightsIn,
)

router = APIRouter(tags=["follow-up"], responses=REFUSALS)


class TargetSetOut(BaseModel):
    target: TargetView
    warnings: list[str]


@router.get("/goals")
def list_goals(
    caller: CallerDep,
    session: SessionDep,
    resolution_id: Id | None = None,
    unit_id: Annotated[Id | None, Query(description="only the goals assigned to the unit")] = None,
    owner_body_id: Id | None = None,
    under: Annotated[
        Id | None, Query(description="only this goal and the goals below it, at any depth")
    ] = None,
) -> list[GoalNode]:
    """Goals as trees, depth first by resolution and number, each with its `path` ("2.1"),
    indicators and assignments."""
    organization = reading_organization(session, caller)
    wanted = GoalFilter(resolution_id, unit_id, owner_body_id, under)
    return goal_tree(session, organization.id, wanted)


@router.post("/goals", status_code=201)
def create_goal(body: GoalIn, caller: CallerDep, session: Transaction) -> GoalNode:
    """A goal of an adopted resolution (from one of its clauses, if named), or a sub-goal."""
    return goal_node(session, body.create(session, caller))


@router.get("/goals/{goal_id}")
def get_goal(goal_id: Id, caller: CallerDep, session: SessionDep) -> GoalNode:
    """One goal with its place in the tree, indicators and assignments."""
    return goal_node(session, readable_goal(session, caller, goal_id))


@router.patch("/goals/{goal_id}")
def update_goal(goal_id: Id, body: GoalUpdate, caller: CallerDep, session: Transaction) -> GoalNode:
    """Change a goal's title, description, owner, due date, kind or weight."""
    return goal_node(session, body.apply(session, caller, goal_id))


@router.delete("/goals/{goal_id}", status_code=204)
def delete_goal(goal_id: Id, caller: CallerDep, session: Transaction) -> Response:
    """Delete a goal with nothing under or on it yet."""
    do_delete_goal(session, caller, check_goal(session, caller, goal_id))
    return Response(status_code=204)


@router.post("/goals/{goal_id}/status")
def set_goal_status(
    goal_id: Id, body: GoalStatusIn, caller: CallerDep, session: Transaction
) -> GoalNode:
    """The body's verdict on a goal, with its reason (null takes it back)."""
    return goal_node(session, body.apply(session, caller, goal_id))


@router.post("/goals/{goal_id}/assignments", status_code=201)
def assign_goal(
    goal_id: Id, body: AssignmentIn, caller: CallerDep, session: Transaction
) -> AssignmentView:
    """Assign the goal to a unit, as the lead or contributing."""
    return assignment_view(session, body.assign(session, caller, goal_id))


@router.post("/goals/{goal_id}/assignments/batch", status_code=201)
def assign_goal_to_units(
    goal_id: Id, body: AssignmentsIn, caller: CallerDep, session: Transaction
) -> list[AssignmentView]:
    """Assign the goal to several units at once, all of them or none (a refusal names the
    unit), in the order given."""
    made = body.assign(session, caller, goal_id)
    views = {view.id: view for view in goal_node(session, made[0].goal).assignments}
    return [views[assignment.id] for assignment in made]


@router.patch("/assignments/{assignment_id}")
def update_assignment(
    assignment_id: Id, body: AssignmentUpdate, caller: CallerDep, session: Transaction
) -> AssignmentView:
    return assignment_view(session, body.apply(session, caller, assignment_id))


@router.delete("/assignments/{assignment_id}", status_code=204)
def remove_assignment(assignment_id: Id, caller: CallerDep, session: Transaction) -> Response:
    """Take the goal back from the unit; what it reported stays."""
    do_remove_assignment(session, caller, check_assignment(session, caller, assignment_id))
    return Response(status_code=204)


@router.post("/goals/{goal_id}/indicators", status_code=201)
def create_indicator(
    goal_id: Id, body: IndicatorIn, caller: CallerDep, session: Transaction
) -> IndicatorView:
    """An indicator measuring the goal."""
    return indicator_view(body.create(session, caller, goal_id))


@router.get("/indicators/{indicator_id}")
def get_indicator(
    indicator_id: Id,
    caller: CallerDep,
    session: SessionDep,
    period_id: Annotated[Id | None, Query(description="only this period's targets")] = None,
) -> IndicatorDetail:
    """An indicator with its targets per unit and period, and the units' weights."""
    indicator = readable_indicator(session, caller, indicator_id)
    return indicator_detail(session, indicator, period_id=period_id)


@router.patch("/indicators/{indicator_id}")
def update_indicator(
    indicator_id: Id, body: IndicatorUpdate, caller: CallerDep, session: Transaction
) -> IndicatorView:
    return indicator_view(body.apply(session, caller, indicator_id))


@router.delete("/indicators/{indicator_id}", status_code=204)
def delete_indicator(indicator_id: Id, caller: CallerDep, session: Transaction) -> Response:
    """Delete an indicator with no targets or values yet."""
    do_delete_indicator(session, caller, check_indicator(session, caller, indicator_id))
    return Response(status_code=204)


@router.put("/indicators/{indicator_id}/weights")
def set_weights(
    indicator_id: Id, body: WeightsIn, caller: CallerDep, session: Transaction
) -> list[WeightView]:
    """Every unit's weight in the indicator's weighted mean, at once."""
    return weight_views(body.apply(session, caller, indicator_id))


@router.put("/indicators/{indicator_id}/targets")
def set_target(
    indicator_id: Id, body: TargetIn, caller: CallerDep, session: Transaction
) -> TargetSetOut:
    """Set a unit's target for a period; under `sum`, refused where the units under a unit
    would add up to more than its target, and warned of where they add up to less."""
    done = body.set(session, caller, indicator_id)
    return TargetSetOut(target=target_view(session, done.target), warnings=done.warnings)


@router.delete("/targets/{target_id}", status_code=204)
def remove_target(target_id: Id, caller: CallerDep, session: Transaction) -> Response:
    do_remove_target(session, caller, check_target_row(session, caller, target_id))
    return Response(status_code=204)
