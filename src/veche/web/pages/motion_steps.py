"""A motion's way from the pages: tabled as a draft on its agenda item, its final text frozen,
put to the vote under that item, and recorded adopted (a numbered resolution, in the registry)
or rejected — each through the API's input model and action, each step that cannot be undone
confirmed first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import field_validator
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from veche.actions.access import Caller, meeting_permissions, participant_of
from veche.actions.motions import NO_SUBMITTER, do_finalize_motion, do_withdraw_motion
from veche.actions.resolutions import do_settle_motion
from veche.errors import InvalidInput, VecheError
from veche.i18n import _
from veche.models import Meeting, Motion
from veche.queries.motion_page import tabling_choices
from veche.queries.papers import motion_list
from veche.web.api.motions import FinalIn, SettleIn
from veche.web.inputs import PollForm
from veche.web.inputs_motions import MotionForm
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, as_typed, text_of
from veche.web.pages._render import context_of
from veche.web.pages.amendments import refused

router = APIRouter()

#: The fields of the form for a new draft, shown again as typed when it is refused.
MOTION_FIELDS = ("title", "text", "agenda_item_id", "submitter_body_id", "submitter_person_ids")
#: The fields of the form that puts a motion to the vote, shown again likewise.
VOTE_FIELDS = ("title", "rule", "fraction", "base", "vote_by")


class SettleForm(SettleIn):
    """``SettleIn`` as the motion's page posts it: a date left empty is the meeting's last day."""

    @field_validator("effective_on", mode="before")
    @classmethod
    def _left_empty(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def drafts_view(
    session: Session, caller: Caller, meeting: Meeting, *, typed: dict[str, str] | None = None
) -> dict[str, Any]:
    """The drafts page: the list, and the form to table a new one (as typed, when refused)."""
    return {
        **context_of(motion_list(session, meeting)),
        "choices": tabling_choices(session, meeting),
        "participant": participant_of(session, meeting.id, caller.person_id),
        "may": meeting_permissions(session, caller, meeting.id),
        "typed": typed or {},
        "problem": None,
    }


@router.get("/meetings/{meeting_id}/motions", response_class=HTMLResponse)
def motions(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The meeting's drafts and motions, with how far each has come; the form to table one."""
    meeting = page.meeting(meeting_id)
    return page.render("meeting/motions.html", **drafts_view(page.session, page.caller, meeting))


@router.post("/meetings/{meeting_id}/motions")
def table_motion(
    meeting_id: int, page: PageDep, form: Annotated[MotionForm, Form()], sent: PostedForm
) -> Response:
    """Table a draft on its agenda item: by a body (those who manage motions), or by a
    participant in their own name."""
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            motion = form.submit(page.session, page.caller, meeting)
            number, motion_id = motion.number, motion.id
    except VecheError as problem:
        meeting = page.meeting(meeting_id)
        typed = as_typed(sent, MOTION_FIELDS)
        context = drafts_view(page.session, page.caller, meeting, typed=typed)
        context["problem"] = (
            _(
                "Say who tables the draft: choose a body under “Submitted by”, or tick “In my "
                "own name”, or both."
            )
            if problem.message == NO_SUBMITTER
            else problem.message
        )
        return page.render("meeting/motions.html", status=problem.status_code, **context)
    return page.redirect(
        f"/meetings/{meeting_id}/motions/{motion_id}",
        _("Motion %(number)s is tabled as a draft.") % {"number": number},
    )


def _confirmed(sent: FormData, doing: str) -> None:
    """Refuse a step that cannot be undone unless its box was ticked. Asked after the action,
    in its transaction, so that one who may not take the step hears that first, and the step
    taken unconfirmed is rolled back with its journal entry and its live event."""
    if text_of(sent, "confirmed") != "yes":
        raise InvalidInput(
            _("Tick the box to confirm that you mean to %(doing)s: it cannot be undone.")
            % {"doing": doing}
        )


