"""The organization's structure through the API: bodies with their sub-bodies at any depth
and their terms, and the tree of units. Anyone of the organization reads them (its bodies
and terms are public in ``GET /api/organization`` already); those who manage the
organization change them (bodies and terms are made in ``org``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from veche.actions.access import caller_organization
from veche.errors import NotFound
from veche.queries.records import BodyNode, UnitNode, body_tree, unit_tree
from veche.web.api.org import BodyRecordOut, TermRecordOut
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_org import BodyUpdate, TermUpdate, UnitIn, UnitUpdate

router = APIRouter(tags=["organization"], responses=REFUSALS)


@router.get("/bodies")
def list_bodies(
    caller: CallerDep,
    session: SessionDep,
    under: Annotated[
        Id | None, Query(description="only this body and the bodies below it, at any depth")
    ] = None,
) -> list[BodyNode]:
    """Every body as a tree, depth first: each followed by its sub-bodies (siblings by name),
    with its `depth` (0 at the top), `parent_id`, `sub_body_ids` and terms."""
    found = body_tree(session, caller_organization(session, caller), under=under)
    if under is not None and not found:
        raise NotFound(f"there is no body {under}")
    return found


@router.get("/bodies/{body_id}")
def get_body(body_id: Id, caller: CallerDep, session: SessionDep) -> BodyNode:
    """One body with its rules, its place in the tree and its terms."""
    found = body_tree(session, caller_organization(session, caller), under=body_id)
    if not found:
        raise NotFound(f"there is no body {body_id}")
    return found[0]


@router.patch("/bodies/{body_id}")
def update_body(
    body_id: Id, body: BodyUpdate, caller: CallerDep, session: Transaction
) -> BodyRecordOut:
    """Rename a body, change its rules, or move it under another body (or to the top)."""
    return BodyRecordOut.model_validate(body.apply(session, caller, body_id))


@router.patch("/terms/{term_id}")
def update_term(
    term_id: Id, body: TermUpdate, caller: CallerDep, session: Transaction
) -> TermRecordOut:
    """Renumber a term or change its dates; its meetings must still fall within them."""
    return TermRecordOut.model_validate(body.apply(session, caller, term_id))


class UnitOut(FromAttributes):
    id: int
    name: str
    kind: str
    parent_id: int | None


@router.get("/units")
def list_units(caller: CallerDep, session: SessionDep) -> list[UnitNode]:
    """The organization's units (regions, branches …) as a tree, depth first, siblings by
    name, each with its `depth` (0 at the top) and `parent_id`."""
    return unit_tree(session, caller_organization(session, caller))


@router.post("/units", status_code=201)
def create_unit(body: UnitIn, caller: CallerDep, session: Transaction) -> UnitOut:
    """Add a unit, at the top or under another."""
    return UnitOut.model_validate(body.create(session, caller))


@router.patch("/units/{unit_id}")
def update_unit(unit_id: Id, body: UnitUpdate, caller: CallerDep, session: Transaction) -> UnitOut:
    """Rename a unit, change its kind, or move it under another unit (or to the top)."""
    return UnitOut.model_validate(body.apply(session, caller, unit_id))
