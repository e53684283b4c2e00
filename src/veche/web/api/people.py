"""People and their seats through the API, for those who manage the organization: found by
name a page at a time, read, corrected; seats listed per term and changed or ended. People
and seats are added in ``org``, as the secretary's pages add them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from veche.actions.access import manage_organization, organization_row
from veche.models import Person, Term
from veche.queries.records import PersonRecord, SeatRow, find_people, person_record, term_seats
from veche.queries.roster import PersonRow
from veche.web.api.org import MembershipOut, PersonRecordOut
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import Id, PageQuery
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_org import MembershipUpdate, PersonUpdate

router = APIRouter(tags=["organization"], responses=REFUSALS)


class PeopleOut(BaseModel):
    total: int
    people: list[PersonRow]  # the query's own dataclass: pydantic reads it as is


@router.get("/people")
def list_people(
    caller: CallerDep,
    session: SessionDep,
    *,
    q: Annotated[
        str, Query(max_length=200, description="words in the name or the e-mail address")
    ] = "",
    page: PageQuery,
) -> PeopleOut:
    """The organization's people by name, a page at a time, with their unit and seats."""
    organization = manage_organization(session, caller)
    total, found = find_people(session, organization, q, limit=page.limit, offset=page.offset)
    return PeopleOut(total=total, people=found)


@router.get("/people/{person_id}")
def get_person(person_id: Id, caller: CallerDep, session: SessionDep) -> PersonRecord:
    """A person with their unit and every seat they hold or held, newest term first."""
    manage_organization(session, caller)
    return person_record(session, organization_row(session, caller, Person, person_id, "person"))


@router.patch("/people/{person_id}")
def update_person(
    person_id: Id, body: PersonUpdate, caller: CallerDep, session: Transaction
) -> PersonRecordOut:
    """Correct a person's name or e-mail address, or move them to another unit."""
    return PersonRecordOut.model_validate(body.apply(session, caller, person_id))


@router.get("/terms/{term_id}/memberships")
def list_memberships(term_id: Id, caller: CallerDep, session: SessionDep) -> list[SeatRow]:
    """A term's seats: members, then alternates, each by name, with their first and last
    days (none: the term's)."""
    manage_organization(session, caller)
    return term_seats(session, organization_row(session, caller, Term, term_id, "term"))


@router.patch("/memberships/{membership_id}")
def update_membership(
    membership_id: Id, body: MembershipUpdate, caller: CallerDep, session: Transaction
) -> MembershipOut:
    """Change a seat (member or alternate, its first or last day), or end it with a last day."""
    return MembershipOut.model_validate(body.apply(session, caller, membership_id))
