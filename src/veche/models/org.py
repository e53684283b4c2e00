"""The organization: its bodies and their numbered terms, people, memberships, units, accounts."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, composite, declared_attr, mapped_column, relationship

from veche.models.base import Base, Entity, Timestamped
from veche.models.columns import (
    BodyId,
    Id,
    OrganizationId,
    PersonId,
    TermId,
    UnitId,
    UserId,
    enum_type,
)
from veche.quorum import Quorum


class Organization(Entity):
    """The whole that owns everything: a federation, a union, a co-operative."""

    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Whether communiqués and the resolutions registry are shown to the public.
    publishes_reports: Mapped[bool] = mapped_column(default=True)
    #: Whether the follow-up of its resolutions (goals, figures accepted, report cards) is
    #: shown to the public: off until the organization opts in.
    publishes_follow_up: Mapped[bool] = mapped_column(default=False, server_default=false())

    bodies: Mapped[list[Body]] = relationship(back_populates="organization")


class Body(Entity):
    """A standing organ with seats (an executive board, an audit commission).

    Its rules are settings, not code: the quorum as a fraction of members that
    must be present, whether alternates vote in place of absent members, and how
    many proxies one member may hold.
    """

    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[OrganizationId]
    parent_id: Mapped[BodyId | None]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    quorum_numerator: Mapped[int] = mapped_column(default=1)
    quorum_denominator: Mapped[int] = mapped_column(default=2)
    #: The two columns as one value, read and written whole (``veche.quorum``).
    quorum: Mapped[Quorum] = composite("quorum_numerator", "quorum_denominator")
    alternates_vote_for_absent: Mapped[bool] = mapped_column(default=True)
    max_proxies_per_member: Mapped[int] = mapped_column(default=0)

    organization: Mapped[Organization] = relationship(back_populates="bodies")
    parent: Mapped[Body | None] = relationship(remote_side="Body.id")
    terms: Mapped[list[Term]] = relationship(back_populates="body", order_by="Term.number")


class Term(Entity):
    """One convocation of a body, numbered: the 8th Executive Board."""

    __table_args__ = (UniqueConstraint("body_id", "number"),)

    body_id: Mapped[BodyId]
    number: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    body: Mapped[Body] = relationship(back_populates="terms")
    memberships: Mapped[list[Membership]] = relationship(back_populates="term")


class Unit(Entity):
    """A node of the organization's structure that receives goals: a region, a branch."""

    __table_args__ = (UniqueConstraint("organization_id", "parent_id", "name"),)

    organization_id: Mapped[OrganizationId]
    parent_id: Mapped[UnitId | None] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60), default="unit")

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")


class Person(Entity):
    """Someone who may sit in bodies, speak, vote or report."""

    __table_args__ = (UniqueConstraint("organization_id", "email"),)

    organization_id: Mapped[OrganizationId]
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[UnitId | None]

    unit: Mapped[Unit | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="person")


class MembershipRole(enum.StrEnum):
    MEMBER = "member"
    ALTERNATE = "alternate"


class Membership(Entity):
    """A person's seat in a body's term."""

    __table_args__ = (UniqueConstraint("person_id", "term_id"),)

    person_id: Mapped[PersonId]
    term_id: Mapped[TermId] = mapped_column(index=True)
    role: Mapped[MembershipRole] = mapped_column(
        enum_type(MembershipRole, "membership_role", length=16)
    )
    from_date: Mapped[date | None]
    to_date: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="memberships")
    term: Mapped[Term] = relationship(back_populates="memberships")


class User(Entity):
    """A login, usually linked to a person; the password is stored as an argon2id hash."""

    __tablename__ = "user_account"  # not "user", a reserved word in PostgreSQL

    organization_id: Mapped[OrganizationId] = mapped_column(index=True)
    person_id: Mapped[PersonId | None] = mapped_column(unique=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    person: Mapped[Person | None] = relationship()


class HeldByUserOrPerson:
    """A login secret held by a user account or directly by a person; only its SHA-256
    (``token_hash``) is stored."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[CheckConstraint]:
        return (CheckConstraint("user_id IS NOT NULL OR person_id IS NOT NULL", name="has_holder"),)

    # First in the table, before the columns of the class that holds them, as the
    # migrations made them.
    id: Mapped[Id] = mapped_column(sort_order=-1)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, sort_order=-1)
    user_id: Mapped[UserId | None] = mapped_column(index=True, sort_order=-1)
    person_id: Mapped[PersonId | None] = mapped_column(index=True, sort_order=-1)

    @declared_attr
    def user(cls) -> Mapped[User | None]:
        return relationship("User")

    @declared_attr
    def person(cls) -> Mapped[Person | None]:
        return relationship("Person")


class ApiToken(HeldByUserOrPerson, Timestamped, Base):
    """A bearer token for the API, held by a user account or directly by a person (a delegate).

    Only the token's SHA-256 is stored. It works until it expires or is revoked. Its row
    stays either way: SQLite hands a deleted row's id to the next one, and an id that the
    journal names, or that a client revokes, must never come to mean another token.
    """

    label: Mapped[str] = mapped_column(String(100), default="")
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
