"""The live fragments answered from memory (veche.web.fragment_cache): each person gets what
the ordinary route renders for them, nothing of another person or audience, a fresh answer
after each change, a 304 until then, and nothing once logged out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import count_queries
from tests.meeting_api import Api
from tests.web.page_client import Browser
from tests.web.sitting import OBSERVER, PreparedSitting, serve_sitting
from veche.actions.events import LiveEvent
from veche.models import LoginSession, Meeting, Participant
from veche.queries.room import polls_followed, standings, standings_of_all
from veche.web import fragment_cache
from veche.web.fragment_cache import FragmentStore
from veche.web.fragments import LISTENERS
from veche.web.live import Broker

#: What they prove is the cache's, in memory, on SQLite; the reading of a whole hall's
#: standings at once is SQL, and is compared with one person's on both databases.
pytestmark = [pytest.mark.demo]
in_memory = pytest.mark.one_database

ASKS, SPEAKS, VOTED, WAITS = 7, 8, 9, 10
FRAGMENTS = ("room", "floor", "projector/current")
#: Each fragment of the cache and the registry's name of the live fragment it is.
LISTENS_AS = {
    "room": "delegate_polls",
    "floor": "delegate_floor",
    "projector/current": "projector_current",
}


@dataclass
class Hall:
    app: FastAPI
    api: Api
    sessions: sessionmaker[Session]
    meeting: int
    item: int
    people: dict[int | str, Browser]

    @property
    def store(self) -> FragmentStore:
        store: FragmentStore = self.app.state.fragments
        return store

    def get(self, who: int | str, fragment: str, **headers: str) -> object:
        return self.people[who].get(f"/meetings/{self.meeting}/{fragment}", headers=headers)

    def uncached(self, who: int | str, fragment: str) -> str:
        self.store.enabled = False
        try:
            answer = self.people[who].get(f"/meetings/{self.meeting}/{fragment}")
        finally:
            self.store.enabled = True
        assert answer.status_code == 200 and "etag" not in answer.headers
        return str(answer.text)

    def open_poll(self, title: str) -> int:
        poll = self.api.post(
            f"/meetings/{self.meeting}/polls",
            title=title,
            kind="decision",
            method="majority",
            secrecy="secret",
        )
        self.api.call("POST", f"/polls/{poll['id']}/open", 200)
        return int(poll["id"])


@pytest.fixture
def hall(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Hall]:
    people = [ASKS, SPEAKS, VOTED, WAITS, OBSERVER]
    with serve_sitting(engine, sessions, sitting, people) as served:
        browsers: dict[int | str, Browser] = {key: b for key, b in served.phones.items()}
        browsers["secretary"] = served.secretary
        for browser in browsers.values():  # the page after the login, which shows its message
            assert browser.get(f"/meetings/{sitting.meeting_id}").status_code == 200
        yield Hall(
            served.app,
            served.api,
            sessions,
            sitting.meeting_id,
            sitting.sitting.item_ids[0],
            browsers,
        )


def _same_clock(html: str) -> str:
    """The page as sent, but for the server's clock and the speaking time left, which move
    between two answers."""
    html = re.sub(r'data-server-now="[^"]+"', 'data-server-now=""', html)
    return re.sub(r"data-clock>[^<]+<", "data-clock><", html)


@in_memory
def test_each_person_gets_from_memory_what_the_route_renders_for_them(hall: Hall) -> None:
    """One poll open (one delegate has voted), a speaker and two waiting: each fragment is
    the ordinary route's, for a delegate in every position, the observer and the staff."""
    poll = hall.open_poll("Adopt the budget")
    options = {o["label"]: o["id"] for o in hall.api.get(f"/polls/{poll}")["options"]}
    hall.api.vote(poll, VOTED, {"option": options["yes"]})
    for person in (SPEAKS, ASKS, WAITS):
        asked = hall.people[person].post(
            f"/meetings/{hall.meeting}/floor/requests", {"item_id": hall.item, "kind": "speech"}
        )
        assert asked.status_code == 303, asked.text
        hall.people[person].get(asked.headers["location"])  # which shows the flash
    given = hall.people["secretary"].post(
        f"/meetings/{hall.meeting}/console/floor/next", {"item_id": hall.item}
    )
    assert given.status_code == 303, given.text
    hall.people["secretary"].get(given.headers["location"])

    seen: dict[tuple[int | str, str], str] = {}
    for who in hall.people:
        for fragment in FRAGMENTS:
            answer = hall.get(who, fragment)
            assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
            assert "etag" in answer.headers  # type: ignore[attr-defined]  # from memory
            html = str(answer.text)  # type: ignore[attr-defined]
            assert _same_clock(html) == _same_clock(hall.uncached(who, fragment)), (who, fragment)
            seen[who, fragment] = html

    # And what that means, person by person: nothing of another's leaks into theirs.
    assert "Vote now" in seen[ASKS, "room"] and "data-open-poll" in seen[ASKS, "room"]
    assert "You have voted." in seen[VOTED, "room"] and "Vote now" not in seen[VOTED, "room"]
    for outsider in (OBSERVER, "secretary"):
        assert "Vote now" not in seen[outsider, "room"]
        assert "data-open-poll" not in seen[outsider, "room"]
        assert "withdraw" not in seen[outsider, "floor"]
        assert 'name="csrf_token"' not in seen[outsider, "floor"]
    assert "Observers follow the debate" in seen[OBSERVER, "floor"]
    assert "You have the floor." in seen[SPEAKS, "floor"]
    assert "You have the floor." not in seen[ASKS, "floor"]
    assert "You are number 1 in the list." in seen[ASKS, "floor"]
    assert "You are number 2 in the list." in seen[WAITS, "floor"]
    assert "You are number" not in seen[VOTED, "floor"]
    # One speech each on the item: the speaker has spoken, those waiting have asked.
    assert "You have spoken on this item; the limit is 1 speech." in seen[SPEAKS, "floor"]
    assert "Your request uses your last speech" in seen[ASKS, "floor"]
    assert "Ask for the floor" not in seen[ASKS, "floor"]
    assert "Ask for the floor" in seen[VOTED, "floor"] and "the limit" not in seen[VOTED, "floor"]
    # Once another has the floor, the list no longer names the first speaker, who still
    # sees from memory that they have spoken.
    given = hall.people["secretary"].post(
        f"/meetings/{hall.meeting}/console/floor/next", {"item_id": hall.item}
    )
    assert given.status_code == 303, given.text
    spoken = hall.get(SPEAKS, "floor")
    assert "etag" in spoken.headers  # type: ignore[attr-defined]
    assert _same_clock(str(spoken.text)) == _same_clock(hall.uncached(SPEAKS, "floor"))  # type: ignore[attr-defined]
    assert "You have spoken on this item" in str(spoken.text)  # type: ignore[attr-defined]
    assert "Ask for the floor" not in str(spoken.text)  # type: ignore[attr-defined]
    # Each form carries its own browser's token.
    tokens = {
        re.findall(r'name="csrf_token" value="([^"]+)"', seen[who, "floor"])[0]
        for who in (ASKS, WAITS, VOTED)
    }
    assert len(tokens) == 3


