"""Health and identity of the running server."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

import veche
from veche.web.deps import SessionDep

router = APIRouter(tags=["server"])


class Health(BaseModel):
    status: str
    version: str
    database: str


@router.get("/health")
def health(session: SessionDep) -> Health:
    """Answers when the server runs and its database responds."""
    session.execute(text("SELECT 1"))
    backend = session.get_bind().dialect.name
    return Health(status="ok", version=veche.__version__, database=backend)
