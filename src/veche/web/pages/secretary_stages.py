"""The stage of a meeting on the secretary's desk: where it is (draft, convened, in session,
closed, report published) and the form for its next step, as the API takes it.

The desk includes ``secretary/_meeting_stage.html``, which reads the stage with
``meeting_stage(meeting)``; a step refused is shown on the stage page, with what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, object_session

from veche.actions.access import Caller
from veche.actions.meetings import CONVOCATION_STATES, check_meeting_move
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting
from veche.models.meetings import MEETING_TRANSITIONS, MeetingState
from veche.permissions import Permission
from veche.queries.agenda import agenda_approval
from veche.queries.waiting import Waiting, what_waits
from veche.web.inputs_meetings import MeetingUpdate, StageForm
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, as_typed
from veche.web.templating import templates

router = APIRouter()

#: Refusals shown on the stage page itself, so the secretary keeps the notice typed.
SHOWN_ON_PAGE = (InvalidInput, Conflict, NotFound)


@dataclass(frozen=True)
class StageStep:
    """One stage in the meeting's course, as the desk lists them."""

    name: str
    done: bool
    current: bool


@dataclass(frozen=True)
class MeetingStage:
    """Where a meeting is, what that means, and its next step."""

    state: MeetingState
    name: str
    about: str
    steps: list[StageStep]
    #: The state the next step leads to; none once the report is published.
    next: MeetingState | None
    #: The next step's button, and what it does.
    step_label: str
    step_about: str
    #: The notice may still be written or changed (before the session opens).
    notice_editable: bool
    #: The next step is convening, sent with the notice in one form.
    with_notice: bool
    #: What the secretary confirms before the step, if it asks for it (closing).
    confirm: str
    #: The next step is taken elsewhere on the desk (publishing the report).
    elsewhere: bool
    #: What the secretary should know before taking the next step (a session opened before
    #: the meeting's first day, a meeting closed without an approved agenda).
    cautions: list[str]
    #: What the record still waits for before the report can be published (in session and
    #: once closed).
    waiting: Waiting | None


def _names() -> dict[MeetingState, str]:
    return {
        MeetingState.DRAFT: _("Draft"),
        MeetingState.CONVENED: _("Convened"),
        MeetingState.IN_SESSION: _("In session"),
        MeetingState.CLOSED: _("Closed"),
        MeetingState.REPORT_PUBLISHED: _("Report published"),
    }


def _abouts() -> dict[MeetingState, str]:
    return {
        MeetingState.DRAFT: _(
            "The meeting is being prepared: its members and alternates are invited, but it is "
            "not convened until its notice is written and sent out."
        ),
        MeetingState.CONVENED: _(
            "The meeting is convened with its notice. The session is not open yet: items "
            "cannot be taken up nor votes opened, and logging in with a card checks no one in."
        ),
        MeetingState.IN_SESSION: _(
            "The session is open: the chair takes up the items and opens the votes, and "
            "delegates who log in with their card are checked in as present for the day."
        ),
        MeetingState.CLOSED: _(
            "The meeting is closed: its record is complete and no vote can be opened. "
            "Its report can now be published."
        ),
        MeetingState.REPORT_PUBLISHED: _("The meeting is closed and its report is published."),
    }


def _steps() -> dict[MeetingState, tuple[str, str]]:
    """Each state's step to it: the button's words, and what the step does."""
    return {
        MeetingState.CONVENED: (
            _("Convene the meeting"),
            _("Convening sends out the notice; it can still be changed until the session opens."),
        ),
        MeetingState.IN_SESSION: (
            _("Open the session"),
            _(
                "Opening the session lets the chair take up the agenda and open votes; the "
                "notice and the days can no longer change."
            ),
        ),
        MeetingState.CLOSED: (
            _("Close the meeting"),
            _(
                "Closing ends the meeting: no vote can be opened or cast after it. Close the "
                "item under discussion and every open vote first."
            ),
        ),
        MeetingState.REPORT_PUBLISHED: (
            _("Publish report"),
            _("Publish the report from the Report section once the record is complete."),
        ),
    }


def _course() -> list[MeetingState]:
    """The states in the order a meeting goes through them, read from its state machine."""
    becomes = {target for targets in MEETING_TRANSITIONS.moves.values() for target in targets}
    state: MeetingState | None = next(s for s in MEETING_TRANSITIONS.moves if s not in becomes)
    course = []
    while state is not None:
        course.append(state)
        state = _next(state)
    return course


def _next(state: MeetingState) -> MeetingState | None:
    return next(iter(MEETING_TRANSITIONS.moves.get(state, ())), None)


def days_early(meeting: Meeting, today: date) -> int:
    """How many days before the meeting's first day its session would open today (0: on the
    day or later)."""
    return max((meeting.starts_on - today).days, 0)


def _early_caution(meeting: Meeting, early: int) -> str:
    # Votes are taken on the meeting's days (actions.meetings.check_meeting_day), and the
    # days are fixed once the session is open: opened early, no vote opens until the day.
    dated = (
        _("The meeting is dated %(day)s, tomorrow.")
        if early == 1
        else _("The meeting is dated %(day)s, %(days)s days from today.")
    )
    return (dated + " ") % {"day": meeting.starts_on.isoformat(), "days": early} + _(
        "No vote can be opened before its first day, and once the session is open its notice "
        "and its days can no longer change. If the meeting is to meet earlier, change its days "
        "first."
    )


