"""Checking every counted poll's ballots against the journal entries that took them
(``veche verify``).

The close's entry commits to the ballots it counted (``verify_polls``), but a ballot, or a
right used, added to the database before the close is counted and committed to with the
rest. Every ballot veche takes is journalled as it is taken, though: an electronic ballot by
``cast_ballot`` (the right it used, who cast it, and in a named poll the choice), a re-vote
by ``replace_ballot``, the tellers' paper lots by ``enter_paper_ballots`` and the totals of a
vote in the hall by ``enter_counted_votes``. A lot or totals corrected before the close are
an entry of the same kind naming the entry they correct (``corrects``): its figures replace
that entry's, which must be the poll's and not corrected already (the totals: the latest).
Here every closed or published poll's rights
used, electronic ballots, paper ballots and totals are held against those entries: a right
used or a ballot stored that no entry took, or one an entry took that is gone, is named as a
problem of its poll; in a named (roll-call) poll so is a ballot whose voter, caster or choice
is not what its entries record. A ballot's weight is compared where its entry records it.

One pass over the journal's entries of casting (kept by poll: what each right cast), then
one over the rights used and one over the ballots of the counted polls, in poll order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings, is_, is_id, listed, persons, rights_of, was
from veche.actions.journal_actions import JournalAction
from veche.actions.verify_polls import COUNTED_STATES, PollProblem
from veche.models import Ballot, JournalEntry, Participation, Poll
from veche.models.polls import BallotSource, Secrecy

#: The entries that take ballots into a poll.
_TAKING = (
    JournalAction.CAST_BALLOT,
    JournalAction.REPLACE_BALLOT,
    JournalAction.ENTER_PAPER_BALLOTS,
    JournalAction.ENTER_COUNTED_VOTES,
)

#: A choice the journal does not record (a secret poll's).
_UNRECORDED = "?"


@dataclass
class CastsCheck(Findings[PollProblem]):
    """The outcome of checking the counted polls' ballots against the journal's entries."""

    #: Polls whose every ballot and right used matches an entry of the journal.
    checked: int = 0


@dataclass
class _Cast:
    """A voting right's ballot as the journal records it."""

    seq: int
    #: Who may have cast the ballot that counts: its caster, or after a re-vote that did
    #: not record who made it, either its caster or the member whose right it is.
    cast_by: frozenset[int]
    kind: str | None
    weight: int | None
    #: Canonical JSON of the choice (named polls), else ``_UNRECORDED``.
    choice: str


@dataclass
class _Taken:
    """What the journal says a poll was given."""

    casts: dict[int, _Cast] = field(default_factory=dict)
    #: (source, canonical choice, weight) of each paper lot and hall total, as entered and
    #: corrected.
    lots: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    lot_entries: list[int] = field(default_factory=list)
    #: The lots of each entry that still stand (not corrected since), by its number.
    standing: dict[int, list[tuple[str, str, int]]] = field(default_factory=dict)
    #: The entry of the hall totals that stand.
    totals_entry: int | None = None
    #: Corrections naming an entry they cannot correct.
    misdirected: list[str] = field(default_factory=list)
    #: Entries that could not be read as what they say they are.
    malformed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Used:
    right_person_id: int
    cast_by: int
    kind: str
    weight: int


@dataclass(frozen=True)
class _Stored:
    source: str
    choice: str
    weight: int
    voter: int | None
    cast_by: int | None


def verify_casts(session: Session) -> CastsCheck:
    """Hold every closed or published poll's ballots and rights used against the journal's
    entries that took them."""
    check = CastsCheck()
    polls = session.execute(
        select(Poll.id, Poll.title, Poll.secrecy).where(Poll.state.in_(COUNTED_STATES))
    ).all()
    if not polls:
        return check
    taken = _taken(session, {poll_id for poll_id, _title, _secrecy in polls})
    used = _by_poll(_used_rights(session))
    stored = _by_poll(_stored_ballots(session))
    for poll_id, title, secrecy in sorted(polls):
        found = _check_poll(
            taken.get(poll_id, _Taken()),
            used.take(poll_id),
            stored.take(poll_id),
            named=secrecy is Secrecy.NAMED,
        )
        check.problems += (PollProblem(poll_id, title, detail) for detail in found)
        if not found:
            check.checked += 1
    return check


def _taken(session: Session, counted: set[int]) -> dict[int, _Taken]:
    taken: dict[int, _Taken] = {}
    rows = session.execute(
        select(JournalEntry.seq, JournalEntry.action, JournalEntry.payload)
        .where(JournalEntry.action.in_([action.value for action in _TAKING]))
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=2000)
    )
    for seq, action, payload in rows:
        poll_id = payload.get("poll_id") if isinstance(payload, dict) else None
        if not is_id(poll_id) or poll_id not in counted:
            continue
        poll = taken.setdefault(poll_id, _Taken())
        try:
            _take(poll, seq, JournalAction(action), payload)
        except (KeyError, TypeError, ValueError, AttributeError):
            poll.malformed.append(seq)
    return taken


