"""The draft agenda's proposed changes: delegates propose, the chair or the secretary decides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import (
    Caller,
    access_meeting,
    access_meeting_row,
    meeting_permissions,
    participant_of,
)
from veche.actions.agenda_proposals import MAX_RATIONALE, do_accept_agenda_proposal
from veche.actions.meetings import RECORDING_STATES
from veche.i18n import _
from veche.models import AgendaProposal
from veche.models.agenda import ItemKind
from veche.models.agenda_proposals import ProposalState
from veche.permissions import Permission
from veche.queries.agenda import agenda_approval, agenda_items
from veche.queries.agenda_proposals import agenda_proposals
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.inputs_agenda import ProposalForm, ProposalRejectionIn
from veche.web.pages._render import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _page(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}/agenda/proposals"


def _proposal(
    session: Session, caller: Caller, meeting_id: int, proposal_id: int
) -> AgendaProposal:
    """A proposed change of the meeting's agenda, for the chair or the secretary to decide."""
    return access_meeting_row(
        session, caller, AgendaProposal, proposal_id, meeting_id, "agenda proposal"
    )


@router.get("/meetings/{meeting_id}/agenda/proposals", response_class=HTMLResponse)
def proposals_page(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """The draft agenda, the changes proposed to it and their fate; a form for delegates."""
    meeting = access_meeting(session, caller, meeting_id)
    participant = participant_of(session, meeting.id, caller.person_id)
    approval = agenda_approval(session, meeting.id)
    open_for_changes = approval is None and meeting.state in RECORDING_STATES
    may = meeting_permissions(session, caller, meeting.id)
    context = {
        "meeting": meeting,
        "may": may,
        "may_propose": open_for_changes
        and participant is not None
        and Permission.AGENDA_PROPOSE in may,
        "open_for_changes": open_for_changes,
        "approval": approval,
        "items": agenda_items(session, meeting.id),
        "proposals": agenda_proposals(session, meeting.id),
        "item_kinds": list(ItemKind),
        "pending": ProposalState.PENDING,
        "max_rationale": MAX_RATIONALE,
    }
    return render(request, "meeting/agenda_proposals.html", context, viewer=caller)


@router.post("/meetings/{meeting_id}/agenda/proposals")
def propose(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    form: Annotated[ProposalForm, Form()],
) -> Response:
    """Propose adding, removing, moving or renaming an item; the form sends only what fits."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        proposal = form.propose(session, caller, meeting)
        message = _("Your proposal %(number)s is filed.") % {"number": proposal.number}
    return redirect(request, _page(meeting_id), message)


@router.post("/meetings/{meeting_id}/agenda/proposals/{proposal_id}/accept")
def accept(
    meeting_id: int, proposal_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> Response:
    """Apply the proposed change to the agenda."""
    with session.begin():
        proposal = _proposal(session, caller, meeting_id, proposal_id)
        do_accept_agenda_proposal(session, caller, proposal)
        message = _("Proposal %(number)s is accepted.") % {"number": proposal.number}
    return redirect(request, _page(meeting_id), message)


@router.post("/meetings/{meeting_id}/agenda/proposals/{proposal_id}/reject")
def reject(
    meeting_id: int,
    proposal_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    form: Annotated[ProposalRejectionIn, Form()],
) -> Response:
    """Turn the proposal down, with the reason the minutes will give."""
    with session.begin():
        proposal = _proposal(session, caller, meeting_id, proposal_id)
        form.reject(session, caller, proposal)
        message = _("Proposal %(number)s is rejected.") % {"number": proposal.number}
    return redirect(request, _page(meeting_id), message)
