"""How large a request's body may be: 413 before reading past the limit, on every route.

Every route reads its whole body before it learns who is asking (FastAPI parses the body
first, then solves the dependencies that check the caller), and parsed JSON takes many
times its size in memory. So a body is small unless its route needs more: most take a
title, a few ids or a login (``BODY_BYTES``); the routes listed in ``TEXT_PATHS`` take
long texts or long lists of people; a few take files or bulk entries (``BULK_PATHS``).
A declared ``Content-Length`` past the limit is refused before any of the body is read;
a body without one (chunked) is counted as it arrives and refused once it passes.

The ballot box answers ballots ahead of this middleware, with its own limit
(``veche.web.api.ballots.MOST_BYTES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from veche.errors import TooLarge
from veche.web.asgi import HttpMiddleware, app_path
from veche.web.pages._render import on_veche_error

KB = 1024
MB = 1024 * KB
#: A login, a command, a short form: the default.
BODY_BYTES = 64 * KB
#: A long text: up to 500,000 characters, and a character may take six bytes (``%D0%B0``
#: in a form, ``\u0430`` in JSON); or a list of up to 10,000 people.
TEXT_BYTES = 4 * MB
#: A file (the member list, a paper) or a bulk entry of paper ballots.
BULK_BYTES = 10 * MB

#: Routes that take more than ``BODY_BYTES``, as their routers declare them. A test checks
#: that each is a route and that every route's declared maxima fit its limit.
TEXT_PATHS = (
    "/api/meetings",
    "/api/meetings/{meeting_id}",
    "/api/meetings/{meeting_id}/access-codes",
    "/api/meetings/{meeting_id}/agenda",
    "/api/meetings/{meeting_id}/attendance",
    "/api/meetings/{meeting_id}/documents",
    "/api/meetings/{meeting_id}/motions",
    "/api/meetings/{meeting_id}/observers",
    "/api/meetings/{meeting_id}/panels",
    "/api/meetings/{meeting_id}/polls",
    "/api/agenda-items/{item_id}",
    "/api/agenda-items/{item_id}/contributions",
    "/api/agenda-items/{item_id}/speakers/order",
    "/api/motions/{motion_id}/amendments",
    "/api/motions/{motion_id}/final",
    "/api/amendments/{amendment_id}/decision",
    "/api/panels/{panel_id}/members",
    "/api/panels/{panel_id}/recommendations",
    "/api/goals",
    "/api/goals/{goal_id}",
    "/api/goals/{goal_id}/status",
    "/api/indicators/{indicator_id}/weights",
    "/api/reports/{report_id}/decision",
    "/meetings/{meeting_id}/console/polls",
    "/meetings/{meeting_id}/console/floor/order",
    "/meetings/{meeting_id}/polls/{poll_id}/ballot",
    "/meetings/{meeting_id}/motions",
    "/meetings/{meeting_id}/motions/{motion_id}/amendments",
    "/meetings/{meeting_id}/motions/{motion_id}/amendments/preview",
    "/meetings/{meeting_id}/motions/{motion_id}/amendments/{amendment_id}/decision",
    "/meetings/{meeting_id}/motions/{motion_id}/final",
    "/meetings/{meeting_id}/motions/{motion_id}/vote",
    "/meetings/{meeting_id}/panels/{panel_id}/recommendations",
    "/secretary/meetings",
    "/secretary/meetings/{meeting_id}/access-codes",
    "/secretary/meetings/{meeting_id}/stage",
    "/secretary/meetings/{meeting_id}/attendance",
    "/secretary/meetings/{meeting_id}/agenda/items",
    "/secretary/meetings/{meeting_id}/agenda/items/{item_id}",
    "/secretary/meetings/{meeting_id}/presidium",
    "/secretary/meetings/{meeting_id}/panels",
    "/secretary/meetings/{meeting_id}/panels/{panel_id}/members",
    "/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots",
    "/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots/lot",
    "/secretary/follow-up/reports/{report_id}/decision",
    "/secretary/follow-up/resolutions/{resolution_id}/goals",
    "/secretary/follow-up/goals/{goal_id}",
    "/secretary/follow-up/goals/{goal_id}/status",
    "/secretary/follow-up/indicators/{indicator_id}/weights",
    "/secretary/meetings/{meeting_id}/convocation",
)
BULK_PATHS = (
    "/secretary/import",
    "/api/imports/members",
    "/api/imports/follow-up",
    "/meetings/{meeting_id}/documents",
    "/secretary/meetings/{meeting_id}/agenda/items/{item_id}/documents",
    "/api/polls/{poll_id}/paper",
    "/api/polls/{poll_id}/paper/corrections",
    "/api/periods/{period_id}/units/{unit_id}/report",
    "/api/periods/{period_id}/units/{unit_id}/report/evidence",
    "/reporting/periods/{period_id}/units/{unit_id}",
    "/reporting/periods/{period_id}/units/{unit_id}/evidence",
)


def _pattern(paths: Iterable[str]) -> re.Pattern[str]:
    """One expression matching any of the route paths; ``{name}`` is one path segment."""
    return re.compile(
        "|".join(
            "".join(re.escape(part) if i % 2 == 0 else "[^/]+" for i, part in enumerate(parts))
            for parts in (re.split(r"\{([^}]*)\}", path) for path in paths)
        )
    )


_TEXT = _pattern(TEXT_PATHS)
_BULK = _pattern(BULK_PATHS)


def most_bytes(path: str) -> int:
    """The largest body a request to ``path`` may carry."""
    if _BULK.fullmatch(path):
        return BULK_BYTES
    if _TEXT.fullmatch(path):
        return TEXT_BYTES
    return BODY_BYTES


def size_text(size: int) -> str:
    return f"{size // MB} MB" if size % MB == 0 else f"{size // KB} kB"


class _BodyTooLarge(Exception):
    """Raised into the application when a body without a length passes its limit."""


class BodyLimit(HttpMiddleware):
    """In front of every route but the ballot box."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = most_bytes(app_path(scope))
        declared = _content_length(scope)
        if declared is not None:
            if declared > limit:
                await _refuse(scope, receive, send, limit)
            else:
                # The server hands the application no more than the declared length.
                await self.app(scope, receive, send)
            return
        await self._counting(scope, receive, send, limit)

    async def _counting(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        refused = started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused and not started:
                return  # the application's answer to the broken read (FastAPI's 400)
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if started:
                raise
        if refused and not started:
            await _refuse(scope, receive, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses such a request before it gets here
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """413, as a page or as the API's JSON, like any other refusal."""
    error = TooLarge(
        f"the request is larger than {size_text(limit)}, the most this address accepts: "
        "send a shorter text or a smaller file"
    )
    answer = await on_veche_error(Request(scope, receive), error)
    await answer(scope, receive, send)
