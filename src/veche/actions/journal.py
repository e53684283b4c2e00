"""Appending to the hash-chained journal, and verifying the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from veche.actions.actor import Actor
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, JournalHead
from veche.models.base import utcnow
from veche.sql import insert_rows

#: The "previous hash" of the first entry.
GENESIS_HASH = "0" * 64


def record(session: Session, actor: Actor, action: JournalAction, payload: dict[str, Any]) -> None:
    """Append one entry naming ``actor``; call it inside the transaction that makes the change.

    Locking the head row makes concurrent writers append one after another, so
    the chain never forks.
    """
    record_many(session, [(actor, action, payload)])


#: Where ``gathered`` keeps the entries of a session's changes until they are appended.
_GATHERED = "veche.journal.gathered"

Entry = tuple[Actor, JournalAction, dict[str, Any]]


@contextmanager
def gathered(session: Session) -> Iterator[None]:
    """The entries the block's changes record are appended together as it ends, in the
    order they were recorded, still in the session's transaction: a thousand members
    imported are a thousand people and seats, each journaled as when made one at a time,
    without reading and moving the journal's head for each. Nothing is appended if the
    block fails (its transaction is rolled back anyway)."""
    if _GATHERED in session.info:  # already gathering: the outer block appends
        yield
        return
    entries: list[Entry] = []
    session.info[_GATHERED] = entries
    try:
        yield
    finally:
        del session.info[_GATHERED]
    _append(session, entries)


def record_many(session: Session, entries: Sequence[Entry]) -> None:
    """Append several entries, in order, under one lock of the head (a group of ballots).

    They are made in one moment, so they carry one time.
    """
    gathering: list[Entry] | None = session.info.get(_GATHERED)
    if gathering is not None:
        gathering.extend(entries)
        return
    _append(session, entries)


def _append(session: Session, entries: Sequence[Entry]) -> None:
    if not entries:
        return
    head = session.execute(_HEAD).one_or_none()
    if head is None:
        raise RuntimeError("the journal head is missing: run `veche migrate`")
    at = utcnow()
    at_text = _utc_iso(at)
    seq, prev_hash = head
    rows = []
    for actor, action, payload in entries:
        seq += 1
        row = {
            "seq": seq,
            "at": at,
            "action": action.value,
            "actor_id": actor.user_id,
            "actor_name": actor.name,
            "payload": _as_stored(payload),
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = _hash({**row, "at": at_text})
        rows.append(row)
    insert_rows(session.connection(), JournalEntry, rows)
    session.execute(update(JournalHead).where(JournalHead.id == 1).values(seq=seq, hash=prev_hash))


# Locked: concurrent writers append one after another, so the chain never forks.
_HEAD = select(JournalHead.seq, JournalHead.hash).where(JournalHead.id == 1).with_for_update()


def entry_hash(entry: JournalEntry) -> str:
    """SHA-256 over the entry's canonical JSON content, previous hash included."""
    return _hash(
        {
            "seq": entry.seq,
            "at": _utc_iso(entry.at),
            "action": entry.action,
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "payload": entry.payload,
            "prev_hash": entry.prev_hash,
        }
    )


def _as_stored(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as it will read back from the database, so that its hash can be checked
    again: dates as text, tuples as lists. Most payloads (a ballot's, for one) hold only
    numbers and text already (an enum of text or numbers is written as its value)."""
    if all(isinstance(value, str | int | None) for value in payload.values()):
        return payload
    loaded: dict[str, Any] = json.loads(json.dumps(payload, default=_json_default))
    return loaded


def _hash(entry: dict[str, Any]) -> str:
    """Of an entry whose time is given as ``_utc_iso`` text."""
    content = dict(entry)
    content.pop("hash", None)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class JournalCheck:
    """The outcome of verifying the chain: how many entries held, and the first that did not."""

    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def holds(self) -> bool:
        return self.problem is None


def verify_journal(session: Session) -> JournalCheck:
    """Recompute the chain from the first entry; stop at the first one that does not match."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    rows = session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).yield_per(2000)
    for entry in rows:
        if entry.seq != expected_seq:
            return JournalCheck(
                checked,
                expected_seq,
                f"entry {expected_seq} is missing (the next entry is numbered {entry.seq}): "
                "entries were deleted or renumbered",
            )
        if entry.prev_hash != prev_hash:
            return JournalCheck(
                checked,
                entry.seq,
                f"entry {entry.seq} does not follow entry {entry.seq - 1}: its record of the "
                "previous hash does not match, so an entry was inserted, removed or reordered here",
            )
        if entry_hash(entry) != entry.hash:
            return JournalCheck(
                checked,
                entry.seq,
                f"entry {entry.seq} ({entry.action}) was altered: its content no longer matches its hash",
            )
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = session.get(JournalHead, 1)
    last_seq = expected_seq - 1
    if head is None or head.seq != last_seq or head.hash != prev_hash:
        recorded = head.seq if head is not None else "none"
        return JournalCheck(
            checked,
            last_seq + 1,
            f"the journal ends at entry {last_seq} but its head records entry {recorded}: "
            "the newest entries were deleted or the head was altered",
        )
    return JournalCheck(checked)


def journal_length(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(JournalEntry)) or 0


def _utc_iso(moment: datetime) -> str:
    # SQLite gives back naive datetimes (stored as UTC); PostgreSQL gives aware ones.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return _utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | Fraction):
        return str(value)
    raise TypeError(f"cannot record {type(value).__name__} in the journal")
