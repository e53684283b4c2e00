"""A meeting's presidium and sittings through the API."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import AliasPath, Field
from sqlalchemy.orm import Session

from veche.queries import proceedings
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, Transaction
from veche.web.api.types import FromAttributes
from veche.web.deps import CallerDep
from veche.web.inputs_presidium import PresidiumIn, SittingIn

router = APIRouter(tags=["presidium"], responses=REFUSALS)


class PresidiumSeatOut(FromAttributes):
    person_id: int
    full_name: str = Field(validation_alias=AliasPath("person", "full_name"))
    position: int
    source: str
    formed_by_body_id: int | None
    poll_id: int | None


def _presidium(session: Session, meeting_id: int) -> list[PresidiumSeatOut]:
    return [
        PresidiumSeatOut.model_validate(seat) for seat in proceedings.presidium(session, meeting_id)
    ]


@router.post("/meetings/{meeting_id}/presidium", status_code=201)
def seat_presidium(
    meeting: MeetingDep, body: PresidiumIn, caller: CallerDep, session: Transaction
) -> list[PresidiumSeatOut]:
    """Seat the presidium: `person_ids` formed by a body, or the winners of election `poll_id`."""
    body.seat(session, caller, meeting)
    return _presidium(session, meeting.id)


@router.get("/meetings/{meeting_id}/presidium")
def get_presidium(meeting: MeetingDep, session: Transaction) -> list[PresidiumSeatOut]:
    return _presidium(session, meeting.id)


class SittingOut(FromAttributes):
    id: int
    number: int
    day: date
    chair_person_id: int


@router.post("/meetings/{meeting_id}/sittings", status_code=201)
def add_sitting(
    meeting: MeetingDep, body: SittingIn, caller: CallerDep, session: Transaction
) -> SittingOut:
    """Open the next sitting on a day, chaired by a member of the presidium."""
    return SittingOut.model_validate(body.add(session, caller, meeting))


@router.get("/meetings/{meeting_id}/sittings")
def list_sittings(meeting: MeetingDep, session: Transaction) -> list[SittingOut]:
    return [SittingOut.model_validate(s) for s in proceedings.sittings(session, meeting.id)]
