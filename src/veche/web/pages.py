"""Server-rendered HTML pages."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from veche.queries.org import get_organization, list_bodies
from veche.web.deps import SessionDep
from veche.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    """The organization's bodies and their current terms."""
    org = get_organization(session)
    bodies = list_bodies(session, org, date.today())
    return templates.TemplateResponse(request, "home.html", {"organization": org, "bodies": bodies})
