"""Live fragments rendered once per change and audience, and answered ahead of FastAPI's routing.

A live event reaches every page of a meeting, and every page then asks again for the
fragments that listen to it (``veche.web.fragments``): 5,000 delegates ask for
``/meetings/{id}/room`` and ``/meetings/{id}/floor`` within the same second. Rendered per
request, each cost 10–40 ms of the server (the login looked up, the meeting's permissions,
participants, polls and rights read, the template rendered), and one process answered the
5,000 in a minute or more. Yet all but a few of them show the same thing.

So ``FragmentCache`` answers those two fragments itself, and the projector's screen, as
``veche.web.api.ballots.BallotBox`` answers ballots:

- **Once per change.** Each meeting has a version, moved on by every live event of the
  meeting this process delivers (``Broker.on_event``; on PostgreSQL that includes the events
  of the other processes, which arrive through the listener), and for every meeting when
  events may have been missed (``Broker.on_gap``: the listener reconnected). The first
  request after a change reads the meeting once, in a worker thread, and renders the
  fragment for every *audience*; the requests arriving meanwhile wait for that one build.
- **Per audience, never per person.** An audience is what decides the fragment's text: for
  the polls, whether one votes in the meeting, may see a closed poll's result, and where one
  stands in each open poll (why one may not vote, or whether a right is left to use); for
  the floor, whether one takes part, observes or neither, and, for the few people the list
  names (the speaker, those waiting, those out of speeches on the item), their own place,
  "You have the floor" or that they have spoken. Where each
  person stands is read for the whole hall in one go (``veche.queries.room.standings_of_all``).
  What differs for everyone — the form's CSRF token, the speaking timer (the time left, by
  the server's clock) — is written into the rendered text per answer.
- **The login is checked, cheaply.** The cookie's signature is checked on every request;
  the login session it names is looked up once (with the others met in the same moment,
  in one transaction) and then re-checked for everyone in one query every
  ``LOGIN_RECHECK_SECONDS``: a logout, an expiry or a disabled account stops the
  answers within that time on every process, and at once on the process that logged out
  (it sees the answer that deletes the cookie). What the person may do in the meeting is
  read once, and kept under the meeting's *access version*, which the events that may change
  it move on (``_ACCESS_EVENTS``: participants, grants, presidium, the meeting's state or fields);
  or read again within ``PERMISSIONS_SECONDS`` (in the background, the old answer served
  meanwhile).
- **Read again in bulk after a change of who may do what.** Once the access version moved,
  nothing kept from before is used. The permissions of every login held for the meeting are
  read again at once, in the background, ``_REREADS_AT_ONCE`` to a transaction
  (``meeting_permissions_of_many``, the per-caller rule read for many); the push, requests
  and reconnecting streams arriving meanwhile await that one re-read, so that the next push
  — a poll opening, when every page needs its ballot — is carried to every page as before,
  not answered by thousands of fetches each reading its permissions again.
- **ETag and 304.** Each answer names the meeting's version and the audience; a client that
  sends it back in ``If-None-Match`` gets a 304 while nothing changed.
- **Pushed through the stream.** The delegate's page asks its event stream for the polls
  and the floor (``?push=room,floor``). After an event either listens to, this process
  builds the fragment once (a burst of events of one change is gathered first), and each
  such stream is sent its audience's rendering as an SSE message, encoded once per audience:
  the page swaps it in without a request. The stream knows its login and CSRF field from
  when it opened; a stream whose person is not covered or may no longer see the meeting,
  whose login is no longer known or whose permissions could not be read again is sent a
  ``refresh_…`` event instead, on which the page fetches the fragment as before. A
  reconnection is replayed events, never old HTML: its missed events of a pushed fragment
  become that refresh.
- **One's own ballot, on one's own pages.** A ballot cast on the phone is announced to the
  room as a count only (``ballot_received``, which pushes nothing: a hall of phones would
  re-render on every ballot). The voter's other pages — the laptop still offering "Vote
  now" — are sent the polls' refresh alone (``own_ballot_cast``, an event for the voter's
  own streams: ``Broker.on_personal_event``), fetch their own view and show that they have
  voted; no other stream hears of it.

Anything out of the ordinary — no login or an ended one, no right to see the meeting, no
such meeting, a flash message waiting, a browser without its CSRF seed, someone the
prepared audiences do not cover — goes on to the ordinary route, which answers it as
before. ``VECHE_FRAGMENT_CACHE=false`` sends every request there (the benchmark's peer).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import anyio
from fastapi import FastAPI
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veche.actions.access import (
    Caller,
    meeting_permissions,
    meeting_permissions_of_many,
    result_visible,
)
from veche.actions.auth import login_session_caller, token_digest
from veche.actions.events import LiveEvent
from veche.actions.events import LiveEventType as Event
from veche.config import Settings
from veche.errors import NotAuthenticated
from veche.models import LoginSession, Meeting, Participant, User
from veche.models.base import utcnow
from veche.models.meetings import ParticipantRole
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries.floor import Speaking, floor_view
from veche.queries.room import Standing, outsider_standings, polls_followed, standings_of_all
from veche.web.csrf import SEED_COOKIE, csrf_field
from veche.web.fragments import LISTENERS, PUSHED, refresh_event
from veche.web.headers import headers_for
from veche.web.live import (
    RESYNC,
    Broker,
    DeliveredEvent,
    EventStreamResponse,
    Stream,
    TooManyStreams,
    hand,
    last_event_id,
    sse_fragment,
)
from veche.web.pages._render import context_of
from veche.web.pages.projector import projector_context
from veche.web.sessions import FLASH_COOKIE, SESSION_COOKIE, login_token
from veche.web.templating import templates

log = logging.getLogger(__name__)

_PATH = re.compile(r"/meetings/([1-9][0-9]{0,17})/(room|floor|projector/current|events)")
#: How often a login served from memory is looked up again (all of them in one query).
LOGIN_RECHECK_SECONDS = 5.0
#: How long what a person may do in a meeting is kept before it is read again (in the
#: background), at most; each for a random share of it from half, so that a hall's thousands
#: do not come due in the same storm. A change of the meeting's participants, offices or
#: state has them read at once.
PERMISSIONS_SECONDS = 300.0
#: A login or a person's permissions unused this long are dropped at the next re-check.
FORGET_SECONDS = 600.0
#: Database reads of this cache at once, each in a worker thread with a session of its own.
_READS_AT_ONCE = 4
#: Logins met for the first time are looked up together, as many in one transaction, after
#: waiting this long for others (``FragmentStore._look_up_soon``).
_LOOKUPS_AT_ONCE = 100
_GATHER_LOOKUPS_SECONDS = 0.005
#: After a change of who may do what in a meeting, the permissions held for it are read
#: again this many callers to a transaction (``meeting_permissions_of_many``: three queries).
_REREADS_AT_ONCE = 500
#: How long a push waits after the first event of a change for the others: giving the floor
#: ends the speech under way and records a contribution, two events committed together.
PUSH_GATHER_SECONDS = 0.02
#: Events that may change who sees the meeting and what they may do in it.
_ACCESS_EVENTS = frozenset(
    {
        Event.PARTICIPANTS_CHANGED,
        Event.GRANTS_CHANGED,
        Event.PRESIDIUM_CHANGED,
        Event.MEETING_STATE_CHANGED,
        Event.MEETING_CHANGED,
    }
)
#: Written where the form's CSRF field goes, and replaced by each answer's own.
_CSRF_MARK = "\x00veche-csrf\x00"
_SEES = Permission.MEETING_SEE.value
_SEES_CLOSED = Permission.RESULTS_SEE_CLOSED.value

#: (resyncs, changes): a meeting's version; both only grow.
Version = tuple[int, int]


class Versions:
    """Each meeting's version, and the version of who may see it, moved on by live events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # events arrive on the committing or the listening thread
        self._resyncs = 0
        self._changes: dict[int, int] = {}
        self._access: dict[int, int] = {}

    def heard(self, delivered: DeliveredEvent) -> None:
        """Called by the broker with each event, before the pages can ask again."""
        live_event = delivered.event
        if live_event.type == RESYNC:
            self.missed()
            return
        meeting_id = live_event.meeting_id
        with self._lock:
            self._changes[meeting_id] = self._changes.get(meeting_id, 0) + 1
            if live_event.type in _ACCESS_EVENTS:
                self._access[meeting_id] = self._access.get(meeting_id, 0) + 1

    def missed(self) -> None:
        """Events may have been missed, of any meeting: everything kept is stale."""
        with self._lock:
            self._resyncs += 1

    def of(self, meeting_id: int) -> Version:
        with self._lock:
            return self._resyncs, self._changes.get(meeting_id, 0)

    def access_of(self, meeting_id: int) -> Version:
        with self._lock:
            return self._resyncs, self._access.get(meeting_id, 0)


