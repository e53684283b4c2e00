"""A meeting served over real HTTP to the secretary's browser, for the tests of its event
stream: the streams opened on it are read to their end once the server stops."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
from sqlalchemy import Engine

from tests.apps import create_app
from tests.assembly import Assembly
from tests.web.live_server import EventReader, served_to_the_secretary


class ServedMeeting:
    """The secretary's browser, and the meeting's event streams opened so far."""

    def __init__(self, assembly: Assembly, browser: httpx2.Client) -> None:
        self.browser = browser
        self.events = f"/meetings/{assembly.meeting_id}/events"
        self.streams: list[EventReader] = []

    def stream(
        self,
        query: str = "",
        last_event_id: str | None = None,
        client: httpx2.Client | None = None,
    ) -> EventReader:
        """The meeting's event stream with ``query`` (``"?push=room,floor"``), opened by the
        secretary's browser unless another ``client`` is named."""
        reader = EventReader(client or self.browser, self.events + query, last_event_id)
        self.streams.append(reader)
        return reader


@contextmanager
def served_meeting(assembly: Assembly, engine: Engine) -> Iterator[ServedMeeting]:
    """Serve the meeting for the block with its first member checked in — a change, so that a
    stream's first resync names an event a reconnection can send back — and wait for every
    stream opened to end once the server has stopped."""
    with served_to_the_secretary(create_app(engine)) as browser:
        assembly.check_in(assembly.members[:1])
        served = ServedMeeting(assembly, browser)
        yield served
    for stream in served.streams:
        stream.join()
