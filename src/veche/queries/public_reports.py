"""Meetings whose report is published, as the public may read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from veche.errors import NotFound
from veche.models import Body, Meeting, Organization, Term
from veche.models.meetings import MeetingState
from veche.queries.proceedings import meeting_name


@dataclass(frozen=True)
class PublishedReport:
    meeting_id: int
    name: str
    body_name: str
    starts_on: date
    ends_on: date


def _published_meetings(organization: Organization) -> Select[Meeting]:
    """The organization's meetings whose report is published."""
    return (
        select(Meeting)
        .join(Term, Term.id == Meeting.term_id)
        .join(Body, Body.id == Term.body_id)
        .where(
            Body.organization_id == organization.id,
            Meeting.state == MeetingState.REPORT_PUBLISHED,
        )
        .options(joinedload(Meeting.term).joinedload(Term.body))
    )


def published_reports(session: Session, organization: Organization) -> list[PublishedReport]:
    """Every meeting of the organization with a published report, newest first."""
    meetings = session.scalars(
        _published_meetings(organization).order_by(Meeting.starts_on.desc(), Meeting.id.desc())
    ).all()
    return [
        PublishedReport(m.id, meeting_name(m), m.term.body.name, m.starts_on, m.ends_on)
        for m in meetings
    ]


def published_meeting(session: Session, organization: Organization, meeting_id: int) -> Meeting:
    """A meeting whose report the public may read; NotFound for any other, saying nothing more."""
    meeting = session.scalar(_published_meetings(organization).where(Meeting.id == meeting_id))
    if meeting is None:
        raise NotFound(f"meeting {meeting_id} has no published report")
    return meeting