@dataclass(frozen=True)
class _Seat:
    """A participant as the fragments' templates read one: by role only."""

    role: ParticipantRole


@dataclass(frozen=True)
class _Viewer:
    """The viewer as the fragments' templates read one: by person only."""

    person_id: int | None


@dataclass(frozen=True)
class Variant:
    """A fragment as one audience sees it."""

    html: str
    tag: str  # tells it apart from the other audiences' in the ETag
    fragment: str = ""  # the cache's name for it ("room", "floor")

    @functools.cached_property
    def pushed(self) -> tuple[bytes, ...]:
        """The SSE message of the fragment, encoded once for every stream of the audience,
        split where each stream's own CSRF field goes."""
        name = PUSHED_AS[self.fragment]
        return tuple(sse_fragment(name, self.html).encode().split(_CSRF_MARK.encode()))


@dataclass
class Snapshot:
    """One fragment of one meeting at one version, for every audience prepared."""

    version: Version
    found: bool
    variants: dict[Hashable, Variant] = field(default_factory=dict)
    #: Each participant's role, by person id.
    roles: dict[int, ParticipantRole] = field(default_factory=dict)
    #: The polls: where each participant stands (a key of ``variants``' third part), and
    #: where someone who takes no part stands.
    standing_keys: dict[int, Hashable] = field(default_factory=dict)
    outsider_key: Hashable = ()
    #: The floor: the people it names, who each see it their own way.
    named: frozenset[int] = frozenset()
    #: The speech under way and its timer as rendered: the timer is rendered again for the
    #: time of each answer (it shows the time left, and counts by the server's clock).
    speaking: Speaking | None = None
    rendered_timer: str | None = None
    #: The cache's name of the fragment ("room", "floor"), which its variants carry.
    fragment: str = ""

    #: The timer last rendered for an answer, and the tenth of a second it was rendered for.
    _timer_now: tuple[int, str] = (0, "")

    def time(self, speaking: Speaking | None, now: datetime) -> None:
        self.speaking = speaking
        self.rendered_timer = None if speaking is None else _timer(speaking, now)

    def timer_at(self, now: datetime) -> str:
        """The timer for an answer at ``now``; rendered once a tenth of a second, for the
        thousands of answers of a storm (the page counts by it to within that)."""
        assert self.speaking is not None
        tenth = int(now.timestamp() * 10)
        if self._timer_now[0] != tenth:
            self._timer_now = tenth, _timer(self.speaking, now)
        return self._timer_now[1]

    def add(self, key: Hashable, html: str) -> None:
        self.variants[key] = Variant(html, str(len(self.variants)), self.fragment)


