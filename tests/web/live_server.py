"""A real HTTP server for a test: uvicorn in a thread on a free local port, stopped after."""

from __future__ import annotations

import queue
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import uvicorn
from fastapi import FastAPI

from veche.demo import DEMO_SECRETARY


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


@contextmanager
def served_to_the_secretary(app: FastAPI) -> Iterator[httpx2.Client]:
    """Serve ``app`` for the duration of the block, to a client logged in as the demo's
    secretary."""
    with serve(app) as url, httpx2.Client(base_url=url) as browser:
        log_in(browser, *DEMO_SECRETARY)
        yield browser


def log_in(client: httpx2.Client, username: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.text


#: A message of an event stream: its id ("" for none), its event's name and its data.
SseMessage = tuple[str, str, str]


class EventReader:
    """A meeting's event stream read in a thread as an EventSource reads it: each message's
    id, event name and data (its data lines joined); messages without an event name (the
    stream's ``retry``) are left out. Ends when the server stops or drops the stream."""

    def __init__(self, client: httpx2.Client, path: str, last_event_id: str | None = None) -> None:
        self.messages: queue.Queue[SseMessage] = queue.Queue()
        self.status = 0
        self.content_type = ""
        self._opened = threading.Event()
        headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
        self._thread = threading.Thread(
            target=self._read, args=(client, path, headers), daemon=True
        )
        self._thread.start()
        assert self._opened.wait(10), "the event stream did not open"

    def _read(self, client: httpx2.Client, path: str, headers: dict[str, str]) -> None:
        event_id, event, data = "", "", list[str]()
        try:
            with client.stream("GET", path, headers=headers, timeout=30.0) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self._opened.set()
                for line in response.iter_lines():
                    if not line:
                        if event:
                            self.messages.put((event_id, event, "\n".join(data)))
                        event_id, event, data = "", "", []
                    elif not line.startswith(":"):
                        name, _, value = line.partition(": ")
                        if name == "data":
                            data.append(value)
                        elif name == "event":
                            event = value
                        elif name == "id":
                            event_id = value
        except httpx2.HTTPError:
            pass  # the server went away: the test is over
        finally:
            self._opened.set()

    def _get(self, deadline: float, waiting_for: str, taken: list[SseMessage]) -> SseMessage:
        try:
            return self.messages.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise AssertionError(f"no {waiting_for} in time; got {taken}") from None

    def next(self, wanted: str, timeout: float = 10.0) -> str:
        """The data of the next event named ``wanted`` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            _, event, data = self._get(deadline, wanted, [])
            if event == wanted:
                return data

    def take(self, count: int, timeout: float = 10.0) -> list[SseMessage]:
        """The next ``count`` messages, heartbeats left out."""
        taken: list[SseMessage] = []
        deadline = time.monotonic() + timeout
        while len(taken) < count:
            message = self._get(deadline, f"message {len(taken) + 1} of {count}", taken)
            if message[1] != "heartbeat":
                taken.append(message)
        return taken

    def until(self, event: str, timeout: float = 10.0) -> list[SseMessage]:
        """The messages up to the first ``event`` (heartbeats left out), that one last."""
        taken: list[SseMessage] = []
        deadline = time.monotonic() + timeout
        while not taken or taken[-1][1] != event:
            message = self._get(deadline, event, taken)
            if message[1] != "heartbeat":
                taken.append(message)
        return taken

    def join(self) -> None:
        """Wait for the stream to end (it ends when the server stops)."""
        self._thread.join(10)
        assert not self._thread.is_alive()
