"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import veche
from veche.db import make_sessionmaker
from veche.web import pages
from veche.web.api import auth, health, meetings, org, polls
from veche.web.errors import install_error_handlers


def create_app(engine: Engine) -> FastAPI:
    """An application serving the database behind ``engine``."""
    app = FastAPI(
        title="veche",
        version=veche.__version__,
        summary="Meetings, votes and elections of a deliberative body.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    install_error_handlers(app)
    app.include_router(health.router, prefix="/api")
    app.include_router(org.router, prefix="/api")
    app.include_router(auth.router, prefix="/api")
    app.include_router(meetings.router, prefix="/api")
    app.include_router(polls.router, prefix="/api")
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