def _render(template: str, context: dict[str, Any]) -> str:
    """A fragment's template with what ``veche.web.pages._render.render`` gives every page,
    the CSRF field left as a mark."""
    every = {
        "viewer": _Viewer(None),
        "csrf_field": Markup(_CSRF_MARK),
        "flash": None,
        "fragment": True,
        "may": frozenset(),
        "desk": False,
    }
    return templates.env.get_template(template).render({**every, **context})


def _roles(session: Session, meeting_id: int) -> dict[int, ParticipantRole]:
    rows = session.execute(
        select(Participant.person_id, Participant.role).where(Participant.meeting_id == meeting_id)
    )
    return {person_id: role for person_id, role in rows}


def _timer(speaking: Speaking, now: datetime) -> str:
    """The speaking timer as the fragments' templates render it."""
    timers = templates.env.get_template("shared/_timer.html").module
    return str(timers.speaking_timer(speaking, now))  # type: ignore[attr-defined]


# --- The fragments: each read once per version, rendered for each audience ------------------


def _seating(role: ParticipantRole | None) -> str:
    """What the floor shows differently by the viewer's place in the meeting."""
    if role is None:
        return "none"
    return "observer" if role is ParticipantRole.OBSERVER else "seated"


_SEATED_AS = {"none": None, "observer": ParticipantRole.OBSERVER, "seated": ParticipantRole.MEMBER}


def _build_floor(session: Session, meeting: Meeting, snapshot: Snapshot) -> None:
    view = floor_view(session, meeting, None)
    snapshot.roles = _roles(session, meeting.id)
    floor = view.floor
    # Those out of speeches are named too: they see why they may not ask for the floor.
    named = {request.person_id for request in floor.waiting} | floor.out_of_speeches
    if floor.speaking is not None and floor.speaking.contribution.speaker_person_id is not None:
        named.add(floor.speaking.contribution.speaker_person_id)
    snapshot.named = frozenset(named)
    snapshot.time(floor.speaking, view.server_now)
    shared = context_of(view)

    def render(role: ParticipantRole | None, person_id: int | None) -> str:
        return _render(
            "delegate/_delegate_floor.html",
            {
                **shared,
                "participant": None if role is None else _Seat(role),
                "viewer": _Viewer(person_id),
                "my_requests": floor.place_of(person_id) if person_id is not None else [],
            },
        )

    for seating, role in _SEATED_AS.items():
        snapshot.add((seating, None), render(role, None))
    for person_id in sorted(named):
        role = snapshot.roles.get(person_id)
        snapshot.add((_seating(role), person_id), render(role, person_id))


def _floor_audience(snapshot: Snapshot, person_id: int | None, may: frozenset[str]) -> Hashable:
    role = snapshot.roles.get(person_id) if person_id is not None else None
    return _seating(role), person_id if person_id in snapshot.named else None


def _standing_key(standings: Iterable[Standing]) -> Hashable:
    """What the polls fragment shows of where someone stands: for each open poll, why they
    may not vote, or whether they have a right left to use, and who else cast their own."""
    return tuple(
        (s.reason, bool(s.unused), s.cast_for_you)
        for s in standings
        if s.poll.state is PollState.OPEN
    )


def _build_room(session: Session, meeting: Meeting, snapshot: Snapshot) -> None:
    polls = polls_followed(session, meeting)[::-1]  # newest first
    snapshot.roles = _roles(session, meeting.id)
    shown: dict[Hashable, list[Standing]] = {}
    for person_id, standings in standings_of_all(session, polls, list(snapshot.roles)).items():
        key = _standing_key(standings)
        snapshot.standing_keys[person_id] = key
        shown.setdefault(key, standings)
    outsider = outsider_standings(polls)
    snapshot.outsider_key = _standing_key(outsider)
    shown.setdefault(snapshot.outsider_key, outsider)
    for key, standings in shown.items():
        for voter in (False, True):
            for sees_closed in (False, True):
                context = {
                    "meeting": meeting,
                    "participant": _Seat(ParticipantRole.MEMBER) if voter else None,
                    "standings": standings,
                    "results": {p.id: result_visible(p.state, sees_closed) for p in polls},
                }
                snapshot.add(
                    (voter, sees_closed, key), _render("delegate/_delegate_polls.html", context)
                )


def _room_audience(snapshot: Snapshot, person_id: int | None, may: frozenset[str]) -> Hashable:
    role = snapshot.roles.get(person_id) if person_id is not None else None
    voter = role is not None and role is not ParticipantRole.OBSERVER
    where = snapshot.standing_keys.get(person_id) if person_id is not None else None
    return voter, _SEES_CLOSED in may, snapshot.outsider_key if where is None else where


def _build_projector(session: Session, meeting: Meeting, snapshot: Snapshot) -> None:
    context = projector_context(session, meeting)
    snapshot.time(context["floor"].speaking, context["server_now"])
    snapshot.add((), _render("projector/_projector_current.html", context))


def _projector_audience(snapshot: Snapshot, person_id: int | None, may: frozenset[str]) -> Hashable:
    return ()


@dataclass(frozen=True)
class Fragment:
    """A live fragment this cache answers: how it is read and rendered, and who sees which."""

    build: Callable[[Session, Meeting, Snapshot], None]
    audience: Callable[[Snapshot, int | None, frozenset[str]], Hashable]


