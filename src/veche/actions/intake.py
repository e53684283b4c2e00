"""Group commit for ballots: requests that arrive together are stored in one transaction.

Each request checks its ballot on its own (``prepare_ballot``, reads only) and then hands
it here. Whoever finds no group being written becomes the writer: it takes every ballot
waiting, stores them with ``store_ballots`` in one transaction, and hands each request its
outcome. Requests that arrive meanwhile wait for the next group, which forms while the
current one commits. Under a burst the groups grow by themselves, so the cost of the
transaction, the journal's head lock and the commit is shared; a lone voter is written
at once, without waiting for company.

Every request is answered only after its group has committed: an accepted ballot is a
stored ballot.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller
from veche.actions.ballots import (
    CastReceipt,
    Outcome,
    PollFacts,
    PreparedBallot,
    prepare_ballot,
    read_poll_facts,
    store_ballots,
)
from veche.db import transaction
from veche.errors import VecheError
from veche.models.polls import PollState


@dataclass
class _Waiting:
    ballot: PreparedBallot
    done: bool = False
    outcome: Outcome | None = None
    failure: BaseException | None = field(default=None, repr=False)


#: How long an open poll's facts are trusted without reading them again. Only its state
#: can change, and storing a ballot reads that again; this bounds how long a closed poll is
#: still taken for open by the first check (its ballots are then refused when stored).
FACTS_LIFETIME = 2.0
_MOST_POLLS_REMEMBERED = 256


class BallotIntake:
    """Stores prepared ballots in groups through ``sessions``; one per application.

    It also remembers the facts of open polls for a moment, for ``prepare_ballot``: a
    thousand voters of one poll need not each read the poll and its options.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._turn = threading.Condition()
        self._waiting: list[_Waiting] = []
        self._writing = False
        self._polls: dict[int, tuple[float, PollFacts]] = {}

    def poll_facts(self, session: Session, poll_id: int) -> PollFacts | None:
        """An open poll's facts, remembered for ``FACTS_LIFETIME``; others are always read."""
        now = time.monotonic()
        remembered = self._polls.get(poll_id)
        if remembered is not None and now - remembered[0] < FACTS_LIFETIME:
            return remembered[1]
        facts = read_poll_facts(session, poll_id)
        if len(self._polls) >= _MOST_POLLS_REMEMBERED:
            self._polls.clear()
        if facts is not None and facts.state is PollState.OPEN:
            self._polls[poll_id] = (now, facts)
        else:
            self._polls.pop(poll_id, None)
        return facts

    def submit(
        self,
        reading: Session,
        caller: Caller,
        poll_id: int,
        choice: Any,
        *,
        client_key: str,
        right_person_id: int | None = None,
        replaces_client_key: str | None = None,
    ) -> CastReceipt:
        """Check a ballot in a transaction of ``reading`` (a session that only reads), then
        store it with the group; its receipt, or its refusal raised."""
        with reading.begin():
            prepared = prepare_ballot(
                reading,
                caller,
                poll_id,
                choice,
                client_key=client_key,
                right_person_id=right_person_id,
                replaces_client_key=replaces_client_key,
                polls=self.poll_facts,
            )
        return prepared if isinstance(prepared, CastReceipt) else self.cast(prepared)

    def cast(self, ballot: PreparedBallot) -> CastReceipt:
        """Store ``ballot`` with whatever else is waiting; its receipt, or its refusal raised."""
        mine = _Waiting(ballot)
        with self._turn:
            self._waiting.append(mine)
            while not mine.done and self._writing:
                self._turn.wait()
            if not mine.done:
                group, self._waiting = self._waiting, []
                self._writing = True
        if not mine.done:
            try:
                self._write(group)
            finally:
                with self._turn:
                    self._writing = False
                    self._turn.notify_all()
        return _answer(mine)

    def _write(self, group: list[_Waiting]) -> None:
        try:
            with transaction(self._sessions) as session:
                outcomes = store_ballots(session, [waiting.ballot for waiting in group])
        except BaseException as failure:  # every request of the group learns of it
            for waiting in group:
                waiting.failure, waiting.done = failure, True
            return
        for waiting, outcome in zip(group, outcomes, strict=True):
            waiting.outcome, waiting.done = outcome, True


def _answer(waiting: _Waiting) -> CastReceipt:
    if waiting.failure is not None:
        raise waiting.failure
    if isinstance(waiting.outcome, VecheError):
        raise waiting.outcome
    assert waiting.outcome is not None
    return waiting.outcome
