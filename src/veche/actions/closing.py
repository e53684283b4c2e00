"""Closing a poll: its sealed ballots opened and shuffled in, counted, and committed to.

A secret poll's ballots wait sealed beside the rights that cast them (``veche.sealing``).
The close opens them with the poll's private key, stores them in the ``ballot`` table in a
random order, all in one transaction, empties the sealed copies and deletes the key: what
is left names no voter and keeps no trace of the order the ballots came in. Once the
transaction is committed, the space the sealed copies took is cleared and the table of keys
rewritten (``scrub``): without the poll's private key, no copy left opens.

The close's journal entry commits to what was counted and what came of it: the number of
ballots, a digest of their content (``ballot_digest``), a digest of the result, the
outcome, and the figures the count took from the meeting (members present and in all).
``veche verify`` recounts every closed poll from its stored ballots against that entry
(``recount``), so a ballot changed, added or deleted afterwards, or a result rewritten,
is found.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import Engine, delete, event, select, text, update
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_poll, authorize
from veche.actions.choices import build_profile, is_blank
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.polls import ballot_options, check_step_once, poll_rights
from veche.errors import Conflict
from veche.models import Ballot, Participation, Poll, PollSecret
from veche.models.base import utcnow
from veche.models.polls import POLL_TRANSITIONS, BallotSource, PollKind, PollState, Secrecy
from veche.permissions import Permission
from veche.scrubbing import scrub
from veche.sealing import configured_server_key, forget_sender
from veche.sql import insert_rows
from veche.tally import TallyError, count

#: Tables whose freed space is cleared once a poll's sealed ballots and key are gone (the
#: table of keys rewritten whole: ``veche.scrubbing.REWRITTEN``).
SEALED_TABLES = ("participation", "poll_secret")
_SCRUB = "veche.scrub_after_commit"


@dataclass(frozen=True)
class CountedBallot:
    receipt: str
    choice: dict[str, Any]
    weight: int
    source: BallotSource


def do_close_poll(session: Session, caller: Caller, poll_id: int) -> Poll:
    """Close and count. Closing a closed poll changes nothing and reports the same result."""
    poll = access_poll(session, caller, poll_id, lock=True)
    authorize(session, caller, Permission.POLLS_RUN, poll.meeting_id)
    if not check_step_once(poll, PollState.CLOSED):
        return poll
    if poll.seal_key is not None:
        ballots = _unseal(session, poll)
    else:
        if poll.secrecy is Secrecy.SECRET:
            _store_in_receipt_order(session, poll.id)  # opened before ballots were sealed
        ballots = stored_ballots(session, poll.id)
    options = count_options(session, poll)
    poll.state = PollState.CLOSED
    poll.closed_at = utcnow()
    poll.ballot_digest = ballot_digest(ballots)
    poll.result, poll.outcome = tally_ballots(poll, ballots, options)
    record(
        session,
        caller.actor,
        JournalAction.CLOSE_POLL,
        {
            "poll_id": poll.id,
            "ballots": len(ballots),
            "ballot_digest": poll.ballot_digest,
            "result_digest": result_digest(poll.result),
            "outcome": poll.outcome,
            "count_options": options,
            "seed": poll.result.get("seed"),
        },
    )
    queue_event(session, poll.meeting_id, LiveEventType.POLL_CLOSED, poll_id=poll.id)
    return poll


def destroy_sealed(session: Session, poll: Poll) -> None:
    """Empty a poll's sealed ballots and delete its key, so that they can never be opened
    (a cancelled poll's ballots are never counted); their space is cleared after commit,
    and the table of keys rewritten (``scrub``). This process forgets its sender for the
    poll, whose secret would open what it sealed."""
    session.execute(
        update(Participation)
        .where(Participation.poll_id == poll.id)
        .values(sealed=None, key_digest=None)
    )
    session.execute(delete(PollSecret).where(PollSecret.poll_id == poll.id))
    if poll.seal_key is not None:
        forget_sender(poll.seal_key)
    session.info[_SCRUB] = True


def _unseal(session: Session, poll: Poll) -> list[CountedBallot]:
    """Open the poll's sealed ballots into ``ballot``, in a random order, then destroy them.

    Returns every ballot of the poll to count, by receipt: the ones opened and the ones
    the tellers entered from paper. The opened ones are counted as they were just stored
    rather than read back, which took about as long as counting them at 10,000 voters.
    """
    secret = session.get(PollSecret, poll.id)
    if secret is None:
        raise Conflict(
            f"the key of “{poll.title}” is missing, so its sealed ballots cannot be opened"
        )
    open_ballot = configured_server_key().opener(secret.wrapped_key, poll.id)
    counted = stored_ballots(session, poll.id)  # the tellers': electronic ones are all sealed
    rows = []
    for sealed, weight, cast_by in session.execute(
        select(Participation.sealed, Participation.weight, Participation.cast_by_person_id).where(
            Participation.poll_id == poll.id, Participation.sealed.is_not(None)
        )
    ):
        assert sealed is not None
        content = open_ballot(sealed)
        if content.get("by", cast_by) != cast_by:  # sealed before the caster was: no "by"
            raise Conflict(
                f"a ballot of “{poll.title}” is not in the row of the right it was cast with: "
                "it was moved in the database, outside veche, so the poll is not counted; "
                "cancel it and vote again"
            )
        rows.append(
            {
                "poll_id": poll.id,
                "receipt": content["receipt"],
                "choice": content["choice"],
                "weight": weight,
                "source": BallotSource.ELECTRONIC,
            }
        )
    # Stored in one statement, in an order no one chose: the table's pages then say
    # nothing of which ballot came first.
    secrets.SystemRandom().shuffle(rows)
    insert_rows(session.connection(), Ballot, rows)
    destroy_sealed(session, poll)
    counted += (
        CountedBallot(row["receipt"], row["choice"], row["weight"], row["source"]) for row in rows
    )
    return sorted(counted, key=attrgetter("receipt"))


@event.listens_for(Session, "after_commit")
def _scrub_after_commit(session: Session) -> None:
    if session.info.pop(_SCRUB, False):
        bind = session.get_bind()
        scrub(bind if isinstance(bind, Engine) else bind.engine, SEALED_TABLES)


@event.listens_for(Session, "after_soft_rollback")
def _nothing_to_scrub(session: Session, _previous_transaction: object) -> None:
    if not session.in_transaction():
        session.info.pop(_SCRUB, None)


def _store_in_receipt_order(session: Session, poll_id: int) -> None:
    """Rewrite the ballots of a secret poll opened before ballots were sealed in receipt
    order, so that a PostgreSQL table's order of insertion (the order of casting) is lost.
    (SQLite stores the table by receipt already, as it has no rowid.)"""
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(
        text(
            "CREATE TEMPORARY TABLE ballot_by_receipt AS SELECT * FROM ballot WHERE poll_id = :poll"
        ),
        {"poll": poll_id},
    )
    session.execute(delete(Ballot).where(Ballot.poll_id == poll_id))
    session.execute(text("INSERT INTO ballot SELECT * FROM ballot_by_receipt ORDER BY receipt"))
    session.execute(text("DROP TABLE ballot_by_receipt"))


def stored_ballots(session: Session, poll_id: int) -> list[CountedBallot]:
    """A poll's ballots as stored, by receipt."""
    return [
        CountedBallot(receipt, choice, weight, source)
        for receipt, choice, weight, source in session.execute(
            select(Ballot.receipt, Ballot.choice, Ballot.weight, Ballot.source)
            .where(Ballot.poll_id == poll_id)
            .order_by(Ballot.receipt)
        )
    ]


def ballot_digest(ballots: Sequence[CountedBallot]) -> str:
    """SHA-256 over every ballot's receipt, source, weight and choice (canonical JSON, one
    line each, in receipt order): a commitment to exactly what was counted."""
    lines = sorted(_canonical([b.receipt, b.source.value, b.weight, b.choice]) for b in ballots)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def result_digest(result: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(result).encode()).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def count_options(session: Session, poll: Poll) -> dict[str, Any]:
    """The method's options for the count, with what a decision takes from the meeting."""
    options = dict(poll.method_options)
    if poll.kind is PollKind.DECISION:
        rights = poll_rights(session, poll.id, poll.meeting_id, poll.day or poll.meeting.starts_on)
        body = poll.meeting.term.body
        options.setdefault("quorum", str(body.quorum))
        # Rights, not people, each by its weight (see PollRights): the quorum, the ceiling on
        # votes cast and a majority of members present are all measured in them.
        options.update(members_present=rights.present, members_total=rights.total)
    return options


def tally_ballots(
    poll: Poll,
    ballots: Sequence[CountedBallot],
    options: dict[str, Any],
    seed: int | None = None,
) -> tuple[dict[str, Any], str]:
    """The result and the outcome of counting ``ballots`` with ``options``; ties broken by
    lot with ``seed`` (a recount gives the seed the count recorded)."""
    profile = build_profile(
        poll.method, ballot_options(poll), [(b.choice, b.weight) for b in ballots]
    )
    if profile.n_voters == 0 and poll.kind is not PollKind.DECISION:
        result: dict[str, Any] = {"method": poll.method, "elected": [], "rounds": []}
        outcome = "no valid ballots were cast"
    else:
        if seed is not None:
            options = {**options, "seed": seed}
        try:
            counted = count(profile, poll.method, seats=poll.seats, **options)
        except TallyError as error:
            raise Conflict(f"“{poll.title}” cannot be counted: {error}") from None
        result = counted.to_dict()
        outcome = describe_outcome(poll, counted.decision, counted.elected, counted.details)
    # Electronic and paper always; another source only where it counted, so that the results
    # of polls closed before it existed recount the same (``veche verify``).
    by_source = {BallotSource.ELECTRONIC.value: 0, BallotSource.PAPER.value: 0}
    for ballot in ballots:
        by_source[ballot.source.value] = by_source.get(ballot.source.value, 0) + ballot.weight
    result["ballots_by_source"] = by_source
    result["blank"] = sum(b.weight for b in ballots if is_blank(b.choice))
    return result, outcome


def describe_outcome(
    poll: Poll, decision: str | None, elected: list[str], details: dict[str, Any]
) -> str:
    if poll.kind is PollKind.DECISION:
        return decision or "no decision"
    if not elected:
        return "no one was elected"
    if poll.kind is PollKind.ELECTION:
        return "elected: " + ", ".join(elected)
    return ("chosen: " if poll.seats == 1 else "chosen, in order: ") + ", ".join(elected)


def do_cancel_poll(session: Session, caller: Caller, poll_id: int) -> Poll:
    """Cancel a poll in draft or open; its ballots are never counted."""
    poll = access_poll(session, caller, poll_id, lock=True)
    authorize(session, caller, Permission.POLLS_RUN, poll.meeting_id)
    POLL_TRANSITIONS.check_step(poll.state, PollState.CANCELLED, f"poll {poll.id}")
    poll.state = PollState.CANCELLED
    destroy_sealed(session, poll)
    record(session, caller.actor, JournalAction.CANCEL_POLL, {"poll_id": poll.id})
    queue_event(session, poll.meeting_id, LiveEventType.POLL_CANCELLED, poll_id=poll.id)
    return poll
