"""The application for a test: what ``veche.web.app.create_app`` makes, with the routes FastAPI
has already built for an earlier application of the test process.

FastAPI (since 0.137) builds the routes of each router an application includes, for that
application, the first time a request searches through the router: every route's
dependencies, parameter fields and response model. For veche's 160 routes that takes about a
second. A server pays it once, when it starts; the tests make an application per test, and
paid it again in every test of the API and the pages: it was most of their setup time.

What FastAPI builds depends on the routers, which are the same module-level objects in every
application, and on the application only through its ``dependency_overrides``, which veche
does not use (a test that wanted them would have to use ``veche.web.app.create_app``
itself). So one application of the process, made once and never started, keeps the routers
it has built, and every application made here takes them in place of its own. Everything
else is the application's own, as ``create_app`` made it: its engine, ballot intake, live
events, middleware and lifespan.
"""

from __future__ import annotations

import functools

from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from sqlalchemy import Engine

from veche.db import make_engine
from veche.web import app as web_app


def create_app(engine: Engine) -> FastAPI:
    """An application serving the database behind ``engine``; its routers already built."""
    app = web_app.create_app(engine)
    shared = _shared_routers()
    own = [i for i, route in enumerate(app.router.routes) if isinstance(route, _IncludedRouter)]
    assert len(own) == len(shared), "create_app includes other routers than it did before"
    for index, router in zip(own, shared, strict=True):
        route = app.router.routes[index]
        assert isinstance(route, _IncludedRouter)
        # The same router, under the same prefix: only what FastAPI built for it is shared.
        assert route.original_router is router.original_router
        assert route.include_context.prefix == router.include_context.prefix
        app.router.routes[index] = router
    return app


@functools.cache
def _shared_routers() -> list[_IncludedRouter]:
    """The included routers of an application that is never started (its engine, on an
    in-memory database, never connects). FastAPI builds each of them once, lazily, under a
    lock of its own, whichever application's request reaches it first."""
    keeper = web_app.create_app(make_engine("sqlite://"))
    return [route for route in keeper.router.routes if isinstance(route, _IncludedRouter)]
