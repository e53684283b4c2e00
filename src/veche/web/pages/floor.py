"""The speakers list on the pages: delegates ask for the floor, the chair gives it and times it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_meeting, access_meeting_row, participant_of
from veche.actions.agenda import do_close_item, do_open_item
from veche.actions.contributions import do_end_speech
from veche.actions.speakers import (
    access_floor_request,
    do_close_speakers_list,
    do_give_floor,
    do_order_speakers,
    do_request_floor,
    do_withdraw_floor_request,
)
from veche.errors import NotFound
from veche.i18n import _
from veche.models import AgendaItem, Meeting
from veche.models.agenda import ItemState
from veche.models.base import utcnow
from veche.models.debate import FloorKind
from veche.permissions import Permission
from veche.queries.agenda import agenda_items
from veche.queries.floor import Floor, floor_of
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.pages._render import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def moves(floor: Floor) -> dict[int, dict[str, list[int]]]:
    """For each waiting speech, the whole order of speeches after moving it up or down one place."""
    order = [r.id for r in floor.speeches]
    found: dict[int, dict[str, list[int]]] = {}
    for n, request_id in enumerate(order):
        found[request_id] = {}
        if n > 0:
            up = list(order)
            up[n - 1], up[n] = up[n], up[n - 1]
            found[request_id]["up"] = up
        if n < len(order) - 1:
            down = list(order)
            down[n], down[n + 1] = down[n + 1], down[n]
            found[request_id]["down"] = down
    return found


def floor_context(session: Session, caller: Caller, meeting: Meeting) -> dict[str, Any]:
    """What every page that shows the speakers list needs: the floor, the viewer's place in it."""
    floor = floor_of(session, meeting.id)
    planned = (
        [i for i in agenda_items(session, meeting.id) if i.state is ItemState.PLANNED]
        if floor.item is None
        else []
    )
    return {
        "meeting": meeting,
        "floor": floor,
        # What the chair may take up next, when no item is under discussion.
        "next_item": planned[0] if planned else None,
        "participant": participant_of(session, meeting.id, caller.person_id),
        "my_requests": floor.place_of(caller.person_id),
        "moves": moves(floor),
        # The server's clock, so that a timer counts from the server's idea of now.
        "server_now": utcnow(),
    }


@router.get("/meetings/{meeting_id}/floor", response_class=HTMLResponse)
def delegate_floor(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """The delegate's speakers list, re-fetched when a live event says it changed."""
    meeting = access_meeting(session, caller, meeting_id)
    return render(
        request, "_delegate_floor.html", floor_context(session, caller, meeting), viewer=caller
    )


@router.post("/meetings/{meeting_id}/floor/requests")
def request_floor(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    item_id: Annotated[int, Form()],
    kind: Annotated[FloorKind, Form()] = FloorKind.SPEECH,
    subject: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Ask for the floor on the item under discussion, or raise a point of order."""
    with session.begin():
        item = access_meeting_row(session, caller, AgendaItem, item_id, meeting_id, "agenda item")
        do_request_floor(session, caller, item, kind=kind, subject=subject)
    done = (
        _("Your point of order is noted: it is heard before the speeches.")
        if kind is FloorKind.POINT_OF_ORDER
        else _("You are on the speakers list.")
    )
    return redirect(request, f"/meetings/{meeting_id}", done)


@router.post("/meetings/{meeting_id}/floor/requests/{request_id}/withdraw")
def withdraw_request(
    meeting_id: int,
    request_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
) -> Response:
    """Take a waiting request back: one's own, or (for the chair) anyone's."""
    with session.begin():
        floor_request = access_floor_request(session, caller, request_id)
        if floor_request.item.meeting_id != meeting_id:
            raise NotFound(f"meeting {meeting_id} has no request for the floor {request_id}")
        own = floor_request.person_id == caller.person_id
        do_withdraw_floor_request(session, caller, floor_request)
    if own:
        return redirect(request, f"/meetings/{meeting_id}", _("Your request is withdrawn."))
    return redirect(request, f"/meetings/{meeting_id}/console", _("The request is withdrawn."))


@router.get("/meetings/{meeting_id}/console/floor", response_class=HTMLResponse)
def console_floor(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """The chair's speakers list with its timer, re-fetched on every change of the floor."""
    meeting = access_meeting(session, caller, meeting_id, needs=Permission.FLOOR_RUN)
    return render(
        request, "_console_floor.html", floor_context(session, caller, meeting), viewer=caller
    )


@router.post("/meetings/{meeting_id}/console/floor/next")
def give_floor(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    item_id: Annotated[int, Form()],
) -> Response:
    """Give the floor to the first in the list; the speech before it ends."""
    with session.begin():
        item = access_meeting_row(session, caller, AgendaItem, item_id, meeting_id, "agenda item")
        speech = do_give_floor(session, caller, item)
        name = speech.speaker.full_name
    return redirect(
        request,
        f"/meetings/{meeting_id}/console",
        _("%(name)s has the floor.") % {"name": name},
    )


@router.post("/meetings/{meeting_id}/console/floor/end")
def end_speech(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    item_id: Annotated[int, Form()],
) -> Response:
    """End the speech under way and record its time."""
    with session.begin():
        item = access_meeting_row(session, caller, AgendaItem, item_id, meeting_id, "agenda item")
        do_end_speech(session, caller, item)
    return redirect(request, f"/meetings/{meeting_id}/console", _("The speech has ended."))


@router.post("/meetings/{meeting_id}/console/floor/order")
def order_speakers(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    item_id: Annotated[int, Form()],
    request_ids: Annotated[list[int], Form(max_length=10_000)],
) -> Response:
    """Set the order of the waiting speeches (the form sends all of them, in the new order)."""
    with session.begin():
        item = access_meeting_row(session, caller, AgendaItem, item_id, meeting_id, "agenda item")
        do_order_speakers(session, caller, item, request_ids)
    return redirect(
        request, f"/meetings/{meeting_id}/console", _("The speakers list is reordered.")
    )


@router.post("/meetings/{meeting_id}/console/floor/close")
def close_list(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    item_id: Annotated[int, Form()],
    closed: Annotated[bool, Form()] = True,
) -> Response:
    """Close the speakers list (those waiting still speak), or open it again."""
    with session.begin():
        item = access_meeting_row(session, caller, AgendaItem, item_id, meeting_id, "agenda item")
        do_close_speakers_list(session, caller, item, closed=closed)
    done = _("The speakers list is closed.") if closed else _("The speakers list is open again.")
    return redirect(request, f"/meetings/{meeting_id}/console", done)


@router.post("/meetings/{meeting_id}/console/items/{item_id}/{step}")
def item_step(
    meeting_id: int,
    item_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
) -> Response:
    """Take up an item of the approved agenda, or close the one under discussion."""
    if step not in ("open", "close"):
        raise NotFound(f"an agenda item can be opened or closed here, not {step!r}")
    with session.begin():
        item = access_meeting_row(session, caller, AgendaItem, item_id, meeting_id, "agenda item")
        (do_open_item if step == "open" else do_close_item)(session, caller, item)
        title = item.title
    done = _("Under discussion: %(title)s") if step == "open" else _("Closed: %(title)s")
    return redirect(request, f"/meetings/{meeting_id}/console", done % {"title": title})
