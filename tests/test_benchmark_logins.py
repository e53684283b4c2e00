"""A benchmark whose login is refused, or whose pages are sent to log in, stops at once
saying so (a status that is not 0), instead of waiting for pages that never come current."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks import live_streams_memory
from benchmarks._logins import LoginRefused

REPO_ROOT = Path(__file__).resolve().parents[1]

#: The refresh storm run small, with one thing broken first. Its storms would each wait
#: ``--timeout`` for pages that cannot come current: far longer than the run is given.
RUN_STORM = """
import sys
from itsdangerous import URLSafeTimedSerializer
import benchmarks.live_fanout as storm
{broken}
sys.argv = ["live_fanout", "--sizes", "3", "--backend", "sqlite", "--no-peer", "--timeout", "600"]
storm.main()
"""


def test_the_refresh_storm_stops_when_its_pages_are_sent_to_log_in() -> None:
    # The members' cookies signed with another key than the server's.
    broken = (
        "storm.URLSafeTimedSerializer = "
        "lambda key, salt: URLSafeTimedSerializer('another key', salt=salt)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", RUN_STORM.format(broken=broken)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode != 0, ran.stdout
    assert (
        "live_fanout: stopped, as its login was refused: the event stream of meeting 1 "
        "(a member's page) answered 303, sending it to /login?next="
    ) in ran.stderr, ran.stderr


async def _open_against(answer: bytes) -> None:
    """The memory benchmark's streams opened against a server that answers every request
    with ``answer`` and keeps the connection open, as a server does."""

    async def answering(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await reader.read()  # until the client closes
        writer.close()

    server = await asyncio.start_server(answering, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with server:
            # Bounded, so that a benchmark still waiting fails this test rather than hangs it.
            await asyncio.wait_for(
                live_streams_memory._open_streams("127.0.0.1", port, "veche_session=x", 2), 10
            )
    finally:
        server.close()


def test_the_memory_benchmark_stops_when_its_streams_are_sent_to_log_in() -> None:
    to_log_in = (
        b"HTTP/1.1 303 See Other\r\nLocation: /login?next=%2Fmeetings%2F1%2Fevents\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    with pytest.raises(LoginRefused, match="answered 303, sending it to /login"):
        asyncio.run(_open_against(to_log_in))


def test_the_memory_benchmark_stops_when_a_stream_is_refused_otherwise() -> None:
    busy = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"
    with pytest.raises(RuntimeError, match="the event stream of meeting 1 answered 503"):
        asyncio.run(_open_against(busy))
