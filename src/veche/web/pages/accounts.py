"""The secretary's accounts page (logins, roles, passwords, deactivation) and everyone's own
"change my password" page: the same inputs and actions as ``/api/accounts`` and
``/api/me/password``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import holds
from veche.actions.accounts import do_activate_account, do_deactivate_account
from veche.actions.auth import token_digest
from veche.actions.roles import do_revoke_grant, list_roles
from veche.i18n import _
from veche.passwords import MAX_LENGTH, RULE
from veche.permissions import Permission, Scope
from veche.queries.accounts import list_accounts, managed_organization, people_without_account
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep
from veche.web.inputs import UserIn
from veche.web.inputs_accounts import GrantIn, PasswordChangeIn, PasswordResetIn
from veche.web.pages._page import PageDep
from veche.web.pages._render import redirect, render
from veche.web.sessions import login_token

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

_ACCOUNTS = "/secretary/accounts"


def _this_login(request: Request) -> str | None:
    """The digest of the page login making the request: a change of its own account's
    password leaves it logged in."""
    token = login_token(request)
    return token_digest(token) if token is not None else None


@router.get("/secretary/accounts", response_class=HTMLResponse)
def accounts_page(page: PageDep) -> HTMLResponse:
    """The organization's accounts with their roles, and the forms to manage them."""
    organization = managed_organization(page.session, page.caller)
    return page.render(
        "secretary/accounts.html",
        organization=organization,
        accounts=list_accounts(page.session, organization),
        people=people_without_account(page.session, organization),
        roles=list_roles(page.session),
        may_grant=holds(page.session, page.caller, Permission.ORGANIZATION_MANAGE, organization.id),
        organization_scope=Scope.ORGANIZATION.value,
        rule=RULE,
        max_length=MAX_LENGTH,
    )


@router.post("/secretary/accounts")
def create_account(page: PageDep, form: Annotated[UserIn, Form()]) -> Response:
    with page.session.begin():
        username = form.create(page.session, page.caller).username
    return page.redirect(_ACCOUNTS, _("Account created: %(name)s") % {"name": username})


@router.post("/secretary/accounts/{account_id}/password")
def reset_password(
    page: PageDep, account_id: int, form: Annotated[PasswordResetIn, Form()]
) -> Response:
    username = form.reset(
        page.session, page.caller, account_id, keep=_this_login(page.request)
    ).username
    message = _("The password of %(name)s is reset; their logins have ended.") % {"name": username}
    return page.redirect(_ACCOUNTS, message)


@router.post("/secretary/accounts/{account_id}/deactivate")
def deactivate(page: PageDep, account_id: int) -> Response:
    with page.session.begin():
        username = do_deactivate_account(page.session, page.caller, account_id).username
    message = _("%(name)s is deactivated: it cannot log in, and its logins have ended.") % {
        "name": username
    }
    return page.redirect(_ACCOUNTS, message)


@router.post("/secretary/accounts/{account_id}/activate")
def activate(page: PageDep, account_id: int) -> Response:
    with page.session.begin():
        username = do_activate_account(page.session, page.caller, account_id).username
    return page.redirect(_ACCOUNTS, _("%(name)s is active again.") % {"name": username})


@router.post("/secretary/accounts/grants")
def grant_role(page: PageDep, form: Annotated[GrantIn, Form()]) -> Response:
    with page.session.begin():
        role = form.grant(page.session, page.caller).role
    return page.redirect(_ACCOUNTS, _("Role granted: %(role)s") % {"role": role})


@router.post("/secretary/accounts/grants/{grant_id}/revoke")
def revoke_grant(page: PageDep, grant_id: int) -> Response:
    with page.session.begin():
        do_revoke_grant(page.session, page.caller, grant_id)
    return page.redirect(_ACCOUNTS, _("The role is taken back."))


@router.get("/me/password", response_class=HTMLResponse)
def my_password_page(request: Request, caller: PageCallerDep) -> HTMLResponse:
    """The form to change one's password (a login by access card has none to change)."""
    return render(
        request,
        "shared/my_password.html",
        {"has_account": caller.actor.user_id is not None, "rule": RULE, "max_length": MAX_LENGTH},
        viewer=caller,
    )


@router.post("/me/password")
def change_my_password(
    request: Request, caller: PageCallerDep, form: Annotated[PasswordChangeIn, Form()]
) -> Response:
    form.change(request, caller, keep=_this_login(request))
    message = _("Your password is changed; your other logins have ended.")
    return redirect(request, "/me/password", message)
