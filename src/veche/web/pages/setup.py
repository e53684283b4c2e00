"""The set-up page: on a database without an organization, whoever opens veche first names
the organization and makes the first secretary's login (as ``veche init`` does), and is
logged in with it; once there is an organization it answers 409, for good."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from veche.actions.auth import do_open_login_session
from veche.actions.setup import SetUp, check_not_set_up
from veche.errors import InvalidInput
from veche.i18n import _
from veche.passwords import MAX_LENGTH, RULE
from veche.web.deps import SessionDep
from veche.web.inputs_accounts import SetupIn
from veche.web.pages._render import render
from veche.web.pages.login import _logged_in
from veche.web.site_name import name_the_site

router = APIRouter()


class SetupForm(SetupIn):
    """``SetupIn`` as the page posts it: the password typed twice, since a password field
    hides what is typed and a slip would lock the only secretary out."""

    password_again: str = Field(min_length=1, max_length=MAX_LENGTH)

    def set_up(self, session: Session, via: str) -> SetUp:
        if self.password_again != self.password:
            raise InvalidInput(
                _("The password and its repetition differ: type the same password twice.")
            )
        return super().set_up(session, via)


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
def set_up(request: Request, session: SessionDep, form: Annotated[SetupForm, Form()]) -> Response:
    """Make the organization and its first secretary, and log them in: they go on to the
    secretary's pages, where the first step is to make a body."""
    try:
        with session.begin():
            done = form.set_up(session, via="the set-up page")
            short_name, name = done.organization.short_name, done.organization.name
            token = do_open_login_session(
                session, user=done.user, person=done.user.person, via="password"
            )
    except InvalidInput as refusal:
        return _setup_form(request, form, refusal.message, refusal.status_code)
    name_the_site(request.app.state, short_name, name)  # the header names it from now on
    message = _("veche is set up for %(organization)s, and you are logged in.") % {
        "organization": short_name or name
    }
    return _logged_in(request, token, "/secretary", message)
