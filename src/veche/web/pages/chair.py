"""The chair's console: the current poll with its live count and the quorum; polls to run."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.closing import do_cancel_poll, do_close_poll
from veche.actions.polls import (
    do_open_poll,
    do_publish_poll,
)
from veche.errors import NotFound
from veche.i18n import _
from veche.models import Meeting, Poll
from veche.models.polls import POLL_TRANSITIONS
from veche.permissions import Permission
from veche.queries.floor import floor_view
from veche.queries.polls import live_count
from veche.queries.sitting import (
    chart_rounds,
    current_poll,
    meeting_day,
    meeting_polls,
    quorum_status,
)
from veche.tally import available_methods
from veche.web.csrf import require_csrf
from veche.web.inputs import PollForm
from veche.web.pages._majority import base_labels, rule_labels
from veche.web.pages._page import PageDep, add_meeting_view
from veche.web.pages._render import context_of

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

#: What the chair can do to a poll from the console, by the step's name in its address
#: (``POLL_TRANSITIONS`` says from which states).
POLL_STEPS = {
    "open": do_open_poll,
    "close": do_close_poll,
    "publish": do_publish_poll,
    "cancel": do_cancel_poll,
}


def _step_done(step: str) -> str:
    return {
        "open": _("Voting is open."),
        "close": _("Voting is closed and counted."),
        "publish": _("The result is published."),
        "cancel": _("The poll is cancelled."),
    }[step]


def console_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    polls = meeting_polls(session, meeting)
    current = current_poll(polls)
    return {
        "meeting": meeting,
        "polls": polls,
        "current": current,
        "count": live_count(session, current) if current is not None else None,
        "quorum": quorum_status(session, meeting, meeting_day(meeting, date.today())),
        "rounds": chart_rounds(current.result) if current is not None else [],
        "poll_transitions": POLL_TRANSITIONS,  # which steps each poll's buttons offer
        # A decision's method is set by its kind; the chair picks one for choices and elections.
        "methods": [
            name for name, counting in available_methods().items() if not counting.decision
        ],
        "majority_rules": rule_labels(),
        "majority_bases": base_labels(),
    }


@router.get("/meetings/{meeting_id}/console", response_class=HTMLResponse)
def console(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The chair's console for the sitting: the current poll and the speakers list."""
    return page.render_meeting(
        meeting_id,
        "chair/console.html",
        lambda session, meeting: {
            **context_of(floor_view(session, meeting, page.caller.person_id)),
            **console_context(session, meeting),
        },
        needs=Permission.POLLS_RUN,
        with_permissions=True,
    )


add_meeting_view(
    router,
    "/meetings/{meeting_id}/console/current",
    "console_current",
    "chair/_console_current.html",
    console_context,
    about="The current poll's panel, re-fetched on every live event of the meeting.",
    needs=Permission.POLLS_RUN,
)


@router.post("/meetings/{meeting_id}/console/polls")
def create_poll(meeting_id: int, page: PageDep, form: Annotated[PollForm, Form()]) -> Response:
    """A new poll in draft; an election's candidates stand on the chair's word that they accept.

    A decision carries the majority it needs: a named rule, or a share of the votes cast,
    the members present or all members (abstentions counted as cast or not).
    """
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        title = form.create(page.session, page.caller, meeting).title
    return page.redirect(
        f"/meetings/{meeting_id}/console", _("Poll created: %(title)s") % {"title": title}
    )


@router.post("/meetings/{meeting_id}/console/polls/{poll_id}/{step}")
def poll_step(meeting_id: int, poll_id: int, step: str, page: PageDep) -> Response:
    """Open, close (and count), publish or cancel a poll."""
    if step not in POLL_STEPS:
        raise NotFound(f"a poll's steps are {', '.join(POLL_STEPS)}; there is no {step!r}")
    with page.session.begin():
        page.row(Poll, poll_id, meeting_id, "poll")
        POLL_STEPS[step](page.session, page.caller, poll_id)
    return page.redirect(f"/meetings/{meeting_id}/console", _step_done(step))
