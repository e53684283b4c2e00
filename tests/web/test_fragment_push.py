"""The polls and the floor carried by the event stream (``?push=room,floor``): the page that
asks is sent what it would have fetched, without a request; a stream that did not ask is
sent nothing more; a stream the live fragments cannot serve, and a reconnection that missed
a change, are told to fetch instead (``veche.web.fragment_cache``, "Pushed through the
stream")."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import httpx2
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly
from tests.helpers import count_queries, demo_organization
from tests.web.live_server import EventReader, log_in, serve, served_to_the_secretary
from tests.web.page_client import access_codes
from tests.web.served_meeting import served_meeting
from veche.actions import access
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.events import LiveEvent, LiveEventType
from veche.actions.org import do_create_person, do_create_user
from veche.actions.roles import do_grant_role, do_revoke_grant
from veche.db import transaction
from veche.permissions import Scope
from veche.web import fragment_cache
from veche.web.csrf import SEED_COOKIE
from veche.web.fragment_cache import FragmentStore
from veche.web.live import DeliveredEvent

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_the_stream_carries_the_polls_and_the_floor_to_the_page_that_asks(
    assembly: Assembly, engine: Engine
) -> None:
    meeting = assembly.meeting_id
    with served_meeting(assembly, engine) as served:
        pushed = served.stream("?push=room,floor")
        plain = served.stream()
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
        assert html == served.browser.get(f"/meetings/{meeting}/room").text
        # The stream that did not ask is sent the events only.
        assert "delegate_polls" not in [event for _, event, _ in plain.until("poll_opened")]
        # The floor is carried on its events too (the agenda's, here).
        assembly.create(f"/meetings/{meeting}/agenda", title="Standing orders")
        floor_html = pushed.until("delegate_floor")[-1][2]
        assert "Speakers list" in floor_html
        assert floor_html == served.browser.get(f"/meetings/{meeting}/floor").text


def test_a_stream_the_fragments_cannot_serve_and_a_reconnection_are_told_to_fetch(
    assembly: Assembly, engine: Engine
) -> None:
    push = "?push=room,floor"
    with served_meeting(assembly, engine) as served:
        first = served.stream(push)
        [(seen, _, _)] = first.until("resync")
        # A browser without its CSRF seed is not served from memory: its page fetches.
        browser = served.browser
        with httpx2.Client(base_url=browser.base_url, cookies=browser.cookies) as seedless:
            seedless.cookies.delete(SEED_COOKIE)
            unserved = served.stream(push, client=seedless)
            unserved.until("resync")
            poll = assembly.create_poll(title="Elect the tellers", kind="decision")
            assembly.open(int(poll["id"]))
            assert first.until("delegate_polls")[-1][2].count("Elect the tellers") == 1
            told = unserved.until("refresh_delegate_polls")
            assert "delegate_polls" not in [event for _, event, _ in told]
        # Reconnecting after the poll opened: the events missed, then the refresh of the
        # polls they changed (the floor did not change), no HTML.
        again = served.stream(push, last_event_id=seen)
        replayed = again.until("refresh_delegate_polls")
        assert [event for _, event, _ in replayed] == [
            "poll_created",
            "poll_opened",
            "refresh_delegate_polls",
        ]


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


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
GUEST_PASSWORD = "the guest's own passphrase"


@contextmanager
def _delegate(url: str, code: str) -> Iterator[httpx2.Client]:
    """A delegate's phone, logged in with their access card."""
    with httpx2.Client(base_url=url) as phone:
        found = _TOKEN.search(phone.get("/login").text)
        assert found is not None
        logged_in = phone.post("/login/code", data={"code": code, "csrf_token": found[1]})
        assert logged_in.status_code == 303, logged_in.text
        yield phone


def _guest_let_in(sessions: sessionmaker[Session], meeting: int) -> tuple[int, str]:
    """An account of someone who takes no part, let see the meeting by a grant in it: the
    grant's id and the account's username."""
    with transaction(sessions) as session:
        organization = demo_organization(session)
        system = Caller(Actor.system("tests"), None, True, organization.id)
        person = do_create_person(session, system, organization, "A Visiting Guest")
        user = do_create_user(
            session, system, organization, "visiting.guest", GUEST_PASSWORD, person=person
        )
        grant = do_grant_role(
            session, system, "observer", scope=Scope.MEETING, scope_id=meeting, user_id=user.id
        )
        return grant.id, user.username


