"""Rendering pages: every page gets the viewer, the CSRF token and the flash; errors become pages."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from veche.actions.access import Caller
from veche.errors import NotAuthenticated, VecheError
from veche.i18n import _
from veche.web.csrf import csrf_field, keep_seed
from veche.web.deps import get_page_viewer
from veche.web.errors import (
    database_refusal,
    describe_validation_error,
    invalid_answer,
    refusal_answer,
)
from veche.web.sessions import clear_flash, read_flash, set_flash
from veche.web.site_name import site_name
from veche.web.templating import templates

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    viewer: Caller | None,
    status: int = 200,
) -> HTMLResponse:
    """A page (or an htmx fragment) with what every page needs."""
    response = templates.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "csrf_field": csrf_field(request),  # {{ csrf_field }} in every form
            "flash": read_flash(request),
            "fragment": request.headers.get("hx-request") == "true",
            "site_name": site_name(request.app.state) or "veche",
            "may": frozenset(),  # the viewer's permissions in the page's meeting, if it has one
            "desk": getattr(request.state, "desk", False),  # the secretary's pages in the menu
            **context,
        },
        status_code=status,
    )
    keep_seed(request, response)
    clear_flash(request, response)
    return response


def context_of(*views: DataclassInstance) -> dict[str, Any]:
    """Page view models (from ``veche.queries``) as one template context, a later view's field
    winning a name two share. Unlike ``dataclasses.asdict`` it leaves the fields' values as
    they are, so templates still call their methods."""
    return {f.name: getattr(view, f.name) for view in views for f in fields(view)}


def redirect(request: Request, url: str, message: str | None = None) -> RedirectResponse:
    """After a form: back to a page (303, so the browser GETs it), with a message to show there."""
    response = RedirectResponse(url, status_code=303)
    if message:
        set_flash(request, response, message)
    keep_seed(request, response)  # a seed renewed at login or logout
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _viewer(request: Request) -> Caller | None:
    """Who is logged in, if the page refused had read it: its error page keeps their menu
    (an error page that offered "Log in" told them they had been logged out)."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Caller) else None


def page_error(request: Request, error: VecheError) -> Response:
    """A page that says what was wrong, with the error's 4xx status; a login first if needed."""
    if isinstance(error, NotAuthenticated) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    response = render(
        request,
        "shared/error.html",
        {"message": error.message, "status": error.status_code},
        viewer=_viewer(request),
        status=error.status_code,
    )
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


async def on_database_error(request: Request, error: Exception) -> Response:
    return await on_veche_error(request, database_refusal(error))


async def on_veche_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, VecheError)
    if _is_api(request):
        return refusal_answer(error)
    return page_error(request, error)


#: A page's address that names a meeting: its desk's (``/secretary/meetings/3/…``) or a
#: participant's (``/meetings/3/…``).
_MEETING_ADDRESS = re.compile(r"/(secretary/)?meetings/([1-9][0-9]{0,17})(/|$)")


def _way_back(path: str) -> dict[str, Any]:
    """Where a page address reached the wrong way leads back to (``back_to``): the meeting's
    desk, or its page, when the address names a meeting (``meeting_id``); else home."""
    found = _MEETING_ADDRESS.match(path)
    if found is None:
        return {"back_to": "home", "meeting_id": None}
    return {"back_to": "desk" if found.group(1) else "meeting", "meeting_id": int(found.group(2))}


def _read_viewer(request: Request) -> None:
    """Who is logged in, for the page's menu, read as the pages read it."""
    with request.app.state.read_sessions() as session:
        get_page_viewer(request, session)


async def on_http_error(request: Request, error: Exception) -> Response:
    """A page address asked for by a method it does not take (a form's address reached again
    from the history or a restored session, by GET) is a page saying so, leading back; every
    other HTTP error, and any at the API, is FastAPI's JSON."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code != 405 or _is_api(request):
        return await http_exception_handler(request, error)
    await run_in_threadpool(_read_viewer, request)
    response = render(
        request,
        "shared/form_address.html",
        _way_back(request.url.path),
        viewer=_viewer(request),
        status=405,
    )
    response.headers.update(error.headers or {})
    return response


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if _is_api(request):
        return invalid_answer(error)
    message = _("The form is incomplete or malformed: %(problems)s") % {
        "problems": describe_validation_error(error, on_a_page=True)
    }
    return render(
        request,
        "shared/error.html",
        {"message": message, "status": 422},
        viewer=_viewer(request),
        status=422,
    )
