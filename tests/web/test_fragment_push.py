"""The polls and the floor carried by the event stream (``?push=room,floor``): the page that
asks is sent what it would have fetched, without a request; a stream that did not ask is
sent nothing more; a stream the live fragments cannot serve, and a reconnection that missed
a change, are told to fetch instead (``veche.web.fragment_cache``, "Pushed through the
stream")."""

from __future__ import annotations

import asyncio

import httpx2
import pytest
from sqlalchemy import Engine, event

from tests.apps import create_app
from tests.assembly import Assembly
from tests.helpers import count_queries
from tests.web.live_server import EventReader, served_to_the_secretary
from veche.web.csrf import SEED_COOKIE
from veche.web.fragment_cache import FragmentStore

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_the_stream_carries_the_polls_and_the_floor_to_the_page_that_asks(
    assembly: Assembly, engine: Engine
) -> None:
    meeting = assembly.meeting_id
    events = f"/meetings/{meeting}/events"
    with served_to_the_secretary(create_app(engine)) as browser:
        assembly.check_in(assembly.members[:1])
        pushed = EventReader(browser, f"{events}?push=room,floor")
        plain = EventReader(browser, events)
        for stream in (pushed, plain):
            stream.until("resync")
        poll = assembly.create_poll(title="Adopt the standing orders", kind="decision")
        assembly.open(int(poll["id"]))
        carried = pushed.until("delegate_polls")
        # The event comes first, then the polls as the page would have fetched them: the
        # same text, its form's CSRF field the browser's own, and with no id (a reconnection
        # is replayed events, never old HTML).
        assert [event for _, event, _ in carried][-2:] == ["poll_opened", "delegate_polls"]
        event_id, _, html = carried[-1]
        assert event_id == ""
        assert "Adopt the standing orders" in html
        assert html == browser.get(f"/meetings/{meeting}/room").text
        # The stream that did not ask is sent the events only.
        assert "delegate_polls" not in [event for _, event, _ in plain.until("poll_opened")]
        # The floor is carried on its events too (the agenda's, here).
        assembly.create(f"/meetings/{meeting}/agenda", title="Standing orders")
        floor_html = pushed.until("delegate_floor")[-1][2]
        assert "Speakers list" in floor_html
        assert floor_html == browser.get(f"/meetings/{meeting}/floor").text
    for stream in (pushed, plain):
        stream.join()


def test_a_stream_the_fragments_cannot_serve_and_a_reconnection_are_told_to_fetch(
    assembly: Assembly, engine: Engine
) -> None:
    meeting = assembly.meeting_id
    events = f"/meetings/{meeting}/events?push=room,floor"
    with served_to_the_secretary(create_app(engine)) as browser:
        assembly.check_in(assembly.members[:1])
        first = EventReader(browser, events)
        [(seen, _, _)] = first.until("resync")
        # A browser without its CSRF seed is not served from memory: its page fetches.
        with httpx2.Client(base_url=browser.base_url, cookies=browser.cookies) as seedless:
            seedless.cookies.delete(SEED_COOKIE)
            unserved = EventReader(seedless, events)
            unserved.until("resync")
            poll = assembly.create_poll(title="Elect the tellers", kind="decision")
            assembly.open(int(poll["id"]))
            assert first.until("delegate_polls")[-1][2].count("Elect the tellers") == 1
            told = unserved.until("refresh_delegate_polls")
            assert "delegate_polls" not in [event for _, event, _ in told]
        # Reconnecting after the poll opened: the events missed, then the refresh of the
        # polls they changed (the floor did not change), no HTML.
        again = EventReader(browser, events, last_event_id=seen)
        replayed = again.until("refresh_delegate_polls")
        assert [event for _, event, _ in replayed] == [
            "poll_created",
            "poll_opened",
            "refresh_delegate_polls",
        ]
    for stream in (first, unserved, again):
        stream.join()


def test_a_page_coming_back_to_a_process_that_knows_its_login_costs_no_query(
    assembly: Assembly, engine: Engine
) -> None:
    """A hall whose Wi-Fi came back reconnects at once: a stream whose login and meeting the
    process already knows is opened from memory, without asking the database."""
    app = create_app(engine)
    events = f"/meetings/{assembly.meeting_id}/events?push=room,floor"
    with served_to_the_secretary(app) as browser:
        first = EventReader(browser, events)
        [(seen, _, _)] = first.until("resync")
        with count_queries(app.state.engine, app.state.reader) as statements:
            again = EventReader(browser, events, last_event_id=seen)  # answered once opened
        assert statements == []
        # It is a stream like any other: it hears the next change, and is carried the polls.
        assembly.check_in(assembly.members[:1])
        poll = assembly.create_poll(title="Adopt the minutes", kind="decision")
        assembly.open(int(poll["id"]))
        assert "Adopt the minutes" in again.until("delegate_polls")[-1][2]
    for stream in (first, again):
        stream.join()


def test_logins_met_at_once_are_looked_up_in_one_transaction(engine: Engine) -> None:
    """A hall reconnecting to a process that never saw its logins: the lookups asked in the
    same moment share a transaction (an ended or unknown login is still None for each)."""
    app = create_app(engine)
    store: FragmentStore = app.state.fragments
    began: list[object] = []
    event.listen(app.state.read_sessions, "after_begin", lambda *_: began.append(None))

    async def reconnecting() -> list[object]:
        return list(
            await asyncio.gather(*(store._look_up_soon(f"nobody-{n}", None, 1) for n in range(5)))
        )

    assert asyncio.run(reconnecting()) == [None] * 5
    assert len(began) == 1
