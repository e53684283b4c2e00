"""The journal: an append-only, hash-chained record of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from veche.models.base import Base
from veche.models.columns import UserId


class JournalEntry(Base):
    """One change: what action, by whom, when, with what payload; chained by hashes.

    ``seq`` numbers entries from 1 without gaps; ``prev_hash`` is the hash of
    entry ``seq - 1`` (64 zeros for the first); ``hash`` covers all of this
    entry's content including ``prev_hash``, so any edit, deletion, insertion or
    reordering breaks the chain at the first entry touched.
    """

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(100), index=True)
    actor_id: Mapped[UserId | None]
    actor_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class JournalHead(Base):
    """The newest entry's number and hash, in a single row.

    Appending locks this row, which orders concurrent writers; verification
    compares it with the last entry, so deleting the newest entries is noticed too.
    """

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
