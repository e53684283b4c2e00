"""Meetings a caller may see, found by body, term, state and dates, a page at a time."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from veche.actions.access import Caller, may_see_meeting
from veche.ids import Id
from veche.models import Meeting, Term
from veche.models.meetings import MeetingState
from veche.queries._listing import paged, where_given


class MeetingFilter(BaseModel):
    """What to look for; every field left empty matches everything. A meeting matches the
    dates when one of its days lies between them. ``GET /api/meetings`` takes it as its
    query."""

    model_config = ConfigDict(frozen=True)

    body_id: Id | None = None
    term_id: Id | None = None
    state: MeetingState | None = None
    from_date: date | None = Field(
        default=None, description="meetings with a day on or after this one"
    )
    to_date: date | None = Field(
        default=None, description="meetings with a day on or before this one"
    )


def find_meetings(
    session: Session, caller: Caller, wanted: MeetingFilter, *, limit: int, offset: int
) -> tuple[int, list[Meeting]]:
    """(how many match, one page of them), newest first, each with its term and body."""
    query = select(Meeting).join(Term, Term.id == Meeting.term_id).where(may_see_meeting(caller))
    query = where_given(
        query,
        (Term.body_id, wanted.body_id),
        (Meeting.term_id, wanted.term_id),
        (Meeting.state, wanted.state),
    )
    if wanted.from_date is not None:
        query = query.where(Meeting.ends_on >= wanted.from_date)
    if wanted.to_date is not None:
        query = query.where(Meeting.starts_on <= wanted.to_date)
    total, page = paged(
        session, query, Meeting.starts_on.desc(), Meeting.id.desc(), limit=limit, offset=offset
    )
    found = session.scalars(page.options(selectinload(Meeting.term).selectinload(Term.body)))
    return total, list(found)
