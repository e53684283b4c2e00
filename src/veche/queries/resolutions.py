"""The resolutions registry: every adopted resolution, searchable by body, term, meeting and text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.ids import Id
from veche.models import Body, Meeting, Resolution, Term
from veche.queries._listing import paged, where_given
from veche.queries._views import view_of
from veche.queries.meeting_names import named_meeting
from veche.queries.org import term_label
from veche.queries.records import containing


@dataclass(frozen=True)
class RegistryEntry:
    id: int
    number: int
    title: str
    text: str
    result: str
    effective_on: date
    meeting_id: int
    meeting: str
    body_id: int
    body: str
    term_id: int
    term_number: int


class RegistryFilter(BaseModel):
    """What to look for in an organization's registry; every field left empty matches
    everything. ``GET /api/resolutions`` takes it as its query."""

    model_config = ConfigDict(frozen=True)

    body_id: Id | None = None
    term_id: Id | None = None
    meeting_id: Id | None = None
    q: str = Field(default="", max_length=200, description="words in the title or text")


#: The whole registry.
EVERY_RESOLUTION = RegistryFilter()


def search_resolutions(
    session: Session,
    organization_id: int,
    wanted: RegistryFilter = EVERY_RESOLUTION,
    *,
    limit: int = 50,
    offset: int = 0,
    resolution_id: int | None = None,
) -> tuple[int, list[RegistryEntry]]:
    """(how many of the organization's resolutions match, one page of them), newest meeting
    first, then by number."""
    query = (
        select(Resolution, Meeting, Term, Body)
        .join(Meeting, Meeting.id == Resolution.meeting_id)
        .join(Term, Term.id == Meeting.term_id)
        .join(Body, Body.id == Term.body_id)
    )
    query = where_given(
        query,
        (Resolution.id, resolution_id),
        (Body.organization_id, organization_id),
        (Body.id, wanted.body_id),
        (Term.id, wanted.term_id),
        (Meeting.id, wanted.meeting_id),
    )
    for word in wanted.q.split():
        query = query.where(containing(Resolution.title, word) | containing(Resolution.text, word))
    total, page = paged(
        session,
        query,
        Meeting.starts_on.desc(),
        Meeting.id.desc(),
        Resolution.number,
        limit=limit,
        offset=offset,
    )
    rows = session.execute(page).all()
    return total, [
        view_of(
            RegistryEntry,
            resolution,
            meeting=named_meeting(
                meeting.title, meeting.number, meeting.kind, term_label(term), body.name
            ),
            body_id=body.id,
            body=body.name,
            term_id=term.id,
            term_number=term.number,
        )
        for resolution, meeting, term, body in rows
    ]
