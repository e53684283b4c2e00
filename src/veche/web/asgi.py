"""What veche's plain ASGI layers share: they answer HTTP requests and pass anything else
(the lifespan, a websocket) to the application untouched, and they read a request's path
as the application routes it, without the prefix it is served under."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


def app_path(scope: Scope) -> str:
    """The request's path below the one the application is served under (``root_path``)."""
    path: str = scope["path"]
    return path.removeprefix(scope.get("root_path", ""))


class HttpMiddleware:
    """A plain ASGI middleware (so that streamed answers pass untouched) that sees HTTP
    requests only: a subclass answers them in ``handle``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