def _take(poll: _Taken, seq: int, action: JournalAction, payload: dict[str, Any]) -> None:
    """Add what one entry took into the poll to what the journal says it was given."""
    if action in (JournalAction.ENTER_PAPER_BALLOTS, JournalAction.ENTER_COUNTED_VOTES):
        if action is JournalAction.ENTER_PAPER_BALLOTS:
            lots = [
                (BallotSource.PAPER.value, _canonical(lot["choice"]), _whole(lot["count"]))
                for lot in payload["lots"]
            ]
        else:
            lots = [
                (BallotSource.COUNTED.value, _canonical({"option": total["option_id"]}), votes)
                for total in payload["totals"]
                if (votes := _whole(total["votes"])) > 0
            ]
        if "corrects" in payload:
            _correct(poll, seq, action, payload["corrects"])
        poll.lots.update(lots)
        poll.lot_entries.append(seq)
        poll.standing[seq] = lots
        if action is JournalAction.ENTER_COUNTED_VOTES:
            poll.totals_entry = seq
        return
    right = payload["right_person_id"]
    if not is_id(right):
        raise ValueError(right)
    choice = _canonical(payload["choice"]) if "choice" in payload else _UNRECORDED
    weight = _whole(payload["weight"]) if "weight" in payload else None
    earlier = poll.casts.get(right)
    if action is JournalAction.CAST_BALLOT:
        if earlier is not None:
            raise ValueError(f"a second ballot cast with the right of person {right}")
        cast_by = payload["cast_by_person_id"]
        if not is_id(cast_by):
            raise ValueError(cast_by)
        kind = payload.get("right")
        poll.casts[right] = _Cast(
            seq, frozenset({cast_by}), kind if isinstance(kind, str) else None, weight, choice
        )
        return
    if earlier is None:
        raise ValueError(f"a re-vote with the right of person {right}, which cast no ballot")
    # A re-vote is made by the ballot's caster or by the member in person (``ballots``).
    replacer = payload.get("cast_by_person_id")
    cast_by = frozenset({replacer}) if is_id(replacer) else earlier.cast_by | {right}
    poll.casts[right] = _Cast(
        seq, cast_by, earlier.kind, earlier.weight if weight is None else weight, choice
    )


def _correct(poll: _Taken, seq: int, action: JournalAction, named: object) -> None:
    """Take out the figures of the entry that entry ``seq`` corrects: a lot of the poll not
    corrected already, or the totals that stand."""
    corrected = _whole(named)
    if action is JournalAction.ENTER_COUNTED_VOTES:
        fits, what = corrected == poll.totals_entry, "the poll's totals that stand"
    else:
        paper = poll.standing.get(corrected) is not None and corrected != poll.totals_entry
        fits, what = paper, "a paper lot of the poll not corrected already"
    if not fits:
        poll.misdirected.append(f"journal entry {seq} corrects entry {corrected}, not {what}")
        return
    poll.lots -= Counter(poll.standing.pop(corrected))


def _check_poll(
    taken: _Taken, used: list[_Used], stored: list[_Stored], *, named: bool
) -> list[str]:
    """What differs between a poll's rights used and ballots and the journal's entries."""
    problems = [
        f"journal entry {seq} takes a ballot into it but cannot be read as one"
        for seq in taken.malformed
    ]
    problems += taken.misdirected
    casts = taken.casts
    problems += _check_rights_used(casts, used)
    electronic = [b for b in stored if b.source == BallotSource.ELECTRONIC.value]
    if len(electronic) != len(casts):
        problems.append(
            f"{_ballots(len(electronic), 'electronic')} stored but the journal records "
            f"{len(casts)} cast: a ballot was added or removed outside veche"
        )
    elif (weights := sum(b.weight for b in electronic)) != sum(r.weight for r in used):
        problems.append(
            f"its electronic ballots carry {weights:,} votes but the rights used to cast "
            f"them {sum(r.weight for r in used):,}: a ballot's weight was changed"
        )
    if named:
        problems += _check_roll_call(casts, electronic)
    entered = Counter(
        (b.source, b.choice, b.weight) for b in stored if b.source != BallotSource.ELECTRONIC.value
    )
    if entered != taken.lots:
        at = (
            f"journal entries {listed(str(seq) for seq in taken.lot_entries)}"
            if taken.lot_entries
            else "the journal records none"
        )
        problems.append(
            f"its paper ballots or counted votes are not those the tellers entered ({at}): "
            "one was added, changed or removed outside veche"
        )
    return problems


