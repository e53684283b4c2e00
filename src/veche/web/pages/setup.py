"""The set-up page: on a database without an organization, whoever opens veche first names
the organization and makes the first secretary's login (as ``veche init`` does); once there
is an organization it answers 409, for good."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from veche.actions.setup import check_not_set_up
from veche.errors import InvalidInput
from veche.i18n import _
from veche.passwords import MAX_LENGTH, RULE
from veche.web.deps import SessionDep
from veche.web.inputs_accounts import SetupIn
from veche.web.pages._render import redirect, render
from veche.web.site_name import name_the_site

router = APIRouter()


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request, session: SessionDep) -> HTMLResponse:
    check_not_set_up(session)
    return _setup_form(request)


def _setup_form(
    request: Request, typed: SetupIn | None = None, problem: str = "", status: int = 200
) -> HTMLResponse:
    """The form; after a refusal (a password too weak, a name not taken), what was typed in
    it again — all but the password — and why."""
    return render(
        request,
        "public/setup.html",
        {"rule": RULE, "max_length": MAX_LENGTH, "typed": typed, "problem": problem},
        viewer=None,
        status=status,
    )


@router.post("/setup")
def set_up(request: Request, session: SessionDep, form: Annotated[SetupIn, Form()]) -> Response:
    try:
        with session.begin():
            done = form.set_up(session, via="the set-up page")
            short_name, name = done.organization.short_name, done.organization.name
            username = done.user.username
    except InvalidInput as refusal:
        return _setup_form(request, form, refusal.message, refusal.status_code)
    name_the_site(request.app.state, short_name, name)  # the header names it from now on
    organization = short_name or name
    message = _("veche is set up for %(organization)s: log in as %(username)s.") % {
        "organization": organization,
        "username": username,
    }
    return redirect(request, "/login", message)
