"""Shared test helpers: a loaded demo database, cheap password hashing, counting queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from veche import security
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.attendance import do_check_in
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import do_create_meeting
from veche.db import transaction
from veche.demo import DEMO_NAME, load_demo
from veche.models import (
    Ballot,
    JournalEntry,
    Meeting,
    Membership,
    Organization,
    Participation,
    Term,
)
from veche.models.org import MembershipRole
from veche.models.polls import BallotSource

#: An administrator acting outside any request, as the tests' direct calls to actions do.
ADMIN = Caller(Actor(None, "system: test"), None, True, None)


def use_cheap_password_hashing() -> None:
    """argon2id at its lightest (one pass over 1 MiB) for the test process: the real
    parameters cost a fifth of a second a hash, and the tests log in thousands of times.
    Hashes keep their parameters, so a hash made here verifies anywhere."""
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def demo_organization(session: Session) -> Organization:
    """The demo organization: there already when the test's database is a copy of the demo
    template (tests marked ``demo``), loaded now otherwise."""
    found = session.scalar(select(Organization).where(Organization.name == DEMO_NAME))
    return found if found is not None else load_demo(session)


def load_demo_into(sessions: sessionmaker[Session]) -> int:
    """Load the demo organization (unless the database has it already) and return its id."""
    with transaction(sessions) as session:
        return demo_organization(session).id


def voter(person_id: int) -> Caller:
    """A person acting for themselves, without administrative rights."""
    return Caller(Actor(None, f"person {person_id}"), person_id, False, None)


def general_council_term(session: Session) -> Term:
    """The demo General Council's 8th term, in force today (a meeting is held within its
    term)."""
    term = session.scalars(select(Term).where(Term.number == 8).order_by(Term.id)).first()
    assert term is not None and term.body.name == "General Council"
    return term


def term_members(session: Session, term: Term) -> list[int]:
    """The ids of a term's full members (not its alternates), in order."""
    return sorted(
        m.person_id
        for m in session.scalars(select(Membership).where(Membership.term_id == term.id))
        if m.role == MembershipRole.MEMBER
    )


def plenary_with_members_present(session: Session, day: date) -> tuple[Meeting, list[int]]:
    """Load the demo (if need be) and hold a General Council meeting on ``day`` with every
    member checked in; return it and the members' ids."""
    demo_organization(session)
    term = general_council_term(session)
    meeting = do_create_meeting(session, ADMIN, term, "Plenary", starts_on=day)
    members = term_members(session, term)
    for person_id in members:
        do_check_in(session, ADMIN, meeting, person_id, day)
    return meeting, members


def row_counts(sessions: sessionmaker[Session], *models: type[Any]) -> tuple[int, ...]:
    """How many rows each model's table holds, read together."""
    with sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0 for model in models
        )


def row_count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    """How many rows the model's table holds."""
    (count,) = row_counts(sessions, model)
    return count


def journaled(sessions: sessionmaker[Session], action: JournalAction) -> list[dict[str, Any]]:
    """The payloads of the journal's entries of ``action``, oldest first."""
    with sessions() as session:
        return [
            dict(payload)
            for payload in session.scalars(
                select(JournalEntry.payload)
                .where(JournalEntry.action == action)
                .order_by(JournalEntry.seq)
            )
        ]


@contextmanager
def count_queries(*engines: Engine) -> Iterator[list[str]]:
    """The statements sent through ``engines`` inside the block, in order.

    Comparing their number for a small and a large meeting catches a statement run once
    per row (an N+1). Give the application's reader too: on SQLite, pages read through it.
    """
    statements: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    watched = list(dict.fromkeys(engines))  # on PostgreSQL the reader is the engine itself
    for engine in watched:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        for engine in watched:
            event.remove(engine, "before_cursor_execute", note)


def ballots_held(session: Session, poll_id: int) -> dict[BallotSource, int]:
    """A poll's ballots by source, each by its weight, wherever they are kept: sealed beside
    the rights that cast them while a secret poll is open (veche.sealing), in the ballot
    table once it is counted, and named and paper ballots there from the start."""
    held = {source: 0 for source in BallotSource}
    for source, weight in session.execute(
        select(Ballot.source, Ballot.weight).where(Ballot.poll_id == poll_id)
    ):
        held[source] += weight
    held[BallotSource.ELECTRONIC] += sum(
        session.scalars(
            select(Participation.weight).where(
                Participation.poll_id == poll_id, Participation.sealed.is_not(None)
            )
        )
    )
    return {source: weight for source, weight in held.items() if weight}


def ballot_count(session: Session, poll_id: int) -> int:
    """How many ballots a poll holds, sealed or stored (see ``ballots_held``)."""
    stored = session.scalars(select(Ballot.receipt).where(Ballot.poll_id == poll_id)).all()
    sealed = session.scalars(
        select(Participation.right_person_id).where(
            Participation.poll_id == poll_id, Participation.sealed.is_not(None)
        )
    ).all()
    return len(stored) + len(sealed)
