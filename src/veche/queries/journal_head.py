"""The journal's head as reports print it, and checking a head printed earlier.

A report prints the number and hash of a journal entry: for a published report, the entry
that records its publication (the head of the journal at that moment); for any other, the
head when it was rendered. Since every entry's hash covers the hash before it, that entry
commits to the whole journal up to it. ``veche verify --expect-head SEQ:HASH`` later fails
if the journal no longer holds entry SEQ with that hash: entries deleted, or the chain
rewritten and hashed again from an earlier entry — which the chain alone cannot show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, JournalHead, Meeting
from veche.models.meetings import MeetingState

_HEAD = re.compile(r"(\d{1,18}):([0-9a-fA-F]{64})")

#: How a head is written on the command line, for messages.
HEAD_FORM = "SEQ:HASH, e.g. 1204:3fa2… (an entry's number and its 64-hex-digit hash)"


@dataclass(frozen=True)
class HeadMark:
    """An entry of the journal as a report prints it."""

    seq: int
    hash: str
    #: Whether it is the entry that records the report's publication (else: the head now).
    at_publication: bool

    @property
    def expected(self) -> str:
        """What ``veche verify --expect-head`` takes."""
        return f"{self.seq}:{self.hash}"


def current_head(session: Session) -> tuple[int, str] | None:
    """The journal's newest entry as its head records it (None before the first entry)."""
    head = session.get(JournalHead, 1)
    if head is None or head.seq == 0:
        return None
    return head.seq, head.hash


def report_head(session: Session, meeting: Meeting) -> HeadMark | None:
    """The entry a report of ``meeting`` prints: the one recording the publication of its
    report when it is published, the current head otherwise (None with an empty journal)."""
    if meeting.state is MeetingState.REPORT_PUBLISHED:
        published = session.execute(
            select(JournalEntry.seq, JournalEntry.hash)
            .where(
                JournalEntry.action == JournalAction.CHANGE_MEETING_STATE.value,
                JournalEntry.payload["meeting_id"].as_integer() == meeting.id,
                JournalEntry.payload["state"].as_string() == MeetingState.REPORT_PUBLISHED.value,
            )
            .order_by(JournalEntry.seq.desc())
            .limit(1)
        ).one_or_none()
        if published is not None:
            return HeadMark(published.seq, published.hash, at_publication=True)
    now = current_head(session)
    return None if now is None else HeadMark(now[0], now[1], at_publication=False)


def parse_head(text: str) -> tuple[int, str]:
    """SEQ:HASH as a report prints it; ValueError for anything else."""
    found = _HEAD.fullmatch(text.strip())
    if found is None or int(found[1]) < 1:
        raise ValueError(f"--expect-head takes {HEAD_FORM}, not {text!r}")
    return int(found[1]), found[2].lower()


def check_head(session: Session, seq: int, hash: str) -> str | None:
    """Why the journal no longer holds entry ``seq`` with ``hash``; None when it does."""
    found = session.get(JournalEntry, seq)
    if found is None:
        now = current_head(session)
        ends = f"the journal ends at entry {now[0]}" if now is not None else "the journal is empty"
        return f"entry {seq} is gone ({ends}): entries were deleted since that head was printed"
    if found.hash != hash:
        return (
            f"entry {seq} now has the hash {found.hash}, not {hash}: the journal was rewritten "
            f"at or before entry {seq} and hashed again"
        )
    return None
