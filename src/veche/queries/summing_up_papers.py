"""The interim summing-ups filed as papers in a meeting: listed on its summing-up page, quoted
by its communiqué, and readable by the public once the communiqué that cites them is."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import AgendaItem, Body, Document, Meeting, Organization, SummingUpPaper, Term
from veche.models.meetings import MeetingState


@dataclass(frozen=True)
class FiledSummingUp:
    """A summing-up filed on an item of the meeting, with the Markdown as filed."""

    document_id: int
    title: str
    item_position: int
    item_title: str
    cycle_id: int
    period_id: int
    sha256: str
    text: str


def summing_ups_filed(session: Session, meeting_id: int) -> list[FiledSummingUp]:
    """The summing-ups filed in the meeting, by agenda item and then as filed."""
    rows = session.execute(
        select(Document, AgendaItem, SummingUpPaper)
        .join(SummingUpPaper, SummingUpPaper.document_id == Document.id)
        .join(AgendaItem, AgendaItem.id == Document.agenda_item_id)
        .where(Document.meeting_id == meeting_id)
        .order_by(AgendaItem.position, Document.id)
    ).all()
    return [
        FiledSummingUp(
            document.id,
            document.title,
            item.position,
            item.title,
            filed.cycle_id,
            filed.period_id,
            filed.sha256,
            document.text,
        )
        for document, item, filed in rows
    ]


def public_summing_up(session: Session, meeting_id: int, document_id: int) -> Document | None:
    """The paper, if the public may read it: a summing-up filed in a meeting whose report
    is published, of an organization that publishes its reports — the communiqué the public
    reads cites it. Any other paper stays its meeting's participants' (None)."""
    return session.scalar(
        select(Document)
        .join(SummingUpPaper, SummingUpPaper.document_id == Document.id)
        .join(Meeting, Meeting.id == Document.meeting_id)
        .join(Term, Term.id == Meeting.term_id)
        .join(Body, Body.id == Term.body_id)
        .join(Organization, Organization.id == Body.organization_id)
        .where(
            Document.id == document_id,
            Document.meeting_id == meeting_id,
            Meeting.state == MeetingState.REPORT_PUBLISHED,
            Organization.publishes_reports.is_(True),
        )
    )
