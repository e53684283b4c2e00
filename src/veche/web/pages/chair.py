"""The chair's console: the current poll with its live count and the quorum; polls to run."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_meeting, access_poll, require_manager
from veche.actions.choices import SHAPES
from veche.actions.polls import (
    do_answer_nomination,
    do_cancel_poll,
    do_close_poll,
    do_create_poll,
    do_nominate,
    do_open_poll,
    do_publish_poll,
)
from veche.errors import InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting
from veche.models.polls import PollKind, Secrecy
from veche.queries.polls import live_count
from veche.queries.sitting import (
    chart_rounds,
    current_poll,
    meeting_day,
    meeting_polls,
    quorum_status,
)
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.pages._majority import base_labels, majority_options, rule_labels
from veche.web.pages._render import redirect, render
from veche.web.pages.floor import floor_context

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

#: What the chair can do to a poll from the console, by the word in its address.
POLL_STEPS = {
    "open": (lambda s, c, poll_id: do_open_poll(s, c, access_poll(s, c, poll_id, lock=True))),
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


def _managed_meeting(session: Session, caller: Caller, meeting_id: int) -> Meeting:
    meeting = access_meeting(session, caller, meeting_id)
    require_manager(session, caller, meeting)
    return meeting


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
        "methods": sorted(m for m in SHAPES if m != "majority"),
        "majority_rules": rule_labels(),
        "majority_bases": base_labels(),
    }


@router.get("/meetings/{meeting_id}/console", response_class=HTMLResponse)
def console(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """The chair's console for the sitting: the current poll and the speakers list."""
    meeting = _managed_meeting(session, caller, meeting_id)
    context = {**floor_context(session, caller, meeting), **console_context(session, meeting)}
    return render(request, "console.html", context, viewer=caller)


@router.get("/meetings/{meeting_id}/console/current", response_class=HTMLResponse)
def console_current(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """The current poll's panel, re-fetched on every live event of the meeting."""
    meeting = _managed_meeting(session, caller, meeting_id)
    return render(
        request, "_console_current.html", console_context(session, meeting), viewer=caller
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.post("/meetings/{meeting_id}/console/polls")
def create_poll(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    title: Annotated[str, Form(max_length=300)],
    kind: Annotated[PollKind, Form()],
    method: Annotated[str, Form(max_length=40)] = "",
    seats: Annotated[int, Form(ge=1, le=1000)] = 1,
    secrecy: Annotated[Secrecy, Form()] = Secrecy.SECRET,
    options: Annotated[str, Form(max_length=20_000)] = "",
    rule: Annotated[str, Form(max_length=40)] = "simple",
    fraction: Annotated[str, Form(max_length=40)] = "",
    base: Annotated[str, Form(max_length=20)] = "cast",
    abstentions_count: Annotated[bool, Form()] = False,
) -> Response:
    """A new poll in draft; an election's candidates stand on the chair's word that they accept.

    A decision carries the majority it needs: a named rule, or a share of the votes cast,
    the members present or all members (abstentions counted as cast or not).
    """
    with session.begin():
        meeting = _managed_meeting(session, caller, meeting_id)
        method_options = None
        if kind is PollKind.DECISION:
            method = "majority"
            method_options = majority_options(rule, fraction, base, abstentions_count)
        elif not method:
            raise InvalidInput("choose a counting method")
        labels = _lines(options)
        poll = do_create_poll(
            session,
            caller,
            meeting,
            title=title,
            kind=kind,
            method=method,
            seats=seats,
            secrecy=secrecy,
            options=labels if kind is PollKind.CHOICE else None,
            method_options=method_options,
        )
        if kind is PollKind.ELECTION:
            for label in labels:
                candidate = do_nominate(session, caller, poll, person_id=None, label=label)
                do_answer_nomination(session, caller, poll, candidate.id, accept=True)
        title = poll.title
    return redirect(
        request, f"/meetings/{meeting_id}/console", _("Poll created: %(title)s") % {"title": title}
    )


@router.post("/meetings/{meeting_id}/console/polls/{poll_id}/{step}")
def poll_step(
    meeting_id: int,
    poll_id: int,
    step: str,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
) -> Response:
    """Open, close (and count), publish or cancel a poll."""
    if step not in POLL_STEPS:
        raise NotFound(f"a poll can be {', '.join(POLL_STEPS)}ed, not {step!r}")
    with session.begin():
        poll = access_poll(session, caller, poll_id)
        if poll.meeting_id != meeting_id:
            raise NotFound(f"meeting {meeting_id} has no poll {poll_id}")
        POLL_STEPS[step](session, caller, poll_id)
    return redirect(request, f"/meetings/{meeting_id}/console", _step_done(step))
