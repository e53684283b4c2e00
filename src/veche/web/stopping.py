"""A server asked to stop ends its live event streams at once.

uvicorn, told to stop (SIGINT, SIGTERM), closes its sockets and waits for the requests under
way before it runs the application's shutdown. A live event stream never ends by itself, so
it waited out the whole grace period (``veche.cli.STOP_WAIT_SECONDS``) and then cancelled every
stream, logging an error with a traceback for each: thousands of them at a congress, at
every restart. So the signal that stops the server also ends the streams, as the
application's own shutdown would; each browser reconnects by itself (to another process, or
to this one restarted) and is sent what it missed, or a resync.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

#: The signals uvicorn stops on.
STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def end_streams_when_stopping(end_streams: Callable[[], None]) -> Callable[[], None]:
    """Chain ``end_streams`` (run in the event loop, soon after) before the server's own
    handler of each stopping signal; returns what puts the server's handlers back.

    Only the main thread may set signal handlers: an application served in another thread
    (a test's client) is left as it is."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    before: dict[int, Any] = {}

    def stopping(number: int, frame: FrameType | None) -> None:
        # A signal handler may interrupt the loop's thread anywhere, even inside the
        # broker's lock: the streams are ended from the loop, not from here.
        loop.call_soon_threadsafe(end_streams)
        handler = before.get(number)
        if callable(handler):
            handler(number, frame)
        elif handler == signal.SIG_DFL:  # not under a server: stop as the signal would
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)

    for number in STOPPING_SIGNALS:
        before[number] = signal.signal(number, stopping)

    def restore() -> None:
        for number, handler in before.items():
            signal.signal(number, handler)

    return restore
