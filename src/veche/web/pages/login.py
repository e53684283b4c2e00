"""Logging in to the pages with a password or a one-time access code, and logging out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import holds
from veche.actions.attendance import do_check_in_on_login
from veche.actions.auth import caller_of, do_close_login_session, do_open_login_session
from veche.actions.follow_up_access import reports_only
from veche.errors import NotAuthenticated, VecheError
from veche.i18n import _
from veche.models import AccessCode, User
from veche.models.meetings import MeetingState
from veche.permissions import Permission
from veche.web.csrf import renew_seed
from veche.web.deps import SessionDep, ViewerDep
from veche.web.logins import log_in_with_code, log_in_with_password
from veche.web.pages._render import redirect, render
from veche.web.ratelimit import TooManyAttempts
from veche.web.sessions import clear_login_cookie, login_token, set_login_cookie

router = APIRouter()


def safe_next(target: str | None) -> str | None:
    """A path on this site to return to, never another site (//evil.example, /\\evil)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _logged_in(request: Request, token: str, landing: str, message: str) -> Response:
    request.state.new_login_token = token
    renew_seed(request)
    response = redirect(request, landing, message)
    set_login_cookie(request, response, token)
    return response


def _form_again(
    request: Request, template: str, context: dict[str, str], error: VecheError
) -> Response:
    """The login form again, saying what was wrong (and, when throttled, for how long)."""
    page = render(
        request,
        template,
        {**context, "error": error.message},
        viewer=None,
        status=error.status_code,
    )
    if error.retry_after is not None:
        page.headers["Retry-After"] = str(error.retry_after)
    return page


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, viewer: ViewerDep, next: str | None = None) -> HTMLResponse:
    """Log in with a user name and password, or with the access code on a participant's card."""
    return render(request, "public/login.html", {"next": safe_next(next) or ""}, viewer=viewer)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    landing: dict[str, str] = {}

    def open_session(session: Session, user: User) -> str:
        caller = caller_of(user, None)
        if holds(session, caller, Permission.ORGANIZATION_MANAGE, user.organization_id):
            landing["url"] = "/secretary"
        elif reports_only(session, caller):
            landing["url"] = "/reporting"  # a unit's reporter who sits in no meeting
        else:
            landing["url"] = "/meetings"
        return do_open_login_session(session, user=user, person=user.person, via="password")

    try:
        token = log_in_with_password(request, username, password, open_session)
    except (NotAuthenticated, TooManyAttempts) as error:
        context = {"next": safe_next(next) or "", "username": username}
        return _form_again(request, "public/login.html", context, error)
    return _logged_in(request, token, safe_next(next) or landing["url"], _("You are logged in."))


@router.get("/login/code", response_class=HTMLResponse)
def code_page(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """The page a card's QR code opens; the code travels after '#', so it never reaches a log."""
    return render(request, "public/login_code.html", {}, viewer=viewer)


#: A meeting whose session is over: a card logs in to read it, never to arrive.
ENDED = frozenset({MeetingState.CLOSED, MeetingState.REPORT_PUBLISHED})


@router.post("/login/code")
def login_with_code(request: Request, code: Annotated[str, Form(max_length=40)]) -> Response:
    """Log in with the code on a participant's card, as often as needed: on a second device,
    or again after logging out. In session, the holder is checked in as present for today."""
    arrival: dict[str, Any] = {}

    def open_session(session: Session, found: AccessCode) -> str:
        token = do_open_login_session(
            session,
            person=found.person,
            card=found,
            via=f"access code for meeting {found.meeting_id}",
        )
        # Cards are handed out at the venue: logging in with one while it sits is arriving.
        arrival["meeting_id"] = found.meeting_id
        arrival["checked_in"] = do_check_in_on_login(session, found, date.today()) is not None
        arrival["ended"] = found.meeting.state in ENDED
        return token

    try:
        token = log_in_with_code(request, code, open_session)
    except (NotAuthenticated, TooManyAttempts) as error:
        return _form_again(request, "public/login_code.html", {}, error)
    if arrival["checked_in"]:
        message = _("Welcome to the meeting. You are checked in as present today.")
    elif arrival["ended"]:
        message = _("Welcome. This meeting has ended: its results and papers are on its page.")
    else:
        message = _(
            "Welcome to the meeting. You are not checked in as present: the session is not "
            "open today. Once it is, show your card at the door or log in with it again."
        )
    return _logged_in(request, token, f"/meetings/{arrival['meeting_id']}", message)


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    token = login_token(request)
    if token is not None:
        with session.begin():
            do_close_login_session(session, token)
    renew_seed(request)
    response = redirect(request, "/", _("You are logged out."))
    clear_login_cookie(request, response)
    return response
