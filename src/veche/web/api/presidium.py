"""A meeting's presidium and sittings through the API."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import AliasPath, BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import access_poll
from veche.actions.presidium import do_add_sitting, do_form_presidium, do_seat_elected_presidium
from veche.errors import InvalidInput
from veche.queries import proceedings
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, Transaction
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep

router = APIRouter(tags=["presidium"], responses=REFUSALS)


class PresidiumIn(BaseModel):
    person_ids: list[Id] = Field(default_factory=list, max_length=200)
    formed_by_body_id: Id | None = None
    poll_id: Id | None = Field(default=None, description="an election poll that elected it")


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
    if body.poll_id is not None:
        if body.person_ids or body.formed_by_body_id is not None:
            raise InvalidInput("give either poll_id or person_ids, not both")
        poll = access_poll(session, caller, body.poll_id)
        do_seat_elected_presidium(session, caller, meeting, poll)
    else:
        do_form_presidium(
            session, caller, meeting, body.person_ids, formed_by_body_id=body.formed_by_body_id
        )
    return _presidium(session, meeting.id)


@router.get("/meetings/{meeting_id}/presidium")
def get_presidium(meeting: MeetingDep, session: Transaction) -> list[PresidiumSeatOut]:
    return _presidium(session, meeting.id)


class SittingIn(BaseModel):
    day: date
    chair_person_id: Id


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
    return SittingOut.model_validate(do_add_sitting(session, caller, meeting, **body.model_dump()))


@router.get("/meetings/{meeting_id}/sittings")
def list_sittings(meeting: MeetingDep, session: Transaction) -> list[SittingOut]:
    return [SittingOut.model_validate(s) for s in proceedings.sittings(session, meeting.id)]
