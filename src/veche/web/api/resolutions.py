"""The resolutions registry through the API: every adopted resolution, searchable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from veche.errors import NotFound
from veche.queries.resolutions import RegistryEntry, RegistryFilter, search_resolutions
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id, PageLimit, PageOffset
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["resolutions"], responses=REFUSALS)


class RegistryOut(BaseModel):
    total: int
    resolutions: list[RegistryEntry]  # the query's own dataclass: pydantic reads it as is


@router.get("/resolutions")
def registry(
    caller: CallerDep,
    session: SessionDep,
    body_id: Id | None = None,
    term_id: Id | None = None,
    meeting_id: Id | None = None,
    q: Annotated[str, Query(max_length=200, description="words in the title or text")] = "",
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> RegistryOut:
    """Adopted resolutions of every meeting, newest first; filter by body, term, meeting, words."""
    wanted = RegistryFilter(caller.organization_id, body_id, term_id, meeting_id, q)
    total, entries = search_resolutions(session, wanted, limit=limit, offset=offset)
    return RegistryOut(total=total, resolutions=entries)


@router.get("/resolutions/{resolution_id}")
def get_resolution(resolution_id: Id, caller: CallerDep, session: SessionDep) -> RegistryEntry:
    wanted = RegistryFilter(caller.organization_id)
    _, entries = search_resolutions(session, wanted, resolution_id=resolution_id, limit=1)
    if not entries:
        raise NotFound(f"there is no resolution {resolution_id}")
    return entries[0]