def _cautions(session: Session, meeting: Meeting, following: MeetingState | None) -> list[str]:
    """What the next step should not take without a word: opening a session before the
    meeting's day, closing a meeting whose agenda was never approved."""
    if following is MeetingState.IN_SESSION:
        early = days_early(meeting, date.today())
        return [_early_caution(meeting, early)] if early else []
    if following is MeetingState.CLOSED and agenda_approval(session, meeting.id) is None:
        return [
            _(
                "The agenda was never approved: no vote adopted it. Closing the meeting leaves "
                "it so in the record."
            )
        ]
    return []


def _confirm(meeting: Meeting, following: MeetingState | None) -> str:
    if following is MeetingState.CLOSED:
        return _("I confirm that closing the meeting ends its voting.")
    if following is MeetingState.IN_SESSION and days_early(meeting, date.today()):
        return _(
            "I confirm that the session opens before the meeting's first day, and that no vote "
            "can be opened until that day."
        )
    return ""


def meeting_stage(meeting: Meeting) -> MeetingStage:
    """The meeting's stage in words, with its next step."""
    names, course = _names(), _course()
    reached = course.index(meeting.state)
    following = _next(meeting.state)
    label, about = _steps()[following] if following is not None else ("", "")
    # Read by the template from the meeting the page loaded, in the page's own session.
    session = object_session(meeting)
    assert session is not None
    sitting_or_closed = meeting.state in (MeetingState.IN_SESSION, MeetingState.CLOSED)
    return MeetingStage(
        state=meeting.state,
        name=names[meeting.state],
        about=_abouts()[meeting.state],
        steps=[
            StageStep(names[state], done=at < reached, current=at == reached)
            for at, state in enumerate(course)
        ],
        next=following,
        step_label=label,
        step_about=about,
        notice_editable=meeting.state in CONVOCATION_STATES,
        with_notice=following is MeetingState.CONVENED,
        confirm=_confirm(meeting, following),
        elsewhere=following is MeetingState.REPORT_PUBLISHED,
        cautions=_cautions(session, meeting, following),
        waiting=what_waits(session, meeting.id) if sitting_or_closed else None,
    )


templates.env.globals["meeting_stage"] = meeting_stage  # {% set stage = meeting_stage(meeting) %}


def _desk(meeting_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}#stage"


def _stage_page(
    page: Page, meeting_id: int, shown: Mapping[str, object], *, status: int = 200
) -> HTMLResponse:
    # The page needs meeting.run, as each of its steps does.
    return page.render_meeting(
        meeting_id,
        "secretary/meeting_stage.html",
        lambda session, meeting: {"meeting": meeting, **shown},
        needs=Permission.MEETING_RUN,
        with_permissions=True,
        status=status,
    )


@router.get("/secretary/meetings/{meeting_id}/stage", response_class=HTMLResponse)
def stage_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The meeting's stage and the form for its next step, as the desk shows them."""
    return _stage_page(page, meeting_id, {})


def _moved(before: MeetingState, after: MeetingState) -> str:
    if after is before:
        return (
            _("The notice is saved; the meeting is still a draft.")
            if after is MeetingState.DRAFT
            else _("The notice is saved.")
        )
    return {
        MeetingState.CONVENED: _("The meeting is convened with its notice."),
        MeetingState.IN_SESSION: _("The session is open."),
        MeetingState.CLOSED: _("The meeting is closed. Its report can now be published."),
        MeetingState.REPORT_PUBLISHED: _("The report is published."),
    }[after]


class StageStepForm(StageForm):
    """``StageForm`` with the session opened before the meeting's first day confirmed too,
    as closing is: the desk says how early, and asks."""

    def take(self, session: Session, caller: Caller, meeting: Meeting) -> Meeting:
        opening = self.state is MeetingState.IN_SESSION and meeting.state is not self.state
        if opening and not self.confirmed:
            # Asked after the action's own refusals, as closing is.
            check_meeting_move(session, caller, meeting, self.state)
            early = days_early(meeting, date.today())
            if early:
                raise InvalidInput(
                    _early_caution(meeting, early)
                    + " "
                    + _("Tick the box to confirm it, then open the session.")
                )
        return super().take(session, caller, meeting)


@router.post("/secretary/meetings/{meeting_id}/stage")
def move_meeting_on(
    meeting_id: int, page: PageDep, form: Annotated[StageStepForm, Form()]
) -> Response:
    """Take the meeting's next step (convene it with its notice, open the session, close it),
    or save its notice; a refusal is shown on the stage page with the notice as typed."""
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            before = meeting.state
            after = form.take(page.session, page.caller, meeting).state
    except SHOWN_ON_PAGE as error:
        shown = {"stage_error": error.message, "typed_notice": form.notice}
        return _stage_page(page, meeting_id, shown, status=error.status_code)
    return page.redirect(_desk(meeting_id), _moved(before, after))


#: The convocation's fields its form on the stage page sends (the notice has its own form).
CONVOCATION_FIELDS = ("title", "venue", "starts_on", "ends_on")


@router.post("/secretary/meetings/{meeting_id}/convocation")
def update_convocation(
    meeting_id: int, page: PageDep, form: Annotated[MeetingUpdate, Form()], sent: PostedForm
) -> Response:
    """Change the meeting's title, venue or days until the session opens, as
    ``PATCH /api/meetings/{id}`` does; a field left blank stays as it is. Refused, the stage
    page shows why, with the form as typed."""
    try:
        with page.session.begin():
            form.apply(page.session, page.caller, page.meeting(meeting_id))
    except SHOWN_ON_PAGE as error:
        shown = {
            "convocation_error": error.message,
            "typed_convocation": as_typed(sent, CONVOCATION_FIELDS),
        }
        return _stage_page(page, meeting_id, shown, status=error.status_code)
    return page.redirect(_desk(meeting_id), _("The convocation is saved."))
