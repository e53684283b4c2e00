"""The secretary's set-up of an adopted resolution's follow-up, on the resolution's page: its
goals as a tree, each goal's indicators with their targets per unit and period, the units each
goal is given to, and the body's verdict on it — each added, changed or taken back here.

Each form is the API's input (``veche.web.inputs_follow_up``) as a page posts it, made through
the same method (a deletion, through the same action as the API's ``DELETE``), whose action
checks the permission and the rules; a change refused comes back on the page with what was
typed and why, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from veche.actions._clauses import Clause, clauses
from veche.actions.access import holds
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
from veche.errors import NotFound
from veche.i18n import _
from veche.models import Organization
from veche.models.follow_up import (
    AssignmentRole,
    Direction,
    GoalKind,
    GoalStatus,
    Measure,
    PeriodState,
    RollupRule,
)
from veche.permissions import Permission
from veche.queries.follow_up import (
    GoalFilter,
    goal_tree,
    target_view,
    targets_by_indicator,
    weights_by_indicator,
)
from veche.queries.records import body_tree, find_people, unit_tree
from veche.queries.reporting import cycle_views
from veche.queries.resolutions import search_resolutions
from veche.reports.charts import figure_text
from veche.web.form_fields import as_posted
from veche.web.inputs_follow_up import (
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
from veche.web.pages import _follow_up_filters  # noqa: F401 — the templates' filters
from veche.web.pages._forms import (
    Refused,
    blank_means,
    change_or_refuse,
    enum_choices,
    in_words,
    refused_context,
    tree_choices,
)
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm

router = APIRouter()


class GoalForm(GoalUpdate):
    """``GoalUpdate`` as the goal's form posts it: a due day left blank is none, a description
    left blank is empty."""

    _blank = blank_means(due_on=None, description="")


class IndicatorForm(IndicatorUpdate):
    """``IndicatorUpdate`` as the indicator's form posts it: a day, a target or a band's end
    left blank is none, a unit label left blank is empty."""

    _blank = blank_means(
        unit_label="",
        baseline_on=None,
        target_value=None,
        target_on=None,
        band_low=None,
        band_high=None,
    )


#: A unit's weight on the indicator's form: ``weight_<unit id>``.
WEIGHT_FIELD = "weight_"


def _weights_read(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The weights a page posts, one field a unit (``weight_<unit id>``), as ``WeightsIn``
    takes them: a unit whose field is left blank has none."""
    weights = [
        {"unit_id": name.removeprefix(WEIGHT_FIELD), "weight": value}
        for name, value in data.items()
        if name.startswith(WEIGHT_FIELD) and str(value).strip()
    ]
    return {"weights": weights}


class WeightsForm(WeightsIn):
    """``WeightsIn`` as the indicator's form posts it (see ``_weights_read``)."""

    _posted = as_posted(_weights_read)


class VerdictForm(GoalStatusIn):
    """``GoalStatusIn`` as the goal's form posts it: a verdict chosen as "(none)" is sent
    blank, to take the body's verdict back, as ``null`` does in the API."""

    _blank = blank_means(status=None)


def _resolution_page(
    page: Page, resolution_id: int, refused: Refused | None = None, status: int = 200
) -> HTMLResponse:
    organization = reading_organization(page.session, page.caller)
    _total, found = search_resolutions(page.session, organization.id, resolution_id=resolution_id)
    if not found:
        raise NotFound(f"there is no resolution {resolution_id}")
    goals = goal_tree(page.session, organization.id, GoalFilter(resolution_id=resolution_id))
    every_period = [
        (cycle, period)
        for cycle in cycle_views(page.session, organization.id)
        for period in cycle.periods
    ]
    # A frozen period's targets stay as they were: none is set or taken back.
    frozen = {period.id for _cycle, period in every_period if period.state is PeriodState.FROZEN}
    periods = [
        (str(period.id), f"{cycle.name}: {period.name} ({in_words(period.state)})")
        for cycle, period in every_period
        if period.id not in frozen
    ]
    bodies = body_tree(page.session, organization)
    numbered = [
        (clause.label, _("Clause %(number)s") % {"number": clause.label} + " · " + _lines(clause))
        for clause in clauses(found[0].text)
    ]
    indicator_ids = [indicator.id for goal in goals for indicator in goal.indicators]
    unit_rows = unit_tree(page.session, organization)
    manages = holds(page.session, page.caller, Permission.FOLLOW_UP_MANAGE, organization.id)
    return page.render(
        "secretary/follow_up_setup_resolution.html",
        status=status,
        resolution=found[0],
        goals=goals,
        targets=targets_by_indicator(page.session, indicator_ids),
        weights=weights_by_indicator(page.session, indicator_ids),
        manages=manages,
        clauses=[("", _("(none, or a paragraph or lines below)")), *numbered],
        parents=[("", _("(none: a goal of the resolution itself)"))]
        + [(str(goal.id), f"{goal.path} {goal.title}") for goal in goals],
        owners=tree_choices(bodies, _("(the adopting body, or for a sub-goal its parent's)")),
        bodies=tree_choices(bodies, _("(choose a body)"))[1:],
        units=tree_choices(unit_rows, _("(choose a unit)")),
        periods=[("", _("(choose a period)")), *periods],
        frozen=frozen,
        kinds=enum_choices(GoalKind),
        measures=enum_choices(Measure),
        directions=enum_choices(Direction),
        rollups=[("", _("(the measure's own)")), *enum_choices(RollupRule)],
        roles=enum_choices(AssignmentRole),
        unit_rows=unit_rows,
        people=_answerable(page, organization) if manages else [],
        verdicts=[("", _("(none: the units' reports decide)")), *enum_choices(GoalStatus)],
        **refused_context(refused),
    )


