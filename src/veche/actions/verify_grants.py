"""Checking the roles held against the journal (``veche verify``): who may do what.

Every grant veche makes is journalled (``grant_role``: its id, role, holder and scope) and so
is its revocation (``revoke_role``). Here every grant in the database is held against the
journal's account: a grant whose role, holder or scope is not what its entry records, or one
the journal revoked, is named as a problem — a database changed to give someone rights — and
so is a grant the journal made and never revoked that is no longer held: the only
administrator's grant deleted, leaving no one to manage the organization.

A grant with no entry at all is a problem too, unless it is one the migration that brought
roles in (0008) made before grants were journalled: the administrator role in the
organization, given to an account that had it then — one whose creation the journal records
before its first grant, or not at all, that no entry ever made an administrator there — with
an id below the first grant journalled. An older database holds such grants honestly; they
are listed apart, not failed, so that whoever verifies can see each. A database set up by
this version journals its first administrator's grant (``veche init``, ``POST /api/setup``),
so there every grant must have its entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings, is_id
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, Role, RoleGrant
from veche.permissions import ADMINISTRATOR, Scope

#: What a grant records: its role, its holder (an account or a person) and its scope.
_RECORDED = ("role", "user_id", "person_id", "scope", "scope_id")


@dataclass
class GrantsCheck(Findings[str]):
    """The outcome of holding the grants against the journal."""

    #: Grants that match the entry that made them.
    checked: int = 0
    #: Grants no entry made, in words: made before grants were journalled.
    unjournalled: list[str] = field(default_factory=list)


@dataclass
class _Journalled:
    """The grants and revocations the journal records, and the accounts it created."""

    #: Grant id → the entry that made it and its payload.
    made: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: Grant id → the entry that revoked it.
    revoked: dict[int, int] = field(default_factory=dict)
    #: The first grant journalled: its entry and its id.
    first_grant: tuple[int, int] | None = None
    #: Account → the entry that created it.
    accounts: dict[int, int] = field(default_factory=dict)
    #: (account, organization) the journal made an administrator of.
    administrators: set[tuple[int, int]] = field(default_factory=set)

    def predates(self, grant_id: int, held: tuple[Any, ...]) -> bool:
        """Whether a grant no entry made may be one the migration 0008 made, before grants
        were journalled."""
        role, user_id, person_id, scope, scope_id = held
        if role != ADMINISTRATOR or scope != Scope.ORGANIZATION.value or person_id is not None:
            return False
        if user_id is None or (user_id, scope_id) in self.administrators:
            return False
        if self.first_grant is None:
            return True
        first_seq, first_id = self.first_grant
        created = self.accounts.get(user_id)
        return grant_id < first_id and (created is None or created < first_seq)


def verify_grants(session: Session) -> GrantsCheck:
    """Hold every grant in the database against the journal's grants and revocations, and
    every grant the journal made and did not revoke against the database."""
    journal = _read_journal(session)
    check = GrantsCheck()
    held_ids: set[int] = set()
    for grant_id, role, user_id, person_id, scope, scope_id in session.execute(
        select(
            RoleGrant.id,
            Role.name,
            RoleGrant.user_id,
            RoleGrant.person_id,
            RoleGrant.scope,
            RoleGrant.scope_id,
        )
        .join(Role, Role.id == RoleGrant.role_id)
        .order_by(RoleGrant.id)
    ):
        held_ids.add(grant_id)
        held = (role, user_id, person_id, scope.value, scope_id)
        said = _said(grant_id, held)
        if grant_id in journal.revoked:
            check.problems.append(
                f"{said} is held, but the journal revoked it (entry "
                f"{journal.revoked[grant_id]}): it was put back outside veche"
            )
        elif grant_id not in journal.made:
            if journal.predates(grant_id, held):
                check.unjournalled.append(said)
            else:
                check.problems.append(
                    f"{said} is held, but no journal entry made it: it was written into the "
                    "database outside veche"
                )
        else:
            seq, payload = journal.made[grant_id]
            recorded = tuple(payload.get(key) for key in _RECORDED)
            if recorded != held:
                check.problems.append(
                    f"{said} is not what the journal granted (entry {seq}: "
                    f"{_what(recorded)}): it was changed outside veche"
                )
            else:
                check.checked += 1
    for grant_id, (seq, payload) in sorted(journal.made.items()):
        if grant_id not in held_ids and grant_id not in journal.revoked:
            recorded = tuple(payload.get(key) for key in _RECORDED)
            check.problems.append(
                f"{_said(grant_id, recorded)} was made by journal entry {seq} and never "
                "revoked, but it is not held: it was deleted outside veche"
            )
    return check


def _read_journal(session: Session) -> _Journalled:
    journal = _Journalled()
    for seq, action, payload in session.execute(
        select(JournalEntry.seq, JournalEntry.action, JournalEntry.payload)
        .where(
            JournalEntry.action.in_(
                [JournalAction.GRANT_ROLE, JournalAction.REVOKE_ROLE, JournalAction.CREATE_USER]
            )
        )
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=2000)
    ):
        if not isinstance(payload, dict):
            continue
        if action == JournalAction.CREATE_USER:
            user_id = payload.get("user_id")
            if isinstance(user_id, int) and is_id(user_id):
                journal.accounts.setdefault(user_id, seq)
            continue
        grant_id = payload.get("grant_id")
        if not isinstance(grant_id, int) or not is_id(grant_id):
            continue
        if action == JournalAction.GRANT_ROLE:
            journal.made[grant_id] = (seq, payload)
            journal.revoked.pop(grant_id, None)
            if journal.first_grant is None:
                journal.first_grant = (seq, grant_id)
            user_id, scope_id = payload.get("user_id"), payload.get("scope_id")
            if (
                payload.get("role") == ADMINISTRATOR
                and payload.get("scope") == Scope.ORGANIZATION.value
                and isinstance(user_id, int)
                and isinstance(scope_id, int)
            ):
                journal.administrators.add((user_id, scope_id))
        else:
            journal.revoked[grant_id] = seq
    return journal


def _said(grant_id: int, held: tuple[Any, ...]) -> str:
    """ "grant 7 (the role administrator, to account 2, in the organization 1)"."""
    return f"grant {grant_id} ({_what(held)})"


def _what(held: tuple[Any, ...]) -> str:
    role, user_id, person_id, scope, scope_id = held
    holder = f"account {user_id}" if user_id is not None else f"person {person_id}"
    return f"the role {role}, to {holder}, in the {scope} {scope_id}"
