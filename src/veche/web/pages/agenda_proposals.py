"""The draft agenda's proposed changes: delegates propose, the chair or the secretary decides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import meeting_permissions, participant_of
from veche.actions.agenda_proposals import MAX_RATIONALE, do_accept_agenda_proposal
from veche.actions.meetings import RECORDING_STATES
from veche.i18n import _
from veche.models import AgendaProposal
from veche.models.agenda import ItemKind
from veche.models.agenda_proposals import ProposalState
from veche.permissions import Permission
from veche.queries.agenda import agenda_approval, agenda_items
from veche.queries.agenda_proposals import agenda_proposals
from veche.web.inputs_agenda import ProposalForm, ProposalRejectionIn
from veche.web.pages._page import Page, PageDep

router = APIRouter()


def _page(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}/agenda/proposals"


def _proposal(page: Page, meeting_id: int, proposal_id: int) -> AgendaProposal:
    """A proposed change of the meeting's agenda, for the chair or the secretary to decide."""
    return page.row(AgendaProposal, proposal_id, meeting_id, "agenda proposal")


@router.get("/meetings/{meeting_id}/agenda/proposals", response_class=HTMLResponse)
def proposals_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The draft agenda, the changes proposed to it and their fate; a form for delegates."""
    meeting = page.meeting(meeting_id)
    participant = participant_of(page.session, meeting.id, page.caller.person_id)
    approval = agenda_approval(page.session, meeting.id)
    open_for_changes = approval is None and meeting.state in RECORDING_STATES
    may = meeting_permissions(page.session, page.caller, meeting.id)
    return page.render(
        "meeting/agenda_proposals.html",
        meeting=meeting,
        may=may,
        may_propose=open_for_changes
        and participant is not None
        and Permission.AGENDA_PROPOSE in may,
        open_for_changes=open_for_changes,
        approval=approval,
        items=agenda_items(page.session, meeting.id),
        proposals=agenda_proposals(page.session, meeting.id),
        item_kinds=list(ItemKind),
        pending=ProposalState.PENDING,
        max_rationale=MAX_RATIONALE,
    )


@router.post("/meetings/{meeting_id}/agenda/proposals")
def propose(meeting_id: int, page: PageDep, form: Annotated[ProposalForm, Form()]) -> Response:
    """Propose adding, removing, moving or renaming an item; the form sends only what fits."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        proposal = form.propose(page.session, page.caller, meeting)
        message = _("Your proposal %(number)s is filed.") % {"number": proposal.number}
    return page.redirect(_page(meeting_id), message)


@router.post("/meetings/{meeting_id}/agenda/proposals/{proposal_id}/accept")
def accept(meeting_id: int, proposal_id: int, page: PageDep) -> Response:
    """Apply the proposed change to the agenda."""
    with page.session.begin():
        proposal = _proposal(page, meeting_id, proposal_id)
        do_accept_agenda_proposal(page.session, page.caller, proposal)
        message = _("Proposal %(number)s is accepted.") % {"number": proposal.number}
    return page.redirect(_page(meeting_id), message)


@router.post("/meetings/{meeting_id}/agenda/proposals/{proposal_id}/reject")
def reject(
    meeting_id: int, proposal_id: int, page: PageDep, form: Annotated[ProposalRejectionIn, Form()]
) -> Response:
    """Turn the proposal down, with the reason the minutes will give."""
    with page.session.begin():
        proposal = _proposal(page, meeting_id, proposal_id)
        form.reject(page.session, page.caller, proposal)
        message = _("Proposal %(number)s is rejected.") % {"number": proposal.number}
    return page.redirect(_page(meeting_id), message)
