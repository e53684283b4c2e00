"""The organization and its bodies, read through the API."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from veche.queries.org import get_organization, list_bodies
from veche.web.api.refusals import REFUSALS
from veche.web.deps import SessionDep

#: Open to anyone: the only refusal is a database without an organization yet.
router = APIRouter(tags=["organization"], responses={404: REFUSALS[404]})


class TermOut(BaseModel):
    id: int
    number: int
    label: str
    starts_on: date
    ends_on: date | None
    members: int
    alternates: int


class BodyOut(BaseModel):
    id: int
    name: str
    parent: str | None
    description: str
    current_term: TermOut | None


class OrganizationOut(BaseModel):
    id: int
    name: str
    short_name: str | None
    description: str
    bodies: list[BodyOut]


@router.get("/organization")
def organization(session: SessionDep) -> OrganizationOut:
    """The organization with its bodies and each body's current term."""
    org = get_organization(session)
    bodies = [
        BodyOut(
            id=b.id,
            name=b.name,
            parent=b.parent_name,
            description=b.description,
            current_term=TermOut(**vars(b.current_term)) if b.current_term else None,
        )
        for b in list_bodies(session, org, date.today())
    ]
    return OrganizationOut(
        id=org.id,
        name=org.name,
        short_name=org.short_name,
        description=org.description,
        bodies=bodies,
    )
