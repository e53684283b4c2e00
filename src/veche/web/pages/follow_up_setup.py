"""The secretary's set-up of the follow-up of resolutions: reporting cycles and their periods,
and for each adopted resolution its goals, their indicators with targets per unit and period,
and the units each goal is given to.

Each form is the API's input (``veche.web.inputs_follow_up``) as a page posts it, made through
the same method, whose action checks the permission and the rules; a change refused comes back
on its page with what was typed and why, and changes nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import holds
from veche.actions.goals import readable_goal, readable_indicator, reading_organization
from veche.errors import NotFound
from veche.i18n import _
from veche.models import Organization
from veche.models.follow_up import (
    AssignmentRole,
    Direction,
    GoalKind,
    GoalStatus,
    Measure,
    RollupRule,
)
from veche.permissions import Permission
from veche.queries.follow_up import GoalFilter, goal_tree, target_view, targets_by_indicator
from veche.queries.records import body_tree, unit_tree
from veche.queries.reporting import cycle_views
from veche.queries.resolutions import search_resolutions
from veche.web.form_fields import as_posted
from veche.web.inputs_follow_up import (
    AssignmentIn,
    CycleIn,
    GoalIn,
    GoalStatusIn,
    IndicatorIn,
    PeriodIn,
    TargetIn,
)
from veche.web.pages._forms import Refused, change_or_refuse, refused_context, tree_choices
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm

router = APIRouter()

#: The resolutions the set-up page lists, newest meeting first.
RESOLUTIONS_LISTED = 200


def _manages(page: Page, organization: Organization) -> bool:
    """Whether the caller may change the follow-up: the forms are shown to those who may."""
    return holds(page.session, page.caller, Permission.FOLLOW_UP_MANAGE, organization.id)


def _choices(values: type[Any]) -> list[tuple[str, str]]:
    """An enumeration's members as a form's choices, each in words."""
    return [(member.value, _(member.value)) for member in values]


# --- Cycles and periods --------------------------------------------------------------------


def _setup_page(page: Page, refused: Refused | None = None, status: int = 200) -> HTMLResponse:
    organization = reading_organization(page.session, page.caller)
    terms = [
        (str(term.id), term.label)
        for body in body_tree(page.session, organization)
        for term in body.terms
    ]
    total, resolutions = search_resolutions(page.session, organization.id, limit=RESOLUTIONS_LISTED)
    return page.render(
        "secretary/follow_up_setup.html",
        status=status,
        cycles=cycle_views(page.session, organization.id),
        terms=terms,
        resolutions=resolutions,
        resolutions_total=total,
        manages=_manages(page, organization),
        **refused_context(refused),
    )


@router.get("/secretary/follow-up/setup", response_class=HTMLResponse)
def follow_up_setup(page: PageDep) -> HTMLResponse:
    """The reporting cycles with their periods, the forms to add them, and the adopted
    resolutions, each leading to its goals."""
    return _setup_page(page)


@router.post("/secretary/follow-up/cycles")
def create_follow_up_cycle(
    page: PageDep, form: Annotated[CycleIn, Form()], sent: PostedForm
) -> Response:
    """Add a reporting cycle to a body's term; refused, the form comes again as typed."""

    def add() -> tuple[str, str]:
        cycle = form.create(page.session, page.caller)
        message = _("Reporting cycle added: %(name)s. Now add its periods.") % {"name": cycle.name}
        return f"/secretary/follow-up/setup#cycle-{cycle.id}", message

    fields = tuple(CycleIn.model_fields)
    return change_or_refuse(page, sent, "cycle", fields, add, partial(_setup_page, page))


@router.post("/secretary/follow-up/cycles/{cycle_id}/periods")
def add_follow_up_period(
    page: PageDep, cycle_id: int, form: Annotated[PeriodIn, Form()], sent: PostedForm
) -> Response:
    """Add a period to a cycle: its first and last days and the day its reports are due;
    refused, the cycle's form comes again as typed."""

    def add() -> tuple[str, str]:
        name = form.add(page.session, page.caller, cycle_id).name
        return f"/secretary/follow-up/setup#cycle-{cycle_id}", _("Period added: %(name)s") % {
            "name": name
        }

    fields = tuple(PeriodIn.model_fields)
    again = partial(_setup_page, page)
    return change_or_refuse(page, sent, f"period-{cycle_id}", fields, add, again)


