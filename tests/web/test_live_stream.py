"""The live stream survives the venue: event ids, replay on reconnection, the cap on streams,
slow clients, and one order of events across processes on PostgreSQL.

The broker's rules are proven in the process (no database); the HTTP front — the header a
reconnecting EventSource sends, the 503 — on SQLite alone (``one_database``), since what it
proves is decided before anything is stored; the order across two processes on PostgreSQL,
through its real LISTEN/NOTIFY.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
from sqlalchemy import Engine

from tests.apps import create_app
from tests.assembly import Assembly
from tests.web.live_server import EventReader, SseMessage, log_in, serve, served_to_the_secretary
from tests.web.served_meeting import served_meeting
from veche.actions.events import LiveEvent
from veche.db import make_engine
from veche.demo import DEMO_SECRETARY
from veche.web.live import (
    RESYNC,
    RETRY_AFTER_SECONDS,
    STREAM_BACKLOG,
    Broker,
    DeliveredEvent,
    Message,
    Stream,
    TooManyStreams,
    decode,
    encode,
    event_stream,
)

#: Every test here that takes a database starts from the demo (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _events(messages: list[SseMessage]) -> list[tuple[str, str]]:
    return [(event_id, event) for event_id, event, _ in messages]


# The broker, in the process.


def _backlog(stream: Stream) -> list[DeliveredEvent]:
    """What a stream opened with: the events it missed, or a resync."""
    assert all(isinstance(message, DeliveredEvent) for message in stream.backlog)
    return [message for message in stream.backlog if isinstance(message, DeliveredEvent)]


def _ids(broker: Broker, *counts: int) -> list[str]:
    return [f"{broker.origin}-{count}" for count in counts]


def test_a_reconnection_is_sent_what_it_missed_in_order_each_change_once() -> None:
    async def scenario() -> None:
        broker = Broker(10)
        for poll_id in (1, 2, 1, 1, 3):
            broker.publish(LiveEvent(7, "ballot_received", {"poll_id": poll_id}))
        broker.publish(LiveEvent(8, "poll_opened", {"poll_id": 9}))  # another meeting's
        missed = _backlog(broker.open(7, _ids(broker, 1)[0]))
        # After event 1: poll 2's ballot, then poll 1's two (one re-fetch, at the later
        # place), then poll 3's.
        assert [d.id for d in missed] == _ids(broker, 2, 4, 5)
        assert [d.event.ids["poll_id"] for d in missed] == [2, 1, 3]
        assert _backlog(broker.open(7, _ids(broker, 5)[0])) == []  # up to date: nothing
        # A first connection, or an id this process never sent, resyncs; the resync names
        # the newest event, so that the next reconnection replays from there.
        for first in (broker.open(7), broker.open(7, "elsewhere-1")):
            assert [(d.id, d.event.type) for d in _backlog(first)] == [(_ids(broker, 5)[0], RESYNC)]

    asyncio.run(scenario())


def test_an_id_beyond_the_history_or_before_a_gap_resyncs() -> None:
    async def scenario() -> None:
        broker = Broker(10, history_per_meeting=3)
        for poll_id in range(1, 6):
            broker.publish(LiveEvent(7, "poll_created", {"poll_id": poll_id}))
        # Events 3 to 5 are kept: a client that saw 3 missed 4 and 5; one that saw 2 may
        # have missed more than is kept.
        assert [d.id for d in _backlog(broker.open(7, _ids(broker, 3)[0]))] == _ids(broker, 4, 5)
        beyond = _backlog(broker.open(7, _ids(broker, 2)[0]))
        assert [(d.id, d.event.type) for d in beyond] == [(_ids(broker, 5)[0], RESYNC)]
        # The PostgreSQL listener reconnected: what it missed is unknown, so ids seen before
        # replay nothing, and open streams resync, told to forget their id.
        gaps: list[str] = []
        broker.on_gap(lambda: gaps.append("gap"))
        open_stream = broker.open(7, _ids(broker, 5)[0])
        broker.resync_all()
        await asyncio.sleep(0)
        assert list(open_stream.pending) == [DeliveredEvent("", LiveEvent(7, RESYNC))]
        assert [d.event.type for d in _backlog(broker.open(7, _ids(broker, 5)[0]))] == [RESYNC]
        assert gaps == ["gap"]

    asyncio.run(scenario())


def test_a_slow_stream_is_sent_a_resync_and_never_holds_up_the_others() -> None:
    """One stream is never read (a phone on a bad link); another reads as it comes. The
    events are published from another thread, as the delivery does after a commit."""
    published = STREAM_BACKLOG + 5
    heard: list[DeliveredEvent] = []

    async def scenario() -> list[Message]:
        broker = Broker(10)
        broker.on_event(heard.append)
        slow, reader = broker.open(7), broker.open(7)
        received: list[str] = []

        async def read() -> None:
            async for chunk in event_stream(broker, reader):
                # What waited is sent as one write: each message apart, as a browser reads.
                received.extend(m + "\n\n" for m in chunk.decode().split("\n\n") if m)

        reading = asyncio.create_task(read())
        started = time.monotonic()
        for poll_id in range(published):
            await asyncio.to_thread(
                broker.publish, LiveEvent(7, "ballot_received", {"poll_id": poll_id})
            )
        assert time.monotonic() - started < 5  # publishing never waited for the slow one
        while sum("ballot_received" in message for message in received) < published:
            await asyncio.sleep(0.01)
        left = list(slow.pending)
        broker.end_all()
        await reading
        assert [m.split("\n")[0] for m in received[1:]] == [f"id: {d.id}" for d in heard]
        return left

    left = asyncio.run(scenario())
    assert len(heard) == published
    # What the slow stream holds: a resync named after the event that found it full, then
    # what came after it; never more than its bound.
    assert left[0] == DeliveredEvent(heard[STREAM_BACKLOG].id, LiveEvent(7, RESYNC))
    assert left[1:] == heard[STREAM_BACKLOG + 1 :]


def test_a_broker_at_its_cap_refuses_a_stream_until_one_closes() -> None:
    async def scenario() -> None:
        broker = Broker(2)
        first, _second = broker.open(7), broker.open(8)
        with pytest.raises(TooManyStreams, match="holds 2 live streams") as refused:
            broker.open(7)
        assert refused.value.status_code == 503
        assert refused.value.retry_after == RETRY_AFTER_SECONDS
        broker.close(first)
        broker.close(first)  # closing twice frees one place, not two
        broker.open(9)
        with pytest.raises(TooManyStreams):
            broker.open(9)

    asyncio.run(scenario())


def test_an_event_of_a_persons_own_pages_reaches_their_streams_alone() -> None:
    """A voter's own event is handed, with their open streams of its meeting, to the callbacks
    that turn it into something for a page; no other stream, listener or replay hears of it,
    but a reconnection of theirs that may have missed it is marked."""

    async def scenario() -> None:
        broker = Broker(10)
        heard: list[DeliveredEvent] = []
        told: list[tuple[LiveEvent, set[Stream]]] = []
        broker.on_event(heard.append)
        broker.on_personal_event(lambda event, streams: told.append((event, set(streams))))
        phone, laptop = broker.open(7, person_id=1), broker.open(7, person_id=1)
        neighbour, anonymous = broker.open(7, person_id=2), broker.open(7)
        elsewhere = broker.open(8, person_id=1)
        broker.publish(LiveEvent(7, "ballot_received", {"poll_id": 3}))
        [counted] = heard
        own = LiveEvent(7, "own_ballot_cast", persons=(1,))
        broker.publish(own)
        assert told == [(own, {phone, laptop})]
        assert repr(own) == "LiveEvent(meeting_id=7, type='own_ballot_cast', ids={})"  # logs
        await asyncio.sleep(0)
        # The broker hands the streams nothing of it itself, nor its listeners.
        for stream in (phone, laptop, neighbour, anonymous):
            assert list(stream.pending) == [counted]
        assert list(elsewhere.pending) == []
        assert heard == [counted]
        # Replayed: the room's event only; the voter's reconnection is marked as having
        # perhaps missed their own event, the neighbour's is not, nor one after a later event.
        seen_before = f"{broker.origin}-0"
        broker.publish(LiveEvent(7, "poll_created", {"poll_id": 4}))
        again = broker.open(7, counted.id, person_id=1)
        assert [d.event.type for d in _backlog(again)] == ["poll_created"]
        assert again.missed_own_event
        assert not broker.open(7, counted.id, person_id=2).missed_own_event
        later = broker.open(7, heard[-1].id, person_id=1)
        unknown = broker.open(7, seen_before, person_id=1)  # resynced anyway
        assert not later.missed_own_event and not unknown.missed_own_event
        for stream in (phone, laptop, again, later, unknown):
            broker.close(stream)
        told.clear()
        broker.publish(own)
        assert told == []  # no stream of theirs is open: nothing to tell

    asyncio.run(scenario())


def test_many_persons_own_event_crosses_processes_in_notifications_that_fit() -> None:
    own = LiveEvent(7, "own_ballot_cast", persons=tuple(range(1_000_000, 1_001_200)))
    payloads = encode(DeliveredEvent("", own))
    assert len(payloads) == 3
    assert all(len(payload.encode()) < 8000 for payload in payloads)
    decoded = [decode(payload) for payload in payloads]
    assert {event_id for event_id, _ in decoded} == {""}
    persons = [person for _, event in decoded for person in event.persons]
    assert tuple(persons) == own.persons
    assert {(event.meeting_id, event.type) for _, event in decoded} == {(7, "own_ballot_cast")}
    [room] = encode(DeliveredEvent("a-1", LiveEvent(7, "ballot_received", {"poll_id": 3})))
    assert decode(room) == ("a-1", LiveEvent(7, "ballot_received", {"poll_id": 3}))


# Over HTTP.


@pytest.mark.one_database
def test_a_browser_reconnecting_with_last_event_id_gets_what_it_missed(
    assembly: Assembly, engine: Engine
) -> None:
    with served_meeting(assembly, engine) as served:
        first = served.stream()
        [(seen, event, _)] = first.take(1)
        assert event == RESYNC and seen
        poll = assembly.create_poll(title="Adopt the agenda", kind="decision", method="majority")
        assembly.open(int(poll["id"]))
        live = first.take(2)
        assert [event for _, event, _ in live] == ["poll_created", "poll_opened"]
        # The EventSource sends the last id it saw when it reconnects: it is sent the rest,
        # in order, with the same ids, and no resync.
        again = served.stream(last_event_id=seen)
        assert _events(again.take(2)) == _events(live)
        # The page's script opening a new EventSource names it in the address instead.
        by_address = served.stream(f"?last_event_id={live[0][0]}")
        assert _events(by_address.take(1)) == _events(live[1:])
        # An id this process does not know (another life's, or nobody's): a resync, named
        # after the newest event.
        unknown = served.stream(last_event_id="0000-1")
        assert _events(unknown.take(1)) == [(live[1][0], RESYNC)]


@pytest.mark.one_database
def test_a_process_at_its_cap_answers_503_with_retry_after(
    assembly: Assembly, engine: Engine
) -> None:
    app = create_app(engine)
    app.state.broker = Broker(1)
    events = f"/meetings/{assembly.meeting_id}/events"
    with served_to_the_secretary(app) as browser:
        held = EventReader(browser, events)
        assert held.status == 200
        refused = browser.get(events)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert "holds 1 live streams" in refused.json()["detail"]
        # Refused before the login is even looked at: a crowd costs the database nothing.
        anonymous = httpx2.get(browser.base_url.join(events))
        assert anonymous.status_code == 503
        assert held.take(1)[0][1] == RESYNC  # the stream held is served as before
    held.join()


# Across processes, on PostgreSQL.


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_processes_send_every_client_the_same_events_in_the_same_order(
    assembly: Assembly, database_url: str
) -> None:
    """Two app instances with engines of their own stand for two processes behind a proxy;
    changes are made through both at once. The clients of either see one sequence of ids,
    and a client reconnecting to the other process is sent the rest of it."""
    engine_a, engine_b = make_engine(database_url), make_engine(database_url)
    app_a, app_b = create_app(engine_a), create_app(engine_b)
    events = f"/meetings/{assembly.meeting_id}/events"
    per_process = 4
    try:
        with serve(app_a) as url_a, serve(app_b) as url_b:
            assert app_a.state.delivery.listening.wait(10)
            assert app_b.state.delivery.listening.wait(10)
            clients = [httpx2.Client(base_url=url) for url in (url_a, url_b)]
            for client in clients:
                log_in(client, *DEMO_SECRETARY)
            streams = [EventReader(client, events) for client in clients]
            for stream in streams:
                assert stream.take(1)[0][1] == RESYNC

            def create_polls(client: httpx2.Client, prefix: str) -> None:
                for number in range(per_process):
                    created = client.post(
                        f"/api/meetings/{assembly.meeting_id}/polls",
                        json={"title": f"{prefix} {number}", "kind": "decision"},
                        headers=assembly.secretary,
                    )
                    assert created.status_code == 201, created.text

            with ThreadPoolExecutor(2) as pool:
                list(pool.map(create_polls, clients, ["Through A", "Through B"]))
            seen_a, seen_b = (_events(stream.take(2 * per_process)) for stream in streams)
            assert seen_a == seen_b
            assert len({event_id for event_id, _ in seen_a}) == 2 * per_process
            origins = {event_id.split("-")[0] for event_id, _ in seen_a}
            assert origins == {app_a.state.broker.origin, app_b.state.broker.origin}

            middle = seen_a[per_process - 1][0]
            moved = EventReader(clients[1], events, last_event_id=middle)
            assert _events(moved.take(per_process)) == seen_a[per_process:]
        for stream in (*streams, moved):
            stream.join()
        for client in clients:
            client.close()
    finally:
        engine_a.dispose()
        engine_b.dispose()
