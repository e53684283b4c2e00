"""The desk forms the meeting's drafting panels: each on one or more agenda items, with its
chairs and members, who then study the drafts of those items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import meeting_row
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting, Motion, Panel
from veche.models.meetings import MeetingState
from veche.permissions import Permission
from veche.queries.agenda import agenda_items
from veche.queries.proceedings import panels, participants
from veche.web.inputs_agenda import rapporteur_names
from veche.web.inputs_motions import MembersForm, PanelForm
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, as_typed

router = APIRouter()

#: Refusals shown on the page, at the form that was sent, with what was typed.
SHOWN_ON_PAGE = (InvalidInput, Conflict, NotFound)
#: The places the forms offer for a panel's chairs, and for its members.
CHAIR_PLACES = 3
MEMBER_PLACES = 8
#: What the page's template reads of a refusal when there is none (``records_forms.html``).
NOT_REFUSED: dict[str, Any] = {"refused": "", "typed": {}, "problem": ""}


def _page(meeting_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}/panels"


def panels_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    rows = participants(session, meeting.id)
    drafts: dict[int, list[Motion]] = defaultdict(list)
    for motion in session.scalars(
        select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.number)
    ):
        if motion.agenda_item_id is not None:
            drafts[motion.agenda_item_id].append(motion)
    return {
        "meeting": meeting,
        "panels": panels(session, meeting.id),
        "items": agenda_items(session, meeting.id),
        "item_titles": {
            item.id: f"{item.position}. {item.title}"
            for item in agenda_items(session, meeting.id, withdrawn=True)
        },
        "drafts": drafts,
        "person_names": {row.person_id: row.full_name for row in rows},
        "names": rapporteur_names(rows),
        "chair_places": CHAIR_PLACES,
        "member_places": MEMBER_PLACES,
        "ended": meeting.state in (MeetingState.CLOSED, MeetingState.REPORT_PUBLISHED),
    }


def _panels_page(
    page: Page, meeting_id: int, refusal: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    return page.render_meeting(
        meeting_id,
        "secretary/panels.html",
        lambda session, meeting: panels_context(session, meeting) | NOT_REFUSED | refusal,
        needs=Permission.MOTIONS_MANAGE,
        status=status,
    )


@router.get("/secretary/meetings/{meeting_id}/panels", response_class=HTMLResponse)
def panels_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The meeting's panels with their items, chairs, members and the drafts they study, and
    the forms to form a panel and to add members to one."""
    return _panels_page(page, meeting_id, {})


def _typed(sent: Any, fields: list[str], lists: list[str]) -> dict[str, Any]:
    """A form's fields as typed, and those sent many times as lists."""
    typed: dict[str, Any] = as_typed(sent, fields)
    for name in lists:
        typed[name] = [value for value in sent.getlist(name) if isinstance(value, str)]
    return typed


def _change(
    page: Page,
    meeting_id: int,
    form: str,
    typed: dict[str, Any],
    change: Callable[[Meeting], str],
) -> Response:
    """Make one change; refused, the page again with the ``form`` as typed and why."""
    try:
        with page.session.begin():
            # Asked first, as the actions ask it: one who may not manage the panels is
            # refused before the names they typed are looked for.
            message = change(page.meeting(meeting_id, needs=Permission.MOTIONS_MANAGE))
    except SHOWN_ON_PAGE as error:
        shown = {"refused": form, "typed": typed, "problem": error.message}
        return _panels_page(page, meeting_id, shown, status=error.status_code)
    return page.redirect(f"{_page(meeting_id)}#{form}", message)


@router.post("/secretary/meetings/{meeting_id}/panels")
def create_panel_page(
    meeting_id: int, page: PageDep, form: Annotated[PanelForm, Form()], sent: PostedForm
) -> Response:
    """Form a panel on the items ticked, with the chairs and members typed — as
    ``POST /api/meetings/{id}/panels`` (``PanelIn``)."""

    def create(meeting: Meeting) -> str:
        panel = form.create(page.session, page.caller, meeting)
        return _("The panel %(name)s is formed") % {"name": panel.name}

    typed = _typed(sent, ["name"], ["agenda_item_ids", "chairs", "members"])
    return _change(page, meeting_id, "new-panel", typed, create)


@router.post("/secretary/meetings/{meeting_id}/panels/{panel_id}/members")
def add_panel_members_page(
    meeting_id: int,
    panel_id: int,
    page: PageDep,
    form: Annotated[MembersForm, Form()],
    sent: PostedForm,
) -> Response:
    """Add the participants typed to a panel — as ``POST /api/panels/{id}/members``
    (``MembersIn``)."""

    def add(meeting: Meeting) -> str:
        panel = meeting_row(page.session, Panel, panel_id, meeting.id, "panel")
        form.add(page.session, page.caller, panel)
        return _("The panel %(name)s has its new members") % {"name": panel.name}

    typed = _typed(sent, [], ["members"])
    return _change(page, meeting_id, f"panel-{panel_id}", typed, add)
