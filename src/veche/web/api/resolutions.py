"""The resolutions registry through the API: every adopted resolution, searchable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.errors import NotFound
from veche.queries.resolutions import RegistryEntry, RegistryFilter, search_resolutions
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id, Page, PageLimit
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["resolutions"], responses=REFUSALS)


class RegistryOut(BaseModel):
    total: int
    resolutions: list[RegistryEntry]  # the query's own dataclass: pydantic reads it as is


class RegistryQuery(BaseModel):
    """Which resolutions ``GET /api/resolutions`` lists: each field left out matches every one."""

    body_id: Id | None = None
    term_id: Id | None = None
    meeting_id: Id | None = None
    q: str = Field(default="", max_length=200, description="words in the title or text")

    def find(self, session: Session, caller: Caller, page: Page) -> tuple[int, list[RegistryEntry]]:
        """(how many match, the page of them asked for)"""
        wanted = RegistryFilter(
            caller.organization_id, self.body_id, self.term_id, self.meeting_id, self.q
        )
        return search_resolutions(session, wanted, limit=page.limit, offset=page.offset)


class RegistryPage(Page):
    """A page of the registry: 50 resolutions unless asked otherwise."""

    limit: PageLimit = 50


@router.get("/resolutions")
def registry(
    caller: CallerDep,
    session: SessionDep,
    asked: Annotated[RegistryQuery, Query()],
    page: Annotated[RegistryPage, Query()],
) -> RegistryOut:
    """Adopted resolutions of every meeting, newest first; filter by body, term, meeting, words."""
    total, entries = asked.find(session, caller, page)
    return RegistryOut(total=total, resolutions=entries)


@router.get("/resolutions/{resolution_id}")
def get_resolution(resolution_id: Id, caller: CallerDep, session: SessionDep) -> RegistryEntry:
    wanted = RegistryFilter(caller.organization_id)
    _, entries = search_resolutions(session, wanted, resolution_id=resolution_id, limit=1)
    if not entries:
        raise NotFound(f"there is no resolution {resolution_id}")
    return entries[0]
