"""The resolutions registry through the API: every adopted resolution, searchable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from veche.actions.access import caller_organization
from veche.errors import NotFound
from veche.queries.resolutions import RegistryEntry, RegistryFilter, search_resolutions
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id, Page, PageLimit
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["resolutions"], responses=REFUSALS)


class RegistryOut(BaseModel):
    total: int
    resolutions: list[RegistryEntry]  # the query's own dataclass: pydantic reads it as is


class RegistryPage(Page):
    """A page of the registry: 50 resolutions unless asked otherwise."""

    limit: PageLimit = 50


@router.get("/resolutions")
def registry(
    caller: CallerDep,
    session: SessionDep,
    wanted: Annotated[RegistryFilter, Query()],
    page: Annotated[RegistryPage, Query()],
) -> RegistryOut:
    """Adopted resolutions of every meeting, newest first; filter by body, term, meeting, words."""
    total, entries = search_resolutions(
        session,
        caller_organization(session, caller).id,
        wanted,
        limit=page.limit,
        offset=page.offset,
    )
    return RegistryOut(total=total, resolutions=entries)


@router.get("/resolutions/{resolution_id}")
def get_resolution(resolution_id: Id, caller: CallerDep, session: SessionDep) -> RegistryEntry:
    _, entries = search_resolutions(
        session, caller_organization(session, caller).id, resolution_id=resolution_id, limit=1
    )
    if not entries:
        raise NotFound(f"there is no resolution {resolution_id}")
    return entries[0]