#: The most people the form offers as the person answerable for a goal (by name); beyond, the
#: API's ``responsible_person_id`` names anyone.
PEOPLE_OFFERED = 2000


def _answerable(page: Page, organization: Organization) -> list[tuple[str, str]]:
    """The people a goal's person answerable is chosen from, by name; first "nobody"."""
    _total, found = find_people(page.session, organization, limit=PEOPLE_OFFERED, offset=0)
    return [("", _("(nobody named)"))] + [(str(person.id), person.full_name) for person in found]


def _lines(clause: Clause) -> str:
    if clause.last_line > clause.first_line:
        return _("lines %(first)s–%(last)s") % {
            "first": clause.first_line,
            "last": clause.last_line,
        }
    return _("line %(number)s") % {"number": clause.first_line}


def _on_the_page(
    page: Page,
    resolution_id: int,
    sent: PostedForm,
    form: str,
    model: type[BaseModel] | None,
    change: Callable[[], tuple[str, str]],
) -> Response:
    """Make ``change`` from the resolution's page; refused, the page comes again with the
    ``form`` opened as typed (the fields of ``model``; none for a deletion) and why."""
    fields = tuple(model.model_fields) if model is not None else ()
    again = partial(_resolution_page, page, resolution_id)
    return change_or_refuse(page, sent, form, fields, change, again)


def _goal_resolution(page: Page, goal_id: int) -> int:
    """The resolution a goal comes from, whose page shows the goal's forms."""
    with page.session.begin():
        return readable_goal(page.session, page.caller, goal_id).resolution_id


def _indicator_place(page: Page, indicator_id: int) -> tuple[int, int]:
    """The goal an indicator measures and the resolution it comes from."""
    with page.session.begin():
        indicator = readable_indicator(page.session, page.caller, indicator_id)
        return indicator.goal_id, indicator.goal.resolution_id


def _assignment_place(page: Page, assignment_id: int) -> tuple[int, int]:
    """The goal a unit is given and the resolution it comes from."""
    with page.session.begin():
        goal = check_assignment(page.session, page.caller, assignment_id).goal
        return goal.id, goal.resolution_id


def _at(resolution_id: int, anchor: str) -> str:
    """A place on the resolution's page."""
    return f"/secretary/follow-up/resolutions/{resolution_id}#{anchor}"


@router.get("/secretary/follow-up/resolutions/{resolution_id}", response_class=HTMLResponse)
def resolution_follow_up(page: PageDep, resolution_id: int) -> HTMLResponse:
    """An adopted resolution's goals as a tree, each with its indicators, their targets and
    the units it is given to; the forms to add, change and take back each."""
    return _resolution_page(page, resolution_id)


# --- Goals ---------------------------------------------------------------------------------


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
        return _at(resolution_id, f"goal-{goal.id}"), _("Goal added: %(title)s") % {
            "title": goal.title
        }

    return _on_the_page(page, resolution_id, sent, "goal", GoalIn, add)


@router.post("/secretary/follow-up/goals/{goal_id}")
def update_follow_up_goal(
    page: PageDep, goal_id: int, form: Annotated[GoalForm, Form()], sent: PostedForm
) -> Response:
    """Change a goal's title, description, answerable body, due day, kind or weight."""
    resolution_id = _goal_resolution(page, goal_id)

    def save() -> tuple[str, str]:
        title = form.apply(page.session, page.caller, goal_id).title
        return _at(resolution_id, f"goal-{goal_id}"), _("Goal saved: %(title)s") % {"title": title}

    return _on_the_page(page, resolution_id, sent, f"goal-edit-{goal_id}", GoalForm, save)


