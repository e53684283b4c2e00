"""Votes counted in the hall — a show of hands, a standing vote: the tellers enter the totals.

Such a poll takes no ballot. While it is open the tellers count the votes for each option (or
candidate) and enter the totals once. They are stored as ballots of their own source
(``BallotSource.COUNTED``), one row per option with its votes as its weight, so that the
close counts them by the poll's method and majority rule as it counts ballots, its journal
entry commits to them, and ``veche verify`` recounts them.

The totals may not add up to more votes than the voting rights present, each by its weight
(``PollRights``): no one can raise more hands than the hall holds.

A figure mistyped is corrected while the poll is open (``do_correct_counted_votes``): the
correction is journalled as the totals entered anew, naming the entry it corrects, the
totals it replaced and the tellers' reason (which the minutes give), so that the journal
keeps the first figures beside the correction and ``veche verify`` holds the stored totals
against the latest. Once the poll is closed its count is final, and the totals with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, meeting_row
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.paper_entry import check_reason
from veche.actions.polls import (
    MAX_PAPER_COUNT,
    VOTE_BY_WORDS,
    ballot_options,
    check_still_open,
    poll_rights,
)
from veche.errors import Conflict, InvalidInput
from veche.models import Ballot, Meeting, Poll
from veche.models.polls import BallotSource, PollOption, VoteBy
from veche.permissions import Permission
from veche.queries.paper_lots import counted_totals_entry

#: What a counted total's receipt starts with: never a hexadecimal digit (electronic
#: receipts) nor "p" (paper lots). Each option has one total, so its id completes it.
_COUNTED = "hall-"


@dataclass(frozen=True)
class CountedVotes:
    """The totals entered for a poll: how many votes in all, against the rights present."""

    votes: int
    rights_present: int


def counted_in_hall(poll: Poll) -> bool:
    """Whether the poll is voted in the hall (its totals entered by the tellers), not by ballot."""
    return poll.vote_by is not VoteBy.BALLOT


def check_counted_poll(session: Session, caller: Caller, meeting: Meeting, poll_id: int) -> Poll:
    """A poll of the meeting counted in the hall, for one who may enter its totals (asked
    before the poll is looked up), locked for the totals about to be added."""
    authorize(session, caller, Permission.PAPER_ENTER, meeting.id)
    poll = meeting_row(session, Poll, poll_id, meeting.id, "poll", lock=True)
    _check_counted_in_hall(poll)
    return poll


def _check_counted_in_hall(poll: Poll) -> None:
    if not counted_in_hall(poll):
        raise Conflict(
            f"poll {poll.id} is taken by ballot: its ballots are cast electronically or "
            "entered as paper ballots, not as totals"
        )


def entered_totals(session: Session, poll_id: int) -> dict[int, int]:
    """The votes the tellers entered for each option (those with none left out)."""
    return {
        choice["option"]: weight
        for choice, weight in session.execute(
            select(Ballot.choice, Ballot.weight).where(
                Ballot.poll_id == poll_id, Ballot.source == BallotSource.COUNTED
            )
        )
    }


def do_enter_counted_votes(
    session: Session, caller: Caller, poll: Poll, totals: Mapping[int, int]
) -> CountedVotes:
    """Enter the tellers' totals of an open poll counted in the hall: the votes for each
    option (by its id; an option left out had none), once. The same totals sent again — a
    double click, a resend on bad Wi-Fi — are answered as the first time; others are refused
    (a figure mistyped is corrected with ``do_correct_counted_votes``)."""
    authorize(session, caller, Permission.PAPER_ENTER, poll.meeting_id)
    # Locked, so that totals sent from two tables at once are measured one after the other.
    day = check_still_open(session, poll, "enter the counted votes of")
    _check_counted_in_hall(poll)
    options = ballot_options(poll)
    votes = _check_totals(poll, {option.id for option in options}, totals)
    total = sum(votes.values())
    entered = entered_totals(session, poll.id)
    rights = poll_rights(session, poll.id, poll.meeting_id, day)
    if entered:
        if entered != votes:
            raise Conflict(
                f"the totals of poll {poll.id} were entered already "
                f"({_listed(options, entered)}); a {VOTE_BY_WORDS[poll.vote_by]} is counted "
                "once: if a figure is wrong, correct the totals (until the poll is closed)"
            )
        return CountedVotes(total, rights.in_hall)
    _check_within_rights(total, rights.in_hall)
    session.add_all(_total(poll, option_id, number) for option_id, number in votes.items())
    session.flush()
    _journal_totals(session, caller, poll, _journalled(options, votes), rights.in_hall)
    queue_event(session, poll.meeting_id, LiveEventType.BALLOT_RECEIVED, poll_id=poll.id)
    return CountedVotes(total, rights.in_hall)


def do_correct_counted_votes(
    session: Session, caller: Caller, poll: Poll, totals: Mapping[int, int], *, reason: str
) -> CountedVotes:
    """Correct the tellers' totals of a poll counted in the hall while it is open: the votes
    for each option replace those entered (an option left out now has none), saying why
    (``reason``; 422 when blank). Journalled as the totals entered anew, naming the entry
    corrected, the totals it replaced and the reason. The
    totals already standing, sent again (a double click), change nothing. Refused (409) before
    any totals are entered, and once the poll is closed: its count is final."""
    authorize(session, caller, Permission.PAPER_ENTER, poll.meeting_id)
    day = check_still_open(
        session,
        poll,
        "correct the counted votes of",
        final="its result stands on the totals it was counted from",
    )
    _check_counted_in_hall(poll)
    options = ballot_options(poll)
    votes = _check_totals(poll, {option.id for option in options}, totals)
    why = check_reason(reason, "correcting the totals")
    total = sum(votes.values())
    rights = poll_rights(session, poll.id, poll.meeting_id, day)
    stored = {
        ballot.choice["option"]: ballot
        for ballot in session.scalars(
            select(Ballot).where(Ballot.poll_id == poll.id, Ballot.source == BallotSource.COUNTED)
        )
    }
    corrected = counted_totals_entry(session, poll.id)
    if not stored or corrected is None:
        raise Conflict(
            f"no totals are entered for poll {poll.id} yet: enter them first; a correction "
            "replaces totals entered"
        )
    entered = {option_id: ballot.weight for option_id, ballot in stored.items()}
    if entered == votes:
        return CountedVotes(total, rights.in_hall)
    # Measured as the first totals were: against the rights present, the old totals aside.
    _check_within_rights(total, rights.in_hall)
    for option_id, ballot in stored.items():
        if option_id not in votes:
            session.delete(ballot)
    for option_id, number in votes.items():
        if option_id in stored:
            stored[option_id].weight = number
        else:
            session.add(_total(poll, option_id, number))
    session.flush()
    _journal_totals(
        session,
        caller,
        poll,
        _journalled(options, votes),
        rights.in_hall,
        corrects=corrected,
        replaced=_journalled(options, entered),
        reason=why,
    )
    queue_event(session, poll.meeting_id, LiveEventType.BALLOT_RECEIVED, poll_id=poll.id)
    return CountedVotes(total, rights.in_hall)


def _total(poll: Poll, option_id: int, number: int) -> Ballot:
    """An option's total, stored as a ballot of its own source with the votes as its weight."""
    return Ballot(
        poll_id=poll.id,
        receipt=f"{_COUNTED}{option_id}",
        choice={"option": option_id},
        weight=number,
        source=BallotSource.COUNTED,
    )


