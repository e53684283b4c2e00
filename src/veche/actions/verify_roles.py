"""Checking what each role grants against the journal (``veche verify``).

A role is a row, and what it allows is rows of ``role_permission``: whoever can write to the
database could give every delegate the chair's powers by adding one row to the ``member``
role, without touching a grant. So each role's permissions are held against the account the
journal and the migrations give of them:

- a role an administrator defined (``define_role``, journalled with its permissions) holds
  what its last definition says;
- a role no one defined holds what the migrations seeded it with (0008, the meeting's roles
  and the administrator; 0020, the follow-up's permissions and the reporter), read from the
  migrations themselves, so that the two cannot drift apart.

A role defined before the follow-up came in also holds what migration 0020 then added to it:
those permissions are allowed beside its definition (and only those).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings, listed
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, Role, RolePermission


@dataclass
class RolesCheck(Findings[str]):
    """The outcome of holding the roles' permissions against the journal and the migrations."""

    #: Roles whose permissions match their definition or their seeding.
    checked: int = 0


@dataclass(frozen=True)
class _Seeded:
    """What the migrations gave the roles they made or added to."""

    #: role → its permissions, as migration 0008 stored them.
    first: dict[str, frozenset[str]]
    #: role → the permissions migration 0020 added (to the roles that existed by then).
    follow_up: dict[str, frozenset[str]]
    #: The role migration 0020 made: the reporter.
    reporter: str

    def of(self, role: str) -> frozenset[str] | None:
        """All the seeding gave ``role``; None if no migration made it."""
        if role not in self.first and role != self.reporter:
            return None
        return self.first.get(role, frozenset()) | self.follow_up.get(role, frozenset())


def verify_roles(session: Session) -> RolesCheck:
    """Hold every role's permissions against its last definition, or its seeding."""
    defined: dict[str, tuple[int, frozenset[str]]] = {}  # role → (entry, its permissions)
    for seq, payload in session.execute(
        select(JournalEntry.seq, JournalEntry.payload)
        .where(JournalEntry.action == JournalAction.DEFINE_ROLE)
        .order_by(JournalEntry.seq)
    ):
        name, permissions = _definition(payload)
        if name is not None:
            defined[name] = (seq, permissions)
    held: dict[str, set[str]] = {
        name: set() for name in session.scalars(select(Role.name).order_by(Role.id))
    }
    for name, permission in session.execute(
        select(Role.name, RolePermission.permission).join(
            RolePermission, RolePermission.role_id == Role.id
        )
    ):
        held[name].add(permission)
    seeded = seeded_roles()
    check = RolesCheck()
    for name, granted in held.items():
        problem = _mismatch(name, frozenset(granted), defined.get(name), seeded)
        if problem is None:
            check.checked += 1
        else:
            check.problems.append(problem)
    return check


def _mismatch(
    name: str,
    held: frozenset[str],
    definition: tuple[int, frozenset[str]] | None,
    seeded: _Seeded,
) -> str | None:
    """What is wrong with the role ``name`` holding ``held``, in words; None if nothing."""
    if definition is not None:
        seq, wanted = definition
        allowed = wanted | seeded.follow_up.get(name, frozenset())
        if wanted <= held <= allowed:
            return None
        return (
            f"the role {name} grants {_permissions(held)}, but its definition in the journal "
            f"(entry {seq}) grants {_permissions(wanted)}: it was changed outside veche"
        )
    wanted_seeded = seeded.of(name)
    if wanted_seeded is None:
        if not held:
            return None  # a role that grants nothing harms no one, wherever it came from
        return (
            f"the role {name} grants {_permissions(held)}, but neither the journal nor a "
            "migration made it: it was written into the database outside veche"
        )
    if held == wanted_seeded:
        return None
    return (
        f"the role {name} grants {_permissions(held)}, but no one redefined it and the "
        f"migrations gave it {_permissions(wanted_seeded)}: it was changed outside veche"
    )


def _definition(payload: Any) -> tuple[str | None, frozenset[str]]:
    """The role and permissions a ``define_role`` entry records (None: not a readable one)."""
    if not isinstance(payload, dict):
        return None, frozenset()
    name, permissions = payload.get("role"), payload.get("permissions")
    if not isinstance(name, str) or not isinstance(permissions, list):
        return None, frozenset()
    return name, frozenset(p for p in permissions if isinstance(p, str))


def _permissions(names: Iterable[str]) -> str:
    return listed(sorted(names), most=20) or "nothing"


@cache
def seeded_roles() -> _Seeded:
    """The roles as the migrations made them, read from the migrations' own tables."""
    first = _migration("0008_roles")
    follow_up = _migration("0020_follow_up")
    added: dict[str, set[str]] = {}
    for permission, roles in follow_up._GRANTED:
        for role in roles:
            added.setdefault(role, set()).add(permission)
    return _Seeded(
        first={name: frozenset(permissions) for name, _label, permissions in first.ROLES},
        follow_up={role: frozenset(permissions) for role, permissions in added.items()},
        reporter=str(follow_up._REPORTER[0]),
    )


def _migration(name: str) -> Any:
    # A revision's module name starts with a digit, so it is imported by its name as text.
    return importlib.import_module(f"veche.migrations.versions.{name}")
