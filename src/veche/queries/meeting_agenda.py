"""The agenda as delegates follow it: each item's state, its papers, drafts and votes, the one in hand."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from veche.actions.access import Caller, meeting_permissions, result_visible
from veche.models import AgendaItem, Document, Meeting, Poll
from veche.models.agenda import ItemState
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries._listing import rows_of
from veche.queries.agenda import agenda_approval
from veche.queries.proceedings import MotionRow, documents, motions
from veche.queries.sitting import meeting_polls

#: Polls the agenda does not list: not yet put to the meeting, or dropped.
_UNSEEN = (PollState.DRAFT, PollState.CANCELLED)


@dataclass(frozen=True)
class AgendaEntry:
    """One item with what belongs to it."""

    item: AgendaItem
    documents: list[Document]
    motions: list[MotionRow]
    #: The votes put to the meeting on the item, first opened first.
    polls: list[Poll]

    @property
    def in_hand(self) -> bool:
        """Whether the item is under discussion now."""
        return self.item.state is ItemState.OPEN


@dataclass(frozen=True)
class MeetingAgenda:
    meeting: Meeting
    #: The names of the permissions the viewer holds in the meeting (the tabs read them).
    may: frozenset[str]
    #: The decision that approved the agenda; None while it is a draft.
    approval: Poll | None
    entries: list[AgendaEntry]
    #: Papers filed with the notice, on no item.
    general_documents: list[Document]
    #: By poll id: whether the viewer may see its result.
    results: dict[int, bool]


def meeting_agenda(session: Session, caller: Caller, meeting: Meeting) -> MeetingAgenda:
    """The meeting's items in order (withdrawn ones left out), each with its papers, drafts
    and votes: a handful of queries however long the agenda."""
    may = meeting_permissions(session, caller, meeting.id)
    items = rows_of(
        session,
        AgendaItem,
        (AgendaItem.meeting_id == meeting.id) & (AgendaItem.state != ItemState.WITHDRAWN),
        AgendaItem.position,
        AgendaItem.id,
        load=[AgendaItem.rapporteur, AgendaItem.rapporteur_body],
    )
    papers: dict[int | None, list[Document]] = defaultdict(list)
    for document in documents(session, meeting.id):
        papers[document.agenda_item_id].append(document)
    drafts: dict[int | None, list[MotionRow]] = defaultdict(list)
    for motion in motions(session, meeting.id):
        drafts[motion.agenda_item_id].append(motion)
    votes: dict[int | None, list[Poll]] = defaultdict(list)
    shown = [poll for poll in meeting_polls(session, meeting) if poll.state not in _UNSEEN]
    for poll in shown:
        votes[poll.agenda_item_id].append(poll)
    sees_closed = Permission.RESULTS_SEE_CLOSED in may
    return MeetingAgenda(
        meeting=meeting,
        may=may,
        approval=agenda_approval(session, meeting.id),
        entries=[
            AgendaEntry(item, papers[item.id], drafts[item.id], votes[item.id]) for item in items
        ],
        general_documents=papers[None],
        results={poll.id: result_visible(poll.state, sees_closed) for poll in shown},
    )
