"""Live events to browsers: one Server-Sent-Events stream per meeting.

Actions queue events that are delivered after their transaction commits
(``veche.actions.events``). On SQLite the one process hands them straight to its
streams. On PostgreSQL each process sends them with NOTIFY and every process
LISTENs, so a ballot cast through one process reaches streams held by another.
An event carries its type and ids only. A page re-fetches what it shows, except the
fragments whose rendering the stream itself carries (``veche.web.fragment_cache`` pushes
them to the streams that ask for them): what a stream sends is bytes encoded once, shared
by every stream, and one wake-up of its task.

An event for some persons' own pages (``LiveEvent.persons``: they cast a ballot) takes the
same way between processes, and then goes to the streams those persons opened, and to no
other: the broker knows each stream's person from the login it opened with, and hands such
an event to its ``on_personal_event`` callbacks with their streams alone. It moves no
version, is kept for no replay, and the persons are never sent to a page.

Each event has an id that is the same in every process: the process that sends it
names it (its own random origin and a count), and NOTIFY hands the name to every
listener, in one order for all of them. Each process keeps the latest events of each
meeting, so a browser that reconnects with ``Last-Event-ID`` — to this process or to
another behind the same proxy — is sent what it missed; an id no longer (or never)
kept gets a resync instead. See "Live events across processes" in docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import logging
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from veche.actions.events import LiveEvent, subscribe
from veche.config import DEFAULT_LIVE_STREAMS_PER_PROCESS
from veche.errors import VecheError
from veche.web.sessions import login_token

CHANNEL = "veche_live"
#: Sent when a stream opens without an id this process knows, to a stream that fell behind,
#: and to every stream after the listener reconnects: re-fetch every live fragment.
RESYNC = "resync"
#: Sent every KEEPALIVE_SECONDS, busy or idle: keeps proxies and phones from dropping the
#: stream, and tells the page's script that the stream is alive (a comment would not reach it).
HEARTBEAT = "heartbeat"
KEEPALIVE_SECONDS = 15.0
#: How long the browser waits before it reconnects by itself after the stream broke.
RECONNECT_MILLISECONDS = 2000
#: The events kept per meeting for replay. A phone asleep through a vote of thousands
#: falls out of it and resyncs, which costs it a few fragments, not a reload.
HISTORY_PER_MEETING = 512
#: Meetings whose history is kept; the one quiet longest is forgotten first.
MEETINGS_REMEMBERED = 64
#: Messages a stream may have waiting to be sent; a client slower than that gets a resync.
STREAM_BACKLOG = 64
#: The Retry-After of a stream refused because the process holds as many as it may.
RETRY_AFTER_SECONDS = 10
#: How long the PostgreSQL listener waits for a notification before it looks whether it is
#: to stop: what stopping the app can wait for it. A wake-up costs next to nothing, and at
#: half a second every test that started an app on PostgreSQL waited a quarter on average.
LISTEN_SECONDS = 0.1
#: The cyclic garbage collector's thresholds while the app serves (Python's: 700, 10, 10;
#: set by the app's lifespan). Thousands of open streams are millions of long-lived objects
#: (their connections, tasks, frames, scopes) made after the start; with the default
#: thresholds the objects a change allocates (a hall's standings, its renderings) brought a
#: full collection every two seconds or so, 0.3–1.2 s each, freeing nothing, in the middle
#: of the fan-out (benchmarks/live_fanout.py at 5,000 pages). At these a storm brings none,
#: and a collection of the youngest generation walks 50,000 objects at most.
SERVING_COLLECTOR_THRESHOLDS = (50_000, 50, 100)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveredEvent:
    """An event as streams send it: with the id a reconnecting browser names."""

    id: str
    event: LiveEvent

    @functools.cached_property
    def wire(self) -> bytes:
        """The SSE message, encoded once for all the streams it goes to."""
        return sse_message(self.event, self.id).encode()


EventCallback = Callable[[DeliveredEvent], None]
#: Called with an event for some persons' own pages and those persons' open streams.
PersonalCallback = Callable[[LiveEvent, list["Stream"]], None]
#: What a stream sends: an event, or a message already encoded (a pushed fragment).
Message = DeliveredEvent | bytes


def wire(message: Message) -> bytes:
    return message if isinstance(message, bytes) else message.wire


class TooManyStreams(VecheError):
    """This process holds as many live streams as it is configured to."""

    status_code = 503
    retry_after = RETRY_AFTER_SECONDS


class Stream:
    """One browser's stream: messages waiting to be sent, offered in its event loop's thread.

    No queue and no timer of its own: a fan-out to thousands of streams appends to each one's
    list and wakes its task once, and the heartbeats come from one timer per event loop
    (``Broker``)."""

    def __init__(
        self,
        meeting_id: int,
        backlog: list[Message],
        viewer: object = None,
        person_id: int | None = None,
    ) -> None:
        self.meeting_id = meeting_id
        #: The person whose login opened the stream: it hears the events of their own pages.
        self.person_id = person_id
        #: The browser reconnected having perhaps missed an event of its person's own pages.
        self.missed_own_event = False
        self.loop = asyncio.get_running_loop()
        self.pending: deque[Message] = deque()
        #: What the browser missed, or a resync: sent before anything pending.
        self.backlog = backlog
        #: Who the browser's page shows the meeting to, for the fragments pushed to it
        #: (``veche.web.fragment_cache.Viewer``); None for a stream that takes no pushes.
        self.viewer = viewer
        #: The login the stream was opened with (``veche.web.live_access`` checks it again).
        self.login: str | None = None
        self.closed = False
        self.ended = False
        self._last_id = next((m.id for m in reversed(backlog) if isinstance(m, DeliveredEvent)), "")
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, message: Message | None) -> None:
        """Add a message, in the loop's thread; never waits. A client that has not taken the
        messages before gets one resync in their place: re-fetching costs it less than the
        backlog would, and the fan-out never waits for it. ``None`` ends the stream."""
        if message is None:
            self.ended = True
        else:
            if isinstance(message, DeliveredEvent):
                self._last_id = message.id
            if len(self.pending) < STREAM_BACKLOG:
                self.pending.append(message)
            else:  # the resync is named after the newest event, to replay from there
                self.pending.clear()
                self.pending.append(
                    DeliveredEvent(self._last_id, LiveEvent(self.meeting_id, RESYNC))
                )
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Until something is offered (or the stream ends)."""
        if self.pending or self.ended:
            return
        self._waiter = self.loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def take(self) -> bytes:
        """Everything pending, as one write."""
        taken = b"".join(wire(m) for m in self.pending)
        self.pending.clear()
        return taken