def test_after_a_change_of_who_may_do_what_the_next_push_is_carried_not_fetched(
    assembly: Assembly,
    engine: Engine,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change of the meeting's participants makes every permission kept for its streams
    stale. They are read again in bulk, before the next push, so that the poll opening next
    reaches every delegate as the polls' HTML, with no fetch; a guest whose right to see the
    meeting went meanwhile is sent no HTML, their stream ends, and the route refuses them."""
    meeting = assembly.meeting_id
    delegates = assembly.members[:3]
    assembly.check_in(delegates)
    codes = access_codes(sessions, meeting, delegates)
    grant_id, guest_name = _guest_let_in(sessions, meeting)
    events = f"/meetings/{meeting}/events?push=room,floor"
    app = create_app(engine)
    one_by_one: list[Caller] = []
    at_once: list[int] = []

    def counted_one(session: Session, caller: Caller, meeting_id: int) -> frozenset[str]:
        one_by_one.append(caller)
        return access.meeting_permissions(session, caller, meeting_id)

    def counted_at_once(
        session: Session, callers: Sequence[Caller], meeting_id: int
    ) -> list[frozenset[str]]:
        at_once.append(len(callers))
        return access.meeting_permissions_of_many(session, callers, meeting_id)

    with (
        serve(app) as url,
        _delegate(url, codes[delegates[0]]) as first,
        _delegate(url, codes[delegates[1]]) as second,
        _delegate(url, codes[delegates[2]]) as third,
        httpx2.Client(base_url=url) as guest,
    ):
        log_in(guest, guest_name, GUEST_PASSWORD)
        phones = [EventReader(phone, events) for phone in (first, second, third)]
        guests = EventReader(guest, events)
        for stream in (*phones, guests):
            stream.until("resync")
        poll = assembly.create_poll(title="Adopt the standing orders", kind="decision")
        assembly.open(int(poll["id"]))
        for stream in (*phones, guests):  # all carried the polls, all read one by one
            assert "Adopt the standing orders" in stream.until("delegate_polls")[-1][2]
        assembly.close(int(poll["id"]))
        for stream in (*phones, guests):
            stream.until("delegate_polls")

        monkeypatch.setattr(fragment_cache, "meeting_permissions", counted_one)
        monkeypatch.setattr(fragment_cache, "meeting_permissions_of_many", counted_at_once)
        with transaction(sessions) as session:  # no event: the guest is still let in, as kept
            system = Caller(Actor.system("tests"), None, True, demo_organization(session).id)
            do_revoke_grant(session, system, grant_id)
        observer = assembly.create("/people", full_name="A Registered Observer")
        invited = assembly.client.post(
            f"/api/meetings/{meeting}/observers",
            json={"category": "guests", "person_ids": [observer["id"]]},
            headers=assembly.secretary,
        )
        assert invited.status_code == 201, invited.text
        poll = assembly.create_poll(title="Elect the tellers", kind="decision")
        assembly.open(int(poll["id"]))

        for stream in phones:
            told = stream.until("delegate_polls")
            assert "Elect the tellers" in told[-1][2]
            assert not [event for _, event, _ in told if event.startswith("refresh_")]
        # The guest is no longer let in: their stream ends (veche.web.live_access), having
        # been told at most to fetch, which the route refuses.
        guests.join()
        told = [guests.messages.get_nowait() for _ in range(guests.messages.qsize())]
        assert "delegate_polls" not in [event for _, event, _ in told]
        # Read again in bulk, the four logins together; none one by one.
        assert one_by_one == []
        assert at_once and max(at_once) == 4
        assert guest.get(f"/meetings/{meeting}/room").status_code == 403
    for stream in (*phones, guests):
        stream.join()


def test_a_change_of_who_may_do_what_is_read_again_once_for_all_who_wait(engine: Engine) -> None:
    """The permissions held for a meeting, stale once an access event moved its version on,
    are read again in one transaction however many pushes and requests ask at once; nothing
    held from before the change is served after it, and once read nothing is read again."""
    app = create_app(engine)
    store: FragmentStore = app.state.fragments
    began: list[object] = []
    event.listen(app.state.read_sessions, "after_begin", lambda *_: began.append(None))
    meeting = 1
    callers = [Caller(Actor(None, f"Delegate {n}"), 10_000 + n, False, None) for n in range(30)]
    before = store.versions.access_of(meeting)
    for caller in callers:
        store._hold(caller, meeting, frozenset({"meeting.see"}), before, 0.0)
    changed = LiveEvent(meeting, LiveEventType.PARTICIPANTS_CHANGED)
    store.versions.heard(DeliveredEvent("test-1", changed))
    after = store.versions.access_of(meeting)
    assert after != before

    async def everyone_asking() -> None:
        await asyncio.gather(*(store._permissions_current(meeting) for _ in range(20)))

    asyncio.run(everyone_asking())
    assert len(began) == 1
    held = list(store._held.values())
    assert len(held) == len(callers)
    # Read for the version after the change: these people take no part, and see nothing.
    assert all(kept.access == after and kept.may == frozenset() for kept in held)
    asyncio.run(everyone_asking())
    assert len(began) == 1
