"""The secretary's lists: people with their seats, bodies with their terms, units."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from veche.models import Body, Membership, Organization, Person, Term, Unit
from veche.queries._listing import rows_of
from veche.queries.org import term_label


@dataclass(frozen=True)
class PersonRow:
    id: int
    full_name: str
    email: str | None
    unit: str | None
    seats: list[str]  # "member, 8th General Council"


#: What a person's row shows beside them, loaded with them (not a query per person).
PERSON_ROW_LOADS = (
    selectinload(Person.unit),
    selectinload(Person.memberships).selectinload(Membership.term).selectinload(Term.body),
)


def person_row(person: Person) -> PersonRow:
    """A person as listed, loaded with ``PERSON_ROW_LOADS``."""
    return PersonRow(
        person.id,
        person.full_name,
        person.email,
        person.unit.name if person.unit else None,
        [f"{m.role.value}, {term_label(m.term)}" for m in person.memberships],
    )


def people(session: Session, organization: Organization) -> list[PersonRow]:
    found = session.scalars(
        select(Person)
        .where(Person.organization_id == organization.id)
        .options(*PERSON_ROW_LOADS)
        .order_by(Person.full_name, Person.id)
    ).all()
    return [person_row(person) for person in found]


def bodies_with_terms(session: Session, organization: Organization) -> list[Body]:
    return rows_of(
        session, Body, Body.organization_id == organization.id, Body.id, load=[Body.terms]
    )


def units(session: Session, organization: Organization) -> list[Unit]:
    return rows_of(session, Unit, Unit.organization_id == organization.id, Unit.name)
