"""Server-rendered pages, one router per role: public, login, delegate, chair, projector, secretary.

A page's address is written once, in its route: templates name it with
``{{ path("console", meeting_id=meeting.id) }}`` (``page_path``), by the route's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.routing import APIRoute

from veche.web.pages import (
    accounts,
    agenda_proposals,
    amendments,
    chair,
    delegate,
    documents,
    floor,
    follow_up_desk,
    follow_up_goals,
    follow_up_report,
    follow_up_setup,
    login,
    motion_steps,
    nominations,
    panel_work,
    panels,
    paper,
    poll_result,
    presidium,
    projector,
    projector_control,
    public,
    public_follow_up,
    reports,
    secretary,
    secretary_agenda,
    secretary_meeting,
    secretary_records,
    secretary_stages,
    setup,
    stream,
    summing_up,
)
from veche.web.templating import templates

#: Every page router, in the order the app mounts them.
ROUTERS: tuple[APIRouter, ...] = (
    public.router,
    public_follow_up.router,
    login.router,
    delegate.router,
    poll_result.router,
    stream.router,
    chair.router,
    projector.router,
    projector_control.router,
    secretary.router,
    secretary_records.router,
    secretary_meeting.router,
    secretary_stages.router,
    secretary_agenda.router,
    presidium.router,
    panels.router,
    panel_work.router,
    paper.router,
    agenda_proposals.router,
    floor.router,
    amendments.router,
    motion_steps.router,
    nominations.router,
    documents.router,
    reports.router,
    follow_up_report.router,
    follow_up_desk.router,
    follow_up_setup.router,
    follow_up_goals.router,
    summing_up.router,
    accounts.router,
    setup.router,
)


@dataclass(frozen=True)
class _Address:
    pattern: str  # "/meetings/{meeting_id}/console", as str.format takes it
    params: frozenset[str]


def _addresses(routers: tuple[APIRouter, ...]) -> dict[str, _Address]:
    found: dict[str, _Address] = {}
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise TypeError(f"{route!r} is not a page route")
            if route.name in found:
                raise LookupError(f"two pages are named {route.name!r}: rename one of them")
            found[route.name] = _Address(route.path_format, frozenset(route.param_convertors))
    return found


#: Every page's address by its route's name (its function's). The API's routes are not here:
#: some share a page's name.
_ADDRESSES = _addresses(ROUTERS)


def page_path(name: str, /, **params: object) -> str:
    """A page's address on this site by its route's name and the values of its parameters:
    ``page_path("poll_step", meeting_id=3, poll_id=9, step="open")`` is
    ``/meetings/3/console/polls/9/open``. The same as Starlette's ``url_path_for``, but cheap
    enough for a list of 5,000 rows."""
    try:
        address = _ADDRESSES[name]
    except KeyError:
        raise LookupError(f"there is no page named {name!r}") from None
    if params.keys() != address.params:
        wanted = ", ".join(sorted(address.params)) or "none"
        raise LookupError(f"the page {name!r} takes the parameters {wanted}, not {sorted(params)}")
    return address.pattern.format_map(params)


templates.env.globals["path"] = page_path
