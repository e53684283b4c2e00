"""What a page route works with, as one dependency: the request, its session and the caller
logged in, with the ways a page answers (a page rendered for the caller, a redirect with a
message after a form)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from veche.actions.access import (
    Caller,
    Row,
    access_meeting,
    access_meeting_row,
    meeting_permissions,
)
from veche.models import Meeting
from veche.permissions import Permission
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.pages._render import context_of, redirect, render

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


#: What a page about a meeting shows, read from it: a template's context, or a page view
#: model of ``veche.queries`` (a dataclass), whose fields are the context.
MeetingView = Callable[[Session, Meeting], "dict[str, Any] | DataclassInstance"]


@dataclass(frozen=True)
class Page:
    """A page request of a caller logged in (401, a redirect to the login page, without)."""

    request: Request
    session: Session
    caller: Caller

    def render(self, template: str, /, *, status: int = 200, **context: Any) -> HTMLResponse:
        """``template`` with ``context`` and what every page has, for the caller."""
        return render(self.request, template, context, viewer=self.caller, status=status)

    def meeting(self, meeting_id: int, *, needs: Permission = Permission.MEETING_SEE) -> Meeting:
        """The meeting, if the caller may see it (and, for a desk or the console, ``needs``)."""
        return access_meeting(self.session, self.caller, meeting_id, needs=needs)

    def row(self, model: type[Row], row_id: int, meeting_id: int, what: str) -> Row:
        """A row of the meeting the address names, if the caller may see the meeting."""
        return access_meeting_row(self.session, self.caller, model, row_id, meeting_id, what)

    def render_meeting(
        self,
        meeting_id: int,
        template: str,
        view: MeetingView,
        *,
        needs: Permission = Permission.MEETING_SEE,
        with_permissions: bool = False,
        status: int = 200,
    ) -> HTMLResponse:
        """A page (or fragment) about one meeting the caller may see (and, for a desk or the
        console, ``needs``), showing what ``view`` reads of it. A page whose forms depend on
        what the caller may do in the meeting is rendered ``with_permissions`` (``may``)."""
        meeting = self.meeting(meeting_id, needs=needs)
        read = view(self.session, meeting)
        shown = dict(read) if isinstance(read, dict) else context_of(read)
        if with_permissions:
            shown["may"] = meeting_permissions(self.session, self.caller, meeting.id)
        return render(self.request, template, shown, viewer=self.caller, status=status)

    def redirect(self, url: str, message: str | None = None) -> RedirectResponse:
        """After a form: to ``url``, with a message to show there."""
        return redirect(self.request, url, message)


def get_page(request: Request, session: SessionDep, caller: PageCallerDep) -> Page:
    return Page(request, session, caller)


PageDep = Annotated[Page, Depends(get_page)]


def add_meeting_view(
    router: APIRouter,
    path: str,
    name: str,
    template: str,
    view: MeetingView,
    *,
    about: str,
    needs: Permission = Permission.MEETING_SEE,
    with_permissions: bool = False,
) -> None:
    """Add the page (or fragment) at ``path`` that shows ``view`` of a meeting with
    ``template`` and nothing more; ``about`` says what it is for."""

    def show(meeting_id: int, page: PageDep) -> HTMLResponse:
        return page.render_meeting(
            meeting_id, template, view, needs=needs, with_permissions=with_permissions
        )

    show.__doc__ = about
    router.add_api_route(path, show, name=name, response_class=HTMLResponse, methods=["GET"])
