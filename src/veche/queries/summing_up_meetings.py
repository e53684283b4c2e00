"""The meetings an interim summing-up may be filed in, for the follow-up desk: the open and coming
meetings of the organization's bodies that the caller may see, newest first, each leading to
its summing-up page, where the filing's form is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, may_see_meeting
from veche.actions.meetings import RECORDING_STATES
from veche.models import Body, Meeting, Term
from veche.models.states import said
from veche.queries._listing import paged

#: How many meetings the desk lists: those to come soonest are the newest, and a secretary
#: files on one of the next few; the others are on the dashboard's list of meetings.
LISTED = 20


@dataclass(frozen=True)
class MeetingToSumUpIn:
    id: int
    title: str
    body: str
    starts_on: date
    ends_on: date
    #: As a sentence says it: "draft", "convened", "in session".
    state: str


@dataclass(frozen=True)
class MeetingsToSumUpIn:
    #: Newest first, ``LISTED`` at most.
    meetings: list[MeetingToSumUpIn]
    #: How many more there are than those listed.
    more: int


def meetings_to_sum_up_in(
    session: Session, caller: Caller, organization_id: int, *, limit: int = LISTED
) -> MeetingsToSumUpIn:
    """The organization's meetings whose agenda still takes papers (draft, convened or in
    session: a closed meeting's record is final) and that the caller may see, newest first;
    two queries, however many there are."""
    query = (
        select(
            Meeting.id, Meeting.title, Body.name, Meeting.starts_on, Meeting.ends_on, Meeting.state
        )
        .join(Term, Term.id == Meeting.term_id)
        .join(Body, Body.id == Term.body_id)
        .where(
            Body.organization_id == organization_id,
            Meeting.state.in_(sorted(RECORDING_STATES)),
            may_see_meeting(caller),
        )
    )
    total, page = paged(
        session, query, Meeting.starts_on.desc(), Meeting.id.desc(), limit=limit, offset=0
    )
    meetings = [
        MeetingToSumUpIn(meeting_id, title, body, starts_on, ends_on, said(state))
        for meeting_id, title, body, starts_on, ends_on, state in session.execute(page)
    ]
    return MeetingsToSumUpIn(meetings, max(total - len(meetings), 0))