#: By the end of their address.
FRAGMENTS = {
    "room": Fragment(_build_room, _room_audience),
    "floor": Fragment(_build_floor, _floor_audience),
    "projector/current": Fragment(_build_projector, _projector_audience),
}
#: The fragments a stream may ask to be pushed (``?push=room,floor``), by the name the live
#: registry gives them (``veche.web.fragments``): the page's ``sse-swap``.
PUSHED_AS = {"room": "delegate_polls", "floor": "delegate_floor"}
assert set(PUSHED_AS.values()) == PUSHED, "every pushed fragment is answered by this cache"
#: For each event, the fragments pushed on it.
_PUSHED_ON: dict[str, tuple[str, ...]] = {}
for _name, _registered in PUSHED_AS.items():
    for _event in LISTENERS[_registered]:
        _PUSHED_ON[_event] = (*_PUSHED_ON.get(_event, ()), _name)


@dataclass(frozen=True)
class Viewer:
    """Who a stream's page shows the meeting to, as the stream opened: what it is pushed."""

    #: The names of the fragments pushed to it ("room", "floor").
    pushes: frozenset[str]
    #: The login cookie, under which the store keeps the login; None when the store does
    #: not know it (the stream is then told to fetch instead).
    raw: str | None = None
    #: The CSRF field of the page's forms, written into what is pushed.
    csrf_html: str = ""
    #: The person the login names: the stream hears the events of their own pages.
    person_id: int | None = None

    @functools.cached_property
    def csrf(self) -> bytes:
        return self.csrf_html.encode()


# --- Who asks: logins and permissions, kept in memory --------------------------------------


@dataclass
class _Login:
    token: str
    caller: Caller
    checked_at: float
    used_at: float
    #: The seed cookie, and the CSRF field of the forms for it and this login.
    csrf: tuple[str, str] | None = None


@dataclass
class _Held:
    may: frozenset[str]
    access: Version
    due_at: float  # when it is to be read again
    used_at: float
    caller: Caller  # whose they are: read again for them after an access event