def _step(
    page: Page,
    meeting_id: int,
    motion_id: int,
    about: str,
    take: Callable[[Motion], str | None],
    done: str,
) -> Response:
    """Take a step of the motion (``take(motion)``, in one transaction), then back to its page
    with ``done``; refused, its page again with the reason beside the step's form."""
    try:
        with page.session.begin():
            motion = page.row(Motion, motion_id, meeting_id, "motion")
            said = take(motion)
    except VecheError as problem:
        motion = page.row(Motion, motion_id, meeting_id, "motion")
        return refused(page, motion, problem, about)
    return page.redirect(f"/meetings/{meeting_id}/motions/{motion_id}#stage", said or done)


@router.post("/meetings/{meeting_id}/motions/{motion_id}/final")
def finalize_motion(
    meeting_id: int,
    motion_id: int,
    page: PageDep,
    form: Annotated[FinalIn, Form()],
    sent: PostedForm,
) -> Response:
    """Freeze the final text, once every amendment is decided (confirmed: it cannot be undone)."""

    def take(motion: Motion) -> None:
        do_finalize_motion(page.session, page.caller, motion, panel_outcome=form.panel_outcome)
        _confirmed(sent, _("freeze the final text"))

    return _step(
        page,
        meeting_id,
        motion_id,
        "final",
        take,
        _("The final text is frozen: it goes to the vote."),
    )


@router.post("/meetings/{meeting_id}/motions/{motion_id}/vote")
def put_motion_to_vote(
    meeting_id: int,
    motion_id: int,
    page: PageDep,
    form: Annotated[PollForm, Form()],
    sent: PostedForm,
) -> Response:
    """Make the vote on the final text ready: a poll on this motion (a decision, as the form
    sends it), and so under its agenda item; the chair opens and closes it on the console."""
    try:
        with page.session.begin():
            motion = page.row(Motion, motion_id, meeting_id, "motion")
            on_motion = form.model_copy(update={"motion_id": motion.id})
            on_motion.create(page.session, page.caller, motion.meeting)
    except VecheError as problem:
        motion = page.row(Motion, motion_id, meeting_id, "motion")
        vote = as_typed(sent, VOTE_FIELDS)
        return refused(page, motion, problem, "vote", vote=vote)
    return page.redirect(
        f"/meetings/{meeting_id}/motions/{motion_id}#stage",
        _("The vote is ready: the chair opens it on the console."),
    )


@router.post("/meetings/{meeting_id}/motions/{motion_id}/settle")
def settle_motion(
    meeting_id: int,
    motion_id: int,
    page: PageDep,
    form: Annotated[SettleForm, Form()],
    sent: PostedForm,
) -> Response:
    """Record the closed vote's outcome: adopted, the motion becomes the next numbered
    resolution (in the registry); otherwise it is rejected. Confirmed: it cannot be undone."""

    def take(motion: Motion) -> str:
        resolution = do_settle_motion(
            page.session, page.caller, motion, effective_on=form.effective_on
        )
        _confirmed(sent, _("record the outcome"))
        if resolution is None:
            return _("Motion %(number)s is recorded as rejected.") % {"number": motion.number}
        return _("Motion %(number)s is adopted as resolution %(resolution)s.") % {
            "number": motion.number,
            "resolution": resolution.number,
        }

    return _step(page, meeting_id, motion_id, "settle", take, "")


@router.post("/meetings/{meeting_id}/motions/{motion_id}/withdraw")
def withdraw_motion(meeting_id: int, motion_id: int, page: PageDep, sent: PostedForm) -> Response:
    """Its submitters withdraw the motion (confirmed: it cannot be undone)."""

    def take(motion: Motion) -> None:
        do_withdraw_motion(page.session, page.caller, motion)
        _confirmed(sent, _("withdraw the motion"))

    return _step(page, meeting_id, motion_id, "withdraw", take, _("The motion is withdrawn."))
