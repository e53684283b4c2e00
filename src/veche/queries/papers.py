"""A meeting's motions and documents as the pages list them, beside the agenda items they serve."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from veche.models import AgendaItem, Document, Meeting
from veche.queries import proceedings
from veche.queries.agenda import agenda_items


@dataclass(frozen=True)
class MotionList:
    meeting: Meeting
    motions: list[proceedings.MotionRow]
    #: Every item a motion may belong to, withdrawn ones included, by id.
    items: dict[int, AgendaItem]


@dataclass(frozen=True)
class DocumentList:
    meeting: Meeting
    documents: list[Document]
    #: Every item a document may belong to, withdrawn ones included, by id.
    items: dict[int, AgendaItem]


def motion_list(session: Session, meeting: Meeting) -> MotionList:
    return MotionList(meeting, proceedings.motions(session, meeting.id), _items(session, meeting))


def document_list(session: Session, meeting: Meeting) -> DocumentList:
    return DocumentList(
        meeting, proceedings.documents(session, meeting.id), _items(session, meeting)
    )


def _items(session: Session, meeting: Meeting) -> dict[int, AgendaItem]:
    return {item.id: item for item in agenda_items(session, meeting.id, withdrawn=True)}
