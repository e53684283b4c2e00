"""Casting ballots: checked one by one with reads, stored in groups with one write each.

A ballot goes through two steps. ``prepare_ballot`` checks what needs no lock: the poll
exists and takes electronic ballots, and the choice fits the ballot's shape (a malformed
ballot is refused here and marks no one). It only reads, so it runs beside other requests
without the writer's lock. ``store_ballots`` then writes any number of prepared ballots in
one transaction: the polls' state, the voters' rights (worked out for the whole group at
once), the participations, the ballots and their journal entries, with one lock on the
journal's head for the whole group. Rights are thus checked in the same transaction that
uses them. A burst of
voters thus costs a handful of statements per group instead of a transaction per ballot
(see ``veche.actions.intake`` for how requests are grouped).

The database still has the last word: the participation's primary key refuses a second
ballot for one right even when two groups race from two server processes.

A secret ballot is stored sealed (``veche.sealing``) in the row of the right it used, and
comes into the ``ballot`` table only when its poll is counted: the row that names the voter
holds nothing anyone can read without the server key, and the counted ballot nothing of
the voter. A ballot sent again is recognised by an HMAC of its client key (``key_digest``),
which cannot be turned into its receipt by anyone without that key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ARRAY, bindparam, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_poll, stored_row
from veche.actions.actor import Actor
from veche.actions.choices import check_choice
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record, record_many
from veche.actions.journal_actions import JournalAction
from veche.actions.poll_seal import check_poll_seal
from veche.actions.polls import VOTE_BY_WORDS, ballot_options, has_paper_ballots, poll_rights
from veche.actions.rights import NOT_TAKING_PART, VotingRight, rights_on_day
from veche.errors import Conflict, Forbidden, InvalidInput, VecheError
from veche.i18n import _
from veche.models import Ballot, Meeting, Participation, Poll
from veche.models.polls import BallotSource, PollState, RevotePolicy, Secrecy, VoteBy
from veche.sealing import padded_size, seal
from veche.sql import OneOf, insert_rows

MIN_CLIENT_KEY, MAX_CLIENT_KEY = 16, 128


@dataclass(frozen=True)
class CastReceipt:
    """What a voter is told: the receipt to find their ballot on the bulletin board."""

    poll_id: int
    receipt: str
    right_person_id: int
    replayed: bool  # the same submission arrived again and was answered as before
    replaced: bool = False  # a re-vote replaced the voter's earlier ballot


@dataclass(frozen=True)
class OptionNumber:
    id: int


@dataclass(frozen=True)
class PollFacts:
    """What checking a ballot needs to know of its poll. Only the state changes while a poll
    is open, and the state is read again when the ballot is stored."""

    id: int
    meeting_id: int
    state: PollState
    day: date | None
    electronic: bool
    vote_by: VoteBy
    method: str
    seats: int
    max_score: int
    options: tuple[OptionNumber, ...]
    named: bool
    revote: bool  # "last ballot counts": a second ballot replaces the first
    receipt_key: str
    seal_key: str | None  # a secret poll's public key: its ballots are stored sealed

    @classmethod
    def of(cls, poll: Poll) -> PollFacts:
        return cls(
            id=poll.id,
            meeting_id=poll.meeting_id,
            state=poll.state,
            day=poll.day,
            electronic=poll.electronic,
            vote_by=poll.vote_by,
            method=poll.method,
            seats=poll.seats,
            max_score=poll.max_score,
            options=tuple(OptionNumber(option.id) for option in ballot_options(poll)),
            named=poll.secrecy is Secrecy.NAMED,
            revote=poll.revote is RevotePolicy.LAST_COUNTS,
            receipt_key=poll.receipt_key,
            seal_key=None if poll.secrecy is Secrecy.NAMED else poll.seal_key,
        )

    def sealed(self, receipt: str, choice: dict[str, Any], cast_by: int) -> bytes | None:
        """The ballot as it is stored while the poll is open: sealed, if the poll is secret,
        with who cast it, which the count holds against the row it is found in (a ballot
        copied over another voter's is found there; no one reads it before the count)."""
        if self.seal_key is None:
            return None
        content = {"receipt": receipt, "choice": choice, "by": cast_by}
        return seal(self.seal_key, content, padded_size(len(self.options)))


class PollFactsSource(Protocol):
    def __call__(self, session: Session, poll_id: int) -> PollFacts | None: ...


def read_poll_facts(session: Session, poll_id: int) -> PollFacts | None:
    """The facts ballots to the poll are checked and sealed with; an open poll's secrecy
    checked first (``check_poll_seal``), so that none is sealed with a key put in the
    database by someone else."""
    poll = stored_row(session, Poll, poll_id)
    if poll is None:
        return None
    if poll.state is PollState.OPEN:
        check_poll_seal(session, poll)
    return PollFacts.of(poll)


@dataclass(frozen=True)
class PreparedBallot:
    """A ballot whose choice has been checked, ready to be stored with its voter's right."""

    poll: PollFacts
    receipt: str
    key_digest: str  # recognises this ballot sent again, by its client key (see key_digest)
    choice: dict[str, Any]
    sealed: bytes | None  # the choice and receipt sealed, in a secret poll
    voter_person_id: int
    wanted_right: int | None  # whose right the voter uses, when they hold several
    actor: Actor
    replaces_client_key: str | None


def receipt_for(poll: Poll, client_key: str) -> str:
    """Derived from the voter's own client key, so a resend gets the same receipt without the
    server ever storing which voter holds which receipt."""
    return _receipt(poll.receipt_key, client_key)


def _receipt(receipt_key: str, client_key: str) -> str:
    digest = hmac.new(bytes.fromhex(receipt_key), client_key.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def key_digest(receipt_key: str, client_key: str) -> str:
    """What the right's row keeps to recognise a ballot sent again: an HMAC of the client key
    apart from the receipt's, so that the voter's row and the published receipt cannot be
    matched by anyone who does not hold the voter's client key."""
    digest = hmac.new(bytes.fromhex(receipt_key), b"resend:" + client_key.encode(), hashlib.sha256)
    return digest.hexdigest()


def check_client_key(client_key: str) -> str:
    if not MIN_CLIENT_KEY <= len(client_key) <= MAX_CLIENT_KEY:
        raise InvalidInput(
            f"the client key must be {MIN_CLIENT_KEY} to {MAX_CLIENT_KEY} characters of randomness"
        )
    return client_key


@dataclass(frozen=True)
class SentBallot:
    """A ballot as a voter sent it, before anything about it is checked: the API's body
    and the ballot page's form alike. ``client_key`` is the voter's own secret for the
    receipt; ``right_person_id`` names which of their voting rights it uses (their own
    when none), and ``replaces_client_key`` the ballot it replaces where a poll allows
    voting again."""

    poll_id: int
    choice: Any
    client_key: str
    right_person_id: int | None = None
    replaces_client_key: str | None = None


def prepare_ballot(
    session: Session,
    caller: Caller,
    sent: SentBallot,
    *,
    polls: PollFactsSource = read_poll_facts,
) -> PreparedBallot | CastReceipt:
    """Check a ballot with reads only; a resend to a closed poll is answered at once.

    ``polls`` may answer from a cache: an open poll's facts do not change, and its state is
    checked again when the ballot is stored.
    """
    client_key = check_client_key(sent.client_key)
    facts = polls(session, sent.poll_id)
    if facts is None or facts.state is not PollState.OPEN:
        return _to_a_poll_not_open(session, caller, sent, client_key)
    refusal = not_taking_ballots(facts)
    if refusal is not None:
        raise refusal
    if caller.person_id is None:
        raise Forbidden(_(NOT_TAKING_PART))
    try:
        checked = check_choice(
            facts.method, sent.choice, facts.options, seats=facts.seats, max_score=facts.max_score
        )
    except InvalidInput:
        # Facts from a cache may be a moment old: a poll closed since then answers as
        # closed, as it would with its facts read now.
        now = read_poll_facts(session, sent.poll_id)
        if now is None or now.state is not PollState.OPEN:
            return _to_a_poll_not_open(session, caller, sent, client_key)
        raise
    receipt = _receipt(facts.receipt_key, client_key)
    return PreparedBallot(
        poll=facts,
        receipt=receipt,
        key_digest=key_digest(facts.receipt_key, client_key),
        choice=checked,
        sealed=facts.sealed(receipt, checked, caller.person_id),
        voter_person_id=caller.person_id,
        wanted_right=sent.right_person_id,
        actor=caller.actor,
        replaces_client_key=sent.replaces_client_key,
    )


def _to_a_poll_not_open(
    session: Session, caller: Caller, sent: SentBallot, client_key: str
) -> CastReceipt:
    """A ballot to a poll that is not open: the receipt again if it is one the poll holds,
    sent again by its voter; else refused, saying why."""
    poll = access_poll(session, caller, sent.poll_id)  # 404 or 403 before anything else
    resent = _known_resend(
        session,
        poll.id,
        (key_digest(poll.receipt_key, client_key), receipt_for(poll, client_key)),
        caller.person_id,
        sent.right_person_id or 0,
    )
    if isinstance(resent, VecheError):
        raise resent
    if resent is not None:
        return resent
    raise not_open_for_voting(poll.state)


Outcome = CastReceipt | VecheError


def store_ballots(session: Session, ballots: Sequence[PreparedBallot]) -> list[Outcome]:
    """Store prepared ballots inside the caller's transaction; one outcome per ballot, in order.

    Each ballot is accepted, answered as a resend (its receipt is stored already), or
    refused with the reason (the poll closed meanwhile, the voter holds no such right, the
    right has been used). Polls are read under a shared lock: a close waits for the group,
    and no group is stored once a close has begun.
    """
    outcomes: list[Outcome | None] = [None] * len(ballots)
    states: dict[int, PollState] = {
        poll_id: state
        for poll_id, state in session.execute(
            select(Poll.id, Poll.state)
            .where(Poll.id.in_({b.poll.id for b in ballots}))
            .with_for_update(read=True)
        )
    }
    open_polls = {poll_id for poll_id, state in states.items() if state is PollState.OPEN}
    rights = _rights(session, ballots, open_polls)
    sent, used = _stored_already(session, ballots, rights)
    fresh: list[Voted] = []
    second: list[Voted] = []  # decided once the fresh ones are stored: resend, re-vote, refusal
    for index, ballot in enumerate(ballots):
        stored = sent.get((ballot.poll.id, ballot.key_digest))
        if stored is not None:
            outcomes[index] = _resent(ballot, stored)
            continue
        if ballot.poll.id not in open_polls:
            # Closed since its facts were read (the intake trusts an open poll's for a
            # moment): answered as once the poll is closed (``prepare_ballot``).
            resent = _known_resend_of(session, ballot, ballot.wanted_right or 0)
            outcomes[index] = resent or not_open_for_voting(states[ballot.poll.id])
            continue
        right = rights[index]
        if isinstance(right, VecheError):
            outcomes[index] = right
            continue
        voted = Voted(index, ballot, right)
        if (ballot.poll.id, right.right_person_id) in used:
            second.append(voted)
        else:
            fresh.append(voted)
            used.add((ballot.poll.id, right.right_person_id))  # a twin later is a second ballot
    fresh = _within_rights(session, fresh, outcomes)
    refused = _insert(session, fresh)
    accepted = [voted for voted in fresh if voted.index not in refused]
    for voted in accepted:
        outcomes[voted.index] = CastReceipt(
            voted.ballot.poll.id, voted.ballot.receipt, voted.right.right_person_id, replayed=False
        )
    record_many(session, [_journal_entry(voted) for voted in accepted])
    later = [*second, *(voted for voted in fresh if voted.index in refused)]
    for voted in sorted(later, key=lambda v: v.index):
        outcomes[voted.index] = _second_ballot(session, voted)
    for meeting_id, poll_id in sorted(
        {(v.ballot.poll.meeting_id, v.ballot.poll.id) for v in accepted}
    ):
        # One event per poll and group: screens re-fetch the count, not once per ballot.
        queue_event(session, meeting_id, LiveEventType.BALLOT_RECEIVED, poll_id=poll_id)
    # The voters' other open pages (the laptop beside the phone) stop offering a ballot at
    # once; queued after the room's event, so that the fragment they fetch is read anew.
    voters: dict[int, set[int]] = {}
    for voted in accepted:
        voters.setdefault(voted.ballot.poll.meeting_id, set()).add(voted.ballot.voter_person_id)
    for meeting_id, persons in sorted(voters.items()):
        queue_event(session, meeting_id, LiveEventType.OWN_BALLOT_CAST, for_persons=persons)
    decided = [outcome for outcome in outcomes if outcome is not None]
    assert len(decided) == len(ballots), "every ballot of a group has its outcome"
    return decided


@dataclass(frozen=True)
class Voted:
    """A ballot of a group (at ``index``) with the voting right it is cast with."""

    index: int
    ballot: PreparedBallot
    right: VotingRight


def _rights(
    session: Session, ballots: Sequence[PreparedBallot], open_polls: set[int]
) -> dict[int, VotingRight | VecheError]:
    """The voting right each ballot of an open poll is cast with (by its index in
    ``ballots``), or why its voter has none: worked out for every voter of a poll at once."""
    chosen: dict[int, VotingRight | VecheError] = {}
    for poll_id in open_polls:
        indices = [i for i, b in enumerate(ballots) if b.poll.id == poll_id]
        poll = ballots[indices[0]].poll
        held = rights_on_day(
            session, poll.meeting_id, poll.day, {ballots[i].voter_person_id for i in indices}
        )
        for index in indices:
            found = held[ballots[index].voter_person_id]
            if isinstance(found, VecheError):
                chosen[index] = found
                continue
            try:
                chosen[index] = _choose_right(found, ballots[index].wanted_right)
            except VecheError as refusal:
                chosen[index] = refusal
    return chosen


def _within_rights(
    session: Session, fresh: list[Voted], outcomes: list[Outcome | None]
) -> list[Voted]:
    """The fresh ballots that fit in their poll beside its paper ballots; the others refused.

    Paper ballots name no voter: a poll that has some could take an electronic ballot from
    someone already counted on paper, and then hold more ballots than there are rights to
    cast them. In such a poll each ballot must fit in the rights still unused, checked with
    the meeting's row locked so that two groups stored at once do not both fill the last
    places. A poll without paper ballots needs none of this: its ballots are its rights used.
    """
    kept: list[Voted] = []
    for poll_id in sorted({voted.ballot.poll.id for voted in fresh}):
        mine = [voted for voted in fresh if voted.ballot.poll.id == poll_id]
        poll = mine[0].ballot.poll
        if poll.day is None or not has_paper_ballots(session, poll_id):
            kept += mine
            continue
        session.execute(
            select(Meeting.id).where(Meeting.id == poll.meeting_id).with_for_update(key_share=True)
        )
        rights = poll_rights(session, poll_id, poll.meeting_id, poll.day)
        room = rights.unused
        for voted in mine:
            if voted.right.weight <= room:
                kept.append(voted)
                room -= voted.right.weight
                continue
            outcomes[voted.index] = Conflict(
                _(
                    "This vote has no room left for your ballot: only %(room)s voting rights "
                    "are unused (%(summary)s) and your ballot carries %(weight)s. If you have "
                    "not voted on paper, ask the tellers to check their count."
                )
                % {
                    "room": f"{room:,}",
                    "summary": rights.summary,
                    "weight": f"{voted.right.weight:,}",
                }
            )
    return kept


def do_cast_ballot(session: Session, caller: Caller, sent: SentBallot) -> CastReceipt:
    """Cast one ballot for one voting right in the session's transaction, or answer a resend
    with the same receipt (the API and the pages cast through ``intake.BallotIntake``)."""
    prepared = prepare_ballot(session, caller, sent)
    if isinstance(prepared, CastReceipt):
        return prepared
    (outcome,) = store_ballots(session, [prepared])
    if isinstance(outcome, VecheError):
        raise outcome
    return outcome


@dataclass(frozen=True)
class Stored:
    """A stored ballot's voting right and the voter who cast it."""

    right_person_id: int
    cast_by_person_id: int


def _stored_already(
    session: Session,
    ballots: Sequence[PreparedBallot],
    rights: dict[int, VotingRight | VecheError],
) -> tuple[dict[tuple[int, str], Stored], set[tuple[int, int]]]:
    """Which of these ballots each poll has already (by their key digest, with the right
    they used and who cast them), and which of these rights."""
    sent: dict[tuple[int, str], Stored] = {}
    used: set[tuple[int, int]] = set()
    postgresql = session.get_bind().dialect.name == "postgresql"
    for poll_id in {b.poll.id for b in ballots}:
        mine = [b.key_digest for b in ballots if b.poll.id == poll_id]
        sent.update(
            ((poll_id, str(digest)), Stored(right_person_id, cast_by))
            for digest, right_person_id, cast_by in session.execute(
                _SENT_EACH if postgresql else _SENT, {"poll_id": poll_id, "digests": mine}
            )
        )
        persons = [
            right.right_person_id
            for index, right in rights.items()
            if ballots[index].poll.id == poll_id and isinstance(right, VotingRight)
        ]
        if persons:
            used.update(
                (poll_id, person_id)
                for person_id in session.scalars(_USED, {"poll_id": poll_id, "persons": persons})
            )
    return sent, used


# Built once: a burst of ballots asks them for every group.
_SENT = select(
    Participation.key_digest, Participation.right_person_id, Participation.cast_by_person_id
).where(
    Participation.poll_id == bindparam("poll_id"),
    OneOf(Participation.key_digest, "digests"),
)
# On PostgreSQL, one probe of the unique index (poll, key digest) per digest. Asked as
# `key_digest = ANY(:digests)`, the planner weighed that index against reading every right
# of the poll and filtering them: until autovacuum has counted a poll's rights it takes
# them for a few dozen, so during a vote it read them all for every group (20 to 50 ms a
# group at 10,000 voters in benchmarks/vote_spike.py). A probe of a unique index finds one
# row at most, whatever the planner believes of the table; the LIMIT keeps PostgreSQL from
# merging the probes back into one join, which it would plan as before.
_DIGESTS = (
    func.unnest(bindparam("digests", type_=ARRAY(Participation.key_digest.type)))
    .table_valued("digest")
    .render_derived()
)
_PROBE = (
    select(Participation.key_digest, Participation.right_person_id, Participation.cast_by_person_id)
    .where(
        Participation.poll_id == bindparam("poll_id"),
        Participation.key_digest == _DIGESTS.c.digest,
    )
    .limit(1)
    .lateral()
)
_SENT_EACH = select(
    _PROBE.c.key_digest, _PROBE.c.right_person_id, _PROBE.c.cast_by_person_id
).join_from(_DIGESTS, _PROBE, true())
_USED = select(Participation.right_person_id).where(
    Participation.poll_id == bindparam("poll_id"),
    OneOf(Participation.right_person_id, "persons"),
)


def _insert(session: Session, fresh: list[Voted]) -> set[int]:
    """Insert the participations and ballots; the indices of those the database refused.

    All at once first. If the database refuses the group — another server process stored
    a ballot for one of these rights since they were looked up — each is tried alone, and
    the refused ones are decided afterwards like any second ballot.
    """
    if not fresh:
        return set()
    try:
        with session.begin_nested():
            _insert_rows(session, fresh)
        return set()
    except IntegrityError:
        pass
    refused = set()
    for voted in fresh:
        try:
            with session.begin_nested():
                _insert_rows(session, [voted])
        except IntegrityError:
            refused.add(voted.index)
    return refused


def _insert_rows(session: Session, fresh: list[Voted]) -> None:
    # On the connection, as plain inserts: the session's bulk-insert path costs more per row
    # and gives nothing here (no objects are made of these rows). In the order of their keys,
    # so that two groups written at once lock the keys they share in the same order, and one
    # waits for the other rather than each for the other.
    connection = session.connection()
    participations = [
        {
            "poll_id": v.ballot.poll.id,
            "right_person_id": v.right.right_person_id,
            "cast_by_person_id": v.ballot.voter_person_id,
            "kind": v.right.kind,
            "weight": v.right.weight,
            "key_digest": v.ballot.key_digest,
            "sealed": v.ballot.sealed,
        }
        for v in fresh
    ]
    participations.sort(key=lambda row: (row["poll_id"], row["right_person_id"]))
    # A sealed ballot is stored in its right's row alone, until the count.
    ballots = sorted(
        (_ballot_row(v) for v in fresh if v.ballot.sealed is None),
        key=lambda row: (row["poll_id"], row["receipt"]),
    )
    insert_rows(connection, Participation, participations)
    if ballots:
        insert_rows(connection, Ballot, ballots)


def _ballot_row(voted: Voted) -> dict[str, Any]:
    # A secret ballot carries no voter and no time; its receipt is its only key.
    ballot, named = voted.ballot, voted.ballot.poll.named
    return {
        "poll_id": ballot.poll.id,
        "receipt": ballot.receipt,
        "choice": ballot.choice,
        "weight": voted.right.weight,
        "source": BallotSource.ELECTRONIC,
        "voter_person_id": voted.right.right_person_id if named else None,
        "cast_by_person_id": ballot.voter_person_id if named else None,
    }


def _journal_entry(voted: Voted) -> tuple[Actor, JournalAction, dict[str, Any]]:
    ballot = voted.ballot
    payload: dict[str, Any] = {
        "poll_id": ballot.poll.id,
        "right_person_id": voted.right.right_person_id,
        "cast_by_person_id": ballot.voter_person_id,
        "right": voted.right.kind,
        # The right's weight, as everyone's is on the participants' list: a weight changed
        # in the database before the count is then found by ``veche verify``.
        "weight": voted.right.weight,
    }
    if ballot.poll.named:
        payload["choice"] = ballot.choice  # a roll-call is public; a secret choice never is
    return ballot.actor, JournalAction.CAST_BALLOT, payload


def _resent(ballot: PreparedBallot, stored: Stored) -> Outcome:
    return _answer_to_resend(ballot.poll.id, ballot.receipt, stored, ballot.voter_person_id)


def _answer_to_resend(
    poll_id: int, receipt: str, stored: Stored, voter_person_id: int | None
) -> Outcome:
    """The answer to a ballot whose client key a stored ballot has: that ballot's receipt
    again, for the voter who cast it. Anyone else is refused: told the receipt, they could
    read that voter's choice on the board, and they would take their own ballot for cast."""
    if stored.cast_by_person_id != voter_person_id:
        return Conflict(_(KEY_OF_ANOTHER))
    return CastReceipt(poll_id, receipt, stored.right_person_id, replayed=True)


#: Why a ballot sent with a client key another voter's ballot has is refused.
KEY_OF_ANOTHER = (
    "This ballot's key is another voter's: reload the page, which makes a new one, and vote again."
)


def _second_ballot(session: Session, voted: Voted) -> Outcome:
    """A ballot for a right already used: the same one again, a re-vote, or a refusal."""
    ballot = voted.ballot
    resent = _known_resend_of(session, ballot, voted.right.right_person_id)
    if resent is not None:
        return resent
    if not ballot.poll.revote:
        return Conflict(_already_voted(voted.right))
    try:
        with session.begin_nested():
            return _replace_ballot(session, voted)
    except VecheError as error:
        return error


def _already_voted(right: VotingRight) -> str:
    if right.on_behalf_of:
        return _(
            "You have already voted on behalf of %(name)s in this vote: one ballot per voting "
            "right."
        ) % {"name": right.on_behalf_of}
    return _("You have already voted in this vote: one ballot per voting right.")


#: Why no ballot is taken in a poll that is not open, as the voter reads it (page and API).
_NOT_OPEN = {
    PollState.DRAFT: "This vote has not opened yet.",
    PollState.CLOSED: "This vote has closed.",
    PollState.PUBLISHED: "This vote has closed.",
    PollState.CANCELLED: "This vote was cancelled.",
}


def not_open_for_voting(state: PollState) -> Conflict:
    """The refusal of a ballot for a poll in ``state``, which is not open."""
    return Conflict(_(_NOT_OPEN.get(state, "This vote is not open.")))


def not_taking_ballots(poll: Poll | PollFacts) -> Conflict | None:
    """Why ``poll`` takes no electronic ballot now, as the voter reads it on the ballot page
    and through the API; None when it takes them."""
    if poll.state is not PollState.OPEN:
        return not_open_for_voting(poll.state)
    if poll.vote_by is not VoteBy.BALLOT:
        return Conflict(
            _(
                "This vote is taken by %(vote_by)s in the hall, not by ballot: vote there, and "
                "the tellers count it."
            )
            % {"vote_by": _(VOTE_BY_WORDS[poll.vote_by])}
        )
    if not poll.electronic:
        return Conflict(_("This vote is counted on paper: hand your ballot to the tellers."))
    return None


def _known_resend(
    session: Session,
    poll_id: int,
    digest_and_receipt: tuple[str, str],
    voter_person_id: int | None,
    right_person_id: int,
) -> Outcome | None:
    """The answer to a ballot whose client key a stored ballot has (``_answer_to_resend``),
    or None where none has it. While the poll keeps the key's digest it names who cast the
    ballot; a count (of a secret poll) and a cancel empty it, and polls opened before
    ballots were sealed kept none: their ballots are known by their receipt alone."""
    digest, receipt = digest_and_receipt
    found = session.execute(
        select(Participation.right_person_id, Participation.cast_by_person_id).where(
            Participation.poll_id == poll_id, Participation.key_digest == digest
        )
    ).first()
    if found is not None:
        return _answer_to_resend(poll_id, receipt, Stored(*found), voter_person_id)
    if _ballot_exists(session, poll_id, receipt):
        return CastReceipt(poll_id, receipt, right_person_id, replayed=True)
    return None


def _known_resend_of(
    session: Session, ballot: PreparedBallot, right_person_id: int
) -> Outcome | None:
    return _known_resend(
        session,
        ballot.poll.id,
        (ballot.key_digest, ballot.receipt),
        ballot.voter_person_id,
        right_person_id,
    )


def _ballot_exists(session: Session, poll_id: int, receipt: str) -> bool:
    found = session.scalar(
        select(Ballot.receipt).where(Ballot.poll_id == poll_id, Ballot.receipt == receipt)
    )
    return found is not None


def _choose_right(rights: list[VotingRight], right_person_id: int | None) -> VotingRight:
    if right_person_id is None:
        own = [r for r in rights if r.on_behalf_of is None]
        if own or len(rights) == 1:
            return (own or rights)[0]
        names = ", ".join(f"{r.right_person_id} ({r.on_behalf_of})" for r in rights)
        raise InvalidInput(
            f"you hold several voting rights; say which with right_person_id: {names}"
        )
    for right in rights:
        if right.right_person_id == right_person_id:
            return right
    raise Forbidden(
        _(
            "You do not hold that voting right in this vote (a member may have arrived in "
            "person, or a proxy been withdrawn): open the ballot again and choose whose vote it is."
        )
    )


def _replace_ballot(session: Session, voted: Voted) -> CastReceipt:
    """Under "last ballot counts", swap the earlier ballot for the new one.

    In a named poll the earlier ballot is found by its voter; in a secret poll only the
    voter can point to it, by the client key it was sent with.
    """
    ballot, right = voted.ballot, voted.right
    _check_may_replace(session, voted)
    if ballot.poll.seal_key is not None:
        _replace_sealed(session, voted)
    else:
        _replace_stored(session, voted)
    payload: dict[str, Any] = {
        "poll_id": ballot.poll.id,
        "right_person_id": right.right_person_id,
        "cast_by_person_id": ballot.voter_person_id,
    }
    if ballot.poll.named:
        payload["choice"] = ballot.choice
    record(session, ballot.actor, JournalAction.REPLACE_BALLOT, payload)
    return CastReceipt(
        ballot.poll.id, ballot.receipt, right.right_person_id, replayed=False, replaced=True
    )


def _check_may_replace(session: Session, voted: Voted) -> None:
    """A ballot is changed by the one who cast it, or by the member whose right it used, in
    person: a proxy's holder or a stand-in never changes a vote its member cast."""
    caster, right = voted.ballot.voter_person_id, voted.right
    if caster == right.right_person_id:
        return
    cast_by = session.scalar(
        select(Participation.cast_by_person_id).where(
            Participation.poll_id == voted.ballot.poll.id,
            Participation.right_person_id == right.right_person_id,
        )
    )
    if cast_by is not None and cast_by != caster:
        raise Conflict(
            f"the vote of {right.on_behalf_of or 'this member'} was cast by someone else; "
            "only they, or the member in person, may change it"
        )


def _replace_stored(session: Session, voted: Voted) -> None:
    """A named ballot (or one of a poll opened before ballots were sealed) is replaced in
    the ballots' table."""
    ballot, poll = voted.ballot, voted.ballot.poll
    if poll.named:
        old = session.scalar(
            select(Ballot).where(
                Ballot.poll_id == poll.id, Ballot.voter_person_id == voted.right.right_person_id
            )
        )
    else:
        old_key = check_client_key(_earlier_client_key(voted))
        old = session.get(Ballot, (poll.id, _receipt(poll.receipt_key, old_key)))
    if old is None or old.source is not BallotSource.ELECTRONIC:
        raise Conflict(_NOT_FOUND)
    session.delete(old)
    session.flush()
    session.execute(insert(Ballot), [_ballot_row(voted)])
    # The right's row recognises the replacing ballot, not the replaced one, if sent again.
    session.execute(
        update(Participation)
        .where(
            Participation.poll_id == poll.id,
            Participation.right_person_id == voted.right.right_person_id,
        )
        .values(key_digest=ballot.key_digest, cast_by_person_id=ballot.voter_person_id)
    )


def _earlier_client_key(voted: Voted) -> str:
    if voted.ballot.replaces_client_key is None:
        raise Conflict(
            _already_voted(voted.right) + " — to change a secret ballot, send the client key "
            "of the ballot it replaces as replaces_client_key"
        )
    return voted.ballot.replaces_client_key


_NOT_FOUND = "the ballot to replace was not found; it may belong to another voter"


def _replace_sealed(session: Session, voted: Voted) -> None:
    """A secret ballot is replaced in its right's row, found by the earlier client key."""
    ballot = voted.ballot
    earlier = key_digest(ballot.poll.receipt_key, check_client_key(_earlier_client_key(voted)))
    replaced = session.execute(
        update(Participation)
        .where(
            Participation.poll_id == ballot.poll.id,
            Participation.right_person_id == voted.right.right_person_id,
            Participation.key_digest == earlier,
        )
        .values(
            sealed=ballot.sealed,
            key_digest=ballot.key_digest,
            cast_by_person_id=ballot.voter_person_id,
        )
    )
    if replaced.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_NOT_FOUND)