@in_memory
def test_a_change_is_read_once_for_everyone_and_a_304_comes_until_the_next(hall: Hall) -> None:
    delegates = [ASKS, SPEAKS, VOTED, WAITS]
    tags = {who: hall.get(who, "room").headers["etag"] for who in delegates}  # type: ignore[attr-defined]
    again = hall.get(ASKS, "room", **{"If-None-Match": tags[ASKS]})
    assert again.status_code == 304 and again.text == ""  # type: ignore[attr-defined]

    hall.open_poll("Elect the tellers")
    with count_queries(hall.app.state.engine, hall.app.state.reader) as statements:
        first = hall.get(ASKS, "room", **{"If-None-Match": tags[ASKS]})
        read = len(statements)
        others = [hall.get(who, "room", **{"If-None-Match": tags[who]}) for who in delegates[1:]]
    assert first.status_code == 200 and "Elect the tellers" in first.text  # type: ignore[attr-defined]
    assert first.headers["etag"] != tags[ASKS]  # type: ignore[attr-defined]
    assert read > 0 and len(statements) == read  # the others were answered without a query
    assert all(o.status_code == 200 and "Elect the tellers" in o.text for o in others)  # type: ignore[attr-defined]

    # The floor likewise: a request for it (speakers_changed) is in everyone's next answer.
    floor = hall.get(WAITS, "floor")
    assert "You are number" not in floor.text  # type: ignore[attr-defined]
    asked = hall.people[WAITS].post(
        f"/meetings/{hall.meeting}/floor/requests", {"item_id": hall.item, "kind": "speech"}
    )
    hall.people[WAITS].get(asked.headers["location"])
    again = hall.get(WAITS, "floor", **{"If-None-Match": floor.headers["etag"]})  # type: ignore[attr-defined]
    assert again.status_code == 200 and "You are number 1 in the list." in again.text  # type: ignore[attr-defined]


