"""A delegate's other open page learns at once that they have voted: a ballot cast on the
phone has the laptop's page, still offering "Vote now", fetch its own polls and show the
vote done; no other delegate's page hears of it, on one process or across two on
PostgreSQL (``own_ballot_cast``, ``veche.web.fragment_cache``: "One's own ballot, on one's
own pages")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, client_key
from tests.web.live_server import EventReader, SseMessage, serve
from tests.web.page_client import access_codes
from veche.db import make_engine

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VOTE_NOW = "Vote now"
VOTED = "You have voted."


def _voter_and_neighbour(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> tuple[int, int, dict[int, str]]:
    """Two members checked in, and their access cards' codes."""
    voter, neighbour = assembly.members[:2]
    assembly.check_in([voter, neighbour])
    return voter, neighbour, access_codes(sessions, assembly.meeting_id, [voter, neighbour])


def _csrf_token(device: httpx2.Client) -> str:
    found = _TOKEN.search(device.get("/login").text)
    assert found, "the login page carries a CSRF token"
    return found.group(1)


@contextmanager
def _device(url: str, code: str) -> Iterator[httpx2.Client]:
    """A browser of its own (a phone, a laptop) logged in with the holder's access card: each
    is a login of its own."""
    with httpx2.Client(base_url=url) as device:
        logged_in = device.post(
            "/login/code", data={"code": code, "csrf_token": _csrf_token(device)}
        )
        assert logged_in.status_code == 303, logged_in.text
        yield device


def _vote_in_the_pages(device: httpx2.Client, meeting: int, poll: dict[str, object]) -> None:
    """Cast the confirmed ballot as the phone's ballot page does."""
    options = poll["options"]
    assert isinstance(options, list)
    yes = next(option["id"] for option in options if option["label"] == "yes")
    cast = device.post(
        f"/meetings/{meeting}/polls/{poll['id']}/ballot",
        data={
            "choice": json.dumps({"option": yes}),
            "client_key": client_key(),
            "csrf_token": _csrf_token(device),
        },
    )
    assert cast.status_code == 303, cast.text  # to the receipt's page


def _names(messages: list[SseMessage]) -> list[str]:
    """The events' names, each once: on PostgreSQL the test's own app over the same database
    (the fixtures' secretary) sends every event again."""
    return list(dict.fromkeys(event for _, event, _ in messages))


def _polls(device: httpx2.Client, meeting: int) -> str:
    room = device.get(f"/meetings/{meeting}/room")
    assert room.status_code == 200, room.text
    return room.text


def test_the_voters_other_page_learns_at_once_and_no_one_else_does(
    assembly: Assembly, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    meeting = assembly.meeting_id
    voter, neighbour, codes = _voter_and_neighbour(assembly, sessions)
    events = f"/meetings/{meeting}/events?push=room,floor"
    with (
        serve(create_app(engine)) as url,
        _device(url, codes[voter]) as phone,
        _device(url, codes[voter]) as laptop,
        _device(url, codes[neighbour]) as neighbours,
    ):
        on_laptop, beside = EventReader(laptop, events), EventReader(neighbours, events)
        for stream in (on_laptop, beside):
            stream.until("resync")
        poll = assembly.create_poll(title="Adopt the standing orders", kind="decision")
        assert poll["secrecy"] == "secret"
        assembly.open(int(poll["id"]))
        opened = on_laptop.until("delegate_polls")
        assert VOTE_NOW in opened[-1][2]
        assert VOTE_NOW in beside.until("delegate_polls")[-1][2]
        seen_before_the_vote = opened[-2][0]

        _vote_in_the_pages(phone, meeting, poll)
        # The laptop is told to fetch its polls, and nothing more: no id (its last event's
        # stays), no poll, no person; what it fetches is its own view, the vote done.
        told = on_laptop.until("refresh_delegate_polls")
        assert _names(told) == ["ballot_received", "refresh_delegate_polls"]
        assert told[-1][0] == "" and told[-1][2] == "{}"
        laptops_polls = _polls(laptop, meeting)
        assert VOTED in laptops_polls and VOTE_NOW not in laptops_polls
        # The neighbour hears the room's count only, and still has their own ballot to cast.
        assembly.create_poll(title="A change after the ballot", kind="decision")
        heard = beside.until("poll_created")
        assert _names(heard) == ["ballot_received", "poll_created"]
        assert VOTE_NOW in _polls(neighbours, meeting)

        # A laptop that was asleep through the ballot reconnects: it is replayed the room's
        # events and told to fetch its polls; the neighbour coming back the same way is not.
        woken = EventReader(laptop, events, last_event_id=seen_before_the_vote)
        replayed = woken.until("refresh_delegate_polls")
        assert _names(replayed) == ["ballot_received", "poll_created", "refresh_delegate_polls"]
        back = EventReader(neighbours, events, last_event_id=seen_before_the_vote)
        assert _names(back.take(2)) == ["ballot_received", "poll_created"]
        assembly.create_poll(title="Another change", kind="decision")
        assert _names(back.until("poll_created")) == ["poll_created"]
    for stream in (on_laptop, beside, woken, back):
        stream.join()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_across_two_processes_only_the_voters_other_page_learns(
    assembly: Assembly, database_url: str, sessions: sessionmaker[Session]
) -> None:
    """The phone is served by one process, the laptop and the neighbour by another: the
    voter's own event crosses through NOTIFY like the room's, and reaches their page alone."""
    meeting = assembly.meeting_id
    voter, neighbour, codes = _voter_and_neighbour(assembly, sessions)
    events = f"/meetings/{meeting}/events?push=room,floor"
    engine_a, engine_b = make_engine(database_url), make_engine(database_url)
    app_a, app_b = create_app(engine_a), create_app(engine_b)
    try:
        with (
            serve(app_a) as url_a,
            serve(app_b) as url_b,
            _device(url_a, codes[voter]) as phone,
            _device(url_b, codes[voter]) as laptop,
            _device(url_b, codes[neighbour]) as neighbours,
        ):
            assert app_b.state.delivery.listening.wait(10)
            on_laptop, beside = EventReader(laptop, events), EventReader(neighbours, events)
            for stream in (on_laptop, beside):
                stream.until("resync")
            poll = assembly.create_poll(title="Elect the tellers", kind="decision")
            assembly.open(int(poll["id"]))
            for stream in (on_laptop, beside):
                assert VOTE_NOW in stream.until("delegate_polls")[-1][2]

            _vote_in_the_pages(phone, meeting, poll)
            told = on_laptop.until("refresh_delegate_polls")
            assert _names(told) == ["ballot_received", "refresh_delegate_polls"]
            laptops_polls = _polls(laptop, meeting)
            assert VOTED in laptops_polls and VOTE_NOW not in laptops_polls
            assembly.create_poll(title="A change after the ballot", kind="decision")
            assert _names(beside.until("poll_created")) == ["ballot_received", "poll_created"]
        for stream in (on_laptop, beside):
            stream.join()
    finally:
        engine_a.dispose()
        engine_b.dispose()
