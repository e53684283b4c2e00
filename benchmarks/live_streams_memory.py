"""The memory a live event stream costs the server that holds it.

Starts `veche serve` (one process, on SQLite with the demo, in a temporary folder), logs
in once as the demo's secretary, and opens event streams to the demo's meeting in steps,
each read up to its first message so that it is open. It prints the server's resident
memory (VmRSS) after each step and what each stream added to it. The streams are held by
bare sockets in this process, so the client's own memory is not counted.

    .venv/bin/python -m benchmarks.live_streams_memory [--streams 1000,5000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx2

from benchmarks._logins import LoginRefused, refused, sent_to_log_in, stop
from benchmarks._machine import load, machine
from benchmarks.vote_spike import server
from veche.demo import DEMO_SECRETARY

#: Streams opened before the first reading: the first ones pay for what every later one
#: shares (the route, the templates of the error pages, the interpreter's caches).
WARM_UP = 100
MEETING = 1
#: The seconds a stream may take to send its first message: far more than it needs.
FIRST_MESSAGE_SECONDS = 60.0


def _resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def _server_pid(port: int) -> int:
    """The process listening on ``port`` (the server's own, not its process group's leader)."""
    found = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True)
    match = re.search(r"pid=(\d+)", found.stdout)
    if match is None:
        raise RuntimeError(f"no process listens on port {port}: {found.stdout!r}")
    return int(match.group(1))


def _login_cookie(base: str) -> str:
    with httpx2.Client(base_url=base) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if token is None:
            raise LoginRefused("the login page carries no CSRF token to log in with")
        username, password = DEMO_SECRETARY
        answer = client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
        )
        # A login lands on a page of the site; refused, the form comes back (401).
        where = answer.headers.get("location", "")
        if answer.status_code != 303 or sent_to_log_in(303, where):
            raise refused("the demo secretary's login (POST /login)", answer.status_code, where)
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def _open_streams(
    host: str, port: int, cookie: str, count: int
) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    request = (
        f"GET /meetings/{MEETING}/events HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    ).encode()

    async def one() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        # Any other answer is kept alive with no event to come: read its head alone.
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), FIRST_MESSAGE_SECONDS)
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            writer.close()
            location = re.search(rb"(?im)^location: *([^\r]*)", head)
            where = location.group(1).decode("latin-1") if location else ""
            what = f"the event stream of meeting {MEETING}"
            if sent_to_log_in(status, where):
                raise refused(what, status, where)
            raise RuntimeError(f"{what} answered {status}: {head[:300]!r}")
        await asyncio.wait_for(reader.readuntil(b"event: resync"), FIRST_MESSAGE_SECONDS)
        return reader, writer

    opened = []
    for start in range(0, count, 200):  # a few hundred at a time, as a hall would
        opened += await asyncio.gather(*(one() for _ in range(min(200, count - start))))
    return opened


async def _measure(base: str, steps: list[int]) -> list[tuple[int, int, float]]:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    pid = _server_pid(port)
    cookie = _login_cookie(base)
    held = await _open_streams(host, port, cookie, WARM_UP)
    await asyncio.sleep(1)
    before = _resident_kb(pid)
    rows = []
    for total in steps:
        held += await _open_streams(host, port, cookie, total - (len(held) - WARM_UP))
        await asyncio.sleep(1)
        now = _resident_kb(pid)
        rows.append((total, now, (now - before) / total))
    for _, writer in held:
        writer.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="1000,5000", help="totals to measure at, rising")
    args = parser.parse_args()
    steps = sorted(int(part) for part in args.streams.split(","))
    os.environ["VECHE_LIVE_STREAMS_PER_PROCESS"] = str(steps[-1] + WARM_UP)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'veche.sqlite3'}"
        for command in ("migrate", "demo"):
            subprocess.run([sys.executable, "-m", "veche", command, "--db", url], check=True)
        try:
            with server(url) as base:
                rows = asyncio.run(_measure(base, steps))
        except LoginRefused as failure:
            stop("live_streams_memory", failure)
    print(f"Machine: {machine()}; load {load()}")
    print()
    print("| open streams | server's resident memory | per stream |")
    print("| ---: | ---: | ---: |")
    for total, resident_kb, per_stream_kb in rows:
        print(f"| {total:,} | {resident_kb / 1024:.0f} MB | {per_stream_kb:.1f} kB |")


if __name__ == "__main__":
    main()
