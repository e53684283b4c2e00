"""The secretary's pages for the organization: bodies, terms, people, memberships, import, meetings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import Caller, manage_organization
from veche.actions.imports import import_members
from veche.actions.meetings import do_create_meeting
from veche.actions.org import (
    check_role,
    do_add_membership,
    do_create_body,
    do_create_person,
    do_create_term,
)
from veche.errors import InvalidInput, NotFound
from veche.i18n import _
from veche.models import Body, Organization, Person, Term, Unit
from veche.models.meetings import MeetingKind
from veche.queries.roster import bodies_with_terms, people, units
from veche.queries.sitting import meetings_seen
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.pages._render import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

#: The largest member list a secretary may upload at once.
MAX_IMPORT_BYTES = 5_000_000


Row = TypeVar("Row", Body, Person, Term, Unit)


def _row(
    session: Session, organization: Organization, model: type[Row], row_id: int, what: str
) -> Row:
    """A row of the organization by id; NotFound for another organization's."""
    row = session.get(model, row_id)
    owner = None
    if isinstance(row, Term):
        owner = row.body.organization_id
    elif row is not None:
        owner = row.organization_id
    if row is None or owner != organization.id:
        raise NotFound(f"there is no {what} {row_id}")
    return row


def _organization(session: Session, caller: Caller) -> Organization:
    return manage_organization(session, caller)


def optional_date(value: str, what: str) -> date | None:
    """A date field that may be left empty."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{what} must be a date such as 2026-06-16, not {value!r}") from None


def optional_id(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.get("/secretary", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, caller: PageCallerDep) -> HTMLResponse:
    """Bodies and their terms, meetings, and the forms to add them."""
    org = _organization(session, caller)
    return render(
        request,
        "secretary.html",
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
    org = _organization(session, caller)
    return render(
        request,
        "people.html",
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
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    name: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=2000)] = "",
    quorum: Annotated[str, Form(max_length=20)] = "1/2",
) -> Response:
    numerator, slash, denominator = quorum.partition("/")
    if not (slash and numerator.strip().isdigit() and denominator.strip().isdigit()):
        raise InvalidInput(f"write the quorum as a fraction such as 1/2 or 2/3, not {quorum!r}")
    with session.begin():
        org = _organization(session, caller)
        body = do_create_body(
            session,
            caller.actor,
            org,
            name,
            description=description,
            quorum=(int(numerator), int(denominator)),
        )
        message = _("Body created: %(name)s") % {"name": body.name}
    return redirect(request, "/secretary", message)


@router.post("/secretary/terms")
def create_term(
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    body_id: Annotated[int, Form()],
    starts_on: Annotated[date, Form()],
    ends_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    with session.begin():
        org = _organization(session, caller)
        body = _row(session, org, Body, body_id, "body")
        term = do_create_term(
            session, caller.actor, body, starts_on, ends_on=optional_date(ends_on, "the end")
        )
        message = _("Term %(number)s of the %(body)s opened") % {
            "number": term.number,
            "body": body.name,
        }
    return redirect(request, "/secretary", message)


@router.post("/secretary/people")
def create_person(
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    full_name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=254)] = "",
    unit_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    with session.begin():
        org = _organization(session, caller)
        chosen_unit = optional_id(unit_id)
        unit = _row(session, org, Unit, chosen_unit, "unit") if chosen_unit else None
        person = do_create_person(session, caller.actor, org, full_name, email=email, unit=unit)
        message = _("Added %(name)s") % {"name": person.full_name}
    return redirect(request, "/secretary/people", message)


@router.post("/secretary/memberships")
def add_membership(
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    person_id: Annotated[int, Form()],
    term_id: Annotated[int, Form()],
    role: Annotated[str, Form(max_length=20)] = "member",
) -> Response:
    with session.begin():
        org = _organization(session, caller)
        person = _row(session, org, Person, person_id, "person")
        term = _row(session, org, Term, term_id, "term")
        do_add_membership(session, caller.actor, person, term, check_role(role))
        message = _("%(name)s now holds a seat") % {"name": person.full_name}
    return redirect(request, "/secretary/people", message)


@router.post("/secretary/import")
async def import_file(
    request: Request, session: SessionDep, caller: PageCallerDep, file: UploadFile
) -> Response:
    """Import people and seats from CSV: every row, or none (the problems are listed)."""
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text; save it as CSV (UTF-8)") from None
    source = file.filename or "the uploaded file"
    with session.begin():
        org = _organization(session, caller)
        summary = import_members(session, caller.actor, org, text, source)
    message = _("Imported %(seats)s seats (%(people)s new people)") % {
        "seats": summary.memberships_created,
        "people": summary.people_created,
    }
    return redirect(request, "/secretary/people", message)


@router.post("/secretary/meetings")
def convene(
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    term_id: Annotated[int, Form()],
    title: Annotated[str, Form(max_length=300)],
    starts_on: Annotated[date, Form()],
    ends_on: Annotated[str, Form(max_length=20)] = "",
    kind: Annotated[MeetingKind, Form()] = MeetingKind.ORDINARY,
    venue: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Convene the next meeting of a term; its members and alternates are invited."""
    with session.begin():
        org = _organization(session, caller)
        term = _row(session, org, Term, term_id, "term")
        meeting = do_create_meeting(
            session,
            caller,
            term,
            title,
            starts_on=starts_on,
            ends_on=optional_date(ends_on, "the last day"),
            kind=kind,
            venue=venue,
        )
        meeting_id = meeting.id
    return redirect(request, f"/secretary/meetings/{meeting_id}", _("The meeting is convened."))
