"""The chair's control of the projector: what the hall's screen shows, chosen on the console
(or on a page of its own, for whoever runs the screen beside the chair)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.projector import MAX_MESSAGE, ProjectorChoice, projector_of
from veche.errors import Forbidden, NotAuthenticated, VecheError
from veche.i18n import _
from veche.models import Meeting, Projector
from veche.models.polls import PollState
from veche.models.projector import ProjectorShows
from veche.permissions import Permission
from veche.queries.sitting import meeting_polls
from veche.web.inputs_projector import ProjectorForm
from veche.web.pages._page import Page, PageDep

router = APIRouter()

Back = Literal["console", "control"]

#: How each poll is listed in the control, by its state: what showing it puts on the screen.
_POLL_STATES = {
    PollState.DRAFT: "not open yet",
    PollState.OPEN: "voting is open",
    PollState.CLOSED: "closed, the result not yet published",
    PollState.PUBLISHED: "result published",
}


def _now_showing(projector: Projector | None) -> str:
    """What the chair's choice puts on the screen, in words."""
    if projector is None or projector.shows is ProjectorShows.FOLLOW:
        return _("the meeting as it goes")
    if projector.poll is not None:
        return _("the poll “%(title)s”") % {"title": projector.poll.title}
    if projector.shows is ProjectorShows.MESSAGE:
        return _("a message: “%(message)s”") % {"message": projector.message}
    return {
        ProjectorShows.ITEM: _("the item under discussion"),
        ProjectorShows.SPEAKER: _("the speaker and the speakers list"),
        ProjectorShows.BLANK: _("nothing: a blank screen with the meeting's name"),
    }[projector.shows]


def control_context(
    session: Session,
    meeting: Meeting,
    *,
    back: Back,
    typed: ProjectorChoice | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """The control, with the chair's choice as it stands (or as just typed, when refused)."""
    projector = projector_of(session, meeting.id)
    current = ProjectorChoice(
        projector.shows if projector is not None else ProjectorShows.FOLLOW,
        projector.poll_id if projector is not None else None,
        projector.message if projector is not None else "",
    )
    polls = [poll for poll in meeting_polls(session, meeting) if poll.state in _POLL_STATES]
    return {
        "meeting": meeting,
        "now_showing": _now_showing(projector),
        "choice": typed or current,
        "projector_polls": sorted(polls, key=lambda poll: poll.id, reverse=True),
        "poll_states": {state: _(words) for state, words in _POLL_STATES.items()},
        "back": back,
        "message_most": MAX_MESSAGE,
        "projector_error": error,
    }


def _control_page(
    page: Page,
    meeting_id: int,
    *,
    typed: ProjectorChoice | None = None,
    error: VecheError | None = None,
) -> HTMLResponse:
    return page.render_meeting(
        meeting_id,
        "chair/projector_control.html",
        lambda session, meeting: control_context(
            session,
            meeting,
            back="control",
            typed=typed,
            error=error.message if error is not None else None,
        ),
        needs=Permission.FLOOR_RUN,
        with_permissions=True,
        status=error.status_code if error is not None else 200,
    )


@router.get("/meetings/{meeting_id}/console/projector", response_class=HTMLResponse)
def projector_control(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The projector's control on a page of its own."""
    return _control_page(page, meeting_id)


@router.get("/meetings/{meeting_id}/console/projector/control", response_class=HTMLResponse)
def projector_control_fragment(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The projector's control as the console shows it, fetched when the console loads."""
    return page.render_meeting(
        meeting_id,
        "chair/_projector_control.html",
        lambda session, meeting: control_context(session, meeting, back="console"),
        needs=Permission.FLOOR_RUN,
    )


@router.post("/meetings/{meeting_id}/console/projector")
def show_on_projector(
    meeting_id: int, page: PageDep, form: Annotated[ProjectorForm, Form()]
) -> Response:
    """Put the item, the speaker, a poll, a message or nothing on the projector, or let it
    follow the meeting; a choice that cannot be shown comes back with the reason."""
    try:
        with page.session.begin():
            shown = _now_showing(form.show(page.session, page.caller, page.meeting(meeting_id)))
    except (Forbidden, NotAuthenticated):
        raise
    except VecheError as refusal:
        return _control_page(page, meeting_id, typed=form.choice(), error=refusal)
    back = f"/meetings/{meeting_id}/console"
    if form.back == "control":
        back += "/projector"
    return page.redirect(back, _("The projector shows %(what)s.") % {"what": shown})
