"""The secretary's pages that correct the organization's records: a body's name and rules and
its terms, a person and their seats, and the units, made and changed.

Each form is the API's change (``veche.web.inputs_org``) as a page posts it, made through the
same ``apply``; a change refused comes back on its page with what was typed and why.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import manage_organization, organization_row
from veche.errors import NotFound
from veche.i18n import _
from veche.models import Person, Term
from veche.models.org import MembershipRole
from veche.queries.records import body_tree, person_record, unit_tree
from veche.web.inputs import MAX_NUMBER
from veche.web.inputs_org import (
    BodyUpdate,
    MembershipUpdate,
    PersonUpdate,
    TermUpdate,
    UnitIn,
    UnitUpdate,
)
from veche.web.pages._forms import (
    Refused,
    blank_means,
    change_or_refuse,
    refused_context,
    tree_choices,
)
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm

router = APIRouter()


class BodyForm(BodyUpdate):
    """``BodyUpdate`` as the body's page posts it: a parent left blank is none (the top), a
    description left blank is empty."""

    _blank = blank_means(parent_id=None, description="")


class TermForm(TermUpdate):
    """``TermUpdate`` as the body's page posts it: a last day left blank is none (not ended,
    or not known)."""

    _blank = blank_means(ends_on=None)


class PersonForm(PersonUpdate):
    """``PersonUpdate`` as the person's page posts it: an e-mail address or a unit left blank
    is none."""

    _blank = blank_means(email=None, unit_id=None)


class SeatForm(MembershipUpdate):
    """``MembershipUpdate`` as the person's page posts it: a first or last day left blank is
    the term's."""

    _blank = blank_means(from_date=None, to_date=None)


class UnitForm(UnitUpdate):
    """``UnitUpdate`` as the unit's page posts it: a parent left blank is none (the top)."""

    _blank = blank_means(parent_id=None)


#: Each form's fields, kept as typed when it is refused.
BODY_FIELDS = tuple(BodyForm.model_fields)
TERM_FIELDS = tuple(TermForm.model_fields)
PERSON_FIELDS = tuple(PersonForm.model_fields)
SEAT_FIELDS = tuple(SeatForm.model_fields)
UNIT_FIELDS = tuple(UnitForm.model_fields)


# --- Bodies and their terms --------------------------------------------------------------


def _body_page(
    page: Page, body_id: int, refused: Refused | None = None, status: int = 200
) -> HTMLResponse:
    organization = manage_organization(page.session, page.caller)
    bodies = body_tree(page.session, organization)
    body = next((node for node in bodies if node.id == body_id), None)
    if body is None:
        raise NotFound(f"there is no body {body_id}")
    return page.render(
        "secretary/records_body.html",
        status=status,
        body=body,
        parents=tree_choices(bodies, _("(none: at the top)"), leaving_out=body.id),
        max_number=MAX_NUMBER,
        **refused_context(refused),
    )


@router.get("/secretary/bodies/{body_id}", response_class=HTMLResponse)
def body_page(page: PageDep, body_id: int) -> HTMLResponse:
    """A body's name, rules and place under another, and its terms' numbers and dates, to
    correct."""
    return _body_page(page, body_id)


@router.post("/secretary/bodies/{body_id}")
def update_body(
    page: PageDep, body_id: int, form: Annotated[BodyForm, Form()], sent: PostedForm
) -> Response:
    """Rename a body, change its rules (quorum, alternates, proxies) or move it; refused,
    the form comes again as typed."""

    def save() -> tuple[str, str]:
        name = form.apply(page.session, page.caller, body_id).name
        return f"/secretary/bodies/{body_id}", _("Saved: %(name)s") % {"name": name}

    return change_or_refuse(
        page, sent, "body", BODY_FIELDS, save, partial(_body_page, page, body_id)
    )


@router.post("/secretary/terms/{term_id}")
def update_term(
    page: PageDep, term_id: int, form: Annotated[TermForm, Form()], sent: PostedForm
) -> Response:
    """Renumber a term or change its dates (its meetings must still fall within them);
    refused, its form on the body's page comes again as typed."""
    with page.session.begin():
        manage_organization(page.session, page.caller)
        body_id = organization_row(page.session, page.caller, Term, term_id, "term").body_id

    def save() -> tuple[str, str]:
        term = form.apply(page.session, page.caller, term_id)
        words = {"number": term.number, "body": term.body.name}
        back = f"/secretary/bodies/{body_id}#term-{term_id}"
        return back, _("Saved: term %(number)s of the %(body)s") % words

    again = partial(_body_page, page, body_id)
    return change_or_refuse(page, sent, f"term-{term_id}", TERM_FIELDS, save, again)


# --- People and their seats --------------------------------------------------------------


