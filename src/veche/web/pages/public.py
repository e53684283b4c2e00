"""Public pages: the organization's home, and what it publishes (results, communiqués, resolutions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from veche.errors import NotFound
from veche.i18n import _
from veche.models import Organization
from veche.queries.org import get_organization, list_bodies
from veche.queries.public_reports import published_meeting, published_reports
from veche.queries.published import published_results
from veche.queries.resolutions import RegistryFilter, search_resolutions
from veche.queries.summing_up_papers import summing_ups_filed
from veche.reports import MEDIA_TYPES, render_report
from veche.web.deps import SessionDep, ViewerDep
from veche.web.pages._render import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    """The organization's bodies and their current terms; the set-up page while there is no
    organization yet."""
    try:
        org = get_organization(session)
    except NotFound:
        return RedirectResponse("/setup", status_code=303)
    bodies = list_bodies(session, org, date.today())
    return render(
        request, "public/home.html", {"organization": org, "bodies": bodies}, viewer=viewer
    )


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    """The site's icon, where a browser looks for it on a document that names none (a
    report, a summing-up, a PDF opened in a tab): the one the pages name."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


def publishing_organization(
    session: Session, publishes: Callable[[Organization], bool], what: str
) -> Organization:
    """The organization, if it ``publishes`` ``what``: 404 to everyone if it does not."""
    organization = get_organization(session)
    if not publishes(organization):
        raise NotFound(f"{organization.name} does not publish {what}")
    return organization


def _publishing_organization(session: Session) -> Organization:
    return publishing_organization(session, lambda org: org.publishes_reports, "its reports here")


@router.get("/public", response_class=HTMLResponse)
def published(
    request: Request, session: SessionDep, viewer: ViewerDep, q: str = ""
) -> HTMLResponse:
    """Published results and the resolutions registry, when the organization makes them public."""
    org = _publishing_organization(session)
    found, resolutions = search_resolutions(session, org.id, RegistryFilter(q=q[:200]))
    return render(
        request,
        "public/public.html",
        {
            "organization": org,
            "results": published_results(session, org),
            "communiques": published_reports(session, org),
            "resolutions": resolutions,
            "found": found,
            "q": q[:200],
        },
        viewer=viewer,
    )


@router.get("/public/meetings/{meeting_id}/communique", response_class=HTMLResponse)
def communique_page(meeting_id: int, session: SessionDep) -> HTMLResponse:
    """A meeting's communiqué, once its report is published (404 before, to everyone)."""
    meeting = published_meeting(session, _publishing_organization(session), meeting_id)
    # The papers it cites are the public's to read with it (``queries.summing_up_papers``).
    links = [("/public", _("Every published report"))] + [
        (f"/meetings/{meeting.id}/documents/{paper.document_id}/download", paper.title)
        for paper in summing_ups_filed(session, meeting.id)
    ]
    links.append((f"/public/meetings/{meeting.id}/communique.pdf", _("As a PDF to print")))
    return HTMLResponse(render_report(session, meeting, "communique", "html", links))


@router.get("/public/meetings/{meeting_id}/communique.pdf")
def communique_pdf(meeting_id: int, session: SessionDep) -> Response:
    """The communiqué as a PDF to download."""
    meeting = published_meeting(session, _publishing_organization(session), meeting_id)
    return Response(
        render_report(session, meeting, "communique", "pdf"),
        media_type=MEDIA_TYPES["pdf"],
        headers={
            "Content-Disposition": f'attachment; filename="meeting-{meeting_id}-communique.pdf"'
        },
    )
