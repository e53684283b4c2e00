"""The speakers list on the pages: delegates ask for the floor, the chair gives it and times it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from veche.actions.agenda import do_close_item, do_open_item
from veche.actions.contributions import do_end_speech
from veche.actions.speakers import access_floor_request, do_give_floor, do_withdraw_floor_request
from veche.errors import Conflict, NotFound
from veche.i18n import _
from veche.models import AgendaItem
from veche.models.debate import FloorKind
from veche.permissions import Permission
from veche.queries.floor import floor_view
from veche.web.inputs_debate import FloorForm, ItemForm, ListClosedForm, OrderForm
from veche.web.pages._page import Page, PageDep
from veche.web.pages.delegate import show_meeting

router = APIRouter()


def _console(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}/console"


def _speakers_list(
    page: Page, meeting_id: int, template: str, needs: Permission = Permission.MEETING_SEE
) -> HTMLResponse:
    """The meeting's speakers list as the caller sees it, rendered with ``template``."""
    return page.render_meeting(
        meeting_id,
        template,
        lambda session, meeting: floor_view(session, meeting, page.caller.person_id),
        needs=needs,
    )


@router.get("/meetings/{meeting_id}/floor", response_class=HTMLResponse)
def delegate_floor(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The delegate's speakers list, re-fetched when a live event says it changed."""
    return _speakers_list(page, meeting_id, "delegate/_delegate_floor.html")


@router.post("/meetings/{meeting_id}/floor/requests")
def request_floor(meeting_id: int, page: PageDep, form: Annotated[FloorForm, Form()]) -> Response:
    """Ask for the floor on the item under discussion, or raise a point of order; refused
    (the list closed, the speeches used up, the item closed meanwhile), the meeting page says
    why in its speakers list."""
    try:
        with page.session.begin():
            item = form.item(page.session, page.caller, meeting_id)
            form.request(page.session, page.caller, item)
    except Conflict as refusal:
        return show_meeting(
            page, meeting_id, status=refusal.status_code, floor_refused=refusal.message
        )
    done = (
        _("Your point of order is noted: it is heard before the speeches.")
        if form.kind is FloorKind.POINT_OF_ORDER
        else _("You are on the speakers list.")
    )
    return page.redirect(f"/meetings/{meeting_id}", done)


@router.post("/meetings/{meeting_id}/floor/requests/{request_id}/withdraw")
def withdraw_request(meeting_id: int, request_id: int, page: PageDep) -> Response:
    """Take a waiting request back: one's own, or (for the chair) anyone's."""
    with page.session.begin():
        floor_request = access_floor_request(page.session, page.caller, request_id)
        if floor_request.item.meeting_id != meeting_id:
            raise NotFound(f"meeting {meeting_id} has no request for the floor {request_id}")
        own = floor_request.person_id == page.caller.person_id
        do_withdraw_floor_request(page.session, page.caller, floor_request)
    if own:
        return page.redirect(f"/meetings/{meeting_id}", _("Your request is withdrawn."))
    return page.redirect(_console(meeting_id), _("The request is withdrawn."))


@router.get("/meetings/{meeting_id}/console/floor", response_class=HTMLResponse)
def console_floor(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The chair's speakers list with its timer, re-fetched on every change of the floor."""
    return _speakers_list(page, meeting_id, "chair/_console_floor.html", Permission.FLOOR_RUN)


@router.post("/meetings/{meeting_id}/console/floor/next")
def give_floor(meeting_id: int, page: PageDep, form: Annotated[ItemForm, Form()]) -> Response:
    """Give the floor to the first in the list; the speech before it ends."""
    with page.session.begin():
        speech = do_give_floor(
            page.session, page.caller, form.item(page.session, page.caller, meeting_id)
        )
        assert speech.speaker is not None  # the floor is given to a person
        name = speech.speaker.full_name
    return page.redirect(
        _console(meeting_id),
        _("%(name)s has the floor.") % {"name": name},
    )


@router.post("/meetings/{meeting_id}/console/floor/end")
def end_speech(meeting_id: int, page: PageDep, form: Annotated[ItemForm, Form()]) -> Response:
    """End the speech under way and record its time."""
    with page.session.begin():
        do_end_speech(page.session, page.caller, form.item(page.session, page.caller, meeting_id))
    return page.redirect(_console(meeting_id), _("The speech has ended."))


@router.post("/meetings/{meeting_id}/console/floor/order")
def order_speakers(meeting_id: int, page: PageDep, form: Annotated[OrderForm, Form()]) -> Response:
    """Set the order of the waiting speeches (the form sends all of them, in the new order)."""
    with page.session.begin():
        form.order(page.session, page.caller, form.item(page.session, page.caller, meeting_id))
    return page.redirect(_console(meeting_id), _("The speakers list is reordered."))


@router.post("/meetings/{meeting_id}/console/floor/close")
def close_list(meeting_id: int, page: PageDep, form: Annotated[ListClosedForm, Form()]) -> Response:
    """Close the speakers list (those waiting still speak), or open it again."""
    with page.session.begin():
        form.close(page.session, page.caller, form.item(page.session, page.caller, meeting_id))
    done = (
        _("The speakers list is closed.") if form.closed else _("The speakers list is open again.")
    )
    return page.redirect(_console(meeting_id), done)


@router.post("/meetings/{meeting_id}/console/items/{item_id}/{step}")
def item_step(meeting_id: int, item_id: int, step: str, page: PageDep) -> Response:
    """Take up an item of the approved agenda, or close the one under discussion."""
    if step not in ("open", "close"):
        raise NotFound(f"an agenda item can be opened or closed here, not {step!r}")
    with page.session.begin():
        item = page.row(AgendaItem, item_id, meeting_id, "agenda item")
        (do_open_item if step == "open" else do_close_item)(page.session, page.caller, item)
        title = item.title
    done = _("Under discussion: %(title)s") if step == "open" else _("Closed: %(title)s")
    return page.redirect(_console(meeting_id), done % {"title": title})
