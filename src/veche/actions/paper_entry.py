"""Which polls the tellers enter paper ballots in, and how: as totals per option (a single
choice), or ballot by ballot, typed as the candidates' numbers (a ranking or an approval).

Each check asks for ``paper.enter`` before it reads the poll named, so that one who may not
enter paper ballots is refused (403) whatever poll they name. The ballots themselves are
checked and stored by ``actions.polls.do_enter_paper_ballots``.

A lot mistyped is corrected, or withdrawn, while the poll is open (``do_correct_paper_lot``):
the lot is named by the journal entry that entered it, and the correction is journalled as
an entry of paper ballots naming it (``corrects``) with the lots it replaced and the tellers'
reason, so that the journal keeps the first figures beside the correction, the minutes say
why, and ``veche verify`` holds the stored ballots against what stands. The rows taken out
are those the lot's entry names by their receipts; a lot entered before entries named them
takes out rows alike in choice and count that no other lot names. Once the poll is closed
its count is final.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, meeting_row
from veche.actions.choices import shape_of
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name
from veche.actions.polls import (
    PaperLot,
    check_has_paper,
    check_paper_lots,
    check_still_open,
    journalled_lots,
    paper_ballots,
    paper_receipts,
    poll_rights,
)
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Ballot, Meeting, Poll
from veche.models.polls import BallotSource, VoteBy
from veche.permissions import Permission
from veche.queries.paper_lots import PaperEntry, PollEntries, paper_entries
from veche.tally import BallotShape

#: Ballot shapes a teller types as a line of candidate numbers.
TYPED_SHAPES = (BallotShape.RANKING, BallotShape.APPROVAL)

#: How long the reason for a correction may be: a sentence for the minutes.
MAX_REASON = 500


def check_reason(reason: str, what: str) -> str:
    """Why the tellers correct a figure, which the minutes give: a short text that shows."""
    return check_name(reason, f"the reason for {what}", max_length=MAX_REASON)


def entered_as_totals(poll: Poll) -> bool:
    """Whether the poll's paper ballots are counted as totals per option (a single choice);
    others are entered one by one. A poll counted in the hall has none."""
    return poll.vote_by is VoteBy.BALLOT and shape_of(poll.method) is BallotShape.SINGLE


def entered_typed(poll: Poll) -> bool:
    """Whether the poll's paper ballots are typed as the candidates' numbers."""
    return poll.vote_by is VoteBy.BALLOT and shape_of(poll.method) in TYPED_SHAPES


def check_paper_poll(
    session: Session, caller: Caller, meeting: Meeting, poll_id: int, *, lock: bool = False
) -> Poll:
    """A poll of the meeting, for one who may enter its paper ballots; ``lock`` takes the row
    for the ballots about to be added."""
    authorize(session, caller, Permission.PAPER_ENTER, meeting.id)
    poll = meeting_row(session, Poll, poll_id, meeting.id, "poll", lock=lock)
    check_has_paper(poll)
    return poll


def check_totals_poll(session: Session, caller: Caller, meeting: Meeting, poll_id: int) -> Poll:
    """A poll whose paper ballots are counted as totals per option: one of a single choice."""
    poll = check_paper_poll(session, caller, meeting, poll_id, lock=True)
    if not entered_as_totals(poll):
        raise InvalidInput("paper ballots of this method are entered one by one through the API")
    return poll


def check_typed_poll(session: Session, caller: Caller, meeting: Meeting, poll_id: int) -> Poll:
    """A poll whose paper ballots are typed as the candidates' numbers, ballot by ballot."""
    poll = check_paper_poll(session, caller, meeting, poll_id)
    if not entered_typed(poll):
        raise InvalidInput(
            _(
                "poll %(poll)s is counted by %(method)s: its paper ballots are entered as "
                "totals, on the paper ballots page or the secretary's desk"
            )
            % {"poll": poll.id, "method": poll.method}
        )
    return poll


@dataclass(frozen=True)
class PaperCorrection:
    """A lot corrected: the entry that corrected it, the ballots taken out and put in."""

    lot: int
    corrected_by: int
    withdrawn: int
    entered: int


