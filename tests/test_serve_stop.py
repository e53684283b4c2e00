"""A server told to stop while pages hold live event streams ends them and stops at once,
with nothing in its log but its own notices: it does not wait out its grace period, then
cancel each stream with an error and a traceback (thousands at a congress, every restart)."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

import httpx2
import pytest

from tests.helpers import demo_organization
from tests.web.live_server import EventReader, log_in
from veche.cli import STOP_WAIT_SECONDS
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo import DEMO_SECRETARY
from veche.demo_meeting import load_demo_meeting
from veche.web.stopping import end_streams_when_stopping

pytestmark = pytest.mark.demo


@contextmanager
def _server(
    database_url: str, log: Path, workers: int
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "veche", "serve", "--db", database_url, "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("wb") as written:
        server = subprocess.Popen(command, stdout=written, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                try:
                    httpx2.get(f"{base}/api/health", timeout=2)
                    break
                except httpx2.HTTPError:
                    time.sleep(0.2)
            yield server, base
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


@pytest.mark.parametrize(
    ("database_url", "workers", "stop"),
    [
        ("sqlite", 1, signal.SIGINT),
        ("sqlite", 1, signal.SIGTERM),
        # Each worker process hears the stop from the server that started it.
        ("postgresql", 2, signal.SIGTERM),
    ],
    ids=["SIGINT", "SIGTERM", "two-processes-SIGTERM"],
    indirect=["database_url"],
)
def test_a_stopping_server_ends_its_event_streams_at_once(
    database_url: str, workers: int, stop: signal.Signals, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as session:
        meeting_id = load_demo_meeting(session, demo_organization(session)).id
    engine.dispose()
    log = tmp_path / "serve.log"
    with _server(database_url, log, workers) as (server, base), ExitStack() as clients:
        pages = []
        for _ in range(4):  # with two processes, each most likely holds some
            client = clients.enter_context(httpx2.Client(base_url=base))
            log_in(client, *DEMO_SECRETARY)
            pages.append(EventReader(client, f"/meetings/{meeting_id}/events?push=room,floor"))
        assert [page.status for page in pages] == [200] * 4
        asked = time.monotonic()
        server.send_signal(stop)
        server.wait(timeout=STOP_WAIT_SECONDS + 10)
        took = time.monotonic() - asked
    said = log.read_text()
    assert took < STOP_WAIT_SECONDS - 1, f"{took:.1f} s to stop:\n{said}"
    assert "Application shutdown complete" in said
    assert "ERROR" not in said and "Traceback" not in said, said


def test_the_servers_own_handler_still_runs_after_the_streams_are_ended() -> None:
    """In the main thread (as under uvicorn): the signal ends the streams from the event
    loop, then reaches the handler that was there before; the handlers are put back after."""
    heard: list[str] = []

    def servers_own(number: int, frame: FrameType | None) -> None:
        heard.append(f"server {signal.Signals(number).name}")

    async def serving() -> None:
        restore = end_streams_when_stopping(lambda: heard.append("streams ended"))
        signal.raise_signal(signal.SIGTERM)
        await asyncio.sleep(0.05)  # the loop runs what the handler scheduled
        restore()

    before = signal.signal(signal.SIGTERM, servers_own)
    try:
        asyncio.run(serving())
        assert heard == ["server SIGTERM", "streams ended"]
        assert signal.getsignal(signal.SIGTERM) is servers_own
    finally:
        signal.signal(signal.SIGTERM, before)
