"""The secretary's accounts page (logins, roles, passwords, deactivation) and everyone's own
"change my password" page: the same inputs and actions as ``/api/accounts`` and
``/api/me/password``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from veche.actions.access import holds
from veche.actions.accounts import do_activate_account, do_deactivate_account
from veche.actions.auth import token_digest
from veche.actions.roles import do_revoke_grant, list_roles
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Organization
from veche.models.meetings import MeetingState
from veche.passwords import MAX_LENGTH, RULE
from veche.permissions import Permission, Scope
from veche.queries.accounts import (
    ACCOUNTS_A_PAGE,
    AccountFilter,
    active_accounts,
    find_accounts,
    managed_organization,
    people_without_account,
)
from veche.queries.proceedings import meeting_name
from veche.queries.records import body_tree, unit_tree
from veche.queries.sitting import meetings_seen
from veche.web.deps import PageCallerDep
from veche.web.inputs_accounts import (
    GrantForm,
    PasswordChangeForm,
    PasswordResetIn,
    RefusedAt,
    UserForm,
    person_labels,
)
from veche.web.pages._page import Page, PageDep
from veche.web.pages._paging import numbered_page
from veche.web.pages._posted import PostedForm, as_typed
from veche.web.pages._render import redirect, render
from veche.web.sessions import login_token

router = APIRouter()

_ACCOUNTS = "/secretary/accounts"


def _this_login(request: Request) -> str | None:
    """The digest of the page login making the request: a change of its own account's
    password leaves it logged in."""
    token = login_token(request)
    return token_digest(token) if token is not None else None


#: Names a form offers to pick from as they are typed (a ``<datalist>``), at most: a few
#: hundred help the secretary; a congress's thousands would weigh the page down on a phone
#: (a megabyte) and help no one pick, so above this the name is typed whole. The account a
#: role is granted to is typed too, whatever their number, so that the form is one.
OFFERED_AT_MOST = 200
#: The page's list before anything is searched for, as a refused form shows it again.
_EVERY_ACCOUNT = AccountFilter()
#: Refusals said in the form that was sent (at its field, for a name typed), what was typed
#: kept; anything else (a right not held) is the error page's to say.
SHOWN_ON_PAGE = (InvalidInput, Conflict, NotFound)


@router.get("/secretary/accounts", response_class=HTMLResponse)
def accounts_page(
    page: PageDep,
    wanted: Annotated[AccountFilter, Query()],
    number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """The organization's accounts with their roles, a page of them at a time and found by
    user name or holder's name (as ``GET /api/accounts`` finds them), and the forms to
    manage them."""
    return _accounts_page(page, wanted, number)


def _accounts_page(
    page: Page,
    wanted: AccountFilter = _EVERY_ACCOUNT,
    number: int = 1,
    *,
    refused: str = "",
    problem: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The page; after a refusal, the form ``refused`` comes again as ``typed``, ``problem``
    said at its field (``refused`` names the field)."""
    organization = managed_organization(page.session, page.caller)
    listed = numbered_page(
        lambda offset: find_accounts(
            page.session, organization, wanted, limit=ACCOUNTS_A_PAGE, offset=offset
        ),
        number,
        ACCOUNTS_A_PAGE,
    )
    people = people_without_account(page.session, organization, at_most=OFFERED_AT_MOST)
    return page.render(
        "secretary/accounts.html",
        status=status,
        organization=organization,
        q=wanted.q,
        total=listed.total,
        number=listed.number,
        pages=listed.pages,
        accounts=listed.rows,
        person_names=person_labels(people) if people is not None else None,
        account_choices=active_accounts(page.session, organization, at_most=OFFERED_AT_MOST),
        roles=list_roles(page.session),
        may_grant=holds(page.session, page.caller, Permission.ORGANIZATION_MANAGE, organization.id),
        places=_places(page, organization),
        rule=RULE,
        max_length=MAX_LENGTH,
        problems={refused: problem} if refused else {},
        typed=typed or {},
    )


def _places(page: Page, organization: Organization) -> list[tuple[str, str]]:
    """Where a role may be granted, as the grant form's one choice ("body:3") and its words:
    the whole organization, each body, each unit (a grant holds below them too), and each
    meeting whose report is not yet published."""
    places = [(f"{Scope.ORGANIZATION.value}:{organization.id}", _("the whole organization"))]
    places += [
        (
            f"{Scope.BODY.value}:{body.id}",
            _("the body: %(name)s") % {"name": "— " * body.depth + body.name},
        )
        for body in body_tree(page.session, organization)
    ]
    places += [
        (
            f"{Scope.UNIT.value}:{unit.id}",
            _("the unit: %(name)s") % {"name": "— " * unit.depth + unit.name},
        )
        for unit in unit_tree(page.session, organization)
    ]
    places += [
        (
            f"{Scope.MEETING.value}:{meeting.id}",
            _("the meeting: %(name)s") % {"name": meeting_name(meeting)},
        )
        for meeting in meetings_seen(page.session, page.caller)
        if meeting.state is not MeetingState.REPORT_PUBLISHED
    ]
    return places


def _change(
    page: Page, sent: FormData, form: str, kept: tuple[str, ...], change: Callable[[], str]
) -> Response:
    """Run one change of the accounts and go back to the page, saying the message ``change``
    returns. Refused, the page comes again with the ``kept`` fields of ``form`` as typed, the
    refusal said at the field of the name typed (``RefusedAt``), else at the top of ``form``."""
    try:
        with page.session.begin():
            message = change()
    except SHOWN_ON_PAGE as error:
        at = error.field if isinstance(error, RefusedAt) else form
        typed = as_typed(sent, kept)
        return _accounts_page(
            page, refused=at, problem=error.message, typed=typed, status=error.status_code
        )
    return page.redirect(_ACCOUNTS, message)


@router.post("/secretary/accounts")
def create_account(page: PageDep, form: Annotated[UserForm, Form()], sent: PostedForm) -> Response:
    """A login, for the person typed by name or for no one; refused, the form comes again
    as typed (but the password)."""

    def create() -> str:
        username = form.create(page.session, page.caller).username
        return _("Account created: %(name)s") % {"name": username}

    return _change(page, sent, "create", ("username", "person"), create)


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
def grant_role(page: PageDep, form: Annotated[GrantForm, Form()], sent: PostedForm) -> Response:
    """A role in the whole organization, to the account typed by user name or holder's
    name; refused, the form comes again as typed."""

    def grant() -> str:
        role = form.grant(page.session, page.caller).role
        return _("Role granted: %(role)s") % {"role": role}

    return _change(page, sent, "grant", ("account", "role", "where"), grant)


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
    request: Request, caller: PageCallerDep, form: Annotated[PasswordChangeForm, Form()]
) -> Response:
    form.change(request, caller, keep=_this_login(request))
    message = _("Your password is changed; your other logins have ended.")
    return redirect(request, "/me/password", message)