class FragmentStore:
    """This process's versions, snapshots, logins and permissions, for ``FragmentCache``."""

    def __init__(
        self, read_sessions: sessionmaker[Session], *, enabled: bool, broker: Broker | None = None
    ) -> None:
        self.enabled = enabled
        self._broker = broker
        self._loop: asyncio.AbstractEventLoop | None = None
        #: The pushes under way, by meeting and fragment, and those asked again meanwhile.
        self._pushing: set[tuple[int, str]] = set()
        self._again: set[tuple[int, str]] = set()
        self.versions = Versions()
        self._sessions = read_sessions
        self._epoch = secrets.token_hex(4)  # an ETag of an earlier process never matches
        self._snapshots: dict[tuple[int, str], Snapshot] = {}
        self._building: dict[tuple[int, str, Version], asyncio.Future[Snapshot]] = {}
        self._logins: dict[str, _Login] = {}
        #: Meetings read to exist (a meeting is never deleted while it has pages open).
        self._meetings: set[int] = set()
        self._held: dict[_HeldKey, _Held] = {}
        self._background: set[asyncio.Future[Any]] = set()
        self._rechecking = False
        self._refreshing: set[_HeldKey] = set()
        #: For each meeting, the access version every permission held for it was read at or
        #: after (``_permissions_current`` reads those older again), and the re-read under way
        #: with the version it reads for.
        self._held_since: dict[int, Version] = {}
        self._rereading: dict[int, tuple[Version, asyncio.Future[None]]] = {}
        self._limiter: anyio.CapacityLimiter | None = None
        self._lookups: list[_Lookup] = []

    async def _read(self, work: Callable[[], Any]) -> Any:
        if self._limiter is None:  # made in the event loop, on first need
            self._limiter = anyio.CapacityLimiter(_READS_AT_ONCE)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    def _in_background(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)  # kept, so that it is not collected while it runs
        task.add_done_callback(self._background.discard)

    # The answer.

    async def answer(self, request: Request, meeting_id: int, name: str) -> Response | None:
        """The fragment for the request's caller, or None for the ordinary route to answer."""
        cookies = request.cookies
        raw = cookies.get(SESSION_COOKIE)
        if not raw or FLASH_COOKIE in cookies or SEED_COOKIE not in cookies:
            return None
        fragment = FRAGMENTS[name]
        found = await self._caller(request, raw, meeting_id)
        if found is None:
            return None
        caller, may = found
        if _SEES not in may:
            return None
        snapshot = await self._snapshot(meeting_id, name, fragment)
        if not snapshot.found:
            return None
        variant = snapshot.variants.get(fragment.audience(snapshot, caller.person_id, may))
        if variant is None:
            return None
        return self._respond(request, raw, snapshot, variant)

    def _respond(
        self, request: Request, raw: str, snapshot: Snapshot, variant: Variant
    ) -> Response:
        html = variant.html
        tag = f"{self._epoch}.{snapshot.version[0]}.{snapshot.version[1]}.{variant.tag}"
        if _CSRF_MARK in html:
            field_html = self._csrf_field(request, self._logins.get(raw))
            html = html.replace(_CSRF_MARK, field_html)
            tag += "." + hashlib.blake2s(field_html.encode(), digest_size=6).hexdigest()
        timer = snapshot.rendered_timer
        if snapshot.speaking is not None and timer is not None and timer in html:
            # Each answer's timer is of its own second: a 304 would give back an older one.
            now = utcnow()
            html = html.replace(timer, snapshot.timer_at(now))
            tag += f".{int(now.timestamp())}"
        etag = f'"{tag}"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Cookie"}
        if etag in _tags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        return Response(html, media_type="text/html", headers=headers)

    def _csrf_field(self, request: Request, login: _Login | None) -> str:
        """The browser's CSRF field, kept with its login: it changes with the login or the seed."""
        seed = request.cookies[SEED_COOKIE]
        if login is None:
            return str(csrf_field(request))
        if login.csrf is None or login.csrf[0] != seed:
            login.csrf = seed, str(csrf_field(request))
        return login.csrf[1]

    # Snapshots.

    async def _snapshot(self, meeting_id: int, name: str, fragment: Fragment) -> Snapshot:
        version = self.versions.of(meeting_id)
        kept = self._snapshots.get((meeting_id, name))
        if kept is not None and kept.version == version:
            return kept
        key = (meeting_id, name, version)
        building = self._building.get(key)
        if building is None:
            # Read after the version: a change committed meanwhile moves the version on
            # again, and the next request reads anew.
            building = asyncio.ensure_future(
                self._read(lambda: self._build(meeting_id, name, fragment, version))
            )
            self._building[key] = building
            building.add_done_callback(lambda _: self._building.pop(key, None))
        # Shielded: a client that goes away must not cancel the build the others wait for.
        snapshot = await asyncio.shield(building)
        kept = self._snapshots.get((meeting_id, name))
        if kept is None or kept.version < snapshot.version:
            self._snapshots[meeting_id, name] = snapshot
        return snapshot

    def _build(self, meeting_id: int, name: str, fragment: Fragment, version: Version) -> Snapshot:
        with self._sessions() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None:
                return Snapshot(version, found=False)
            snapshot = Snapshot(version, found=True, fragment=name)
            fragment.build(session, meeting, snapshot)
            return snapshot

    # Pushes through the event streams.

    async def viewer(self, request: Request, meeting_id: int) -> Viewer:
        """The viewer of a stream opening for the request, pushed the fragments it asks for
        (``?push=room,floor``); one whose login this store cannot serve is told to fetch."""
        self._loop = asyncio.get_running_loop()
        pushes = _pushes(request)
        raw = request.cookies.get(SESSION_COOKIE)
        if not pushes or not self.enabled or not raw or SEED_COOKIE not in request.cookies:
            return Viewer(pushes)
        try:
            found = await self._caller(request, raw, meeting_id)
        except Exception:  # the route asks the database itself, and says what went wrong
            log.exception("could not look up the login of a live stream")
            return Viewer(pushes)
        login = self._logins.get(raw)
        if found is None or _SEES not in found[1] or login is None:
            return Viewer(pushes)
        return Viewer(pushes, raw, self._csrf_field(request, login), login.caller.person_id)

    def sees(self, viewer: Viewer, meeting_id: int) -> bool:
        """Whether the stream's viewer may see the meeting, as this store knows without
        asking the database (the meeting is known to exist, the login and its permissions
        are current); False says only that the database must be asked."""
        login = self._logins.get(viewer.raw) if viewer.raw else None
        if login is None or meeting_id not in self._meetings:
            return False
        held = self._kept(login, meeting_id, self.versions.access_of(meeting_id), time.monotonic())
        return held is not None and _SEES in held.may

    async def stream(self, request: Request, meeting_id: int) -> Response | None:
        """A reconnecting page's stream, opened from memory when its login and the meeting
        are known here (a hall whose Wi-Fi came back: thousands at once, no database read);
        None for the route to open it."""
        if self._broker is None or SEED_COOKIE not in request.cookies:
            return None
        raw = request.cookies.get(SESSION_COOKIE)
        login = self._logins.get(raw) if raw else None
        if login is None or meeting_id not in self._meetings:
            return None
        self._loop = asyncio.get_running_loop()
        viewer = Viewer(
            _pushes(request), raw, self._csrf_field(request, login), login.caller.person_id
        )
        await self._permissions_current(meeting_id)
        if not self.sees(viewer, meeting_id):
            return None
        try:
            stream = self._broker.open(meeting_id, last_event_id(request), viewer, viewer.person_id)
        except TooManyStreams:
            return None  # the route refuses it, and says so
        self.replayed(stream)
        return EventStreamResponse(self._broker, stream)

    def heard(self, delivered: DeliveredEvent) -> None:
        """Called by the broker with each event, after ``Versions.heard``: a push of each
        fragment the event changes, to the meeting's streams that asked for it; after a
        change of who may do what in the meeting, the permissions held for it read again
        at once, so that they are current when the next push needs them."""
        live_event = delivered.event
        names = _PUSHED_ON.get(live_event.type)
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed
            if live_event.type in _ACCESS_EVENTS:
                loop.call_soon_threadsafe(self._reread_soon, live_event.meeting_id)
            if names:
                loop.call_soon_threadsafe(self._push_soon, live_event.meeting_id, names)

    def _reread_soon(self, meeting_id: int) -> None:
        self._in_background(self._permissions_current(meeting_id))

    def _push_soon(self, meeting_id: int, names: tuple[str, ...]) -> None:
        for name in names:
            key = (meeting_id, name)
            if key in self._pushing:
                self._again.add(key)
            else:
                self._pushing.add(key)
                self._in_background(self._push(meeting_id, name))

    async def _push(self, meeting_id: int, name: str) -> None:
        """Build the fragment once and send each stream its audience's rendering; again if
        another event came meanwhile, so that the last push is of the latest version."""
        key = (meeting_id, name)
        try:
            await asyncio.sleep(PUSH_GATHER_SECONDS)
            while True:
                self._again.discard(key)
                await self._push_once(meeting_id, name)
                if key not in self._again:
                    return
        finally:
            self._pushing.discard(key)

    async def _push_once(self, meeting_id: int, name: str) -> None:
        if self._broker is None or not self._pushed_to(meeting_id, name):
            return
        snapshot: Snapshot | None = None  # the cache switched off: every page fetches
        try:
            if self.enabled:
                snapshot = await self._snapshot(meeting_id, name, FRAGMENTS[name])
        except Exception:  # the pages fetch it from the ordinary route, which says what failed
            log.exception("could not build the live fragment %s of meeting %s", name, meeting_id)
            snapshot = None
        # After a change of who may do what, every stream's permissions are stale: read
        # them again in bulk (begun when the change was heard), not by thousands of fetches.
        await self._permissions_current(meeting_id)
        self.fan_out(meeting_id, name, snapshot)

    def _pushed_to(self, meeting_id: int, name: str) -> list[Stream]:
        assert self._broker is not None
        return [
            stream
            for stream in self._broker.streams_of(meeting_id)
            if isinstance(stream.viewer, Viewer) and name in stream.viewer.pushes
        ]

    def fan_out(self, meeting_id: int, name: str, snapshot: Snapshot | None) -> None:
        """Offer each stream that asked for the fragment its rendering, or a refresh."""
        refresh = _refresh_message(name)
        loop = asyncio.get_running_loop()
        access = self.versions.access_of(meeting_id)
        now = time.monotonic()
        fragment = FRAGMENTS[name]
        for stream in self._pushed_to(meeting_id, name):
            message = refresh
            viewer = stream.viewer
            assert isinstance(viewer, Viewer)
            login = self._logins.get(viewer.raw) if viewer.raw else None
            if snapshot is not None and snapshot.found and login is not None:
                held = self._kept(login, meeting_id, access, now)
                if held is not None and _SEES in held.may:
                    audience = fragment.audience(snapshot, login.caller.person_id, held.may)
                    variant = snapshot.variants.get(audience)
                    if variant is not None:
                        message = viewer.csrf.join(variant.pushed)
            if stream.loop is loop:
                stream.offer(message)
            else:  # a stream of another event loop than the push's (never in one server)
                stream.loop.call_soon_threadsafe(stream.offer, message)

    def replayed(self, stream: Stream) -> None:
        """A reconnecting stream is replayed the events it missed, never old HTML: a pushed
        fragment that one of them changed is fetched by the page instead (a resync already
        has every fragment fetched)."""
        viewer = stream.viewer
        if not isinstance(viewer, Viewer) or not viewer.pushes:
            return
        stale: dict[str, None] = {}
        missed = [m.event.type for m in stream.backlog if isinstance(m, DeliveredEvent)]
        if stream.missed_own_event:
            missed.append(Event.OWN_BALLOT_CAST)
        for event in missed:
            for name in _PUSHED_ON.get(event, ()):
                if name in viewer.pushes:
                    stale[name] = None
        stream.backlog.extend(_refresh_message(name) for name in stale)

    def heard_own(self, live_event: LiveEvent, streams: list[Stream]) -> None:
        """Called by the broker with an event of some persons' own pages (they cast a ballot)
        and their open streams: the pages among them that show a pushed fragment it changes
        fetch it, their own view, read anew (the room's ``ballot_received``, delivered before
        it, moved the meeting's version on). A refresh, not a push: it says nothing, and the
        room's renderings need not be built again for the few pages it concerns."""
        for name in _PUSHED_ON.get(live_event.type, ()):
            showing = [
                s for s in streams if isinstance(s.viewer, Viewer) and name in s.viewer.pushes
            ]
            hand(showing, _refresh_message(name))

    # Logins and permissions.

    async def _caller(
        self, request: Request, raw: str, meeting_id: int
    ) -> tuple[Caller, frozenset[str]] | None:
        """The caller the login cookie names, and what they may do in the meeting."""
        now = time.monotonic()
        login = self._logins.get(raw)
        token = login.token if login is not None else login_token(request)
        if token is None:
            return None
        access = self.versions.access_of(meeting_id)
        if login is not None:
            held = self._kept(login, meeting_id, access, now)
            if held is None and _held_key(login.caller, meeting_id) in self._held:
                # Held from before a change of who may do what: read again with the others.
                await self._permissions_current(meeting_id)
                access = self.versions.access_of(meeting_id)
                held = self._kept(login, meeting_id, access, now)
            if held is not None:
                return login.caller, held.may
        read = await self._look_up_soon(
            token, login.caller if login is not None else None, meeting_id
        )
        if read is None:
            self._logins.pop(raw, None)
            return None
        caller, may = read
        if login is None:
            self._logins[raw] = _Login(token, caller, now, now)
        self._hold(caller, meeting_id, may, access, now)
        return read

    def _hold(
        self, caller: Caller, meeting_id: int, may: frozenset[str], access: Version, used_at: float
    ) -> None:
        """Keep what the caller may do in the meeting, as read after the meeting's access
        version was ``access``; never in place of a reading after a later one."""
        key = _held_key(caller, meeting_id)
        kept = self._held.get(key)
        if kept is not None and kept.access > access:
            return
        self._held[key] = _Held(may, access, _due(time.monotonic()), used_at, caller)
        since = self._held_since.get(meeting_id)
        if since is None or access < since:
            self._held_since[meeting_id] = access

    async def _permissions_current(self, meeting_id: int) -> None:
        """Once the meeting's access version has moved on, read again what each caller held
        for the meeting may do in it, in bulk (``_reread``), before it is used: one re-read
        per meeting at a time, which the pushes and requests arriving meanwhile await. If it
        fails, the permissions stay stale: the streams are told to fetch, the requests look
        their callers up one by one."""
        while True:
            access = self.versions.access_of(meeting_id)
            since = self._held_since.get(meeting_id)
            if since is None or since >= access:
                return
            running = self._rereading.get(meeting_id)
            if running is None:
                reread = asyncio.ensure_future(self._reread(meeting_id, since, access))
                running = access, reread
                self._rereading[meeting_id] = running
                reread.add_done_callback(functools.partial(self._reread_done, meeting_id, running))
            reread_for, task = running
            # Shielded: a request that goes away must not cancel what the others await.
            await asyncio.shield(task)
            if reread_for >= access:
                return
            # It read for an earlier change: read again for this one.

    def _reread_done(
        self, meeting_id: int, done: tuple[Version, asyncio.Future[None]], _: object
    ) -> None:
        if self._rereading.get(meeting_id) is done:
            del self._rereading[meeting_id]

    async def _reread(self, meeting_id: int, since: Version, access: Version) -> None:
        stale = [
            (held.caller, held)
            for key, held in list(self._held.items())
            if key.meeting_id == meeting_id and held.access < access
        ]

        async def reread_some(some: list[tuple[Caller, _Held]]) -> None:
            callers = [caller for caller, _ in some]
            found = await self._read(lambda: self._permissions_of(callers, meeting_id))
            for (caller, held), may in zip(some, found, strict=True):
                self._hold(caller, meeting_id, may, access, held.used_at)

        chunks = range(0, len(stale), _REREADS_AT_ONCE)
        outcomes = await asyncio.gather(
            *(reread_some(stale[start : start + _REREADS_AT_ONCE]) for start in chunks),
            return_exceptions=True,
        )
        failed = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failed:
            log.error(
                "could not read again the permissions held for meeting %s",
                meeting_id,
                exc_info=failed[0],
            )
        elif self._held_since.get(meeting_id) == since:  # none held meanwhile from before it
            self._held_since[meeting_id] = access

    def _permissions_of(self, callers: list[Caller], meeting_id: int) -> list[frozenset[str]]:
        with self._sessions() as session, session.begin():
            return meeting_permissions_of_many(session, callers, meeting_id)

    def _kept(self, login: _Login, meeting_id: int, access: Version, now: float) -> _Held | None:
        """What the login may do in the meeting, as kept, if it is current; marks both used,
        and has them looked up again in the background when they are due."""
        login.used_at = now
        if now - login.checked_at > LOGIN_RECHECK_SECONDS and not self._rechecking:
            self._rechecking = True
            self._in_background(self._recheck_logins())
        held = self._held.get(_held_key(login.caller, meeting_id))
        if held is None or held.access != access:
            return None
        held.used_at = now
        if now > held.due_at:
            self._refresh_soon(login.caller, meeting_id, access)
        return held

    async def _look_up_soon(
        self, token: str, known: Caller | None, meeting_id: int
    ) -> tuple[Caller, frozenset[str]] | None:
        """``_look_up``, gathered with the others asked in the same few milliseconds into
        one transaction each ``_LOOKUPS_AT_ONCE``: a hall reconnecting at once to a process
        that has not seen its logins costs thousands of them, and a transaction of its own
        for each cost about a third again."""
        future: asyncio.Future[tuple[Caller, frozenset[str]] | None]
        future = asyncio.get_running_loop().create_future()
        self._lookups.append(((token, known, meeting_id), future))
        if len(self._lookups) == 1:
            asyncio.get_running_loop().call_later(_GATHER_LOOKUPS_SECONDS, self._look_up_gathered)
        return await future

    def _look_up_gathered(self) -> None:
        gathered, self._lookups = self._lookups, []
        for start in range(0, len(gathered), _LOOKUPS_AT_ONCE):
            self._in_background(self._look_up_some(gathered[start : start + _LOOKUPS_AT_ONCE]))

    async def _look_up_some(self, some: list[_Lookup]) -> None:
        asked = [what for what, _ in some]
        try:
            found = await self._read(lambda: self._look_up(asked))
        except Exception as error:  # each asker answers as its own read failing would
            for _, future in some:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), read in zip(some, found, strict=True):
            if not future.done():  # its asker may have gone
                future.set_result(read)

    def _look_up(
        self, asked: list[tuple[str, Caller | None, int]]
    ) -> list[tuple[Caller, frozenset[str]] | None]:
        """For each (token, caller known, meeting): the caller and what they may do in the
        meeting, or None for a login that has ended; in one transaction."""
        found: list[tuple[Caller, frozenset[str]] | None] = []
        with self._sessions() as session, session.begin():
            for token, known, meeting_id in asked:
                try:
                    caller = known or login_session_caller(session, token)
                except NotAuthenticated:
                    found.append(None)
                    continue
                if session.get(Meeting, meeting_id) is not None:
                    self._meetings.add(meeting_id)
                found.append((caller, meeting_permissions(session, caller, meeting_id)))
        return found

    def _refresh_soon(self, caller: Caller, meeting_id: int, access: Version) -> None:
        key = _held_key(caller, meeting_id)
        if key in self._refreshing:
            return
        self._refreshing.add(key)

        async def refresh() -> None:
            try:
                read = await self._read(lambda: self._may(caller, meeting_id))
                held = self._held.get(key)
                if held is not None:
                    self._hold(caller, meeting_id, read, access, held.used_at)
            finally:
                self._refreshing.discard(key)

        self._in_background(refresh())

    def _may(self, caller: Caller, meeting_id: int) -> frozenset[str]:
        with self._sessions() as session, session.begin():
            return meeting_permissions(session, caller, meeting_id)

    async def _recheck_logins(self) -> None:
        """Look every login served from memory up again, in one query: those that ended go."""
        try:
            now = time.monotonic()
            for raw, login in list(self._logins.items()):
                if now - login.used_at > FORGET_SECONDS:
                    self._logins.pop(raw, None)
            for key, held in list(self._held.items()):
                if now - held.used_at > FORGET_SECONDS:
                    self._held.pop(key, None)
            due = dict(self._logins)
            tokens = [login.token for login in due.values()]
            alive = await self._read(lambda: self._still_open(tokens))
            for raw, login in due.items():
                if token_digest(login.token) in alive:
                    login.checked_at = now
                else:
                    self.forget(raw)
        except Exception:  # the next request past the interval tries again
            log.exception("could not check the logins of the live fragments")
        finally:
            self._rechecking = False

    def _still_open(self, tokens: list[str]) -> set[str]:
        digests = [token_digest(token) for token in tokens]
        found: set[str] = set()
        with self._sessions() as session, session.begin():
            for start in range(0, len(digests), 500):
                found.update(
                    session.scalars(
                        select(LoginSession.token_hash)
                        .outerjoin(User, User.id == LoginSession.user_id)
                        .where(
                            LoginSession.token_hash.in_(digests[start : start + 500]),
                            LoginSession.expires_at > utcnow(),
                            or_(LoginSession.user_id.is_(None), User.active.is_(True)),
                        )
                    )
                )
        return found

    def forget(self, raw: str) -> None:
        """Forget a login cookie: its holder logged out."""
        login = self._logins.pop(raw, None)
        if login is not None:
            for key in [k for k in self._held if k.holder == _held_key(login.caller, 0).holder]:
                self._held.pop(key, None)


