"""Accounts through the API: the first start, the secretary's accounts (create, list, reset a
password, deactivate, reactivate), and everyone's own password — as the pages do them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.accounts import do_activate_account, do_deactivate_account
from veche.actions.auth import token_digest
from veche.queries.accounts import (
    ACCOUNTS_A_PAGE,
    AccountFilter,
    AccountRow,
    find_accounts,
    list_accounts,
    managed_organization,
)
from veche.web.api.auth import THROTTLED
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import Id, Page, PageLimit
from veche.web.deps import AuthorizationHeader, CallerDep, SessionDep, bearer_token
from veche.web.inputs import UserIn
from veche.web.inputs_accounts import PasswordChangeIn, PasswordResetIn, SetupIn
from veche.web.site_name import name_the_site

router = APIRouter(tags=["accounts"], responses=REFUSALS)
#: Open to anyone, and refused (409) once the database holds an organization.
first_start = APIRouter(
    tags=["accounts"],
    responses={status: REFUSALS[status] for status in (400, 409, 413, 422)},
)


class SetUpOut(BaseModel):
    organization_id: int
    organization: str
    short_name: str | None
    user_id: int
    username: str


@first_start.post("/setup", status_code=201)
def set_up(body: SetupIn, request: Request, session: SessionDep) -> SetUpOut:
    """Set up a database without an organization: the organization and its first account,
    an administrator. Refused (409) once there is an organization."""
    with session.begin():
        done = body.set_up(session, via="POST /api/setup")
        answer = SetUpOut(
            organization_id=done.organization.id,
            organization=done.organization.name,
            short_name=done.organization.short_name,
            user_id=done.user.id,
            username=done.user.username,
        )
    name_the_site(request.app.state, answer.short_name, answer.organization)
    return answer


def _account(session: Session, caller: Caller, account_id: int) -> AccountRow:
    (found,) = list_accounts(session, managed_organization(session, caller), only=[account_id])
    return found


class AccountsOut(BaseModel):
    total: int = Field(description="how many match, on every page")
    accounts: list[AccountRow]  # the query's own dataclass: pydantic reads it as is


class AccountsPage(Page):
    """A page of the accounts: 50 unless asked otherwise, as on the accounts page."""

    limit: PageLimit = ACCOUNTS_A_PAGE


@router.get("/accounts")
def accounts(
    caller: CallerDep,
    session: Transaction,
    wanted: Annotated[AccountFilter, Query()],
    page: Annotated[AccountsPage, Query()],
) -> AccountsOut:
    """The organization's accounts by user name, a page at a time, with the roles granted
    to each; found by user name or holder's name, as on the accounts page."""
    organization = managed_organization(session, caller)
    total, found = find_accounts(
        session, organization, wanted, limit=page.limit, offset=page.offset
    )
    return AccountsOut(total=total, accounts=found)


@router.post("/accounts", status_code=201)
def create_account(body: UserIn, caller: CallerDep, session: Transaction) -> AccountRow:
    """An account that logs in with a password, for one of the organization's people or
    none; roles are granted to it with `POST /api/role-grants`."""
    user = body.create(session, caller)
    return _account(session, caller, user.id)


@router.post("/accounts/{account_id}/password", status_code=204)
def reset_password(
    account_id: Id,
    body: PasswordResetIn,
    caller: CallerDep,
    session: SessionDep,
    authorization: AuthorizationHeader = None,
) -> Response:
    """Give an account a new password; its logins and tokens end (the caller's own stays)."""
    body.reset(session, caller, account_id, keep=token_digest(bearer_token(authorization)))
    return Response(status_code=204)


@router.post("/accounts/{account_id}/deactivate")
def deactivate(account_id: Id, caller: CallerDep, session: Transaction) -> AccountRow:
    """Close an account: it cannot log in, and its logins and tokens stop working at once."""
    do_deactivate_account(session, caller, account_id)
    return _account(session, caller, account_id)


@router.post("/accounts/{account_id}/activate")
def activate(account_id: Id, caller: CallerDep, session: Transaction) -> AccountRow:
    """Open a deactivated account again; it logs in with its password."""
    do_activate_account(session, caller, account_id)
    return _account(session, caller, account_id)


@router.post("/me/password", status_code=204, responses=THROTTLED)
def change_my_password(
    body: PasswordChangeIn,
    request: Request,
    caller: CallerDep,
    authorization: AuthorizationHeader = None,
) -> Response:
    """Change one's own password, giving the current one; every other login and token of
    the account ends, the token this is sent with stays. A wrong current password is 403,
    and counts as a failed login (429 after too many)."""
    body.change(request, caller, keep=token_digest(bearer_token(authorization)))
    return Response(status_code=204)
