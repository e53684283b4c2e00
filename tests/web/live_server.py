"""A real HTTP server for a test: uvicorn in a thread on a free local port, stopped after."""

from __future__ import annotations

import queue
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import uvicorn
from fastapi import FastAPI


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` at http://127.0.0.1:<port> for the duration of the block."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        # Open event streams would hold the server up until its graceful timeout.
        broker = getattr(app.state, "broker", None)
        if broker is not None:
            broker.end_all()
        server.should_exit = True
        thread.join(15)
        listener.close()


def log_in(client: httpx2.Client, username: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.text


class EventReader:
    """Reads a meeting's SSE stream in a thread; events land in a queue as (type, data)."""

    def __init__(self, client: httpx2.Client, path: str) -> None:
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        self._client = client
        self._path = path
        self.status = 0
        self.content_type = ""
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.opened.wait(10), "the event stream did not open"

    def _read(self) -> None:
        kind = "message"
        try:
            with self._client.stream("GET", self._path, timeout=httpx2.Timeout(30.0)) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self.opened.set()
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        self.events.put((kind, line.removeprefix("data: ")))
        except httpx2.HTTPError:
            pass  # the server went away: the test is over
        finally:
            self.opened.set()

    def next(self, wanted: str, timeout: float = 10.0) -> Any:
        """The data of the next event of type ``wanted`` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {wanted} event within {timeout} s")
            try:
                kind, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if kind == wanted:
                return data

    def join(self) -> None:
        """Wait for the stream to end (it ends when the server stops)."""
        self._thread.join(10)
        assert not self._thread.is_alive()
