"""Reads about proposed agenda changes: each with its proposer, the item it concerns, its fate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import computed_field
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from veche.i18n import _
from veche.models import AgendaProposal, Person
from veche.models.agenda_proposals import ProposalKind, ProposalState
from veche.queries._views import view_of


@dataclass(frozen=True)
class ProposalView:
    id: int
    number: int
    kind: ProposalKind
    proposer_person_id: int
    proposer: str
    agenda_item_id: int | None
    #: The item's title when the proposal was made (empty for a new item).
    item_title: str
    title: str
    item_kind: str | None
    position: int | None
    rationale: str
    state: ProposalState
    reason: str
    created_at: datetime
    decided_at: datetime | None

    @computed_field(  # type: ignore[prop-decorator]
        description='in words: "move “On the budget” to position 2"'
    )
    @property
    def change(self) -> str:
        """The change in words: "add “On housing” (report)", "move “On the budget” to 2"."""
        if self.kind is ProposalKind.ADD:
            return _("add “{title}” ({kind})").format(
                title=self.title, kind=_(self.item_kind or "")
            )
        if self.kind is ProposalKind.REMOVE:
            return _("remove “{item}”").format(item=self.item_title)
        if self.kind is ProposalKind.MOVE:
            return _("move “{item}” to position {position}").format(
                item=self.item_title, position=self.position
            )
        return _("rename “{item}” to “{title}”").format(item=self.item_title, title=self.title)

    @property
    def fate(self) -> str:
        if self.state is ProposalState.ACCEPTED:
            return _("accepted")
        if self.state is ProposalState.REJECTED:
            return _("rejected: {reason}").format(reason=self.reason)
        return _("not decided")


def agenda_proposals(session: Session, meeting_id: int) -> list[ProposalView]:
    """The meeting's proposals in the order they were made, read in one query."""
    return _views(session, AgendaProposal.meeting_id == meeting_id)


def agenda_proposal(session: Session, proposal_id: int) -> ProposalView:
    (found,) = _views(session, AgendaProposal.id == proposal_id)
    return found


def _views(session: Session, where: ColumnElement[bool]) -> list[ProposalView]:
    rows = session.execute(
        select(AgendaProposal, Person.full_name)
        .join(Person, Person.id == AgendaProposal.proposer_person_id)
        .where(where)
        .order_by(AgendaProposal.number)
    ).all()
    return [
        view_of(
            ProposalView,
            p,
            proposer=proposer,
            item_kind=p.item_kind.value if p.item_kind else None,
        )
        for p, proposer in rows
    ]