def do_correct_paper_lot(
    session: Session, caller: Caller, poll: Poll, lot: int, lots: list[PaperLot], *, reason: str
) -> PaperCorrection:
    """Replace the paper ballots of ``lot`` (the journal entry that entered them) in an open
    poll with ``lots``, or withdraw them when ``lots`` is empty, all at once, saying why
    (``reason``, journalled with it; 422 when blank). The same correction sent again (a double
    click) changes nothing. Refused (409) for a lot corrected already (correct its
    correction) and once the poll is closed: its count is final."""
    authorize(session, caller, Permission.PAPER_ENTER, poll.meeting_id)
    day = check_still_open(
        session,
        poll,
        "correct the paper ballots of",
        final="its result stands on the ballots it was counted from",
    )
    check_has_paper(poll)
    checked = check_paper_lots(poll, lots)
    why = check_reason(reason, f"correcting paper lot {lot}")
    entries = paper_entries(session, poll.id)
    entry = entries.find(lot)
    if entry is None:
        standing = ", ".join(str(e.lot) for e in entries.standing) or "none yet"
        raise NotFound(f"poll {poll.id} has no paper lot {lot} (its lots: {standing})")
    if entry.corrected_by is not None:
        correction = entries.find(entry.corrected_by)
        if correction is not None and _as_entered(correction) == checked:
            return PaperCorrection(lot, correction.lot, entry.ballots, correction.ballots)
        raise Conflict(
            f"paper lot {lot} of poll {poll.id} was corrected already, by lot "
            f"{entry.corrected_by}: correct that one instead"
        )
    if not entry.lots:
        raise Conflict(f"lot {lot} of poll {poll.id} withdrew a lot: it holds no ballots")
    if _as_entered(entry) == checked:
        return PaperCorrection(lot, lot, entry.ballots, entry.ballots)  # nothing to correct
    entered = sum(count for _choice, count in checked)
    for ballot in _stored_ballots(session, poll, entries, entry):
        session.delete(ballot)
    session.flush()
    refusal = poll_rights(session, poll.id, poll.meeting_id, day).paper_refusal(entered)
    if refusal is not None:
        raise refusal
    receipts = paper_receipts(poll, len(checked))
    session.add_all(paper_ballots(poll, receipts, checked))
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ENTER_PAPER_BALLOTS,
        {
            "poll_id": poll.id,
            "lots": journalled_lots(receipts, checked),
            "corrects": lot,
            "replaced": [e.journalled() for e in entry.lots],
            "reason": why,
        },
    )
    queue_event(session, poll.meeting_id, LiveEventType.BALLOT_RECEIVED, poll_id=poll.id)
    # The correction is the poll's newest entry of paper ballots: the lot it now stands as.
    corrected_by = paper_entries(session, poll.id).entries[-1].lot
    return PaperCorrection(lot, corrected_by, entry.ballots, entered)


def _as_entered(entry: PaperEntry) -> list[tuple[Any, int]]:
    return [(lot.choice, lot.count) for lot in entry.lots]


def _stored_ballots(
    session: Session, poll: Poll, entries: PollEntries, entry: PaperEntry
) -> list[Ballot]:
    """The stored rows of an entry's lots: for each, the row under the receipt it records.
    An entry journalled before lots recorded their receipts has, for each lot, a paper
    ballot of the poll with its choice and count that no lot standing names (rows alike are
    alike in the count, whichever such lot entered them)."""
    paper = {
        ballot.receipt: ballot
        for ballot in session.scalars(
            select(Ballot)
            .where(Ballot.poll_id == poll.id, Ballot.source == BallotSource.PAPER)
            .order_by(Ballot.receipt)
        )
    }
    named = {lot.receipt for other in entries.standing for lot in other.lots if lot.receipt}
    alike: dict[tuple[str, int], list[Ballot]] = {}
    for receipt, ballot in paper.items():
        if receipt not in named:
            alike.setdefault((_canonical(ballot.choice), ballot.weight), []).append(ballot)
    found = []
    for lot in entry.lots:
        key = (_canonical(lot.choice), lot.count)
        if lot.receipt is None:
            row = alike[key].pop() if alike.get(key) else None
        else:
            row = paper.get(lot.receipt)
            if row is not None and (_canonical(row.choice), row.weight) != key:
                row = None
        if row is None:
            raise Conflict(
                f"the paper ballots of lot {entry.lot} of poll {poll.id} are not stored as it "
                "entered them: nothing is corrected; run `veche verify` and tell the "
                "administrator"
            )
        found.append(row)
    return found


def _canonical(choice: Any) -> str:
    return json.dumps(choice, sort_keys=True, separators=(",", ":"))
