"""Delegates propose changes to the draft agenda; the chair or the secretary accepts or rejects.

An accepted proposal is applied through the agenda's own actions, so it obeys the same rules
(and leaves the same journal entries) as a change the secretary makes directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from veche.actions._numbering import next_number
from veche.actions.access import (
    Caller,
    access_row,
    authorize,
    holds,
    meeting_row,
    participant_of,
    refusal,
)
from veche.actions.agenda import (
    ItemSpec,
    check_agenda_open,
    do_add_item,
    do_move_item,
    do_update_item,
    do_withdraw_item,
)
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name
from veche.errors import Conflict, Forbidden, InvalidInput
from veche.models import AgendaItem, AgendaProposal, Meeting
from veche.models.agenda import ItemKind, ItemState
from veche.models.agenda_proposals import ProposalKind, ProposalState
from veche.models.base import utcnow
from veche.permissions import Permission
from veche.queries.agenda import agenda_items

#: Delegates — those who may speak — propose changes; observers follow the meeting only.
MAX_RATIONALE = 5_000


@dataclass(frozen=True)
class ProposalSpec:
    """A proposed change: ``item_id`` names the item to remove, move or rename."""

    kind: ProposalKind
    title: str = ""
    item_kind: ItemKind | None = None
    item_id: int | None = None
    position: int | None = None
    rationale: str = ""


def access_proposal(session: Session, caller: Caller, proposal_id: int) -> AgendaProposal:
    return access_row(session, caller, AgendaProposal, proposal_id, "agenda proposal")


def _require_delegate(session: Session, caller: Caller, meeting: Meeting) -> int:
    participant = participant_of(session, meeting.id, caller.person_id)
    # Proposals are made in one's own name, so the proposer must take part in the meeting.
    if participant is None or not holds(session, caller, Permission.AGENDA_PROPOSE, meeting.id):
        raise Forbidden(refusal(session, Permission.AGENDA_PROPOSE, meeting.id))
    return participant.person_id


def _item_of(session: Session, meeting: Meeting, item_id: int | None, doing: str) -> AgendaItem:
    if item_id is None:
        raise InvalidInput(f"name the agenda item to {doing} (agenda_item_id)")
    item = meeting_row(session, AgendaItem, item_id, meeting.id, "agenda item")
    if item.state is ItemState.WITHDRAWN:
        raise Conflict(f"agenda item “{item.title}” was withdrawn already")
    return item


def _checked(session: Session, meeting: Meeting, spec: ProposalSpec) -> ProposalSpec:
    """The spec with its text tidied, or InvalidInput naming what does not fit its kind."""
    rationale = spec.rationale.strip()
    if len(rationale) > MAX_RATIONALE:
        raise InvalidInput(f"the rationale is longer than {MAX_RATIONALE} characters")
    if spec.kind is ProposalKind.ADD:
        if spec.item_id is not None or spec.position is not None:
            raise InvalidInput("a new item names no existing item and no position")
        return ProposalSpec(
            ProposalKind.ADD,
            title=check_name(spec.title, "the new item's title", max_length=500),
            item_kind=spec.item_kind or ItemKind.REPORT,
            rationale=rationale,
        )
    doing = spec.kind.value
    item = _item_of(session, meeting, spec.item_id, doing)
    title, position = "", None
    if spec.kind is ProposalKind.RENAME:
        title = check_name(spec.title, "the item's new title", max_length=500)
        if title == item.title:
            raise InvalidInput(f"agenda item {item.position} is already called {title!r}")
    elif spec.title.strip():
        raise InvalidInput(f"a proposal to {doing} an item takes no title")
    if spec.kind is ProposalKind.MOVE:
        count = len(agenda_items(session, meeting.id))
        if spec.position is None or not 1 <= spec.position <= count:
            raise InvalidInput(f"the new position must be between 1 and {count}")
        if spec.position == item.position:
            raise InvalidInput(f"agenda item “{item.title}” is at position {item.position} already")
        position = spec.position
    elif spec.position is not None:
        raise InvalidInput(f"a proposal to {doing} an item takes no position")
    return ProposalSpec(
        spec.kind, title=title, item_id=item.id, position=position, rationale=rationale
    )


def _payload(proposal: AgendaProposal) -> dict[str, object]:
    return {
        "meeting_id": proposal.meeting_id,
        "proposal_id": proposal.id,
        "number": proposal.number,
        "kind": proposal.kind,
        "item_id": proposal.agenda_item_id,
        "item_title": proposal.item_title,
        "title": proposal.title,
        "item_kind": proposal.item_kind,
        "position": proposal.position,
        "state": proposal.state,
    }


def _journal_proposal(
    session: Session,
    caller: Caller,
    proposal: AgendaProposal,
    action: JournalAction,
    **details: object,
) -> None:
    """Journal a change to a proposal (all that it says, then ``details``) and tell the pages
    the proposals changed."""
    record(session, caller.actor, action, {**_payload(proposal), **details})
    queue_event(
        session,
        proposal.meeting_id,
        LiveEventType.AGENDA_PROPOSALS_CHANGED,
        proposal_id=proposal.id,
    )


def do_propose_agenda_change(
    session: Session, caller: Caller, meeting: Meeting, spec: ProposalSpec
) -> AgendaProposal:
    """A delegate proposes adding, removing, moving or renaming an item, before approval."""
    proposer_id = _require_delegate(session, caller, meeting)
    check_agenda_open(session, meeting)
    spec = _checked(session, meeting, spec)
    item = session.get(AgendaItem, spec.item_id) if spec.item_id is not None else None
    number = next_number(session, AgendaProposal.number, AgendaProposal.meeting_id == meeting.id)
    proposal = AgendaProposal(
        meeting_id=meeting.id,
        number=number,
        kind=spec.kind,
        proposer_person_id=proposer_id,
        agenda_item_id=spec.item_id,
        item_title=item.title if item is not None else "",
        title=spec.title,
        item_kind=spec.item_kind,
        position=spec.position,
        rationale=spec.rationale,
        state=ProposalState.PENDING,
    )
    session.add(proposal)
    session.flush()
    _journal_proposal(
        session, caller, proposal, JournalAction.PROPOSE_AGENDA_CHANGE, rationale=proposal.rationale
    )
    return proposal


def _check_pending(proposal: AgendaProposal, doing: str) -> None:
    if proposal.state is not ProposalState.PENDING:
        raise Conflict(
            f"cannot {doing} agenda proposal {proposal.number}: it was {proposal.state.value} "
            "already"
        )


def do_accept_agenda_proposal(
    session: Session, caller: Caller, proposal: AgendaProposal
) -> AgendaProposal:
    """Apply the proposal to the agenda through the agenda's actions; it is then accepted."""
    meeting = proposal.meeting
    authorize(session, caller, Permission.AGENDA_MANAGE, meeting.id)
    _check_pending(proposal, "accept")
    if proposal.kind is ProposalKind.ADD:
        added = do_add_item(
            session,
            caller,
            meeting,
            ItemSpec(title=proposal.title, kind=proposal.item_kind or ItemKind.REPORT),
        )
        proposal.agenda_item_id = added.id
    else:
        item = _item_of(session, meeting, proposal.agenda_item_id, proposal.kind.value)
        if proposal.kind is ProposalKind.REMOVE:
            do_withdraw_item(session, caller, item)
        elif proposal.kind is ProposalKind.MOVE:
            assert proposal.position is not None  # every move names one (_checked)
            do_move_item(session, caller, item, proposal.position)
        else:
            do_update_item(session, caller, item, replace(ItemSpec.of(item), title=proposal.title))
    proposal.state = ProposalState.ACCEPTED
    proposal.decided_at = utcnow()
    session.flush()
    _journal_proposal(session, caller, proposal, JournalAction.ACCEPT_AGENDA_PROPOSAL)
    return proposal


def do_reject_agenda_proposal(
    session: Session, caller: Caller, proposal: AgendaProposal, reason: str
) -> AgendaProposal:
    """Turn the proposal down, with the reason the minutes will give; the agenda stays as it is."""
    authorize(session, caller, Permission.AGENDA_MANAGE, proposal.meeting_id)
    _check_pending(proposal, "reject")
    proposal.reason = check_name(reason, "the reason for rejecting it", max_length=2000)
    proposal.state = ProposalState.REJECTED
    proposal.decided_at = utcnow()
    _journal_proposal(
        session, caller, proposal, JournalAction.REJECT_AGENDA_PROPOSAL, reason=proposal.reason
    )
    return proposal