@router.post("/secretary/follow-up/goals/{goal_id}/delete")
def delete_follow_up_goal(page: PageDep, goal_id: int, sent: PostedForm) -> Response:
    """Delete a goal set up by mistake, while nothing is under or on it."""
    resolution_id = _goal_resolution(page, goal_id)

    def delete() -> tuple[str, str]:
        goal = check_goal(page.session, page.caller, goal_id)
        title = goal.title
        do_delete_goal(page.session, page.caller, goal)
        return _at(resolution_id, "new-goal"), _("Goal deleted: %(title)s") % {"title": title}

    return _on_the_page(page, resolution_id, sent, f"goal-edit-{goal_id}", None, delete)


@router.post("/secretary/follow-up/goals/{goal_id}/status")
def set_follow_up_verdict(
    page: PageDep, goal_id: int, form: Annotated[VerdictForm, Form()], sent: PostedForm
) -> Response:
    """The body's verdict on a goal, with its reason ("done", "fulfilled in the main"), or
    taken back; refused, the goal's form comes again as typed."""
    resolution_id = _goal_resolution(page, goal_id)

    def save() -> tuple[str, str]:
        goal = form.apply(page.session, page.caller, goal_id)
        said = in_words(goal.status) if goal.status else _("none")
        words = {"title": goal.title, "verdict": said}
        return _at(resolution_id, f"goal-{goal_id}"), _(
            "The body's verdict on %(title)s: %(verdict)s"
        ) % words

    return _on_the_page(page, resolution_id, sent, f"verdict-{goal_id}", GoalStatusIn, save)


# --- Units the goals are given to ----------------------------------------------------------


@router.post("/secretary/follow-up/goals/{goal_id}/assignments")
def assign_follow_up_goal(
    page: PageDep, goal_id: int, form: Annotated[AssignmentsIn, Form()], sent: PostedForm
) -> Response:
    """Give a goal to the units ticked, each as the lead or contributing, with the person
    answerable: all of them or none; refused, the goal's form comes again as typed."""
    resolution_id = _goal_resolution(page, goal_id)
    name = f"assignment-{goal_id}"

    def assign() -> tuple[str, str]:
        made = form.assign(page.session, page.caller, goal_id)
        words = {
            "units": ", ".join(assignment.unit.name for assignment in made),
            "role": in_words(form.role),
        }
        return _at(resolution_id, f"goal-{goal_id}"), _(
            "Goal given to %(units)s (%(role)s)."
        ) % words

    def again(refused: Refused, status: int) -> HTMLResponse:
        # The units ticked come back ticked: the form sends one field a unit.
        ticked = " ".join(value for value in sent.getlist("unit_ids") if isinstance(value, str))
        typed = refused.typed | {"unit_ids": ticked}
        return _resolution_page(page, resolution_id, Refused(name, typed, refused.problem), status)

    fields = tuple(AssignmentsIn.model_fields)
    return change_or_refuse(page, sent, name, fields, assign, again)


@router.post("/secretary/follow-up/assignments/{assignment_id}")
def change_follow_up_assignment(
    page: PageDep, assignment_id: int, form: Annotated[AssignmentUpdate, Form()], sent: PostedForm
) -> Response:
    """Change what a unit is given a goal as: the lead, or contributing."""
    goal_id, resolution_id = _assignment_place(page, assignment_id)

    def change() -> tuple[str, str]:
        assignment = form.apply(page.session, page.caller, assignment_id)
        words = {"unit": assignment.unit.name, "role": in_words(assignment.role)}
        return _at(resolution_id, f"goal-{goal_id}"), _(
            "%(unit)s now has the goal as %(role)s."
        ) % words

    form_name = f"assignment-{goal_id}"
    return _on_the_page(page, resolution_id, sent, form_name, AssignmentUpdate, change)


@router.post("/secretary/follow-up/assignments/{assignment_id}/delete")
def remove_follow_up_assignment(page: PageDep, assignment_id: int, sent: PostedForm) -> Response:
    """Take a goal back from a unit; what the unit reported on it stays."""
    goal_id, resolution_id = _assignment_place(page, assignment_id)

    def remove() -> tuple[str, str]:
        assignment = check_assignment(page.session, page.caller, assignment_id)
        unit = assignment.unit.name
        do_remove_assignment(page.session, page.caller, assignment)
        return _at(resolution_id, f"goal-{goal_id}"), _("Goal taken back from %(unit)s.") % {
            "unit": unit
        }

    return _on_the_page(page, resolution_id, sent, f"assignment-{goal_id}", None, remove)


# --- Indicators and their targets ----------------------------------------------------------


