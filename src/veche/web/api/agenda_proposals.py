"""Proposed changes to the draft agenda through the API: propose, list, decide."""

from __future__ import annotations

from fastapi import APIRouter

from veche.actions.agenda_proposals import access_proposal
from veche.queries.agenda_proposals import ProposalView, agenda_proposal, agenda_proposals
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, Transaction
from veche.web.api.types import Id
from veche.web.deps import CallerDep
from veche.web.inputs_agenda import ProposalDecisionIn, ProposalIn

router = APIRouter(tags=["proceedings"], responses=REFUSALS)


@router.post("/meetings/{meeting_id}/agenda/proposals", status_code=201)
def propose(
    meeting: MeetingDep, body: ProposalIn, caller: CallerDep, session: Transaction
) -> ProposalView:
    """A member or alternate proposes a change to the draft agenda, before it is approved."""
    proposal = body.propose(session, caller, meeting)
    return agenda_proposal(session, proposal.id)


@router.get("/meetings/{meeting_id}/agenda/proposals")
def list_proposals(meeting: MeetingDep, session: Transaction) -> list[ProposalView]:
    """Every proposed change, in order, with its fate."""
    return agenda_proposals(session, meeting.id)


@router.post("/agenda-proposals/{proposal_id}/decision")
def decide(
    proposal_id: Id, body: ProposalDecisionIn, caller: CallerDep, session: Transaction
) -> ProposalView:
    """The chair or the secretary applies the change to the agenda, or turns it down."""
    proposal = access_proposal(session, caller, proposal_id)
    body.decide(session, caller, proposal)
    return agenda_proposal(session, proposal.id)