def _person_page(
    page: Page, person_id: int, refused: Refused | None = None, status: int = 200
) -> HTMLResponse:
    organization = manage_organization(page.session, page.caller)
    person = organization_row(page.session, page.caller, Person, person_id, "person")
    return page.render(
        "secretary/records_person.html",
        status=status,
        person=person_record(page.session, person),
        unit_choices=tree_choices(unit_tree(page.session, organization), _("(none)")),
        role_choices=[(role.value, _(role.value)) for role in MembershipRole],
        **refused_context(refused),
    )


@router.get("/secretary/people/{person_id}", response_class=HTMLResponse)
def person_page(page: PageDep, person_id: int) -> HTMLResponse:
    """A person's name, e-mail address and unit, and their seats, to correct or end."""
    return _person_page(page, person_id)


@router.post("/secretary/people/{person_id}")
def update_person(
    page: PageDep, person_id: int, form: Annotated[PersonForm, Form()], sent: PostedForm
) -> Response:
    """Correct a person's name or e-mail address, or move them to another unit; refused, the
    form comes again as typed."""

    def save() -> tuple[str, str]:
        name = form.apply(page.session, page.caller, person_id).full_name
        return f"/secretary/people/{person_id}", _("Saved: %(name)s") % {"name": name}

    again = partial(_person_page, page, person_id)
    return change_or_refuse(page, sent, "person", PERSON_FIELDS, save, again)


@router.post("/secretary/people/{person_id}/seats/{term_id}")
def update_seat(
    page: PageDep,
    person_id: int,
    term_id: int,
    form: Annotated[SeatForm, Form()],
    sent: PostedForm,
) -> Response:
    """Change a person's seat in a term (member or alternate, its first and last days), or
    end it with a last day; refused, its form comes again as typed."""
    with page.session.begin():
        manage_organization(page.session, page.caller)
        person = organization_row(page.session, page.caller, Person, person_id, "person")
        seat = next((seat for seat in person.memberships if seat.term_id == term_id), None)
        if seat is None:
            raise NotFound(f"{person.full_name} holds no seat in term {term_id}")
        seat_id = seat.id

    def save() -> tuple[str, str]:
        changed = form.apply(page.session, page.caller, seat_id)
        words = {"name": changed.person.full_name, "role": _(changed.role.value)}
        back = f"/secretary/people/{person_id}#seat-{term_id}"
        return back, _("Saved: the seat of %(name)s, %(role)s") % words

    again = partial(_person_page, page, person_id)
    return change_or_refuse(page, sent, f"seat-{term_id}", SEAT_FIELDS, save, again)


# --- Units -------------------------------------------------------------------------------


def _units_page(
    page: Page,
    template: str,
    *,
    unit_id: int | None = None,
    refused: Refused | None = None,
    status: int = 200,
) -> HTMLResponse:
    organization = manage_organization(page.session, page.caller)
    units = unit_tree(page.session, organization)
    unit = None
    if unit_id is not None:
        unit = next((node for node in units if node.id == unit_id), None)
        if unit is None:
            raise NotFound(f"there is no unit {unit_id}")
    parents = tree_choices(units, _("(none: at the top)"), leaving_out=unit_id)
    return page.render(
        template,
        status=status,
        units=units,
        unit=unit,
        parents=parents,
        **refused_context(refused),
    )


@router.get("/secretary/units", response_class=HTMLResponse)
def units_page(page: PageDep) -> HTMLResponse:
    """The units (regions, branches …) as a tree, and the form to add one."""
    return _units_page(page, "secretary/records_units.html")


@router.post("/secretary/units")
def create_unit(page: PageDep, form: Annotated[UnitIn, Form()], sent: PostedForm) -> Response:
    """Add a unit, at the top or under another; refused, the form comes again as typed."""

    def add() -> tuple[str, str]:
        name = form.create(page.session, page.caller).name
        return "/secretary/units", _("Unit added: %(name)s") % {"name": name}

    def again(refused: Refused, status: int) -> HTMLResponse:
        return _units_page(page, "secretary/records_units.html", refused=refused, status=status)

    return change_or_refuse(page, sent, "unit", tuple(UnitIn.model_fields), add, again)


@router.get("/secretary/units/{unit_id}", response_class=HTMLResponse)
def unit_page(page: PageDep, unit_id: int) -> HTMLResponse:
    """A unit's name, kind and place in the tree, to correct."""
    return _units_page(page, "secretary/records_unit.html", unit_id=unit_id)


@router.post("/secretary/units/{unit_id}")
def update_unit(
    page: PageDep, unit_id: int, form: Annotated[UnitForm, Form()], sent: PostedForm
) -> Response:
    """Rename a unit, say what kind it is, or move it in the tree; refused, the form comes
    again as typed."""

    def save() -> tuple[str, str]:
        name = form.apply(page.session, page.caller, unit_id).name
        return f"/secretary/units/{unit_id}", _("Saved: %(name)s") % {"name": name}

    def again(refused: Refused, status: int) -> HTMLResponse:
        template = "secretary/records_unit.html"
        return _units_page(page, template, unit_id=unit_id, refused=refused, status=status)

    return change_or_refuse(page, sent, "unit", UNIT_FIELDS, save, again)
