"""Open live streams whose viewer may no longer see the meeting are ended.

A stream is checked once, as it opens (``veche.web.pages.stream``, or from memory in
``veche.web.fragment_cache``), and then held for hours: a delegate whose grant was revoked,
whose invitation was withdrawn, who logged out elsewhere or whose account was deactivated
kept hearing every ``ballot_received`` of the meeting. So every open stream's login and its
right to see the meeting (``meeting.see``) are read again — at once for a meeting when an
event that may change who sees it passes, and for every stream each
``ACCESS_RECHECK_SECONDS`` (a deactivation or a logout announces nothing to the meetings) —
and a stream that fails is ended as when the server stops: its page reconnects, and is then
refused (401 or 403) like any other request.

Cheap for a hall of thousands: who each login stands for is read once (it never changes),
whether the logins are still open in one query for 500 of them, and what they may do in a
meeting with ``meeting_permissions_of_many``; all in a worker thread, one check at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller, meeting_permissions_of_many
from veche.actions.auth import login_session_caller, token_digest
from veche.actions.events import LiveEventType
from veche.errors import NotAuthenticated
from veche.models import LoginSession, User
from veche.models.base import utcnow
from veche.permissions import Permission
from veche.web.live import Broker, DeliveredEvent, hand

log = logging.getLogger(__name__)

#: How often every open stream's access is read again, whatever happened.
ACCESS_RECHECK_SECONDS = 15.0
#: The events after which a meeting's streams are checked at once: they may change who sees it.
ACCESS_EVENTS = frozenset(
    {
        LiveEventType.PARTICIPANTS_CHANGED,
        LiveEventType.GRANTS_CHANGED,
        LiveEventType.PRESIDIUM_CHANGED,
        LiveEventType.MEETING_STATE_CHANGED,
        LiveEventType.MEETING_CHANGED,
    }
)
#: Logins looked up in one query.
_LOGINS_AT_ONCE = 500
_SEES = Permission.MEETING_SEE.value


class StreamAccess:
    """Ends the broker's streams whose viewer may no longer see their meeting."""

    def __init__(self, broker: Broker, sessions: sessionmaker[Session]) -> None:
        self._broker = broker
        self._sessions = sessions
        #: Who each login stands for: read once, as a login never changes hands.
        self._callers: dict[str, Caller] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due: set[int] = set()
        self._woken: asyncio.Event | None = None
        self._checking = asyncio.Lock()

    def heard(self, delivered: DeliveredEvent) -> None:
        """Called by the broker with each event (``Broker.on_event``), from any thread: the
        meeting's streams are checked at once after one that may change who sees it."""
        if delivered.event.type not in ACCESS_EVENTS or self._loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed
            self._loop.call_soon_threadsafe(self._wake, delivered.event.meeting_id)

    def _wake(self, meeting_id: int) -> None:
        self._due.add(meeting_id)
        if self._woken is not None:
            self._woken.set()

    async def keep(self) -> None:
        """Check the streams of the meetings an event named as it comes, and every stream each
        ``ACCESS_RECHECK_SECONDS``, until cancelled."""
        loop = self._loop = asyncio.get_running_loop()
        self._woken = asyncio.Event()
        swept = loop.time()
        while True:
            # Events coming often (a hall registering) never put the sweep off.
            left = swept + ACCESS_RECHECK_SECONDS - loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), max(left, 0))
            self._woken.clear()
            due, self._due = self._due, set()
            sweep = loop.time() >= swept + ACCESS_RECHECK_SECONDS
            if sweep:
                swept = loop.time()
            try:
                await self.check(None if sweep else due)
            except Exception:  # the next round tries again
                log.exception("could not check the access of the live streams")

    async def check(self, meeting_ids: Iterable[int] | None = None) -> int:
        """Read again whether each open stream (of ``meeting_ids``, or of every meeting) may
        still be followed by its viewer; end those that may not. Returns how many ended."""
        async with self._checking:
            streams = [
                stream
                for meeting_id in (self._broker.meetings() if meeting_ids is None else meeting_ids)
                for stream in self._broker.streams_of(meeting_id)
                if stream.login is not None
            ]
            if not streams:
                return 0
            asked = {(stream.login, stream.meeting_id) for stream in streams if stream.login}
            allowed = await asyncio.to_thread(self._still_allowed, asked)
            refused = [s for s in streams if (s.login, s.meeting_id) not in allowed]
            hand(refused, None)
            if meeting_ids is None:  # every stream was asked: the logins no stream holds go
                held = {login for login, _ in asked}
                for login in [login for login in self._callers if login not in held]:
                    del self._callers[login]
            return len(refused)

    def _still_allowed(self, asked: set[tuple[str, int]]) -> set[tuple[str, int]]:
        """Of the (login, meeting) pairs, those whose login is still open and may see the
        meeting; in one transaction."""
        allowed: set[tuple[str, int]] = set()
        with self._sessions() as session, session.begin():
            open_logins = _still_open(session, {login for login, _ in asked})
            by_meeting: dict[int, list[str]] = {}
            for login, meeting_id in asked:
                if login in open_logins:
                    by_meeting.setdefault(meeting_id, []).append(login)
            for meeting_id, logins in by_meeting.items():
                callers = {login: self._caller(session, login) for login in logins}
                known = [(login, c) for login, c in callers.items() if c is not None]
                may = meeting_permissions_of_many(session, [c for _, c in known], meeting_id)
                allowed.update(
                    (login, meeting_id)
                    for (login, _), held in zip(known, may, strict=True)
                    if _SEES in held
                )
        return allowed

    def _caller(self, session: Session, login: str) -> Caller | None:
        caller = self._callers.get(login)
        if caller is None:
            try:
                caller = login_session_caller(session, login)
            except NotAuthenticated:
                return None
            self._callers[login] = caller
        return caller


def _still_open(session: Session, logins: set[str]) -> set[str]:
    """The logins not ended, expired or of a deactivated account, read 500 to a query (who
    each stands for is read once, by ``login_session_caller``, the rule for one)."""
    by_digest = {token_digest(login): login for login in logins}
    digests = list(by_digest)
    found: set[str] = set()
    for start in range(0, len(digests), _LOGINS_AT_ONCE):
        found.update(
            by_digest[digest]
            for digest in session.scalars(
                select(LoginSession.token_hash)
                .outerjoin(User, User.id == LoginSession.user_id)
                .where(
                    LoginSession.token_hash.in_(digests[start : start + _LOGINS_AT_ONCE]),
                    LoginSession.expires_at > utcnow(),
                    or_(LoginSession.user_id.is_(None), User.active.is_(True)),
                )
            )
        )
    return found
