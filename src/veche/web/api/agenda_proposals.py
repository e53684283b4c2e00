"""Proposed changes to the draft agenda through the API: propose, list, decide."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import Field

from veche.actions.agenda_proposals import access_proposal
from veche.models.agenda_proposals import ProposalKind, ProposalState
from veche.queries.agenda_proposals import agenda_proposal, agenda_proposals
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, Transaction
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep
from veche.web.inputs_agenda import ProposalDecisionIn, ProposalIn

router = APIRouter(tags=["proceedings"], responses=REFUSALS)


class ProposalOut(FromAttributes):
    id: int
    number: int
    kind: ProposalKind
    change: str = Field(description='in words: "move “On the budget” to position 2"')
    proposer_person_id: int
    proposer: str
    agenda_item_id: int | None
    item_title: str
    title: str
    item_kind: str | None
    position: int | None
    rationale: str
    state: ProposalState
    reason: str
    created_at: datetime
    decided_at: datetime | None


@router.post("/meetings/{meeting_id}/agenda/proposals", status_code=201)
def propose(
    meeting: MeetingDep, body: ProposalIn, caller: CallerDep, session: Transaction
) -> ProposalOut:
    """A member or alternate proposes a change to the draft agenda, before it is approved."""
    proposal = body.propose(session, caller, meeting)
    return ProposalOut.model_validate(agenda_proposal(session, proposal.id))


@router.get("/meetings/{meeting_id}/agenda/proposals")
def list_proposals(meeting: MeetingDep, session: Transaction) -> list[ProposalOut]:
    """Every proposed change, in order, with its fate."""
    return [ProposalOut.model_validate(view) for view in agenda_proposals(session, meeting.id)]


@router.post("/agenda-proposals/{proposal_id}/decision")
def decide(
    proposal_id: Id, body: ProposalDecisionIn, caller: CallerDep, session: Transaction
) -> ProposalOut:
    """The chair or the secretary applies the change to the agenda, or turns it down."""
    proposal = access_proposal(session, caller, proposal_id)
    body.decide(session, caller, proposal)
    return ProposalOut.model_validate(agenda_proposal(session, proposal.id))