@router.post("/secretary/follow-up/goals/{goal_id}/indicators")
def add_follow_up_indicator(
    page: PageDep, goal_id: int, form: Annotated[IndicatorIn, Form()], sent: PostedForm
) -> Response:
    """Add an indicator measuring a goal; refused, the goal's form comes again as typed."""
    resolution_id = _goal_resolution(page, goal_id)

    def add() -> tuple[str, str]:
        name = form.create(page.session, page.caller, goal_id).name
        return _at(resolution_id, f"goal-{goal_id}"), _("Indicator added: %(name)s") % {
            "name": name
        }

    return _on_the_page(page, resolution_id, sent, f"indicator-{goal_id}", IndicatorIn, add)


@router.post("/secretary/follow-up/indicators/{indicator_id}")
def update_follow_up_indicator(
    page: PageDep, indicator_id: int, form: Annotated[IndicatorForm, Form()], sent: PostedForm
) -> Response:
    """Change an indicator: what it measures and which way stay once it has targets or
    values."""
    _goal_id, resolution_id = _indicator_place(page, indicator_id)

    def save() -> tuple[str, str]:
        name = form.apply(page.session, page.caller, indicator_id).name
        return _at(resolution_id, f"indicator-{indicator_id}"), _("Indicator saved: %(name)s") % {
            "name": name
        }

    form_name = f"indicator-edit-{indicator_id}"
    return _on_the_page(page, resolution_id, sent, form_name, IndicatorForm, save)


@router.post("/secretary/follow-up/indicators/{indicator_id}/delete")
def delete_follow_up_indicator(page: PageDep, indicator_id: int, sent: PostedForm) -> Response:
    """Delete an indicator set up by mistake, while it has no targets or values."""
    goal_id, resolution_id = _indicator_place(page, indicator_id)

    def delete() -> tuple[str, str]:
        indicator = check_indicator(page.session, page.caller, indicator_id)
        name = indicator.name
        do_delete_indicator(page.session, page.caller, indicator)
        return _at(resolution_id, f"goal-{goal_id}"), _("Indicator deleted: %(name)s") % {
            "name": name
        }

    form_name = f"indicator-edit-{indicator_id}"
    return _on_the_page(page, resolution_id, sent, form_name, None, delete)


@router.post("/secretary/follow-up/indicators/{indicator_id}/weights")
def set_follow_up_weights(
    page: PageDep, indicator_id: int, form: Annotated[WeightsForm, Form()], sent: PostedForm
) -> Response:
    """Every unit's weight in the indicator's weighted mean, at once (a unit left blank has
    none); refused, the form comes again as typed."""
    _goal_id, resolution_id = _indicator_place(page, indicator_id)

    def save() -> tuple[str, str]:
        form.apply(page.session, page.caller, indicator_id)
        return _at(resolution_id, f"indicator-{indicator_id}"), _("The units' weights are saved.")

    weights = [name for name in sent if name.startswith(WEIGHT_FIELD)]
    again = partial(_resolution_page, page, resolution_id)
    return change_or_refuse(page, sent, f"weights-{indicator_id}", weights, save, again)


@router.post("/secretary/follow-up/indicators/{indicator_id}/targets")
def set_follow_up_target(
    page: PageDep, indicator_id: int, form: Annotated[TargetIn, Form()], sent: PostedForm
) -> Response:
    """Set where an indicator should stand in a unit at the end of a period; the warnings
    (targets below not yet shared out) come with the message. Refused, the indicator's form
    comes again as typed."""
    _goal_id, resolution_id = _indicator_place(page, indicator_id)

    def set_target() -> tuple[str, str]:
        done = form.set(page.session, page.caller, indicator_id)
        shown = target_view(page.session, done.target)
        words = {"unit": shown.unit, "value": figure_text(shown.value)}
        message = " ".join([_("Target set: %(value)s for %(unit)s.") % words, *done.warnings])
        return _at(resolution_id, f"indicator-{indicator_id}"), message

    form_name = f"target-{indicator_id}"
    return _on_the_page(page, resolution_id, sent, form_name, TargetIn, set_target)


@router.post("/secretary/follow-up/targets/{target_id}/delete")
def remove_follow_up_target(page: PageDep, target_id: int, sent: PostedForm) -> Response:
    """Take a target back: the unit's progress is then read against the indicator's own."""
    with page.session.begin():
        indicator_id = check_target_row(page.session, page.caller, target_id).indicator_id
    _goal_id, resolution_id = _indicator_place(page, indicator_id)

    def remove() -> tuple[str, str]:
        target = check_target_row(page.session, page.caller, target_id)
        shown = target_view(page.session, target)
        do_remove_target(page.session, page.caller, target)
        words = {"unit": shown.unit, "period": shown.period}
        return _at(resolution_id, f"indicator-{indicator_id}"), _(
            "Target taken back: %(unit)s, %(period)s."
        ) % words

    return _on_the_page(page, resolution_id, sent, f"target-{indicator_id}", None, remove)
