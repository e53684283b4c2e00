"""Group commit for ballots: ballots that arrive together are stored in one transaction.

A request hands its ballot over as it came (``BallotRequest``: the voter's bearer token or
their known caller, the poll, the choice) and waits, on the event loop, without holding a
thread. A writer works beside the loop in a thread of its own. It takes every ballot
waiting and, in one transaction, signs their voters in (one query for all the tokens),
checks each ballot (``prepare_ballot``, from the poll's remembered facts), stores them
(``store_ballots``), commits, and hands each request its outcome. Ballots arriving
meanwhile form the next group. Under a burst the groups grow by themselves, so the
transaction, the sign-in, the rights, the journal's head lock and the commit are shared; a
lone voter is written at once, without waiting for company.

One writer serves a process, on either database. Two writers on PostgreSQL kept the
process busy while one group waited for the server, but halved the groups and took turns
for Python's lock with each other and with the event loop: in benchmarks/vote_spike.py
they cost the server a fifth to a quarter more CPU per ballot, and PostgreSQL more too,
for no more ballots a second. Writers of several processes (or an intake given more than
one writer) still meet: the journal's head lock puts their entries one after the other,
the database's constraints settle what their groups share (a resend of a ballot still
being written waits for it, then is answered as a resend), and a group that PostgreSQL
undoes to break a deadlock is written again.

The writer gives Python's lock up at each of its group's round trips to the database, and
then waits for it while the event loop reads and answers requests. Python lets a thread
keep the lock 5 ms before handing it to one that waits, so a group of a dozen round trips
could spend more time waiting for the lock than for the database, and every voter waited
with it. While an intake's writer exists the process hands the lock over every
``SWITCH_SECONDS`` instead. On PostgreSQL, on a two-core machine kept busy by other work
(load average about 9), this took benchmarks/vote_spike.py from 500–900 to 1,400–2,500
ballots a second; on a quiet machine, where the lock is seldom contended, it matters less
(docs/benchmarks.md).

Why here and not in each request: the work a ballot needs of the database is small, and
done one request at a time it is dwarfed by what surrounds it (a trip to a worker thread,
a session, a transaction, a connection), and the threads then take turns for Python's lock.
Done once per group, that cost is shared by everyone who voted in the same moment.

Each request is answered only after its group has committed: an accepted ballot is a
stored ballot. Each gets the answer it would have had alone, in the same order of checks:
sign-in (401), the poll (404, 403, 409), the ballot's shape (422), the voting right (403,
409). That holds when something goes wrong, too: a group that fails for a reason that is
no voter's refusal (a fault in veche, or in the database) is halved and each half written
again, so that one ballot that trips a fault fails alone (503, logged with its cause) and
every other ballot of its group is stored as if it had come alone.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller
from veche.actions.auth import token_callers
from veche.actions.ballots import (
    CastReceipt,
    Outcome,
    PollFacts,
    PreparedBallot,
    SentBallot,
    prepare_ballot,
    read_poll_facts,
    store_ballots,
)
from veche.db import transaction
from veche.errors import StorageFault, VecheError
from veche.i18n import _
from veche.models.polls import PollState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BallotRequest:
    """A ballot as a voter sent it, with who sent it, before anything about it is checked."""

    signed: Caller | str  # the caller, when a login session is already checked; else a token
    sent: SentBallot


#: How many times a group is written again after PostgreSQL chose it to break a deadlock.
_ATTEMPTS = 3


def _is_deadlock(failure: DBAPIError) -> bool:
    return getattr(failure.orig, "sqlstate", None) == "40P01"  # PostgreSQL's deadlock_detected


#: How long an open poll's facts are trusted without reading them again. Only its state
#: can change, and storing a ballot reads that again; this bounds how long a closed poll is
#: still taken for open by the first check (its ballots are then refused when stored).
FACTS_LIFETIME = 2.0
_MOST_POLLS_REMEMBERED = 256


#: How long a thread may hold Python's lock while another waits for it, while a writer runs
#: (Python's own is 5 ms; see above).
SWITCH_SECONDS = 0.0005


class _SwitchInterval:
    """Python's switch interval at ``SWITCH_SECONDS`` while any intake's writer exists in the
    process, and as it was before once none does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._before = sys.getswitchinterval()

    def shorten(self) -> None:
        with self._lock:
            if self._users == 0:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(min(self._before, SWITCH_SECONDS))
            self._users += 1

    def restore(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                sys.setswitchinterval(self._before)


_SWITCH_INTERVAL = _SwitchInterval()


class BallotIntake:
    """Stores ballots in groups through ``sessions``; one per application (and process).

    ``cast`` is called on the application's event loop. ``close`` stops the writers' threads.
    """

    def __init__(self, sessions: sessionmaker[Session], writers: int = 1) -> None:
        self._sessions = sessions
        self._writers = writers
        self._waiting: list[tuple[BallotRequest, asyncio.Future[CastReceipt]]] = []
        self._running: set[asyncio.Task[None]] = set()
        self._threads: ThreadPoolExecutor | None = None
        self._polls: dict[int, tuple[float, PollFacts]] = {}  # shared by the writers' threads

    async def cast(self, request: BallotRequest) -> CastReceipt:
        """Store the ballot with whatever else is waiting; its receipt, or its refusal raised."""
        answer: asyncio.Future[CastReceipt] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, answer))
        if len(self._running) < self._writers:
            writer = asyncio.create_task(self._write_while_waiting())
            self._running.add(writer)
            writer.add_done_callback(self._running.discard)  # also if cancelled unstarted
        return await answer

    def close(self) -> None:
        """Stop the writers' threads once the server has stopped taking requests."""
        if self._threads is not None:
            self._threads.shutdown(wait=True)
            self._threads = None
            _SWITCH_INTERVAL.restore()

    async def _write_while_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        if self._threads is None:
            # Threads of their own, so that groups never wait for the worker threads that
            # serve pages.
            self._threads = ThreadPoolExecutor(self._writers, thread_name_prefix="veche-ballots")
            _SWITCH_INTERVAL.shorten()
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                requests = [request for request, _ in group]
                outcomes: Sequence[Outcome | Exception]
                try:
                    outcomes = await loop.run_in_executor(
                        self._threads, self._write_isolating, requests
                    )
                except Exception as failure:  # every request of the group learns of it
                    outcomes = [failure] * len(group)
                for (_, answer), outcome in zip(group, outcomes, strict=True):
                    if answer.done():
                        continue  # the voter hung up; a resend will find the ballot stored
                    if isinstance(outcome, CastReceipt):
                        answer.set_result(outcome)
                    else:
                        answer.set_exception(outcome)
        finally:
            # At once, in the step that found nothing waiting: were it left to the task's
            # done callback, a ballot arriving before that ran would count this writer as
            # still at work, and could wait with no writer left to take it.
            task = asyncio.current_task()
            if task is not None:
                self._running.discard(task)

    def _write_isolating(self, requests: Sequence[BallotRequest]) -> list[Outcome]:
        """``_write_group``; should it fail, each half of the group is written again on its own,
        down to the one ballot that fails, which alone is answered with a fault."""
        try:
            return self._write_group(requests)
        except Exception as fault:
            if len(requests) > 1:
                middle = len(requests) // 2
                return [
                    *self._write_isolating(requests[:middle]),
                    *self._write_isolating(requests[middle:]),
                ]
            (request,) = requests
            log.error(
                "a ballot for poll %s could not be stored", request.sent.poll_id, exc_info=fault
            )
            return [StorageFault(_("Your ballot could not be stored: send it again."))]

    def _write_group(self, requests: Sequence[BallotRequest]) -> list[Outcome]:
        """``_write``, again if PostgreSQL broke a deadlock by undoing this group's work."""
        for attempt in range(_ATTEMPTS):
            try:
                return self._write(requests)
            except DBAPIError as failure:
                if attempt + 1 == _ATTEMPTS or not _is_deadlock(failure):
                    raise
        raise AssertionError("unreachable")

    def _write(self, requests: Sequence[BallotRequest]) -> list[Outcome]:
        """One group, in one transaction: sign in, check, store."""
        outcomes: list[Outcome | None] = [None] * len(requests)
        with transaction(self._sessions) as session:
            tokens = {r.signed for r in requests if isinstance(r.signed, str)}
            signed_in = token_callers(session, tokens) if tokens else {}
            prepared: list[tuple[int, PreparedBallot]] = []
            for index, request in enumerate(requests):
                checked = self._prepare(session, request, signed_in)
                if isinstance(checked, PreparedBallot):
                    prepared.append((index, checked))
                else:
                    outcomes[index] = checked
            stored = store_ballots(session, [ballot for _, ballot in prepared])
            for (index, _), outcome in zip(prepared, stored, strict=True):
                outcomes[index] = outcome
        return [outcome for outcome in outcomes if outcome is not None]

    def _prepare(
        self,
        session: Session,
        request: BallotRequest,
        signed_in: Mapping[str, Caller | VecheError],
    ) -> PreparedBallot | Outcome:
        caller = request.signed if isinstance(request.signed, Caller) else signed_in[request.signed]
        if isinstance(caller, VecheError):
            return caller
        try:
            return prepare_ballot(session, caller, request.sent, polls=self._poll_facts)
        except VecheError as refusal:
            return refusal

    def _poll_facts(self, session: Session, poll_id: int) -> PollFacts | None:
        """An open poll's facts, remembered for ``FACTS_LIFETIME``; others are always read:
        a thousand voters of one poll need not each read the poll and its options."""
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