@in_memory
@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_every_event_the_fragment_listens_to_makes_it_read_again(fragment: str) -> None:
    """Each event of ``veche.web.fragments``' list for it moves the meeting's version (the
    key of what is kept), and only that meeting's; a gap in the events moves them all."""
    broker = Broker()
    store = FragmentStore(sessionmaker(), enabled=True)
    broker.on_event(store.versions.heard)
    broker.on_gap(store.versions.missed)
    for event in LISTENERS[LISTENS_AS[fragment]]:
        before, elsewhere = store.versions.of(5), store.versions.of(6)
        broker.publish(LiveEvent(5, event))
        assert store.versions.of(5) > before, event
        assert store.versions.of(6) == elsewhere, event
    before, elsewhere = store.versions.of(5), store.versions.of(6)
    broker.resync_all()
    assert store.versions.of(5) > before and store.versions.of(6) > elsewhere


@in_memory
def test_a_login_ended_gets_nothing_from_memory(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of a cookie stops working at once when its holder logs out through this
    process, and at the next re-check when the login ends elsewhere (another process)."""
    for person in (ASKS, WAITS):
        assert hall.get(person, "floor").status_code == 200  # type: ignore[attr-defined]
    copy = Browser(hall.app)
    copy.client.cookies = hall.people[ASKS].client.cookies
    assert copy.get(f"/meetings/{hall.meeting}/floor").status_code == 200
    assert hall.people[ASKS].post("/logout").status_code == 303
    assert copy.get(f"/meetings/{hall.meeting}/floor").status_code == 303  # to the login page

    # Ended by another process: only the database says so.
    with hall.sessions() as session, session.begin():
        session.execute(delete(LoginSession))
    monkeypatch.setattr(fragment_cache, "LOGIN_RECHECK_SECONDS", 0.0)
    answers = [hall.get(WAITS, "floor").status_code for _ in range(50)]  # type: ignore[attr-defined]
    assert answers[-1] == 303, answers


def test_a_whole_hall_stands_where_each_of_its_people_stands(hall: Hall) -> None:
    """``standings_of_all`` (the hall at once) gives each participant what ``standings``
    gives them alone: before and after a ballot, present or not, observer or member."""
    poll = hall.open_poll("Adopt the budget")
    options = {o["label"]: o["id"] for o in hall.api.get(f"/polls/{poll}")["options"]}
    hall.api.vote(poll, VOTED, {"option": options["yes"]})
    with hall.sessions() as session:
        meeting = session.get(Meeting, hall.meeting)
        assert meeting is not None
        polls = polls_followed(session, meeting)
        people = [
            *session.scalars(
                select(Participant.person_id).where(Participant.meeting_id == hall.meeting)
            )
        ]
        together = standings_of_all(session, polls, people)
        for person_id in people:
            alone = standings(session, person_id, polls)
            assert [(s.poll.id, s.reason, s.used, s.rights) for s in together[person_id]] == [
                (s.poll.id, s.reason, s.used, s.rights) for s in alone
            ], person_id
        kinds = {
            tuple((s.reason, bool(s.unused)) for s in together[p] if s.poll.id == poll)
            for p in people
        }
    assert len(kinds) >= 3  # may vote, has voted, may not (absent, or an observer)
