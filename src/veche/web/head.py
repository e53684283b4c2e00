"""HEAD wherever GET is answered: the GET's status and headers, without its body.

FastAPI's routes answer the methods they declare, and none declares HEAD, so a monitor or a
link checker asking ``HEAD /api/health`` was told 405. Here, once for the whole app, a HEAD
request is routed as a GET and its answer's body left out; a route without GET still
answers 405. The answer's ``Content-Length`` is the GET's, as HTTP asks of HEAD.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from veche.web.asgi import HttpMiddleware


class HeadAsGet(HttpMiddleware):
    """The outermost layer, so that every layer and route behind it sees a GET."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        started = False

        async def headers_only(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                await send(message)
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def gone_once_answered() -> Message:
            # A stream (the live events) ends as when its client goes: nobody reads it.
            if started:
                return {"type": "http.disconnect"}
            return await receive()

        await self.app({**scope, "method": "GET"}, gone_once_answered, headers_only)
