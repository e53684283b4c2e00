"""The first start of a real organization: the organization and its first account, once.

``veche init``, the set-up page (``/setup``) and ``POST /api/setup`` all come here. It works on
a database without an organization only; once there is one it is refused (409), so that
nobody who reaches a running server can set it up again for themselves. The first account
holds the administrator role in the organization: it manages the organization and its
accounts, and grants everyone else their roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.org import check_name, do_create_organization, do_create_user
from veche.errors import Conflict
from veche.models import JournalHead, Organization, User

#: As long as ``organization.short_name`` holds (SQLite would take a longer one unchecked).
SHORT_NAME_LENGTH = 40


@dataclass(frozen=True)
class FirstStart:
    """What setting up asks for: the organization's names, the first secretary's login."""

    organization: str
    short_name: str | None
    username: str
    password: str


@dataclass(frozen=True)
class SetUp:
    organization: Organization
    user: User


def check_not_set_up(session: Session) -> None:
    """Refuse (409) once the database holds an organization."""
    existing = session.scalar(select(Organization.name).order_by(Organization.id).limit(1))
    if existing is not None:
        raise Conflict(
            f"veche is set up already, for {existing}; log in at /login, and ask its "
            "secretary for an account"
        )


def do_set_up(session: Session, start: FirstStart, *, via: str) -> SetUp:
    """Create the organization and its first account, an administrator, journaled as the
    operator's command ``via`` ("veche init", "the set-up page"). Bad input raises before
    the transaction commits, so a refusal changes nothing."""
    # Two set-ups sent at once must not both find the database empty: the journal head's
    # lock (which every change takes anyway) makes the second wait and then find the first's
    # organization. SQLite's BEGIN IMMEDIATE serialises writers the same way.
    session.execute(select(JournalHead.id).where(JournalHead.id == 1).with_for_update())
    check_not_set_up(session)
    operator = Caller(Actor.system(via), person_id=None, unrestricted=True, organization_id=None)
    short_name = (start.short_name or "").strip()
    organization = do_create_organization(
        session,
        operator,
        start.organization,
        short_name=check_name(short_name, "the short name", SHORT_NAME_LENGTH)
        if short_name
        else None,
    )
    user = do_create_user(
        session, operator, organization, start.username, start.password, administrator=True
    )
    return SetUp(organization, user)