@functools.cache
def _refresh_message(name: str) -> bytes:
    """The SSE message telling a page to fetch a pushed fragment itself."""
    event = refresh_event(PUSHED_AS[name])
    return f"event: {event}\ndata: {{}}\n\n".encode()


def _pushes(request: Request) -> frozenset[str]:
    """The fragments a page asks its stream to carry (``?push=room,floor``), of those pushed."""
    asked = request.query_params.get("push", "")
    return frozenset(name for name in asked.split(",") if name in PUSHED_AS)


#: A login to look up (its token, its caller if known, the meeting), and who waits for it.
_Lookup = tuple[
    tuple[str, Caller | None, int], "asyncio.Future[tuple[Caller, frozenset[str]] | None]"
]


def _due(now: float) -> float:
    return now + PERMISSIONS_SECONDS * random.uniform(0.5, 1.0)  # spread, not a secret


class _HeldKey(NamedTuple):
    """Whose permissions in which meeting are kept: an account's, or a person's by the card
    of one meeting (a card acts in its own meeting alone, so two cards of a person are two
    holders)."""

    user_id: int | None
    person_id: int | None
    card_meeting_id: int | None
    meeting_id: int

    @property
    def holder(self) -> tuple[int | None, int | None, int | None]:
        return self.user_id, self.person_id, self.card_meeting_id


