"""Checking the roles held against the journal (``veche verify``): who may do what.

Every grant veche makes is journalled (``grant_role``: its id, role, holder and scope) and so
is its revocation (``revoke_role``). Here every grant in the database is held against the
journal's account: a grant whose role, holder or scope is not what its entry records, or one
the journal revoked, is named as a problem — a database changed to give someone rights.

A grant with no entry at all is listed apart, not failed: the first administrators were
granted by the migration that brought roles in (0008), before grants were journalled, so an
older database holds such grants honestly. The list names each, so that whoever verifies can
see an administrator no one granted through veche.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings, is_id
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, Role, RoleGrant


@dataclass
class GrantsCheck(Findings[str]):
    """The outcome of holding the grants against the journal."""

    #: Grants that match the entry that made them.
    checked: int = 0
    #: Grants no entry made, in words: made before grants were journalled, or outside veche.
    unjournalled: list[str] = field(default_factory=list)


def verify_grants(session: Session) -> GrantsCheck:
    """Hold every grant in the database against the journal's grants and revocations."""
    made: dict[int, tuple[int, dict[str, Any]]] = {}  # grant id → (entry, payload)
    revoked: dict[int, int] = {}  # grant id → the entry that revoked it
    for seq, action, payload in session.execute(
        select(JournalEntry.seq, JournalEntry.action, JournalEntry.payload)
        .where(JournalEntry.action.in_([JournalAction.GRANT_ROLE, JournalAction.REVOKE_ROLE]))
        .order_by(JournalEntry.seq)
    ):
        grant_id = payload.get("grant_id") if isinstance(payload, dict) else None
        if not isinstance(grant_id, int) or not is_id(grant_id):
            continue
        if action == JournalAction.GRANT_ROLE:
            made[grant_id] = (seq, payload)
            revoked.pop(grant_id, None)
        else:
            revoked[grant_id] = seq
    check = GrantsCheck()
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
        held = (role, user_id, person_id, scope.value, scope_id)
        said = _said(grant_id, held)
        if grant_id in revoked:
            check.problems.append(
                f"{said} is held, but the journal revoked it (entry {revoked[grant_id]}): it "
                "was put back outside veche"
            )
        elif grant_id not in made:
            check.unjournalled.append(said)
        else:
            seq, payload = made[grant_id]
            recorded = tuple(
                payload.get(key) for key in ("role", "user_id", "person_id", "scope", "scope_id")
            )
            if recorded != held:
                check.problems.append(
                    f"{said} is not what the journal granted (entry {seq}: "
                    f"{_what(recorded)}): it was changed outside veche"
                )
            else:
                check.checked += 1
    return check


def _said(grant_id: int, held: tuple[Any, ...]) -> str:
    """ "grant 7 (the role administrator, to account 2, in the organization 1)"."""
    return f"grant {grant_id} ({_what(held)})"


def _what(held: tuple[Any, ...]) -> str:
    role, user_id, person_id, scope, scope_id = held
    holder = f"account {user_id}" if user_id is not None else f"person {person_id}"
    return f"the role {role}, to {holder}, in the {scope} {scope_id}"
