"""Permissions, roles and grants through the API: who may do what is data an administrator edits."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from veche.actions.roles import (
    GrantInfo,
    RoleInfo,
    do_define_role,
    do_revoke_grant,
    list_grants,
    list_roles,
)
from veche.permissions import Permission, Scope
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_accounts import GrantIn

router = APIRouter(tags=["roles"], responses=REFUSALS)


class PermissionOut(BaseModel):
    name: Permission
    description: str
    scope: Scope = Field(description="where it is asked; a grant in an enclosing scope holds too")


class RoleIn(BaseModel):
    label: str = Field(default="", max_length=200)
    permissions: list[Permission] = Field(max_length=len(Permission))


@router.get("/permissions")
def permissions(caller: CallerDep) -> list[PermissionOut]:
    """Every permission an action can ask for, with the scope it is asked in."""
    return [PermissionOut(name=p, description=p.description, scope=p.scope) for p in Permission]


@router.get("/roles")
def roles(caller: CallerDep, session: SessionDep) -> list[RoleInfo]:
    """Every role and the permissions it grants."""
    return list_roles(session)


@router.put("/roles/{name}")
def define_role(name: str, body: RoleIn, caller: CallerDep, session: Transaction) -> RoleInfo:
    """Create a role, or change what one grants (its holders gain or lose that at once)."""
    return do_define_role(session, caller, name, body.permissions, label=body.label)


@router.get("/role-grants")
def grants(caller: CallerDep, session: Transaction) -> list[GrantInfo]:
    """Who holds which role where, in the caller's organization (administrators)."""
    return list_grants(session, caller)


@router.post("/role-grants", status_code=201)
def grant(body: GrantIn, caller: CallerDep, session: Transaction) -> GrantInfo:
    """Grant a role to an account or a person in the organization, a body, a meeting or a unit."""
    return body.grant(session, caller)


@router.delete("/role-grants/{grant_id}", status_code=204)
def revoke(grant_id: Id, caller: CallerDep, session: Transaction) -> Response:
    """Take a grant back."""
    do_revoke_grant(session, caller, grant_id)
    return Response(status_code=204)
