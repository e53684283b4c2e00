"""Roles the tests grant through the action, to an account or to a person alike."""

from __future__ import annotations

from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.roles import do_grant_role
from veche.models import Person, User
from veche.permissions import Scope


def grant(
    session: Session, operator: Caller, role: str, holder: User | Person, where: tuple[Scope, int]
) -> None:
    """Grant ``role`` to ``holder``, an account or a person, in the scope ``where`` names (with
    the id of its organization, meeting or unit)."""
    to_account = isinstance(holder, User)
    scope, scope_id = where
    do_grant_role(
        session,
        operator,
        role,
        scope=scope,
        scope_id=scope_id,
        user_id=holder.id if to_account else None,
        person_id=None if to_account else holder.id,
    )
