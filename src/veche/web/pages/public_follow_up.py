"""The follow-up of resolutions on the pages: in public, when the organization publishes it
(``Organization.publishes_follow_up``), the goals with their figures, the charts and each
unit's report card; and a unit's report card for those who read the follow-up or report for
the unit. Only the figures of reports accepted count, here as everywhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.evidence import readable_evidence
from veche.actions.follow_up_figures import readable_card
from veche.errors import NotFound
from veche.models import Organization, ReportingPeriod, Unit
from veche.queries.follow_up_public import card_page, follow_up_page
from veche.reports.charts import figure_text, percent_figure_text, percent_text
from veche.reports.summing_up import REPORT_WORDS, STANDING_WORDS, STATUS_WORDS
from veche.web.deps import SessionDep, ViewerDep
from veche.web.pages._page import PageDep
from veche.web.pages._render import render
from veche.web.pages.public import publishing_organization

router = APIRouter()

#: How the templates say a figure, a share, a goal's standing and status, a report's state.
WORDS: dict[str, Any] = {
    "figure_text": figure_text,
    "percent_text": percent_text,
    "percent_figure_text": percent_figure_text,
    "standing_words": STANDING_WORDS,
    "status_words": STATUS_WORDS,
    "report_words": REPORT_WORDS,
}


def _publishing_organization(session: Session) -> Organization:
    return publishing_organization(
        session, lambda org: org.publishes_follow_up, "the follow-up of its resolutions"
    )


@router.get("/follow-up", response_class=HTMLResponse)
def public_follow_up(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    cycle_id: int | None = None,
    period_id: int | None = None,
) -> HTMLResponse:
    """The resolutions' goals with their progress, status and coverage, and the charts, from
    the reports accepted; 404 unless the organization publishes its follow-up."""
    organization = _publishing_organization(session)
    shown = follow_up_page(session, organization, cycle_id=cycle_id, period_id=period_id)
    return render(request, "public/follow_up.html", {"page": shown, **WORDS}, viewer=viewer)


@router.get("/follow-up/periods/{period_id}/units/{unit_id}", response_class=HTMLResponse)
def public_report_card(
    request: Request, session: SessionDep, viewer: ViewerDep, period_id: int, unit_id: int
) -> HTMLResponse:
    """A unit's report card in public (when the organization publishes its follow-up)."""
    organization = _publishing_organization(session)
    period = session.get(ReportingPeriod, period_id)
    if period is None or period.cycle.term.body.organization_id != organization.id:
        raise NotFound(f"there is no period {period_id}")
    unit = session.get(Unit, unit_id)
    if unit is None or unit.organization_id != organization.id:
        raise NotFound(f"there is no unit {unit_id}")
    shown = card_page(session, organization, period, unit.id)
    return render(
        request,
        "public/follow_up_card.html",
        {"page": shown, "public": True, **WORDS},
        viewer=viewer,
    )


@router.get("/report-cards/periods/{period_id}/units/{unit_id}", response_class=HTMLResponse)
def report_card_page(period_id: int, unit_id: int, page: PageDep) -> HTMLResponse:
    """A unit's report card, for those who read the follow-up or report for the unit; with
    its own report's state, which the public page leaves out."""
    asked = readable_card(page.session, page.caller, period_id, unit_id)
    assert asked.period is not None and asked.unit is not None
    shown = card_page(page.session, asked.organization, asked.period, asked.unit.id, inside=True)
    return page.render(
        "public/follow_up_card.html",
        page=shown,
        public=False,
        **WORDS,
    )


@router.get("/report-cards/evidence/{evidence_id}")
def evidence_download(evidence_id: int, page: PageDep) -> Response:
    """An evidence document of a unit's report, to download (as the API gives it)."""
    evidence = readable_evidence(page.session, page.caller, evidence_id)
    return Response(
        evidence.content,
        media_type=evidence.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(evidence.filename)}"},
    )
