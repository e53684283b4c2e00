"""The interim summing-up read in a meeting: its delegates, chair and secretary open it from the
meeting's pages — the summing-up of each reporting cycle of the meeting's organization at the
end of a period, with its charts, as a page or a PDF to print (the document the API and
``veche report summing-up`` give)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, object_session

from veche.actions.follow_up_access import cycles_in_meeting, summing_up_in_meeting
from veche.models import Body, Meeting, ReportingCycle, Term
from veche.reports import MEDIA_TYPES, render_summing_up
from veche.web.pages._page import PageDep
from veche.web.templating import templates

router = APIRouter()


def has_reporting_cycle(meeting: Meeting) -> bool:
    """Whether the meeting's organization reports on its goals in a cycle: the meeting's
    pages then link its summing-up (``{% if has_reporting_cycle(meeting) %}``). One query,
    as the delegate's page is the one every phone in the hall loads."""
    session = object_session(meeting)
    if session is None:
        return False
    meeting_term, meeting_body = aliased(Term), aliased(Body)
    cycle_term, cycle_body = aliased(Term), aliased(Body)
    found = exists().where(
        meeting_term.id == meeting.term_id,
        meeting_body.id == meeting_term.body_id,
        cycle_body.organization_id == meeting_body.organization_id,
        cycle_term.body_id == cycle_body.id,
        ReportingCycle.term_id == cycle_term.id,
    )
    return bool(session.scalar(select(found)))


templates.env.globals["has_reporting_cycle"] = has_reporting_cycle


@router.get("/meetings/{meeting_id}/summing-up", response_class=HTMLResponse)
def meeting_summing_up(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The organization's reporting cycles and their periods, each period's summing-up a link."""
    found = cycles_in_meeting(page.session, page.caller, meeting_id)
    return page.render("meeting/summing_up.html", meeting=found.meeting, cycles=found.cycles)


@router.get("/meetings/{meeting_id}/summing-up/{cycle_id}")
def meeting_summing_up_document(
    meeting_id: int,
    cycle_id: int,
    page: PageDep,
    period_id: Annotated[int | None, Query()] = None,
    format: Annotated[Literal["html", "pdf"], Query()] = "html",
) -> Response:
    """The summing-up of the cycle at the end of a period (by default the latest no longer
    open), as a page or a PDF to print."""
    asked = summing_up_in_meeting(page.session, page.caller, meeting_id, cycle_id, period_id)
    body = render_summing_up(page.session, asked, format)
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="summing-up-cycle-{cycle_id}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
