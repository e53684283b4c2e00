"""Proposed changes to the draft agenda through the API: propose, list, decide."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from veche.actions.access import access_meeting
from veche.actions.agenda_proposals import (
    MAX_RATIONALE,
    ProposalSpec,
    access_proposal,
    do_accept_agenda_proposal,
    do_propose_agenda_change,
    do_reject_agenda_proposal,
)
from veche.models.agenda import ItemKind
from veche.models.agenda_proposals import ProposalKind, ProposalState
from veche.models.base import MAX_INT
from veche.queries.agenda_proposals import ProposalView, agenda_proposal, agenda_proposals
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["proceedings"], responses=REFUSALS)


class ProposalIn(BaseModel):
    kind: ProposalKind
    title: str = Field(default="", max_length=500, description="the new item's, or the new title")
    item_kind: ItemKind | None = Field(
        default=None, description="for a new item; report if left out"
    )
    agenda_item_id: Id | None = Field(default=None, description="the item to remove, move, rename")
    position: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="where to move the item"
    )
    rationale: str = Field(default="", max_length=MAX_RATIONALE)


class ProposalOut(BaseModel):
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

    @classmethod
    def of(cls, view: ProposalView) -> ProposalOut:
        return cls(
            id=view.id,
            number=view.number,
            kind=view.kind,
            change=view.change,
            proposer_person_id=view.proposer_person_id,
            proposer=view.proposer,
            agenda_item_id=view.item_id,
            item_title=view.item_title,
            title=view.title,
            item_kind=view.item_kind,
            position=view.position,
            rationale=view.rationale,
            state=view.state,
            reason=view.reason,
            created_at=view.created_at,
            decided_at=view.decided_at,
        )


@router.post("/meetings/{meeting_id}/agenda/proposals", status_code=201)
def propose(
    meeting_id: Id, body: ProposalIn, caller: CallerDep, session: SessionDep
) -> ProposalOut:
    """A member or alternate proposes a change to the draft agenda, before it is approved."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        proposal = do_propose_agenda_change(
            session,
            caller,
            meeting,
            ProposalSpec(
                kind=body.kind,
                title=body.title,
                item_kind=body.item_kind,
                item_id=body.agenda_item_id,
                position=body.position,
                rationale=body.rationale,
            ),
        )
        return ProposalOut.of(agenda_proposal(session, proposal.id))


@router.get("/meetings/{meeting_id}/agenda/proposals")
def list_proposals(meeting_id: Id, caller: CallerDep, session: SessionDep) -> list[ProposalOut]:
    """Every proposed change, in order, with its fate."""
    access_meeting(session, caller, meeting_id)
    return [ProposalOut.of(view) for view in agenda_proposals(session, meeting_id)]


class DecisionIn(BaseModel):
    decision: Literal["accepted", "rejected"]
    reason: str = Field(default="", max_length=2000, description="why, when rejected")


@router.post("/agenda-proposals/{proposal_id}/decision")
def decide(
    proposal_id: Id, body: DecisionIn, caller: CallerDep, session: SessionDep
) -> ProposalOut:
    """The chair or the secretary applies the change to the agenda, or turns it down."""
    with session.begin():
        proposal = access_proposal(session, caller, proposal_id)
        if body.decision == "accepted":
            do_accept_agenda_proposal(session, caller, proposal)
        else:
            do_reject_agenda_proposal(session, caller, proposal, body.reason)
        return ProposalOut.of(agenda_proposal(session, proposal.id))
