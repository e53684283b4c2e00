"""A drafting panel's page, for those who speak for it (its chairs; the meeting's chair and
secretary): the drafts of its items with their amendments, the panel's advice to the drafters
on each, and the way to propose an amendment on the panel's behalf."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, object_session

from veche.actions.access import Caller, meeting_row
from veche.actions.panels import require_panel_chair
from veche.errors import VecheError
from veche.i18n import _
from veche.models import Meeting, Panel
from veche.models.meetings import MeetingState
from veche.models.motions import AmendmentState, MotionState
from veche.queries.panel_work import DraftWork, panel_work, panels_spoken_for
from veche.web.inputs_motions import Advice, RecommendationForm
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, as_typed
from veche.web.pages.amendments import amendment_change, part_name
from veche.web.templating import templates

router = APIRouter()

#: What the page's template reads of a refusal when there is none (``records_forms.html``).
NOT_REFUSED: dict[str, Any] = {"refused": "", "typed": {}, "problem": ""}
#: The meeting's states in which a panel's work is over.
ENDED = (MeetingState.CLOSED, MeetingState.REPORT_PUBLISHED)


def _panel(session: Session, caller: Caller, meeting: Meeting, panel_id: int) -> Panel:
    """The meeting's panel, for one who may speak for it (403 for anyone else)."""
    panel = meeting_row(session, Panel, panel_id, meeting.id, "panel")
    require_panel_chair(session, caller, panel)
    return panel


def _draft_view(draft: DraftWork) -> dict[str, Any]:
    """A draft as the page shows it: each amendment with the part it changes and the change in
    words, and those still proposed, on which the panel may advise."""
    amendments = [
        {
            "amendment": a,
            "target": part_name(
                draft.texts[a.base_version], a.paragraph, a.first_line, a.last_line
            ),
            "change": amendment_change(a),
            "proposed": a.state is AmendmentState.PROPOSED,
        }
        for a in draft.amendments
    ]
    return {
        "motion": draft.motion,
        "amendments": amendments,
        "proposed": [row for row in amendments if row["proposed"]],
        "recommendations": draft.recommendations,
        "open": draft.motion.state is MotionState.DRAFT,
    }


def panel_work_context(session: Session, meeting: Meeting, panel: Panel) -> dict[str, Any]:
    work = panel_work(session, panel)
    ended = meeting.state in ENDED
    return {
        "meeting": meeting,
        "panel": panel,
        "chairs": work.chairs,
        "members": work.members,
        "items": [
            {"item": row.item, "drafts": [_draft_view(draft) for draft in row.drafts]}
            for row in work.items
        ],
        "advice_choices": [
            ("", _("No advice")),
            (Advice.ADOPT.value, _("Adopt it")),
            (Advice.REJECT.value, _("Reject it")),
        ],
        "ended": ended,
        # The forms the page shows, one a draft still open: a refusal of another is said atop.
        "open_forms": [
            f"draft-{draft.motion.id}"
            for row in work.items
            for draft in row.drafts
            if draft.motion.state is MotionState.DRAFT and not ended
        ],
    }


def _panel_page(
    page: Page, meeting_id: int, panel_id: int, refusal: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    def view(session: Session, meeting: Meeting) -> dict[str, Any]:
        panel = _panel(session, page.caller, meeting, panel_id)
        return panel_work_context(session, meeting, panel) | NOT_REFUSED | refusal

    return page.render_meeting(
        meeting_id, "meeting/panel_work.html", view, with_permissions=True, status=status
    )


@router.get("/meetings/{meeting_id}/panels/{panel_id}", response_class=HTMLResponse)
def panel_work_page(meeting_id: int, panel_id: int, page: PageDep) -> HTMLResponse:
    """The panel's items, the drafts on them with their amendments and their state, what the
    panel advised so far, and a form per draft to advise the drafters."""
    return _panel_page(page, meeting_id, panel_id, {})


@router.post("/meetings/{meeting_id}/panels/{panel_id}/recommendations")
def recommend_page(
    meeting_id: int,
    panel_id: int,
    page: PageDep,
    form: Annotated[RecommendationForm, Form()],
    sent: PostedForm,
) -> Response:
    """Record the panel's advice on a draft: on each amendment still proposed (adopt or
    reject) and in words — as ``POST /api/panels/{id}/recommendations``
    (``RecommendationIn``); refused, the page again with the form as typed and why."""
    anchor = f"draft-{form.motion_id}"
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            panel = meeting_row(page.session, Panel, panel_id, meeting.id, "panel")
            form.recommend(page.session, page.caller, panel)
    except VecheError as error:
        advice = [name for name in sent if name.startswith("advice_")]
        typed = as_typed(sent, ["text", *advice])
        shown = {"refused": anchor, "typed": typed, "problem": error.message}
        return _panel_page(page, meeting_id, panel_id, shown, status=error.status_code)
    return page.redirect(
        f"/meetings/{meeting_id}/panels/{panel_id}#{anchor}",
        _("The panel's advice is sent to the drafters."),
    )


def panels_to_work(meeting: Meeting, viewer: Caller | None) -> list[Panel]:
    """The meeting's panels the viewer speaks for, each linked from the meeting page
    (``{% for panel in panels_to_work(meeting, viewer) %}``)."""
    session = object_session(meeting)
    if session is None or viewer is None:
        return []
    return panels_spoken_for(session, viewer, meeting.id)


templates.env.globals["panels_to_work"] = panels_to_work