# --- A resolution's goals, indicators, targets and assignments ------------------------------


def _resolution_page(
    page: Page, resolution_id: int, refused: Refused | None = None, status: int = 200
) -> HTMLResponse:
    organization = reading_organization(page.session, page.caller)
    _total, found = search_resolutions(page.session, organization.id, resolution_id=resolution_id)
    if not found:
        raise NotFound(f"there is no resolution {resolution_id}")
    goals = goal_tree(page.session, organization.id, GoalFilter(resolution_id=resolution_id))
    periods = [
        (str(period.id), f"{cycle.name}: {period.name} ({_(period.state.value)})")
        for cycle in cycle_views(page.session, organization.id)
        for period in cycle.periods
    ]
    return page.render(
        "secretary/follow_up_setup_resolution.html",
        status=status,
        resolution=found[0],
        goals=goals,
        targets=targets_by_indicator(
            page.session, [indicator.id for goal in goals for indicator in goal.indicators]
        ),
        manages=_manages(page, organization),
        parents=[("", _("(none: a goal of the resolution itself)"))]
        + [(str(goal.id), f"{goal.path} {goal.title}") for goal in goals],
        owners=tree_choices(
            body_tree(page.session, organization),
            _("(the adopting body, or for a sub-goal its parent's)"),
        ),
        units=tree_choices(unit_tree(page.session, organization), _("(choose a unit)")),
        periods=[("", _("(choose a period)")), *periods],
        kinds=_choices(GoalKind),
        measures=_choices(Measure),
        directions=_choices(Direction),
        rollups=[("", _("(the measure's own)")), *_choices(RollupRule)],
        roles=_choices(AssignmentRole),
        verdicts=[("", _("(none: the units' reports decide)")), *_choices(GoalStatus)],
        **refused_context(refused),
    )


def _goal_resolution(page: Page, goal_id: int) -> int:
    """The resolution a goal comes from, whose page shows the goal's forms."""
    with page.session.begin():
        return readable_goal(page.session, page.caller, goal_id).resolution_id


def _resolution_url(resolution_id: int, anchor: str) -> str:
    return f"/secretary/follow-up/resolutions/{resolution_id}#{anchor}"


@router.get("/secretary/follow-up/resolutions/{resolution_id}", response_class=HTMLResponse)
def resolution_follow_up(page: PageDep, resolution_id: int) -> HTMLResponse:
    """An adopted resolution's goals as a tree, each with its indicators, their targets and
    the units it is given to; the forms to add each."""
    return _resolution_page(page, resolution_id)


@router.post("/secretary/follow-up/resolutions/{resolution_id}/goals")
def add_follow_up_goal(
    page: PageDep, resolution_id: int, form: Annotated[GoalIn, Form()], sent: PostedForm
) -> Response:
    """Add a goal of the resolution, from one of its clauses or not, or a sub-goal of one of
    its goals; refused, the form comes again as typed."""
    # The resolution is the page's: a sub-goal of another resolution's goal is refused.
    goal_in = form.model_copy(update={"resolution_id": resolution_id})

    def add() -> tuple[str, str]:
        goal = goal_in.create(page.session, page.caller)
        back = _resolution_url(resolution_id, f"goal-{goal.id}")
        return back, _("Goal added: %(title)s") % {"title": goal.title}

    fields = tuple(GoalIn.model_fields)
    again = partial(_resolution_page, page, resolution_id)
    return change_or_refuse(page, sent, "goal", fields, add, again)


