"""Live events to browsers: one Server-Sent-Events stream per meeting.

Actions queue events that are delivered after their transaction commits
(``veche.actions.events``). On SQLite the one process hands them straight to its
streams. On PostgreSQL each process sends them with NOTIFY and every process
LISTENs, so a ballot cast through one process reaches streams held by another.
An event carries its type and ids only; the page re-fetches what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

import psycopg
from sqlalchemy import Engine

from veche.actions.events import LiveEvent, subscribe

CHANNEL = "veche_live"
#: Sent when a stream opens, and to every stream after the listener reconnects: reload.
RESYNC = "resync"
KEEPALIVE_SECONDS = 15.0
#: How long the PostgreSQL listener waits for a notification before it looks whether it is
#: to stop: what stopping the app can wait for it. A wake-up costs next to nothing, and at
#: half a second every test that started an app on PostgreSQL waited a quarter on average.
LISTEN_SECONDS = 0.1
log = logging.getLogger(__name__)


class _Stream:
    """One browser's stream: a queue filled from any thread, read in the event loop."""

    def __init__(self, meeting_id: int) -> None:
        self.meeting_id = meeting_id
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue()

    def put(self, live_event: LiveEvent | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed; the stream is gone
            self.loop.call_soon_threadsafe(self.queue.put_nowait, live_event)


class Broker:
    """This process's open streams, by meeting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[int, set[_Stream]] = {}

    def open(self, meeting_id: int) -> _Stream:
        stream = _Stream(meeting_id)
        with self._lock:
            self._streams.setdefault(meeting_id, set()).add(stream)
        return stream

    def close(self, stream: _Stream) -> None:
        with self._lock:
            streams = self._streams.get(stream.meeting_id, set())
            streams.discard(stream)
            if not streams:
                self._streams.pop(stream.meeting_id, None)

    def streams(self, meeting_id: int) -> int:
        with self._lock:
            return len(self._streams.get(meeting_id, ()))

    def publish(self, live_event: LiveEvent) -> None:
        with self._lock:
            streams = list(self._streams.get(live_event.meeting_id, ()))
        for stream in streams:
            stream.put(live_event)

    def resync_all(self) -> None:
        with self._lock:
            streams = [s for group in self._streams.values() for s in group]
        for stream in streams:
            stream.put(LiveEvent(stream.meeting_id, RESYNC))

    def end_all(self) -> None:
        """Close every stream, so that the server can stop."""
        with self._lock:
            streams = [s for group in self._streams.values() for s in group]
        for stream in streams:
            stream.put(None)


def encode(live_event: LiveEvent) -> str:
    return json.dumps(asdict(live_event), separators=(",", ":"), default=str)


def decode(payload: str) -> LiveEvent:
    data: dict[str, Any] = json.loads(payload)
    return LiveEvent(int(data["meeting_id"]), str(data["type"]), dict(data.get("ids", {})))


def sse_message(live_event: LiveEvent) -> str:
    """One SSE message: the event's type as the SSE event name, its ids as JSON data."""
    data = json.dumps({"type": live_event.type, **live_event.ids}, separators=(",", ":"))
    return f"event: {live_event.type}\ndata: {data}\n\n"


async def event_stream(broker: Broker, meeting_id: int) -> AsyncIterator[str]:
    """A meeting's events as SSE text; begins with a resync so a reconnecting page reloads."""
    stream = broker.open(meeting_id)
    try:
        yield "retry: 2000\n" + sse_message(LiveEvent(meeting_id, RESYNC))
        while True:
            try:
                live_event = await asyncio.wait_for(stream.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": still here\n\n"  # keeps proxies and phones from dropping an idle stream
                continue
            if live_event is None:
                return
            yield sse_message(live_event)
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
        try:
            with self._notify_lock:
                if self._notifier is None or self._notifier.closed:
                    self._notifier = psycopg.connect(self._conninfo, autocommit=True)
                self._notifier.execute("SELECT pg_notify(%s, %s)", (CHANNEL, encode(live_event)))
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
                            self._broker.publish(decode(notice.payload))
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