def _fan_out(streams: Iterable[Stream], message: Message | None) -> None:
    for stream in streams:
        stream.offer(message)


def hand(streams: Iterable[Stream], delivered: Message | None) -> None:
    """Hand an event to streams from any thread: one wake-up of each event loop, not one per
    stream (each wake-up is a write to the loop's self-pipe, a system call)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Stream]] = {}
    for stream in streams:
        by_loop.setdefault(stream.loop, []).append(stream)
    for loop, group in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed; its streams are gone
            loop.call_soon_threadsafe(_fan_out, group, delivered)


def _coalesced(missed: Iterable[DeliveredEvent]) -> list[DeliveredEvent]:
    """The events missed, each change once, at its latest place: a page re-fetches on an
    event's type and ids, so the thousand ballots of a vote are one ``ballot_received``."""
    latest: dict[str, DeliveredEvent] = {}
    for delivered in missed:
        key = json.dumps([delivered.event.type, delivered.event.ids], sort_keys=True, default=str)
        latest.pop(key, None)
        latest[key] = delivered
    return list(latest.values())


class Broker:
    """This process's open streams by meeting, and each meeting's latest events."""

    def __init__(
        self,
        max_streams: int = DEFAULT_LIVE_STREAMS_PER_PROCESS,
        *,
        history_per_meeting: int = HISTORY_PER_MEETING,
    ) -> None:
        self.max_streams = max_streams
        self.history_per_meeting = history_per_meeting
        #: Names the events this process sends; a restarted process names them anew, so a
        #: browser holding an id of its past life resyncs.
        self.origin = secrets.token_hex(4)
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        self._streams: dict[int, set[Stream]] = {}
        #: The same streams by meeting and person, for the events of a person's own pages.
        self._streams_of_person: dict[tuple[int, int], set[Stream]] = {}
        self._open = 0
        self._history: OrderedDict[int, deque[DeliveredEvent]] = OrderedDict()
        #: By meeting and person: the meeting's newest event when the person's own pages
        #: were last sent an event, so that a reconnection that may have missed it is told.
        self._own_marks: dict[int, dict[int, str]] = {}
        self._on_event: list[EventCallback] = []
        self._on_personal: list[PersonalCallback] = []
        self._on_gap: list[Callable[[], None]] = []
        #: The heartbeat's timer of each event loop holding streams.
        self._beating: dict[asyncio.AbstractEventLoop, asyncio.TimerHandle] = {}

    def new_event_id(self) -> str:
        with self._lock:
            return self._next_id()

    def _next_id(self) -> str:
        return f"{self.origin}-{next(self._count)}"

    def on_event(self, callback: EventCallback) -> Callable[[], None]:
        """Call ``callback`` with each event this process delivers, in the order its streams
        get them, under the broker's lock: it must be quick and must not call the broker.
        Returns a function that stops the calls."""
        with self._lock:
            self._on_event.append(callback)
        return lambda: self._forget(self._on_event, callback)

    def on_personal_event(self, callback: PersonalCallback) -> Callable[[], None]:
        """Call ``callback`` with each event for some persons' own pages (``LiveEvent.persons``)
        and the streams those persons hold open in its meeting, under the broker's lock: it
        must be quick and must not call the broker. Such an event goes to no other stream and
        to no ``on_event`` callback. Returns a function that stops the calls."""
        with self._lock:
            self._on_personal.append(callback)
        return lambda: self._forget(self._on_personal, callback)

    def on_gap(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` when events may have been missed (the PostgreSQL listener
        reconnected): whatever was kept up to date by ``on_event`` is stale."""
        with self._lock:
            self._on_gap.append(callback)
        return lambda: self._forget(self._on_gap, callback)

    def _forget(self, callbacks: list[Any], callback: object) -> None:
        with self._lock, contextlib.suppress(ValueError):
            callbacks.remove(callback)

    def check_room(self) -> None:
        """Refuse a stream beyond the cap: a crowd reconnecting at once must not take what
        the streams already open and the pages need."""
        if self._open >= self.max_streams:
            raise TooManyStreams(
                f"this server holds {self.max_streams} live streams, as many as it may; "
                f"the page reconnects by itself (retry after {RETRY_AFTER_SECONDS} s)"
            )

    def open(
        self,
        meeting_id: int,
        last_event_id: str | None = None,
        viewer: object = None,
        person_id: int | None = None,
    ) -> Stream:
        """A stream of the meeting, in the event loop, beginning with what a browser that
        saw ``last_event_id`` missed — or with a resync when that is not known here; opened by
        ``person_id``'s login, it hears the events of their own pages too."""
        with self._lock:
            self.check_room()
            missed: list[Message] = list(self._missed(meeting_id, last_event_id))
            stream = Stream(meeting_id, missed, viewer, person_id)
            self._streams.setdefault(meeting_id, set()).add(stream)
            if person_id is not None:
                self._streams_of_person.setdefault((meeting_id, person_id), set()).add(stream)
                stream.missed_own_event = self._missed_own(meeting_id, person_id, last_event_id)
            self._open += 1
            if stream.loop not in self._beating:
                self._beat_later(stream.loop)
        return stream

    def _beat_later(self, loop: asyncio.AbstractEventLoop) -> None:
        self._beating[loop] = loop.call_later(KEEPALIVE_SECONDS, self._beat, loop)

    def _beat(self, loop: asyncio.AbstractEventLoop) -> None:
        """Every stream of the loop that has nothing waiting is sent a heartbeat: one timer
        for them all, busy or idle (the page's script takes a missing beat for a dead link)."""
        with self._lock:
            streams = [s for group in self._streams.values() for s in group if s.loop is loop]
            if streams:
                self._beat_later(loop)
            else:
                self._beating.pop(loop, None)
        for stream in streams:
            if not stream.pending:
                stream.offer(_HEARTBEAT_MESSAGE)

    def meetings(self) -> list[int]:
        """The meetings with streams open, at this moment."""
        with self._lock:
            return list(self._streams)

    def streams_of(self, meeting_id: int) -> list[Stream]:
        """The meeting's open streams, at this moment."""
        with self._lock:
            return list(self._streams.get(meeting_id, ()))

    def _missed(self, meeting_id: int, last_event_id: str | None) -> list[DeliveredEvent]:
        """What a browser that saw ``last_event_id`` missed, or a resync."""
        history = self._history.get(meeting_id, ())
        if last_event_id:
            for index, delivered in enumerate(reversed(history)):
                if delivered.id == last_event_id:
                    return _coalesced(list(history)[len(history) - index :])
        # The resync carries the newest id, so that the next reconnection replays from there.
        newest = history[-1].id if history else ""
        return [DeliveredEvent(newest, LiveEvent(meeting_id, RESYNC))]

    def _missed_own(self, meeting_id: int, person_id: int, last_event_id: str | None) -> bool:
        """Whether a browser that saw ``last_event_id`` may have missed an event of its
        person's own pages: one came when the meeting's newest event was that one or a later
        one. An id not kept resyncs the whole page anyway."""
        mark = self._own_marks.get(meeting_id, {}).get(person_id)
        if mark is None or not last_event_id:
            return False
        marked = False
        for delivered in reversed(self._history.get(meeting_id, ())):
            marked = marked or delivered.id == mark
            if delivered.id == last_event_id:
                return marked
        return False

    def close(self, stream: Stream) -> None:
        with self._lock:
            if stream.closed:
                return
            stream.closed = True
            self._open -= 1
            _discard(self._streams, stream.meeting_id, stream)
            if stream.person_id is not None:
                _discard(self._streams_of_person, (stream.meeting_id, stream.person_id), stream)

    def streams(self, meeting_id: int) -> int:
        with self._lock:
            return len(self._streams.get(meeting_id, ()))

    def publish(self, live_event: LiveEvent, event_id: str | None = None) -> None:
        """Deliver an event to the meeting's streams and keep it for replay; ``event_id`` is
        the sender's name for it (on PostgreSQL), else this process names it. An event for
        some persons' own pages goes to theirs alone (``on_personal_event``)."""
        if live_event.persons:
            self._tell(live_event)
            return
        with self._lock:
            delivered = DeliveredEvent(event_id or self._next_id(), live_event)
            delivered.wire  # noqa: B018 -- encoded here, once, rather than in the event loop
            self._remember(delivered)
            # Listeners first: a page told of the change must not re-fetch from a cache
            # that has not heard of it yet (veche.web.fragment_cache).
            for callback in self._on_event:
                try:
                    callback(delivered)
                except Exception:  # one listener's fault must not cost the streams an event
                    log.exception("a live event listener failed on %s", delivered)
            hand(self._streams.get(live_event.meeting_id, ()), delivered)

    def _tell(self, live_event: LiveEvent) -> None:
        """Hand an event for some persons' own pages to their streams' callbacks: nothing of
        it is kept for replay but a mark of when it came, and no other stream hears of it."""
        meeting_id = live_event.meeting_id
        with self._lock:
            history = self._history.get(meeting_id)
            if history:
                marks = self._own_marks.setdefault(meeting_id, {})
                for person_id in live_event.persons:
                    marks[person_id] = history[-1].id
            streams = [
                stream
                for person_id in live_event.persons
                for stream in self._streams_of_person.get((meeting_id, person_id), ())
            ]
            if not streams:
                return
            for callback in self._on_personal:
                try:
                    callback(live_event, streams)
                except Exception:  # as in ``publish``
                    log.exception("a personal live event listener failed on %s", live_event)

    def _remember(self, delivered: DeliveredEvent) -> None:
        meeting_id = delivered.event.meeting_id
        history = self._history.pop(meeting_id, None)
        if history is None:
            history = deque(maxlen=self.history_per_meeting)
        self._history[meeting_id] = history  # the most recently active last
        history.append(delivered)
        while len(self._history) > MEETINGS_REMEMBERED:
            forgotten, _ = self._history.popitem(last=False)
            self._own_marks.pop(forgotten, None)

    def resync_all(self) -> None:
        """Events may have been missed: every stream resyncs, and ids seen before no longer
        replay (the history has a hole where they would be)."""
        with self._lock:
            self._history.clear()
            self._own_marks.clear()
            for callback in self._on_gap:  # first, as in ``publish``
                try:
                    callback()
                except Exception:
                    log.exception("a live event gap listener failed")
            for meeting_id, group in self._streams.items():
                hand(group, DeliveredEvent("", LiveEvent(meeting_id, RESYNC)))

    def end_all(self) -> None:
        """Close every stream, so that the server can stop."""
        with self._lock:
            for group in self._streams.values():
                hand(group, None)


def _discard(streams: dict[Any, set[Stream]], key: object, stream: Stream) -> None:
    group = streams.get(key, set())
    group.discard(stream)
    if not group:
        streams.pop(key, None)


#: The persons named in one notification at most: a NOTIFY payload stops short of 8,000 bytes.
PERSONS_PER_NOTIFICATION = 500


def encode(delivered: DeliveredEvent) -> list[str]:
    """The notifications of an event: one, or for an event of many persons' own pages, one
    for each ``PERSONS_PER_NOTIFICATION`` of them."""
    event = delivered.event
    data = {
        "id": delivered.id,
        "meeting_id": event.meeting_id,
        "type": event.type,
        "ids": event.ids,
    }
    each: list[dict[str, Any]] = [
        {"persons": event.persons[start : start + PERSONS_PER_NOTIFICATION]}
        for start in range(0, len(event.persons), PERSONS_PER_NOTIFICATION)
    ]
    return [
        json.dumps({**data, **part}, separators=(",", ":"), default=str) for part in each or [{}]
    ]


def decode(payload: str) -> tuple[str | None, LiveEvent]:
    """A notification's event and the id its sender gave it."""
    data: dict[str, Any] = json.loads(payload)
    live_event = LiveEvent(
        int(data["meeting_id"]),
        str(data["type"]),
        dict(data.get("ids", {})),
        tuple(int(person_id) for person_id in data.get("persons", ())),
    )
    return data.get("id"), live_event


def sse_message(live_event: LiveEvent, event_id: str | None = None) -> str:
    """One SSE message: the event's type as the SSE event name, its ids as JSON data, and
    its id, which the browser sends back as ``Last-Event-ID`` when it reconnects (an empty
    id makes it forget the one it had)."""
    data = json.dumps({"type": live_event.type, **live_event.ids}, separators=(",", ":"))
    id_line = "" if event_id is None else f"id: {event_id}\n"
    return f"{id_line}event: {live_event.type}\ndata: {data}\n\n"


def sse_fragment(name: str, html: str) -> str:
    """An SSE message carrying a fragment's HTML, which the page swaps in (the htmx SSE
    extension's ``sse-swap``). No id: the browser keeps the last event's, and a reconnection
    replays events, never old HTML."""
    return f"event: {name}\ndata: " + html.replace("\r", "").replace("\n", "\ndata: ") + "\n\n"


#: No id: the browser keeps the last event's.
_HEARTBEAT_MESSAGE = sse_message(LiveEvent(0, HEARTBEAT, {"seconds": KEEPALIVE_SECONDS})).encode()
_RETRY = f"retry: {RECONNECT_MILLISECONDS}\n".encode()


#: Ids longer than this are nobody's: the stream resyncs instead of looking them up.
_LONGEST_EVENT_ID = 64


def last_event_id(request: Request) -> str | None:
    """The last event the browser saw: the header its EventSource sends when it reconnects,
    else the query parameter the page's script adds when it opens a new EventSource (which
    sends no header)."""
    seen = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    return seen if seen and len(seen) <= _LONGEST_EVENT_ID else None


class EventStreamResponse(Response):
    """An open stream as a plain ASGI answer: each write is what waited, with nothing between
    the stream and the server's send (no iterator wrapped in a task group per stream), and
    the stream closes when the client goes, at once."""

    media_type = "text/event-stream"

    def __init__(self, broker: Broker, stream: Stream) -> None:
        self.broker, self.stream = broker, stream
        self.status_code = 200
        self.background = None
        self.init_headers({"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stream = self.stream
        if "app" in scope:  # the login it opened with, however it was opened
            stream.login = login_token(Request(scope))

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            stream.offer(None)

        watching = asyncio.ensure_future(watch())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            async for chunk in event_stream(self.broker, stream):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the client went away as it was written to
            pass
        finally:
            watching.cancel()
            self.broker.close(stream)


async def event_stream(broker: Broker, stream: Stream) -> AsyncIterator[bytes]:
    """An open stream as SSE: what the browser missed (or a resync), then what is offered,
    whatever waits sent as one write."""
    try:
        yield _RETRY + b"".join(wire(m) for m in stream.backlog)
        stream.backlog = []
        while True:
            await stream.wait()
            if stream.ended:
                return
            yield stream.take()
    finally:
        broker.close(stream)


class LocalDelivery:
    """SQLite: one process, so committed events go straight to its broker."""

    def __init__(self, engine: Engine, broker: Broker) -> None:
        self._unsubscribe = subscribe(broker.publish, bind=engine)

    def stop(self) -> None:
        self._unsubscribe()


class PostgresDelivery:
    """PostgreSQL: NOTIFY after commit; a thread LISTENs and feeds this process's broker."""

    def __init__(self, engine: Engine, broker: Broker) -> None:
        self._engine = engine
        self._broker = broker
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._stop = threading.Event()
        self._notify_lock = threading.Lock()
        self._notifier: psycopg.Connection[Any] | None = None
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="veche-listen", daemon=True)
        self._thread.start()
        self._unsubscribe = subscribe(self._notify, bind=engine)

    def _notify(self, live_event: LiveEvent) -> None:
        # A connection of its own, not the pool's: this runs just after a commit while the
        # committing session still holds its pooled connection, so borrowing a second one
        # let a burst of ballots take every pooled connection and then wait for one more
        # (a deadlock, seen in benchmarks/vote_spike.py).
        # An event of some persons' own pages is kept for no replay: it needs no id.
        event_id = "" if live_event.persons else self._broker.new_event_id()
        try:
            with self._notify_lock:
                if self._notifier is None or self._notifier.closed:
                    self._notifier = psycopg.connect(self._conninfo, autocommit=True)
                for payload in encode(DeliveredEvent(event_id, live_event)):
                    self._notifier.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
        except psycopg.Error:  # the change is committed; a lost event only delays a refresh
            log.exception("could not send live event %s", live_event)
            self._close_notifier()

    def _close_notifier(self) -> None:
        with self._notify_lock:
            if self._notifier is not None:
                self._notifier.close()
                self._notifier = None

    def _listen(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    self._broker.resync_all()  # events may have been missed while away
                    delay = 0.5
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=LISTEN_SECONDS):
                            event_id, live_event = decode(notice.payload)
                            self._broker.publish(live_event, event_id)
            except psycopg.Error:
                self.listening.clear()
                log.warning("lost the live-event listener; reconnecting in %.1f s", delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)

    def stop(self) -> None:
        self._unsubscribe()
        self._close_notifier()
        self._stop.set()
        self._thread.join(timeout=5)


Delivery = LocalDelivery | PostgresDelivery


def start_delivery(engine: Engine, broker: Broker) -> Delivery:
    if engine.dialect.name == "postgresql":
        return PostgresDelivery(engine, broker)
    return LocalDelivery(engine, broker)