def _journalled(options: Sequence[PollOption], votes: Mapping[int, int]) -> list[dict[str, Any]]:
    """The totals as the journal records them: every option in order, with its votes."""
    return [{"option_id": o.id, "label": o.label, "votes": votes.get(o.id, 0)} for o in options]


def _check_within_rights(total: int, in_hall: int) -> None:
    if total > in_hall:
        raise Conflict(
            f"the totals add up to {total:,} votes but {in_hall:,} voting rights are "
            "present (each right counted by its weight); count again, or check in the members "
            "who voted"
        )


def _check_totals(poll: Poll, valid: set[int], totals: Mapping[int, int]) -> dict[int, int]:
    """The totals with votes, by option; InvalidInput naming what is wrong."""
    votes: dict[int, int] = {}
    for option_id, number in totals.items():
        if option_id not in valid:
            raise InvalidInput(
                f"option {option_id} is not on poll {poll.id} (its options: {sorted(valid)})"
            )
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidInput(f"the votes for option {option_id} must be a whole number")
        if not 0 <= number <= MAX_PAPER_COUNT:
            raise InvalidInput(
                f"the votes for option {option_id} must be 0 to {MAX_PAPER_COUNT:,}, not {number}"
            )
        if number:
            votes[option_id] = number
    if not votes:
        raise InvalidInput("no votes given: enter the number of votes for each option")
    return votes


def _listed(options: Sequence[PollOption], votes: Mapping[int, int]) -> str:
    """ "yes 12, no 5": the votes entered, in the options' order."""
    return ", ".join(f"{o.label} {votes[o.id]:,}" for o in options if o.id in votes)


def _journal_totals(
    session: Session,
    caller: Caller,
    poll: Poll,
    totals: Any,
    rights_present: int,
    **correction: Any,
) -> None:
    """Journal totals entered, or a ``correction`` of them: the entry it ``corrects``, the
    totals it ``replaced`` and the ``reason``."""
    record(
        session,
        caller.actor,
        JournalAction.ENTER_COUNTED_VOTES,
        {
            "poll_id": poll.id,
            "vote_by": poll.vote_by,
            "totals": totals,
            "rights_present": rights_present,
            **correction,
        },
    )