@router.post("/secretary/follow-up/goals/{goal_id}/indicators")
def add_follow_up_indicator(
    page: PageDep, goal_id: int, form: Annotated[IndicatorIn, Form()], sent: PostedForm
) -> Response:
    """Add an indicator measuring a goal; refused, the goal's form comes again as typed."""
    resolution_id = _goal_resolution(page, goal_id)

    def add() -> tuple[str, str]:
        name = form.create(page.session, page.caller, goal_id).name
        back = _resolution_url(resolution_id, f"goal-{goal_id}")
        return back, _("Indicator added: %(name)s") % {"name": name}

    fields = tuple(IndicatorIn.model_fields)
    again = partial(_resolution_page, page, resolution_id)
    return change_or_refuse(page, sent, f"indicator-{goal_id}", fields, add, again)


@router.post("/secretary/follow-up/goals/{goal_id}/assignments")
def assign_follow_up_goal(
    page: PageDep, goal_id: int, form: Annotated[AssignmentIn, Form()], sent: PostedForm
) -> Response:
    """Give a goal to a unit, as the lead or contributing; refused, the goal's form comes
    again as typed."""
    resolution_id = _goal_resolution(page, goal_id)

    def assign() -> tuple[str, str]:
        assignment = form.assign(page.session, page.caller, goal_id)
        words = {"unit": assignment.unit.name, "role": _(assignment.role.value)}
        back = _resolution_url(resolution_id, f"goal-{goal_id}")
        return back, _("Goal given to %(unit)s (%(role)s).") % words

    fields = tuple(AssignmentIn.model_fields)
    again = partial(_resolution_page, page, resolution_id)
    return change_or_refuse(page, sent, f"assignment-{goal_id}", fields, assign, again)


@router.post("/secretary/follow-up/indicators/{indicator_id}/targets")
def set_follow_up_target(
    page: PageDep, indicator_id: int, form: Annotated[TargetIn, Form()], sent: PostedForm
) -> Response:
    """Set where an indicator should stand in a unit at the end of a period; the warnings
    (targets below not yet shared out) come with the message. Refused, the indicator's form
    comes again as typed."""
    with page.session.begin():
        indicator = readable_indicator(page.session, page.caller, indicator_id)
        goal_id, resolution_id = indicator.goal_id, indicator.goal.resolution_id

    def set_target() -> tuple[str, str]:
        done = form.set(page.session, page.caller, indicator_id)
        shown = target_view(page.session, done.target)
        words = {"unit": shown.unit, "value": shown.value}
        message = " ".join([_("Target set: %(value)s for %(unit)s.") % words, *done.warnings])
        return _resolution_url(resolution_id, f"goal-{goal_id}"), message

    fields = tuple(TargetIn.model_fields)
    again = partial(_resolution_page, page, resolution_id)
    return change_or_refuse(page, sent, f"target-{indicator_id}", fields, set_target, again)


def _verdict_read(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A verdict chosen as "(none)" is sent blank, which FastAPI leaves out: none, to take
    the body's verdict back, as ``null`` does in the API."""
    return {"status": None} | data


class VerdictForm(GoalStatusIn):
    """``GoalStatusIn`` as the resolution's page posts it (see ``_verdict_read``)."""

    _blank = as_posted(_verdict_read)


@router.post("/secretary/follow-up/goals/{goal_id}/status")
def set_follow_up_verdict(
    page: PageDep, goal_id: int, form: Annotated[VerdictForm, Form()], sent: PostedForm
) -> Response:
    """The body's verdict on a goal, with its reason ("done", "fulfilled in the main"), or
    taken back; refused, the goal's form comes again as typed."""
    resolution_id = _goal_resolution(page, goal_id)

    def save() -> tuple[str, str]:
        goal = form.apply(page.session, page.caller, goal_id)
        said = _(goal.status.value) if goal.status else _("none")
        back = _resolution_url(resolution_id, f"goal-{goal_id}")
        return back, _("The body's verdict on %(title)s: %(verdict)s") % {
            "title": goal.title,
            "verdict": said,
        }

    fields = tuple(GoalStatusIn.model_fields)
    again = partial(_resolution_page, page, resolution_id)
    return change_or_refuse(page, sent, f"verdict-{goal_id}", fields, save, again)
