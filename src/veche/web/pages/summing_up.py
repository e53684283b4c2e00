"""The interim summing-up read in a meeting: its delegates, chair and secretary open it from the
meeting's pages — the summing-up of each reporting cycle of the meeting's organization at the
end of a period, with its charts, as a page or a PDF to print (the document the API and
``veche report summing-up`` give). Those who may file papers in the meeting and read the
follow-up file a summing-up on one of its agenda items here, as
``POST /api/agenda-items/{id}/summing-up`` does."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, object_session

from veche.actions.access import meeting_permissions
from veche.actions.follow_up_access import cycles_in_meeting, summing_up_in_meeting
from veche.actions.summing_up_papers import check_summing_up_item, may_file_summing_up
from veche.i18n import _
from veche.models import AgendaItem, Body, Meeting, ReportingCycle, Term
from veche.models.agenda import ItemState
from veche.models.follow_up import PeriodState
from veche.queries.summing_up_papers import summing_ups_filed
from veche.reports import MEDIA_TYPES, render_summing_up
from veche.web.api.types import Id
from veche.web.inputs_summing_up import SummingUpPaperIn
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


class SummingUpPaperForm(SummingUpPaperIn):
    """The summing-up page's form: the API's input, and the item the API names in its path."""

    agenda_item_id: Id


@router.get("/meetings/{meeting_id}/summing-up", response_class=HTMLResponse)
def meeting_summing_up(
    meeting_id: int, page: PageDep, item_id: Annotated[int | None, Query()] = None
) -> HTMLResponse:
    """The organization's reporting cycles and their periods, each period's summing-up a link;
    the summing-ups filed in the meeting, and for those who may, the form that files one on
    an item (``item_id``: the item chosen, as the agenda page links it)."""
    found = cycles_in_meeting(page.session, page.caller, meeting_id)
    meeting = found.meeting
    may_file = may_file_summing_up(page.session, page.caller, meeting)
    items = (
        page.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.state != ItemState.WITHDRAWN)
            .order_by(AgendaItem.position, AgendaItem.id)
        ).all()
        if may_file
        else []
    )
    # A summing-up goes to a meeting after its period, once the period's filing has closed.
    fileable = {
        cycle.id: [
            period
            for period in cycle.periods
            if period.state is not PeriodState.OPEN and period.ends_on < meeting.starts_on
        ]
        for cycle in found.cycles
    }
    return page.render(
        "meeting/summing_up.html",
        meeting=meeting,
        cycles=found.cycles,
        may=meeting_permissions(page.session, page.caller, meeting.id),
        may_file=may_file,
        items=items,
        chosen_item=item_id,
        fileable=fileable,
        filed=summing_ups_filed(page.session, meeting.id),
    )


@router.post("/meetings/{meeting_id}/summing-up")
def file_summing_up_page(
    meeting_id: int, page: PageDep, form: Annotated[SummingUpPaperForm, Form()]
) -> Response:
    """File a cycle's summing-up at the end of a period on an item of the meeting, as the
    API's ``POST /api/agenda-items/{id}/summing-up`` does (``SummingUpPaperIn``)."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        item = check_summing_up_item(page.session, page.caller, meeting, form.agenda_item_id)
        paper = form.file(page.session, page.caller, item).document
        message = _("Filed on item %(position)s: %(title)s") % {
            "position": item.position,
            "title": paper.title,
        }
    return page.redirect(f"/meetings/{meeting_id}/summing-up", message)


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
    pdf = f"/meetings/{meeting_id}/summing-up/{cycle_id}?format=pdf"
    if period_id is not None:
        pdf += f"&period_id={period_id}"
    links = [
        (f"/meetings/{meeting_id}/summing-up", _("Back to the summing-up of the goals")),
        (f"/meetings/{meeting_id}", _("Back to the meeting")),
        (pdf, _("As a PDF to print")),
    ]
    body = render_summing_up(page.session, asked, format, links)
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="summing-up-cycle-{cycle_id}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
