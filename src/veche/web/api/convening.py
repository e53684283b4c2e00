"""A meeting's convocation through the API: its dates and notice, its state, its observers
and participants."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, TypeAdapter

from veche.actions.participants import do_invite_observers
from veche.queries import proceedings
from veche.web.api.meetings import MeetingOut
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, Transaction
from veche.web.api.types import Id
from veche.web.deps import CallerDep
from veche.web.inputs_meetings import MeetingUpdate, StateIn

router = APIRouter(tags=["meetings"], responses=REFUSALS)


@router.patch("/meetings/{meeting_id}")
def update_meeting(
    meeting: MeetingDep, body: MeetingUpdate, caller: CallerDep, session: Transaction
) -> MeetingOut:
    """Change the convocation (title, days, venue, notice, convening body) before the session."""
    body.apply(session, caller, meeting)
    return MeetingOut.model_validate(meeting)


@router.post("/meetings/{meeting_id}/state")
def change_state(
    meeting: MeetingDep, body: StateIn, caller: CallerDep, session: Transaction
) -> MeetingOut:
    """Move on: draft → convened → in_session → closed → report_published."""
    body.take(session, caller, meeting)
    return MeetingOut.model_validate(meeting)


class ObserversIn(BaseModel):
    category: str = Field(min_length=1, max_length=200)
    person_ids: list[Id] = Field(min_length=1, max_length=10_000)


@router.post("/meetings/{meeting_id}/observers", status_code=201)
def invite_observers(
    meeting: MeetingDep, body: ObserversIn, caller: CallerDep, session: Transaction
) -> list[int]:
    """Invite observers by category ("chairs of regional committees"); returns their person ids."""
    invited = do_invite_observers(session, caller, meeting, body.category, body.person_ids)
    return [p.person_id for p in invited]


_PARTICIPANT_ROWS = TypeAdapter(list[proceedings.ParticipantRow])


@router.get("/meetings/{meeting_id}/participants", response_model=list[proceedings.ParticipantRow])
def list_participants(meeting: MeetingDep, session: Transaction) -> Response:
    """Everyone invited, by role and name, with observers' categories and offices."""
    # A meeting may list thousands: written to JSON in one pass by pydantic-core, rather than
    # checked again row by row on the way out.
    rows = proceedings.participants(session, meeting.id, by_role=True)
    return Response(_PARTICIPANT_ROWS.dump_json(rows), media_type="application/json")
