"""Roles and grants: who may do what, stored as rows (see ``veche.permissions``)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, Entity
from veche.models.columns import PersonId, RoleId, UserId, enum_type
from veche.permissions import Scope


class Role(Entity):
    """A named set of permissions. Participants hold the roles named after their place and
    their office in a meeting without a grant (``member``, ``chair`` …)."""

    name: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")

    permissions: Mapped[list[RolePermission]] = relationship(
        back_populates="role", cascade="all, delete-orphan"
    )


class RolePermission(Base):
    """One permission a role grants, by its name in ``veche.permissions.Permission``."""

    role_id: Mapped[RoleId] = mapped_column(primary_key=True)
    permission: Mapped[str] = mapped_column(String(60), primary_key=True)

    role: Mapped[Role] = relationship(back_populates="permissions")


class RoleGrant(Entity):
    """A role held by an account or a person in one scope: the organization, a body, a
    meeting or a unit, named by ``scope_id``."""

    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (person_id IS NULL)", name="one_holder"),
        Index("ix_role_grant_holder_scope", "scope", "scope_id"),
    )

    role_id: Mapped[RoleId] = mapped_column(index=True)
    user_id: Mapped[UserId | None] = mapped_column(index=True)
    person_id: Mapped[PersonId | None] = mapped_column(index=True)
    scope: Mapped[Scope] = mapped_column(enum_type(Scope, "grant_scope"))
    scope_id: Mapped[int]

    role: Mapped[Role] = relationship()
