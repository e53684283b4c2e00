"""The secretary's set-up of the follow-up of resolutions: the reporting cycles of the bodies'
terms and their periods, and the adopted resolutions, each leading to the page of its goals
(``follow_up_goals``).

Each form is the API's input (``veche.web.inputs_follow_up``) as a page posts it, made through
the same method, whose action checks the permission and the rules; a change refused comes back
on its page with what was typed and why, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from veche.actions.access import holds
from veche.actions.goals import reading_organization
from veche.actions.reporting import check_period
from veche.i18n import _
from veche.permissions import Permission
from veche.queries.records import body_tree
from veche.queries.reporting import cycle_views
from veche.queries.resolutions import search_resolutions
from veche.web.inputs_follow_up import CycleIn, CycleUpdate, PeriodIn, PeriodUpdate
from veche.web.pages._forms import Refused, change_or_refuse, refused_context
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm

router = APIRouter()

#: The resolutions the set-up page lists, newest meeting first.
RESOLUTIONS_LISTED = 200


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
        manages=holds(page.session, page.caller, Permission.FOLLOW_UP_MANAGE, organization.id),
        **refused_context(refused),
    )


def _on_the_page(
    page: Page,
    sent: PostedForm,
    form: str,
    model: type[BaseModel],
    change: Callable[[], tuple[str, str]],
) -> Response:
    """Make ``change`` from the set-up page; refused, the page comes again with the ``form``
    opened as typed (the fields of ``model``) and why."""
    again = partial(_setup_page, page)
    return change_or_refuse(page, sent, form, tuple(model.model_fields), change, again)


def _at_cycle(cycle_id: int) -> str:
    return f"/secretary/follow-up/setup#cycle-{cycle_id}"


@router.get("/secretary/follow-up/setup", response_class=HTMLResponse)
def follow_up_setup(page: PageDep) -> HTMLResponse:
    """The reporting cycles with their periods, the forms to add and change them, and the
    adopted resolutions, each leading to its goals."""
    return _setup_page(page)


@router.post("/secretary/follow-up/cycles")
def create_follow_up_cycle(
    page: PageDep, form: Annotated[CycleIn, Form()], sent: PostedForm
) -> Response:
    """Add a reporting cycle to a body's term; refused, the form comes again as typed."""

    def add() -> tuple[str, str]:
        cycle = form.create(page.session, page.caller)
        message = _("Reporting cycle added: %(name)s. Now add its periods.") % {"name": cycle.name}
        return _at_cycle(cycle.id), message

    return _on_the_page(page, sent, "cycle", CycleIn, add)


@router.post("/secretary/follow-up/cycles/{cycle_id}")
def rename_follow_up_cycle(
    page: PageDep, cycle_id: int, form: Annotated[CycleUpdate, Form()], sent: PostedForm
) -> Response:
    """Rename a reporting cycle; refused, its form comes again as typed."""

    def rename() -> tuple[str, str]:
        name = form.apply(page.session, page.caller, cycle_id).name
        return _at_cycle(cycle_id), _("Reporting cycle renamed: %(name)s") % {"name": name}

    return _on_the_page(page, sent, f"cycle-edit-{cycle_id}", CycleUpdate, rename)


@router.post("/secretary/follow-up/cycles/{cycle_id}/periods")
def add_follow_up_period(
    page: PageDep, cycle_id: int, form: Annotated[PeriodIn, Form()], sent: PostedForm
) -> Response:
    """Add a period to a cycle: its first and last days and the day its reports are due;
    refused, the cycle's form comes again as typed."""

    def add() -> tuple[str, str]:
        name = form.add(page.session, page.caller, cycle_id).name
        return _at_cycle(cycle_id), _("Period added: %(name)s") % {"name": name}

    return _on_the_page(page, sent, f"period-{cycle_id}", PeriodIn, add)


@router.post("/secretary/follow-up/periods/{period_id}")
def update_follow_up_period(
    page: PageDep, period_id: int, form: Annotated[PeriodUpdate, Form()], sent: PostedForm
) -> Response:
    """Rename a period or move its days (its due day, most often), until it is frozen;
    refused, its form comes again as typed."""
    with page.session.begin():
        cycle_id = check_period(page.session, page.caller, period_id).cycle_id

    def save() -> tuple[str, str]:
        name = form.apply(page.session, page.caller, period_id).name
        return _at_cycle(cycle_id), _("Period saved: %(name)s") % {"name": name}

    return _on_the_page(page, sent, f"period-edit-{period_id}", PeriodUpdate, save)
