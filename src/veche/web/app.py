"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

import veche
from veche.actions.closing import SEALED_TABLES
from veche.actions.intake import BallotIntake
from veche.config import Settings
from veche.db import make_engine, make_reader, make_sessionmaker
from veche.errors import VecheError
from veche.scrubbing import finish_scrubbing, scrub
from veche.web import fragment_cache
from veche.web.api import ballots
from veche.web.api.routers import API_ROUTERS
from veche.web.body_limit import BodyLimit
from veche.web.csrf import require_csrf
from veche.web.errors import DATABASE_ERRORS
from veche.web.head import HeadAsGet
from veche.web.headers import SecurityHeaders
from veche.web.live import SERVING_COLLECTOR_THRESHOLDS, Broker, start_delivery
from veche.web.live_access import StreamAccess
from veche.web.pages import ROUTERS
from veche.web.pages._render import (
    on_database_error,
    on_http_error,
    on_validation_error,
    on_veche_error,
)
from veche.web.readable_bodies import ReadableBodies
from veche.web.sessions import load_site_key
from veche.web.site_name import keep_site_name_fresh, read_site_name
from veche.web.stopping import end_streams_when_stopping


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Live events flow while the app serves; open streams end so that it can stop. What
    counted secret polls left in the database's files is cleared at the start and the stop,
    in case a reader kept it there before (``veche.scrubbing.scrub``)."""
    scrub(app.state.engine, SEALED_TABLES)
    app.state.site_key = load_site_key(app.state.sessions)
    app.state.site_name = read_site_name(app.state.read_sessions)
    naming = asyncio.create_task(keep_site_name_fresh(app.state))
    delivery = start_delivery(app.state.engine, app.state.broker)
    app.state.delivery = delivery
    access = StreamAccess(app.state.broker, app.state.read_sessions)
    app.state.stream_access = access
    stop_hearing = app.state.broker.on_event(access.heard)
    checking = asyncio.create_task(access.keep())
    # What exists now (modules, routes, templates, the catalogue) lives as long as the
    # server. Frozen, the collector's full passes skip it: otherwise they walk it all now
    # and then and hold up an answer by 100 ms or more (seen on the 5,000-participant list).
    gc.freeze()
    collector = gc.get_threshold()
    gc.set_threshold(*SERVING_COLLECTOR_THRESHOLDS)  # thousands of live streams: see there
    restore_signals = end_streams_when_stopping(app.state.broker.end_all)
    try:
        yield
    finally:
        naming.cancel()
        checking.cancel()
        stop_hearing()
        restore_signals()
        gc.set_threshold(*collector)
        gc.unfreeze()
        app.state.intake.close()
        app.state.broker.end_all()
        delivery.stop()
        if app.state.reader is not app.state.engine:
            app.state.reader.dispose()
        finish_scrubbing(app.state.engine)
        if app.state.owns_engine:
            app.state.engine.dispose()


def create_app(engine: Engine) -> FastAPI:
    """An application serving the database behind ``engine``."""
    app = FastAPI(
        title="veche",
        version=veche.__version__,
        summary="Meetings, votes and elections of a deliberative body.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=_lifespan,
        # veche sets up no OpenTelemetry; without this FastAPI would still ask the global
        # providers whether to trace, on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.engine = engine
    app.state.owns_engine = False  # the caller made the engine and disposes of it
    app.state.sessions = make_sessionmaker(engine)
    app.state.reader = make_reader(engine)
    app.state.read_sessions = make_sessionmaker(app.state.reader)
    app.state.intake = BallotIntake(app.state.sessions)
    app.state.broker = Broker(Settings().live_streams_per_process)
    # Pages answer errors with a page, the API with JSON: these handlers tell them apart.
    app.add_exception_handler(VecheError, on_veche_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)  # a form's address by GET
    for database_error in DATABASE_ERRORS:
        app.add_exception_handler(database_error, on_database_error)
    for api_router in API_ROUTERS:
        app.include_router(api_router, prefix="/api")
    # Every page is left out of the API's schema, and every form it takes is checked for
    # this browser's CSRF token: here, so that no page router can forget it.
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False, dependencies=[Depends(require_csrf)])
    # Behind the size limit, which it reads no further than.
    app.add_middleware(ReadableBodies)
    # Inside the headers, so that its 413 carries them; behind the ballot box, which keeps
    # its own limit.
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    fragment_cache.install(app)  # ahead of the routes, as the ballot box: see its module
    ballots.install(app)  # so that ballots are answered first: see veche.web.api.ballots
    app.add_middleware(HeadAsGet)  # last, so that every layer behind it sees a HEAD as a GET
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app


def app_from_settings() -> FastAPI:
    """An application on the database the settings name (``VECHE_DATABASE_URL``), with an
    engine of its own: what each process of ``veche serve --workers N`` builds."""
    app = create_app(make_engine(Settings().database_url))
    app.state.owns_engine = True
    return app