def _held_key(caller: Caller, meeting_id: int) -> _HeldKey:
    return _HeldKey(caller.actor.user_id, caller.person_id, caller.card_meeting_id, meeting_id)


def _tags(if_none_match: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


class FragmentCache:
    """ASGI middleware that answers the live fragments' GETs and hands every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            store: FragmentStore = scope["app"].state.fragments
            if scope["method"] == "GET" and store.enabled:
                path = scope["path"].removeprefix(scope.get("root_path", ""))
                found = _PATH.fullmatch(path)
                if found and await self._answered(store, scope, receive, send, found):
                    return
            elif scope["method"] == "POST":
                send = _watching_logout(store, scope, send)
        await self.app(scope, receive, send)

    async def _answered(
        self, store: FragmentStore, scope: Scope, receive: Receive, send: Send, found: re.Match[str]
    ) -> bool:
        request = Request(scope, receive)
        try:
            if found[2] == "events":
                answer = await store.stream(request, int(found[1]))
            else:
                answer = await store.answer(request, int(found[1]), found[2])
        except Exception:  # the ordinary route answers, and says what went wrong
            log.exception("the live fragment %s could not be answered from memory", scope["path"])
            return False
        if answer is None:
            return False
        present = {name for name, _ in answer.raw_headers}
        answer.raw_headers.extend(h for h in headers_for(scope) if h[0] not in present)
        await answer(scope, receive, send)
        return True


def _watching_logout(store: FragmentStore, scope: Scope, send: Send) -> Send:
    """``send``, forgetting the request's login when the answer deletes its cookie."""
    raw = Request(scope).cookies.get(SESSION_COOKIE)
    if not raw:
        return send
    deleted = f"{SESSION_COOKIE}=".encode()

    async def send_watching(message: Message) -> None:
        if message["type"] == "http.response.start":
            for name, value in message.get("headers", []):
                if name == b"set-cookie" and value.startswith(deleted) and b"Max-Age=0" in value:
                    store.forget(raw)
        await send(message)

    return send_watching


def install(app: FastAPI) -> None:
    """Answer the live fragments in front of ``app``'s routes (on unless
    ``VECHE_FRAGMENT_CACHE`` says otherwise), kept current by ``app``'s broker."""
    store = FragmentStore(
        app.state.read_sessions, enabled=Settings().fragment_cache, broker=app.state.broker
    )
    app.state.fragments = store
    app.state.broker.on_event(store.versions.heard)
    app.state.broker.on_event(store.heard)
    app.state.broker.on_personal_event(store.heard_own)
    app.state.broker.on_gap(store.versions.missed)
    app.add_middleware(FragmentCache)