def _check_rights_used(casts: dict[int, _Cast], used: list[_Used]) -> list[str]:
    problems = []
    rights = {right.right_person_id: right for right in used}
    unjournalled = sorted(set(rights) - set(casts))
    if unjournalled:
        problems.append(
            f"{rights_of(unjournalled)} {was(unjournalled)} used but the journal records no "
            "ballot cast with it: a ballot was added outside veche"
        )
    gone = sorted(set(casts) - set(rights))
    if gone:
        problems.append(
            f"the journal records a ballot cast with {rights_of(gone)} (entries "
            f"{listed(str(casts[p].seq) for p in gone)}) but no use of them is stored"
        )
    altered = sorted(
        person
        for person in set(casts) & set(rights)
        if rights[person].cast_by not in casts[person].cast_by
        or casts[person].kind not in (None, rights[person].kind)
        or casts[person].weight not in (None, rights[person].weight)
    )
    if altered:
        problems.append(
            f"the use of {rights_of(altered)} is not what the journal records "
            f"(entries {listed(str(casts[p].seq) for p in altered)}): who cast the ballot, "
            "the kind of right or its weight was changed"
        )
    return problems


def _check_roll_call(casts: dict[int, _Cast], electronic: list[_Stored]) -> list[str]:
    """A named poll's ballots name their voters: each is held against its right's entries."""
    problems = []
    voters = Counter(b.voter for b in electronic)
    if voters[None]:
        problems.append(f"{_ballots(voters[None], 'electronic')} stored naming no voter")
    twice = sorted(voter for voter, n in voters.items() if voter is not None and n > 1)
    if twice:
        problems.append(f"{persons(twice)} {is_(twice)} named by more than one ballot")
    unjournalled = sorted(v for v in voters if v is not None and v not in casts)
    if unjournalled:
        problems.append(
            f"ballots are stored for {persons(unjournalled)}, who cast none in the journal"
        )
    differing = sorted(
        ballot.voter
        for ballot in electronic
        if ballot.voter is not None
        and ballot.voter in casts
        and (
            ballot.cast_by not in casts[ballot.voter].cast_by
            or casts[ballot.voter].choice not in (_UNRECORDED, ballot.choice)
        )
    )
    if differing:
        problems.append(
            f"the roll-call differs from the journal: the ballots of {persons(differing)} do "
            "not hold the choice, or name the caster, that their entries record (entries "
            f"{listed(str(casts[p].seq) for p in differing)})"
        )
    return problems


def _used_rights(session: Session) -> Iterator[tuple[int, _Used]]:
    rows = session.execute(
        select(
            Participation.poll_id,
            Participation.right_person_id,
            Participation.cast_by_person_id,
            Participation.kind,
            Participation.weight,
        )
        .join(Poll, Poll.id == Participation.poll_id)
        .where(Poll.state.in_(COUNTED_STATES))
        .order_by(Participation.poll_id, Participation.right_person_id)
        .execution_options(yield_per=2000)
    )
    for poll_id, right, cast_by, kind, weight in rows:
        yield poll_id, _Used(right, cast_by, kind.value, weight)


def _stored_ballots(session: Session) -> Iterator[tuple[int, _Stored]]:
    rows = session.execute(
        select(
            Ballot.poll_id,
            Ballot.source,
            Ballot.choice,
            Ballot.weight,
            Ballot.voter_person_id,
            Ballot.cast_by_person_id,
        )
        .join(Poll, Poll.id == Ballot.poll_id)
        .where(Poll.state.in_(COUNTED_STATES))
        .order_by(Ballot.poll_id, Ballot.receipt)
        .execution_options(yield_per=2000)
    )
    for poll_id, source, choice, weight, voter, cast_by in rows:
        yield poll_id, _Stored(source.value, _canonical(choice), weight, voter, cast_by)


Row = TypeVar("Row")


class _ByPoll(Generic[Row]):
    """Rows read in one pass in poll order; a poll's rows are taken in the same order."""

    def __init__(self, rows: Iterator[tuple[int, list[Row]]]) -> None:
        self._rows = rows
        self._next: tuple[int, list[Row]] | None = next(rows, None)

    def take(self, poll_id: int) -> list[Row]:
        while self._next is not None and self._next[0] < poll_id:
            self._next = next(self._rows, None)
        if self._next is None or self._next[0] != poll_id:
            return []
        rows = self._next[1]
        self._next = next(self._rows, None)
        return rows


def _by_poll(rows: Iterator[tuple[int, Row]]) -> _ByPoll[Row]:
    return _ByPoll(
        (poll_id, [row for _poll, row in group])
        for poll_id, group in groupby(rows, key=lambda row: row[0])
    )


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(value)
    return value


def _ballots(n: int, kind: str) -> str:
    return f"1 {kind} ballot is" if n == 1 else f"{n} {kind} ballots are"
