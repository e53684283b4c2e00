"""The tellers' entries of an open poll as the journal holds them: each paper lot entered, and
each set of totals of a vote counted in the hall, with any correction of it.

A lot is named by the number of the journal entry that entered it: the tellers' page and the
API show that number, and a correction names it. A correction is itself an entry of the same
kind naming the one it corrects (``corrects``) and saying why (``reason``), so that the
journal keeps the first figures and every correction in order (``veche verify`` replays
them: ``actions/verify_casts.py``), and the minutes can say why a count was corrected.

Each lot's entry also records the receipt its ballots are stored under, so that withdrawing a
lot takes out its own row even when another lot holds the same choice and count. Entries
journalled before that record none (``LotEntered.receipt`` is None).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.journal_actions import JournalAction
from veche.i18n import _
from veche.models import JournalEntry


@dataclass(frozen=True)
class LotEntered:
    """Identical paper ballots counted together: what they chose, and how many."""

    choice: dict[str, Any]
    count: int
    #: The receipt of the row that holds these ballots; None in entries journalled before
    #: lots recorded it. Kept from the API's answer: a lot is named by its entry.
    receipt: Annotated[str | None, Field(exclude=True)] = None

    def journalled(self) -> dict[str, Any]:
        """The lot as its entry records it."""
        lot: dict[str, Any] = {"choice": self.choice, "count": self.count}
        if self.receipt is not None:
            lot["receipt"] = self.receipt
        return lot


@dataclass
class PaperEntry:
    """One entry of paper ballots: the lots it entered, and whether a later entry corrected
    (or withdrew) them."""

    #: The journal entry's number, which names the lot.
    lot: int
    at: datetime
    entered_by: str
    lots: list[LotEntered]
    #: The lot this entry replaced, when it is a correction.
    corrects: int | None = None
    #: The entry that later replaced this one's lots (with others, or none: withdrawn).
    corrected_by: int | None = None
    #: Why the tellers corrected the lot, when this entry is a correction; None in
    #: corrections journalled before a reason was asked.
    reason: str | None = None

    @property
    def ballots(self) -> int:
        return sum(lot.count for lot in self.lots)

    @property
    def standing(self) -> bool:
        """Whether its ballots are still counted: not corrected since, and not empty."""
        return self.corrected_by is None and bool(self.lots)


@dataclass(frozen=True)
class PollEntries:
    """A poll's paper entries, in the order they were made."""

    entries: list[PaperEntry] = field(default_factory=list)

    @property
    def standing(self) -> list[PaperEntry]:
        """The lots still counted, in the order entered."""
        return [entry for entry in self.entries if entry.standing]

    def find(self, lot: int) -> PaperEntry | None:
        return next((entry for entry in self.entries if entry.lot == lot), None)


def _poll_entries(session: Session, action: JournalAction, poll_id: int) -> Any:
    return session.execute(
        select(JournalEntry.seq, JournalEntry.at, JournalEntry.actor_name, JournalEntry.payload)
        .where(
            JournalEntry.action == action.value,
            JournalEntry.payload["poll_id"].as_integer() == poll_id,
        )
        .order_by(JournalEntry.seq)
    )


def paper_entries(session: Session, poll_id: int) -> PollEntries:
    """The paper lots entered in a poll, each with what became of it."""
    entries: list[PaperEntry] = []
    by_lot: dict[int, PaperEntry] = {}
    for seq, at, actor_name, payload in _poll_entries(
        session, JournalAction.ENTER_PAPER_BALLOTS, poll_id
    ):
        entry = PaperEntry(
            seq,
            at,
            actor_name,
            [
                LotEntered(lot["choice"], int(lot["count"]), lot.get("receipt"))
                for lot in payload.get("lots", [])
            ],
            corrects=payload.get("corrects"),
            reason=payload.get("reason"),
        )
        corrected = by_lot.get(entry.corrects) if entry.corrects is not None else None
        if corrected is not None:
            corrected.corrected_by = seq
        entries.append(entry)
        by_lot[seq] = entry
    return PollEntries(entries)


def counted_totals_entry(session: Session, poll_id: int) -> int | None:
    """The journal entry of the totals now standing in a vote counted in the hall: the
    latest of their entry and its corrections; None before any is entered."""
    return session.scalar(
        select(func.max(JournalEntry.seq)).where(
            JournalEntry.action == JournalAction.ENTER_COUNTED_VOTES.value,
            JournalEntry.payload["poll_id"].as_integer() == poll_id,
        )
    )


@dataclass(frozen=True)
class Correction:
    """A correction of a poll's paper lot or totals before its close, with why it was made."""

    #: The journal entry of the correction.
    seq: int
    #: None for a correction journalled before a reason was asked.
    reason: str | None

    @property
    def said(self) -> str:
        """The correction as the result and the minutes give it."""
        if self.reason is None:
            return _("Corrected (no reason was recorded)")
        return _("Corrected: %(reason)s") % {"reason": self.reason}


#: The tellers' entries that a correction is one of.
_CORRECTED = (JournalAction.ENTER_PAPER_BALLOTS.value, JournalAction.ENTER_COUNTED_VOTES.value)


def poll_corrections(session: Session, poll_ids: Collection[int]) -> dict[int, list[Correction]]:
    """The corrections of the tellers' figures of each poll named, oldest first, in one query
    (the minutes list every poll's); a poll never corrected is left out."""
    if not poll_ids:
        return {}
    poll_id = JournalEntry.payload["poll_id"].as_integer()
    corrects = JournalEntry.payload["corrects"].as_integer()
    corrections: dict[int, list[Correction]] = {}
    for seq, poll, reason in session.execute(
        select(JournalEntry.seq, poll_id, JournalEntry.payload["reason"].as_string())
        .where(
            JournalEntry.action.in_(_CORRECTED),
            poll_id.in_(sorted(poll_ids)),
            corrects.is_not(None),
        )
        .order_by(JournalEntry.seq)
    ):
        corrections.setdefault(poll, []).append(Correction(seq, reason))
    return corrections
