"""The organization through the API: read by anyone; it and its bodies, terms, people,
seats, accounts and member lists changed by those who manage it, as the secretary's pages
do. Reading and changing existing bodies, terms and units is in ``structure``, people and
seats in ``people``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, UploadFile
from pydantic import Field
from sqlalchemy.orm import Session

from veche.actions.imports import ImportSummary
from veche.models import Organization
from veche.models.org import MembershipRole
from veche.queries.org import TermSummary, get_organization, list_bodies
from veche.quorum import Quorum
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import FromAttributes
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs import (
    BodyIn,
    MembershipIn,
    PersonIn,
    TermIn,
    UserIn,
    import_member_list,
    read_member_list,
)
from veche.web.inputs_org import OrganizationUpdate
from veche.web.site_name import name_the_site

#: Open to anyone: the only refusal is a database without an organization yet.
router = APIRouter(tags=["organization"], responses={404: REFUSALS[404]})
#: The organization's records, for those who may change them (``organization.manage``).
records = APIRouter(tags=["organization"], responses=REFUSALS)


class BodyOut(FromAttributes):
    id: int
    name: str
    parent: str | None = Field(validation_alias="parent_name")
    description: str
    current_term: TermSummary | None


class OrganizationOut(FromAttributes):
    id: int
    name: str
    short_name: str | None
    description: str
    publishes_reports: bool = Field(
        description="whether published communiqués and resolutions are shown without a login"
    )
    publishes_follow_up: bool = Field(
        description="whether the follow-up of the resolutions is shown without a login"
    )
    bodies: list[BodyOut]


@router.get("/organization")
def organization(session: SessionDep) -> OrganizationOut:
    """The organization with its bodies and each body's current term."""
    return _organization_out(session, get_organization(session))


@records.patch("/organization")
def update_organization(
    request: Request, body: OrganizationUpdate, caller: CallerDep, session: Transaction
) -> OrganizationOut:
    """Rename the organization, describe it, or say whether its reports are public."""
    changed = _organization_out(session, body.apply(session, caller))
    # The pages' header names it: in this process at once (the others read it again soon).
    name_the_site(request.app.state, changed.short_name, changed.name)
    return changed


def _organization_out(session: Session, org: Organization) -> OrganizationOut:
    bodies = [BodyOut.model_validate(b) for b in list_bodies(session, org, date.today())]
    return OrganizationOut.read(org, bodies=bodies)


class BodyRecordOut(FromAttributes):
    id: int
    name: str
    parent_id: int | None
    description: str
    quorum: Quorum
    alternates_vote_for_absent: bool
    max_proxies_per_member: int


class TermRecordOut(FromAttributes):
    id: int
    body_id: int
    number: int
    starts_on: date
    ends_on: date | None


class PersonRecordOut(FromAttributes):
    id: int
    full_name: str
    email: str | None
    unit_id: int | None


class MembershipOut(FromAttributes):
    id: int
    person_id: int
    term_id: int
    role: MembershipRole
    from_date: date | None
    to_date: date | None


class UserOut(FromAttributes):
    id: int
    username: str
    person_id: int | None
    active: bool


@records.post("/bodies", status_code=201)
def create_body(body: BodyIn, caller: CallerDep, session: Transaction) -> BodyRecordOut:
    """Add a body (a council, a bureau, a commission) with its quorum."""
    return BodyRecordOut.model_validate(body.create(session, caller))


@records.post("/terms", status_code=201)
def open_term(body: TermIn, caller: CallerDep, session: Transaction) -> TermRecordOut:
    """Open a body's next term (numbered after the last unless a number is given)."""
    return TermRecordOut.model_validate(body.open(session, caller))


@records.post("/people", status_code=201)
def create_person(body: PersonIn, caller: CallerDep, session: Transaction) -> PersonRecordOut:
    """Add a person; seats (`POST /api/memberships`) and an account come after."""
    return PersonRecordOut.model_validate(body.create(session, caller))


@records.post("/memberships", status_code=201)
def add_membership(body: MembershipIn, caller: CallerDep, session: Transaction) -> MembershipOut:
    """Give a person a seat, as member or alternate, in a body's term."""
    return MembershipOut.model_validate(body.add(session, caller))


@records.post("/users", status_code=201, deprecated=True)
def create_user(body: UserIn, caller: CallerDep, session: Transaction) -> UserOut:
    """An account that logs in with a password; an administrator's holds every right. The
    same input and action as `POST /api/accounts`, which answers with the account's roles
    too: use that one; this one stays for clients written against it."""
    return UserOut.model_validate(body.create(session, caller))


@records.post("/imports/members")
def import_members(file: UploadFile, caller: CallerDep, session: Transaction) -> ImportSummary:
    """People and seats from a CSV file (as `veche import members` reads it): every row, or
    none, with each problem named by its line."""
    text, source = read_member_list(file)
    return import_member_list(session, caller, text, source)
