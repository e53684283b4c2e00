"""The secretary's pages for the organization: bodies, terms, people, memberships, import, meetings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import manage_organization
from veche.i18n import _
from veche.models.meetings import MeetingKind
from veche.queries.records import find_people, unit_tree
from veche.queries.roster import bodies_with_terms, people
from veche.queries.sitting import meetings_seen
from veche.web.inputs import (
    BodyIn,
    MeetingIn,
    MembershipIn,
    PersonIn,
    TermIn,
    import_member_list,
    read_member_list,
)
from veche.web.inputs_org import OrganizationUpdate
from veche.web.pages._forms import blank_means, tree_choices
from veche.web.pages._page import PageDep
from veche.web.site_name import name_the_site

router = APIRouter()


@router.get("/secretary", response_class=HTMLResponse)
def dashboard(page: PageDep) -> HTMLResponse:
    """Bodies and their terms, meetings, and the forms to add them."""
    org = manage_organization(page.session, page.caller)
    return page.render(
        "secretary/secretary.html",
        organization=org,
        bodies=bodies_with_terms(page.session, org),
        meetings=meetings_seen(page.session, page.caller),
        kinds=list(MeetingKind),
        today=date.today(),
    )


#: The people the people page lists at most: the search finds the others.
PEOPLE_LISTED = 500


@router.get("/secretary/people", response_class=HTMLResponse)
def people_page(page: PageDep, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """People with their seats, found by name or e-mail as the API's ``GET /api/people``
    finds them, and the forms to add people, seats, or a whole CSV file."""
    org = manage_organization(page.session, page.caller)
    total, found = find_people(page.session, org, q, limit=PEOPLE_LISTED, offset=0)
    return page.render(
        "secretary/people.html",
        organization=org,
        q=q,
        total=total,
        found=found,
        people=people(page.session, org),
        bodies=bodies_with_terms(page.session, org),
        # The units as their tree, each under the one it belongs to (a branch under its region).
        unit_choices=tree_choices(unit_tree(page.session, org), _("(none)")),
    )


class OrganizationForm(OrganizationUpdate):
    """``OrganizationUpdate`` as the dashboard posts it: a short name left blank is none, a
    description left blank is empty."""

    _blank = blank_means(short_name=None, description="")


@router.post("/secretary/organization")
def update_organization(page: PageDep, form: Annotated[OrganizationForm, Form()]) -> Response:
    """Rename the organization, describe it, or say whether its reports and the follow-up of
    its resolutions are public."""
    with page.session.begin():
        organization = form.apply(page.session, page.caller)
        short_name, name = organization.short_name, organization.name
    name_the_site(page.request.app.state, short_name, name)  # its name heads every page
    return page.redirect("/secretary", _("The organization's settings are saved"))


@router.post("/secretary/bodies")
def create_body(page: PageDep, form: Annotated[BodyIn, Form()]) -> Response:
    with page.session.begin():
        name = form.create(page.session, page.caller).name
    return page.redirect("/secretary", _("Body created: %(name)s") % {"name": name})


@router.post("/secretary/terms")
def create_term(page: PageDep, form: Annotated[TermIn, Form()]) -> Response:
    with page.session.begin():
        term = form.open(page.session, page.caller)
        words = {"number": term.number, "body": term.body.name}
    return page.redirect("/secretary", _("Term %(number)s of the %(body)s opened") % words)


@router.post("/secretary/people")
def create_person(page: PageDep, form: Annotated[PersonIn, Form()]) -> Response:
    with page.session.begin():
        name = form.create(page.session, page.caller).full_name
    return page.redirect("/secretary/people", _("Added %(name)s") % {"name": name})


@router.post("/secretary/memberships")
def add_membership(page: PageDep, form: Annotated[MembershipIn, Form()]) -> Response:
    with page.session.begin():
        name = form.add(page.session, page.caller).person.full_name
    return page.redirect("/secretary/people", _("%(name)s now holds a seat") % {"name": name})


@router.post("/secretary/import")
def import_file(page: PageDep, file: UploadFile) -> Response:
    """Import people and seats from CSV: every row, or none (the problems are listed)."""
    text, source = read_member_list(file)
    with page.session.begin():
        summary = import_member_list(page.session, page.caller, text, source)
    message = _("Imported %(seats)s seats (%(people)s new people)") % {
        "seats": summary.memberships_created,
        "people": summary.people_created,
    }
    return page.redirect("/secretary/people", message)


@router.post("/secretary/meetings")
def convene(page: PageDep, form: Annotated[MeetingIn, Form()]) -> Response:
    """Prepare the next meeting of a term, as a draft with its members and alternates
    invited; it is convened from its desk's Stage section, once its notice is written."""
    with page.session.begin():
        meeting_id = form.convene(page.session, page.caller).id
    message = _(
        "The meeting is prepared as a draft, with the members and alternates of the term "
        "invited. Write its notice and convene it under Stage."
    )
    return page.redirect(f"/secretary/meetings/{meeting_id}#stage", message)
