"""Tellers enter paper ballots one by one: rankings (and approvals) typed as candidate numbers.

A lot is built on the page, ballot after ballot, and travels in the form itself, so a
teller sees every ballot entered, removes a mistaken one, and records the lot in one step.
Nothing is stored until then. The form is ``TypedLotForm`` (``veche.web.inputs_paper``):
the API's ``PaperIn`` as this page posts it, entered through the same action.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_meeting, meeting_permissions
from veche.actions.choices import shape_of
from veche.actions.paper_entry import check_typed_poll, entered_typed
from veche.actions.polls import ballot_options
from veche.errors import Conflict, InvalidInput, VecheError
from veche.i18n import _
from veche.models import Poll
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries.sitting import meeting_polls
from veche.tally import BallotShape
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.inputs_paper import PaperBallot, TypedLotForm, check_lot_size
from veche.web.pages._render import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

#: Refusals shown on the entry page itself, so the lot typed so far is never lost.
SHOWN_ON_PAGE = (InvalidInput, Conflict)

LotForm = Annotated[TypedLotForm, Form()]


def _typed_poll(session: Session, caller: Caller, meeting_id: int, poll_id: int) -> Poll:
    """A poll of the meeting whose paper ballots are typed as candidate numbers, for one who
    may enter them (asked before the poll is looked up)."""
    meeting = access_meeting(session, caller, meeting_id)
    return check_typed_poll(session, caller, meeting, poll_id)


def _entry_page(meeting_id: int, poll_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots"


@router.get("/secretary/meetings/{meeting_id}/paper", response_class=HTMLResponse)
def paper_polls(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """The open polls whose paper ballots the tellers enter one by one."""
    meeting = access_meeting(session, caller, meeting_id, needs=Permission.PAPER_ENTER)
    polls = [
        poll
        for poll in meeting_polls(session, meeting)
        if poll.state is PollState.OPEN and entered_typed(poll)
    ]
    context = {
        "meeting": meeting,
        "polls": polls,
        "may": meeting_permissions(session, caller, meeting.id),
    }
    return render(request, "secretary/paper_polls.html", context, viewer=caller)


def _show(
    request: Request,
    session: Session,
    caller: Caller,
    poll: Poll,
    ballots: list[PaperBallot],
    sent: TypedLotForm | None = None,
    *,
    notice: str = "",
    error: VecheError | None = None,
    keep_entry: bool = True,
) -> HTMLResponse:
    """The entry page with the lot as it stands; what was typed stays in its field unless it
    was just added, and the lot keeps the key it was begun with."""
    options = ballot_options(poll)
    labels = {option.id: option.label for option in options}
    context: dict[str, Any] = {
        "meeting": poll.meeting,
        "may": meeting_permissions(session, caller, poll.meeting_id),
        "poll": poll,
        "options": options,
        "ranked": shape_of(poll.method) is BallotShape.RANKING,
        "ballots": [(ballot, _names(ballot, labels)) for ballot in ballots],
        "lot": ";".join(ballot.line for ballot in ballots),
        "entry": sent.entry if sent and keep_entry else "",
        "notice": notice,
        "error": error.message if error else "",
        "lot_key": (sent.lot_key if sent else None) or secrets.token_urlsafe(24),
    }
    status = error.status_code if error else 200
    return render(request, "secretary/paper_ballots.html", context, viewer=caller, status=status)


def _names(ballot: PaperBallot, labels: dict[int, str]) -> list[str]:
    ids = ballot.choice.get("ranking") or ballot.choice.get("options") or []
    return [labels[option_id] for option_id in ids]


@router.get(
    "/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots",
    response_class=HTMLResponse,
)
def ballot_entry(
    meeting_id: int, poll_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> HTMLResponse:
    """An empty lot, ready for the first ballot."""
    poll = _typed_poll(session, caller, meeting_id, poll_id)
    return _show(request, session, caller, poll, [])


@router.post(
    "/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots/lot",
    response_class=HTMLResponse,
)
def change_lot(
    meeting_id: int,
    poll_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    form: LotForm,
) -> HTMLResponse:
    """Add the ballot just typed to the lot, or take one out; nothing is recorded yet."""
    poll = _typed_poll(session, caller, meeting_id, poll_id)
    ballots = form.ballots(poll)
    if form.remove is not None:
        if form.remove > len(ballots):
            raise InvalidInput(
                f"the lot has {len(ballots)} ballots; there is no ballot {form.remove}"
            )
        taken = ballots.pop(form.remove - 1)
        notice = _("Ballot %(number)s (%(line)s) removed") % {
            "number": form.remove,
            "line": taken.line,
        }
        return _show(request, session, caller, poll, ballots, form, notice=notice)
    try:
        added = form.typed(poll)
        check_lot_size(ballots + added)
    except InvalidInput as error:
        return _show(request, session, caller, poll, ballots, form, error=error)
    ballots += added
    notice = _("Ballot %(number)s added: %(line)s") % {
        "number": len(ballots),
        "line": added[-1].line,
    }
    if len(added) > 1:
        notice = _("%(count)s ballots added") % {"count": len(added)}
    return _show(request, session, caller, poll, ballots, form, notice=notice, keep_entry=False)


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots")
def record_lot(
    meeting_id: int,
    poll_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    form: LotForm,
) -> Response:
    """Record the lot: identical ballots counted together, all of them or none; the same lot
    recorded twice (a double click) is added once."""
    try:
        with session.begin():
            added = form.enter(session, caller, _typed_poll(session, caller, meeting_id, poll_id))
    except SHOWN_ON_PAGE as error:
        poll = _typed_poll(session, caller, meeting_id, poll_id)
        return _show(request, session, caller, poll, form.ballots(poll), form, error=error)
    return redirect(
        request,
        _entry_page(meeting_id, poll_id),
        _("%(count)s paper ballots recorded") % {"count": added},
    )
