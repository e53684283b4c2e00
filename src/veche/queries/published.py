"""What an organization shows the public: the published results of its meetings' polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import Body, Meeting, Organization, Poll, Term
from veche.models.polls import PollState
from veche.reports._words import with_lots


@dataclass(frozen=True)
class PublishedResult:
    meeting_title: str
    body_name: str
    meeting_date: date
    poll_title: str
    outcome: str


def published_results(session: Session, organization: Organization) -> list[PublishedResult]:
    """Every published poll of the organization's meetings, newest meeting first."""
    rows = session.execute(
        select(Meeting.title, Body.name, Meeting.starts_on, Poll.title, Poll.outcome, Poll.result)
        .join(Meeting, Meeting.id == Poll.meeting_id)
        .join(Term, Term.id == Meeting.term_id)
        .join(Body, Body.id == Term.body_id)
        .where(Body.organization_id == organization.id, Poll.state == PollState.PUBLISHED)
        .order_by(Meeting.starts_on.desc(), Meeting.id.desc(), Poll.id)
    ).all()
    # The outcome as every other output says it: with a tie a lot settled, and between whom.
    return [
        PublishedResult(title, body, starts_on, poll_title, with_lots(outcome or "", result))
        for title, body, starts_on, poll_title, outcome, result in rows
    ]
