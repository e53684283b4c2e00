"""What each change to the organization's existing records asks for: the organization, a
body, a term, a unit, a person, a seat; and a new unit. The API takes each as its JSON body
and makes the change through the action of ``veche.actions.org_updates`` (or
``veche.actions.org``), as ``veche.web.inputs`` does for the records the pages make.

A change names only what it changes: a field left out stays as it is, and ``null`` empties
a field that may be empty (a body's parent, a term's end, an e-mail address). A field that
may not be empty is declared with its type alone (a name is a string, never ``null``), its
default only marking it as left out.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import (
    Caller,
    OrganizationRow,
    caller_organization,
    manage_organization,
    organization_row,
)
from veche.actions.org import do_create_unit
from veche.actions.org_updates import (
    KEEP,
    do_update_body,
    do_update_membership,
    do_update_organization,
    do_update_person,
    do_update_term,
    do_update_unit,
    organization_membership,
)
from veche.models import Body, Membership, Organization, Person, Term, Unit
from veche.models.org import MembershipRole
from veche.quorum import Quorum
from veche.web.api.types import Id
from veche.web.inputs import MAX_NUMBER, optional_row

#: The default of a field that may not be empty: never validated, so never stored; it
#: marks the field as left out (``_Change.given``). Typed ``Any`` so that a name may be
#: declared a ``str`` (never ``null`` in a request) and still be left out.
LEFT_OUT: Any = None


class _Change(BaseModel):
    """A change to a record: the fields given, each with its new value."""

    def given(self, name: str) -> Any:
        """The field's new value, or ``KEEP`` when the request left it out."""
        return getattr(self, name) if name in self.model_fields_set else KEEP

    def changes(self, *, but: Collection[str] = ()) -> dict[str, Any]:
        """Every field, but those named, with its new value or ``KEEP``: the keyword
        arguments of the change's action, which names them as the fields are named."""
        return {name: self.given(name) for name in type(self).model_fields if name not in but}

    def given_row(
        self,
        session: Session,
        caller: Caller,
        name: str,
        model: type[OrganizationRow],
        what: str,
    ) -> Any:
        """The row an id field names (404 if not the organization's), ``None`` for ``null``,
        or ``KEEP`` when the request left the field out."""
        if name not in self.model_fields_set:
            return KEEP
        return optional_row(session, caller, model, getattr(self, name), what)


class OrganizationUpdate(_Change):
    """The organization's name and description, and whether its reports and the follow-up of
    its resolutions are public."""

    name: str = Field(default=LEFT_OUT, min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=40, description="null for none")
    description: str = Field(default=LEFT_OUT, max_length=2000)
    publishes_reports: bool = Field(
        default=LEFT_OUT,
        description="whether published communiqués and resolutions are shown without a login",
    )
    publishes_follow_up: bool = Field(
        default=LEFT_OUT,
        description="whether the follow-up of the resolutions (goals, accepted figures, the "
        "units' report cards) is shown without a login (/follow-up)",
    )

    def apply(self, session: Session, caller: Caller) -> Organization:
        organization = caller_organization(session, caller)
        return do_update_organization(session, caller, organization, **self.changes())


class BodyUpdate(_Change):
    """A body's name, rules, or place under another body (at any depth)."""

    name: str = Field(default=LEFT_OUT, min_length=1, max_length=200)
    description: str = Field(default=LEFT_OUT, max_length=2000)
    quorum: str = Field(
        default=LEFT_OUT, max_length=20, description='the share of members a quorum needs: "1/2"'
    )
    parent_id: Id | None = Field(
        default=None,
        description="the body it belongs to; null for none. Not itself or one of its own "
        "sub-bodies",
    )
    alternates_vote_for_absent: bool = Field(default=LEFT_OUT)
    max_proxies_per_member: int = Field(default=LEFT_OUT, ge=0, le=1000)

    def apply(self, session: Session, caller: Caller, body_id: int) -> Body:
        manage_organization(session, caller)  # 403 comes before a row not found or a bad quorum
        body = organization_row(session, caller, Body, body_id, "body")
        return do_update_body(
            session,
            caller,
            body,
            **self.changes(but={"quorum", "parent_id"}),
            quorum=Quorum.parse(self.quorum) if "quorum" in self.model_fields_set else KEEP,
            parent=self.given_row(session, caller, "parent_id", Body, "body"),
        )


class TermUpdate(_Change):
    """A term's number or dates; its meetings must still fall within them."""

    number: int = Field(default=LEFT_OUT, ge=1, le=MAX_NUMBER)
    starts_on: date = Field(default=LEFT_OUT)
    ends_on: date | None = Field(default=None, description="null: not ended, or not known")

    def apply(self, session: Session, caller: Caller, term_id: int) -> Term:
        manage_organization(session, caller)
        term = organization_row(session, caller, Term, term_id, "term")
        return do_update_term(session, caller, term, **self.changes())


class UnitIn(BaseModel):
    """A unit of the organization's structure (a region, a branch), under another or at the
    top; grants in a unit hold in the units below it."""

    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(default="unit", min_length=1, max_length=60, description='"region", …')
    parent_id: Id | None = Field(default=None, description="the unit it lies in, if any")

    def create(self, session: Session, caller: Caller) -> Unit:
        manage_organization(session, caller)
        parent = optional_row(session, caller, Unit, self.parent_id, "unit")
        organization = caller_organization(session, caller)
        given = self.model_dump(exclude={"parent_id"})
        return do_create_unit(session, caller, organization, **given, parent=parent)


class UnitUpdate(_Change):
    """A unit's name, kind, or place in the tree."""

    name: str = Field(default=LEFT_OUT, min_length=1, max_length=200)
    kind: str = Field(default=LEFT_OUT, min_length=1, max_length=60)
    parent_id: Id | None = Field(
        default=None,
        description="the unit it lies in; null for the top. Not itself or a unit below it",
    )

    def apply(self, session: Session, caller: Caller, unit_id: int) -> Unit:
        manage_organization(session, caller)
        unit = organization_row(session, caller, Unit, unit_id, "unit")
        parent = self.given_row(session, caller, "parent_id", Unit, "unit")
        return do_update_unit(
            session, caller, unit, **self.changes(but={"parent_id"}), parent=parent
        )


class PersonUpdate(_Change):
    """A person's name, e-mail address or unit."""

    full_name: str = Field(default=LEFT_OUT, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254, description="null for none")
    unit_id: Id | None = Field(default=None, description="null for none")

    def apply(self, session: Session, caller: Caller, person_id: int) -> Person:
        manage_organization(session, caller)
        person = organization_row(session, caller, Person, person_id, "person")
        unit = self.given_row(session, caller, "unit_id", Unit, "unit")
        return do_update_person(session, caller, person, **self.changes(but={"unit_id"}), unit=unit)


class MembershipUpdate(_Change):
    """A seat: member or alternate, and its first and last day (a last day ends it)."""

    role: MembershipRole = Field(default=LEFT_OUT)
    from_date: date | None = Field(default=None, description="null: from the term's start")
    to_date: date | None = Field(default=None, description="null: to the term's end")

    def apply(self, session: Session, caller: Caller, membership_id: int) -> Membership:
        manage_organization(session, caller)
        membership = organization_membership(session, caller, membership_id)
        return do_update_membership(session, caller, membership, **self.changes())
