"""A lean HTTP/1.1 load generator for the benchmarks: many kept-alive connections, each
sending its share of prepared requests one after another and timing each answer.

Why not an HTTP client library: on this 2-core machine the load generator shares the cores
with the server it measures, so whatever it spends per request is taken from the server.
aiohttp took about 300 µs of CPU per request here, about as much as veche's server spends on
a ballot. This sends bytes prepared beforehand and lets httptools (the C parser uvicorn
uses) read the answers, for a small fraction of that.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import httptools


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when the connection failed before an answer came
    seconds: float


def request(
    method: str,
    host: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """One HTTP/1.1 request as it goes on the wire (the connection is kept alive)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


#: What one request's answer is read as, by a subclass of ``Connection``.
AnswerT = TypeVar("AnswerT")


class Connection(asyncio.Protocol, Generic[AnswerT]):
    """One kept-alive connection with at most one request in flight, its answers read by
    httptools. The parser calls the ``on_…`` methods a subclass defines; the subclass hands
    the answer over with ``_answered`` once its message is complete."""

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._answer: asyncio.Future[AnswerT] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def _answered(self, answer: AnswerT) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(ConnectionError("the server closed the connection"))

    @property
    def open(self) -> bool:
        return self._transport is not None and not self._transport.is_closing()

    def write(self, wire: bytes) -> None:
        """Send ``wire`` without waiting for an answer (an endless stream has none)."""
        assert self._transport is not None
        self._transport.write(wire)

    async def send(self, wire: bytes) -> AnswerT:
        """Send ``wire`` and wait for its answer."""
        self._answer = asyncio.get_running_loop().create_future()
        self.write(wire)
        return await self._answer

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class _StatusConnection(Connection[int]):
    """A connection whose answers are their status codes alone."""

    def on_message_complete(self) -> None:  # called by the parser
        self._answered(self._parser.get_status_code())


async def send_all(
    host: str, port: int, requests: Sequence[bytes], connections: int
) -> tuple[list[Answer], float]:
    """Send every request, ``connections`` at a time; each one's answer, and the seconds the
    whole took. A connection that fails is opened again for its next request."""
    loop = asyncio.get_running_loop()
    queue: Iterator[bytes] = iter(requests)
    answers: list[Answer] = []

    async def connect() -> _StatusConnection:
        _, connection = await loop.create_connection(_StatusConnection, host, port)
        return connection

    async def worker() -> None:
        connection = await connect()
        for wire in queue:  # shared: each request is taken by one worker
            if not connection.open:
                connection = await connect()
            started = time.perf_counter()
            try:
                status = await connection.send(wire)
            except ConnectionError:
                status = 0
            answers.append(Answer(status, time.perf_counter() - started))
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(connections, len(requests)))))
    return answers, time.perf_counter() - started
