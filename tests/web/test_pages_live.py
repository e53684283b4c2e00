"""Live updates: the per-meeting SSE stream, in one process and across processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import httpx2
import pytest
from sqlalchemy import Engine

from tests.apps import create_app
from tests.assembly import Assembly, client_key
from tests.web.live_server import EventReader, log_in, serve, served_to_the_secretary
from veche.actions.events import LiveEvent
from veche.db import make_engine
from veche.demo import DEMO_SECRETARY
from veche.web.live import Broker, event_stream, sse_message

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_the_broker_hands_each_meeting_only_its_own_events() -> None:
    async def scenario() -> list[bytes]:
        broker = Broker(10)
        stream = event_stream(broker, broker.open(7))
        first = await anext(stream)
        assert b"event: resync" in first
        broker.publish(LiveEvent(8, "poll_opened", {"poll_id": 1}))
        broker.publish(LiveEvent(7, "ballot_received", {"poll_id": 2}), "a-2")
        second = await anext(stream)
        assert broker.streams(7) == 1
        broker.end_all()
        rest = [chunk async for chunk in stream]
        assert broker.streams(7) == 0
        return [second, *rest]

    received = asyncio.run(scenario())
    assert received == [
        b'id: a-2\nevent: ballot_received\ndata: {"type":"ballot_received","poll_id":2}\n\n'
    ]


def test_an_event_says_what_changed_and_nothing_more() -> None:
    message = sse_message(LiveEvent(3, "ballot_received", {"poll_id": 9}))
    assert message == 'event: ballot_received\ndata: {"type":"ballot_received","poll_id":9}\n\n'


def _voter_and_decision(assembly: Assembly) -> tuple[int, int, int]:
    """A member checked in, and a decision to vote on: the voter, the poll and its "yes"."""
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = assembly.create_poll(title="Adopt the agenda", kind="decision", method="majority")
    yes = next(o["id"] for o in poll["options"] if o["label"] == "yes")
    return voter, int(poll["id"]), int(yes)


def test_a_ballot_reaches_the_stream_as_a_count_not_a_choice(
    assembly: Assembly, engine: Engine
) -> None:
    voter, poll_id, yes = _voter_and_decision(assembly)
    with served_to_the_secretary(create_app(engine)) as browser:
        reader = EventReader(browser, f"/meetings/{assembly.meeting_id}/events")
        assert reader.status == 200 and reader.content_type.startswith("text/event-stream")
        reader.next("resync")
        assembly.open(poll_id)
        assert json.loads(reader.next("poll_opened")) == {"type": "poll_opened", "poll_id": poll_id}
        receipt = assembly.vote(poll_id, voter, {"option": yes}).json()["receipt"]
        data = reader.next("ballot_received")
        assert json.loads(data) == {"type": "ballot_received", "poll_id": poll_id}
        assert receipt not in data and str(voter) not in data.replace(str(poll_id), "")
    reader.join()


def test_the_stream_is_for_the_meetings_participants_only(
    assembly: Assembly, engine: Engine
) -> None:
    with serve(create_app(engine)) as url, httpx2.Client(base_url=url) as browser:
        anonymous = browser.get(f"/meetings/{assembly.meeting_id}/events")
        assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_an_event_crosses_from_one_process_to_another(
    assembly: Assembly, database_url: str
) -> None:
    """Two app instances with engines of their own stand for two processes behind a proxy."""
    voter, poll_id, yes = _voter_and_decision(assembly)
    engine_a, engine_b = make_engine(database_url), make_engine(database_url)
    app_a, app_b = create_app(engine_a), create_app(engine_b)
    try:
        with serve(app_a) as url_a, serve(app_b) as url_b:
            watcher = httpx2.Client(base_url=url_b)
            log_in(watcher, *DEMO_SECRETARY)
            reader = EventReader(watcher, f"/meetings/{assembly.meeting_id}/events")
            reader.next("resync")
            assert app_b.state.delivery.listening.wait(10)
            # The chair works through process A; the stream is held by process B.
            with httpx2.Client(base_url=url_a) as chair:
                opened = chair.post(f"/api/polls/{poll_id}/open", headers=assembly.secretary)
                assert opened.status_code == 200, opened.text
                assert json.loads(reader.next("poll_opened"))["poll_id"] == poll_id
                cast = chair.post(
                    f"/api/polls/{poll_id}/ballots",
                    json={"choice": {"option": yes}, "client_key": client_key()},
                    headers=assembly.as_person(voter),
                )
                assert cast.status_code == 201, cast.text
                assert json.loads(reader.next("ballot_received"))["poll_id"] == poll_id
            # Process B's own actions are heard once, through NOTIFY, not twice.
            closed = watcher.post(f"/api/polls/{poll_id}/close", headers=assembly.secretary)
            assert closed.status_code == 200, closed.text
            reader.next("poll_closed")
            with pytest.raises(AssertionError):
                reader.next("poll_closed", timeout=1.0)
        reader.join()
        watcher.close()
    finally:
        engine_a.dispose()
        engine_b.dispose()
