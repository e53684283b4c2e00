"""Public pages: the organization's home, and what it publishes (results, communiqués, resolutions)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from veche.errors import NotFound
from veche.queries.org import get_organization, list_bodies
from veche.queries.published import published_results
from veche.queries.resolutions import RegistryFilter, search_resolutions
from veche.web.deps import SessionDep, ViewerDep
from veche.web.pages._render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    """The organization's bodies and their current terms."""
    org = get_organization(session)
    bodies = list_bodies(session, org, date.today())
    return render(request, "home.html", {"organization": org, "bodies": bodies}, viewer=viewer)


@router.get("/public", response_class=HTMLResponse)
def published(
    request: Request, session: SessionDep, viewer: ViewerDep, q: str = ""
) -> HTMLResponse:
    """Published results and the resolutions registry, when the organization makes them public."""
    org = get_organization(session)
    if not org.publishes_reports:
        raise NotFound(f"{org.name} does not publish its reports here")
    found, resolutions = search_resolutions(
        session, RegistryFilter(organization_id=org.id, text=q[:200])
    )
    return render(
        request,
        "public.html",
        {
            "organization": org,
            "results": published_results(session, org),
            "resolutions": resolutions,
            "found": found,
            "q": q[:200],
        },
        viewer=viewer,
    )
