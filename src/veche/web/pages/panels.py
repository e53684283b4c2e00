"""The desk forms the meeting's drafting panels: each on one or more agenda items, with its
chairs and members, who then study the drafts of those items."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import meeting_row
from veche.i18n import _
from veche.models import Meeting, Panel
from veche.models.meetings import MeetingState
from veche.permissions import Permission
from veche.queries.agenda import agenda_items
from veche.queries.proceedings import MotionRow, motions, panels, participants
from veche.web.inputs_agenda import rapporteur_names
from veche.web.inputs_motions import MembersForm, PanelForm
from veche.web.pages._forms import MeetingForms
from veche.web.pages._page import PageDep
from veche.web.pages._posted import PostedForm, as_typed, as_typed_lists

router = APIRouter()

#: The places the forms offer for a panel's chairs, and for its members.
CHAIR_PLACES = 3
MEMBER_PLACES = 8


def panels_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    rows = participants(session, meeting.id)
    drafts: dict[int, list[MotionRow]] = defaultdict(list)
    for motion in motions(session, meeting.id):
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


_FORMS = MeetingForms(
    "secretary/panels.html",
    panels_context,
    Permission.MOTIONS_MANAGE,
    "/secretary/meetings/{meeting_id}/panels",
)


@router.get("/secretary/meetings/{meeting_id}/panels", response_class=HTMLResponse)
def panels_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The meeting's panels with their items, chairs, members and the drafts they study, and
    the forms to form a panel and to add members to one."""
    return _FORMS.show(page, meeting_id)


@router.post("/secretary/meetings/{meeting_id}/panels")
def create_panel_page(
    meeting_id: int, page: PageDep, form: Annotated[PanelForm, Form()], sent: PostedForm
) -> Response:
    """Form a panel on the items ticked, with the chairs and members typed — as
    ``POST /api/meetings/{id}/panels`` (``PanelIn``)."""

    def create(meeting: Meeting) -> str:
        panel = form.create(page.session, page.caller, meeting)
        return _("The panel %(name)s is formed") % {"name": panel.name}

    typed = as_typed(sent, ["name"]) | as_typed_lists(
        sent, ["agenda_item_ids", "chairs", "members"]
    )
    return _FORMS.change(page, meeting_id, "new-panel", typed, create)


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

    typed = as_typed_lists(sent, ["members"])
    return _FORMS.change(page, meeting_id, f"panel-{panel_id}", typed, add)
