"""The secretary's pages for the organization: bodies, terms, people, memberships, import, meetings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import manage_organization
from veche.i18n import _
from veche.models.meetings import MeetingKind
from veche.queries.roster import bodies_with_terms, people, units
from veche.queries.sitting import meetings_seen
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.inputs import (
    BodyIn,
    MeetingIn,
    MembershipIn,
    PersonIn,
    TermIn,
    import_member_list,
    read_member_list,
)
from veche.web.pages._render import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/secretary", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, caller: PageCallerDep) -> HTMLResponse:
    """Bodies and their terms, meetings, and the forms to add them."""
    org = manage_organization(session, caller)
    return render(
        request,
        "secretary/secretary.html",
        {
            "organization": org,
            "bodies": bodies_with_terms(session, org),
            "meetings": meetings_seen(session, caller),
            "kinds": list(MeetingKind),
            "today": date.today(),
        },
        viewer=caller,
    )


@router.get("/secretary/people", response_class=HTMLResponse)
def people_page(request: Request, session: SessionDep, caller: PageCallerDep) -> HTMLResponse:
    """People with their seats, and the forms to add people, seats, or a whole CSV file."""
    org = manage_organization(session, caller)
    return render(
        request,
        "secretary/people.html",
        {
            "organization": org,
            "people": people(session, org),
            "bodies": bodies_with_terms(session, org),
            "units": units(session, org),
        },
        viewer=caller,
    )


@router.post("/secretary/bodies")
def create_body(
    request: Request, session: SessionDep, caller: PageCallerDep, form: Annotated[BodyIn, Form()]
) -> Response:
    with session.begin():
        body = form.create(session, caller)
        message = _("Body created: %(name)s") % {"name": body.name}
    return redirect(request, "/secretary", message)


@router.post("/secretary/terms")
def create_term(
    request: Request, session: SessionDep, caller: PageCallerDep, form: Annotated[TermIn, Form()]
) -> Response:
    with session.begin():
        term = form.open(session, caller)
        message = _("Term %(number)s of the %(body)s opened") % {
            "number": term.number,
            "body": term.body.name,
        }
    return redirect(request, "/secretary", message)


@router.post("/secretary/people")
def create_person(
    request: Request, session: SessionDep, caller: PageCallerDep, form: Annotated[PersonIn, Form()]
) -> Response:
    with session.begin():
        person = form.create(session, caller)
        message = _("Added %(name)s") % {"name": person.full_name}
    return redirect(request, "/secretary/people", message)


@router.post("/secretary/memberships")
def add_membership(
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    form: Annotated[MembershipIn, Form()],
) -> Response:
    with session.begin():
        membership = form.add(session, caller)
        message = _("%(name)s now holds a seat") % {"name": membership.person.full_name}
    return redirect(request, "/secretary/people", message)


@router.post("/secretary/import")
def import_file(
    request: Request, session: SessionDep, caller: PageCallerDep, file: UploadFile
) -> Response:
    """Import people and seats from CSV: every row, or none (the problems are listed)."""
    text, source = read_member_list(file)
    with session.begin():
        summary = import_member_list(session, caller, text, source)
    message = _("Imported %(seats)s seats (%(people)s new people)") % {
        "seats": summary.memberships_created,
        "people": summary.people_created,
    }
    return redirect(request, "/secretary/people", message)


@router.post("/secretary/meetings")
def convene(
    request: Request, session: SessionDep, caller: PageCallerDep, form: Annotated[MeetingIn, Form()]
) -> Response:
    """Convene the next meeting of a term; its members and alternates are invited."""
    with session.begin():
        meeting_id = form.convene(session, caller).id
    return redirect(request, f"/secretary/meetings/{meeting_id}", _("The meeting is convened."))
