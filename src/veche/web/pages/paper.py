"""Tellers enter paper ballots one by one: rankings (and approvals) typed as candidate numbers.

A lot is built on the page, ballot after ballot, and travels in the form itself, so a
teller sees every ballot entered, removes a mistaken one, and records the lot in one step.
Nothing is stored until then.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import (
    Caller,
    access_meeting,
    access_meeting_row,
    authorize,
    meeting_permissions,
)
from veche.actions.choices import shape_of
from veche.actions.polls import PaperLot, ballot_options, do_enter_paper_ballots
from veche.errors import Conflict, InvalidInput, VecheError
from veche.i18n import _
from veche.models import Poll
from veche.models.polls import PollOption, PollState
from veche.permissions import Permission
from veche.queries.sitting import meeting_polls
from veche.tally import BallotShape
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.pages._ballots import TYPED_SHAPES, PaperBallot, paper_ballot
from veche.web.pages._render import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

#: The most ballots one lot holds: a hall's worth; a larger count is entered in several lots.
MAX_LOT = 5000
#: Refusals shown on the entry page itself, so the lot typed so far is never lost.
SHOWN_ON_PAGE = (InvalidInput, Conflict)

LotField = Annotated[str, Form(max_length=MAX_LOT * 40)]
EntryField = Annotated[str, Form(max_length=100_000)]
#: Chosen when a lot is begun and kept while it grows, so that recording it twice (a double
#: click, a resend) adds it once; a new lot gets a new key.
LotKeyField = Annotated[str, Form(max_length=128)]


def _typed_poll(session: Session, caller: Caller, meeting_id: int, poll_id: int) -> Poll:
    """An open poll of the meeting whose ballots are typed as candidate numbers."""
    poll = access_meeting_row(session, caller, Poll, poll_id, meeting_id, "poll")
    authorize(session, caller, Permission.PAPER_ENTER, poll.meeting_id)
    if shape_of(poll.method) not in TYPED_SHAPES:
        raise InvalidInput(
            _(
                "poll %(poll)s is counted by %(method)s: its paper ballots are entered as "
                "totals on the secretary's desk"
            )
            % {"poll": poll.id, "method": poll.method}
        )
    return poll


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
        if poll.state is PollState.OPEN and shape_of(poll.method) in TYPED_SHAPES
    ]
    context = {
        "meeting": meeting,
        "polls": polls,
        "may": meeting_permissions(session, caller, meeting.id),
    }
    return render(request, "secretary/paper_polls.html", context, viewer=caller)


def _lines(text: str) -> list[str]:
    """Ballots apart: one per line, or several on a line between semicolons."""
    return [line.strip() for line in re.split(r"[;\r\n]", text) if line.strip()]


def _read_lot(lot: str, options: list[PollOption], shape: BallotShape) -> list[PaperBallot]:
    """The ballots entered so far, as the page sent them back."""
    ballots = []
    for number, line in enumerate(_lines(lot), start=1):
        try:
            ballots.append(paper_ballot(line, options, shape))
        except InvalidInput as error:
            raise InvalidInput(
                _("ballot %(number)s of the lot: %(problem)s")
                % {"number": number, "problem": error.message}
            ) from None
    if len(ballots) > MAX_LOT:
        raise InvalidInput(
            _("a lot holds at most %(most)s ballots; record this one and start another")
            % {"most": MAX_LOT}
        )
    return ballots


def _typed(entry: str, options: list[PollOption], shape: BallotShape) -> list[PaperBallot]:
    """The ballots just typed: one, or several pasted at once."""
    lines = _lines(entry)
    if not lines:
        raise InvalidInput(
            _("type the candidates' numbers in order of preference, such as 3 1 2, or blank")
        )
    ballots = []
    for line in lines:
        try:
            ballots.append(paper_ballot(line, options, shape))
        except InvalidInput as error:
            raise InvalidInput(
                _("ballot %(typed)r was not added: %(problem)s")
                % {"typed": line, "problem": error.message}
            ) from None
    return ballots


def _show(
    request: Request,
    session: Session,
    caller: Caller,
    poll: Poll,
    ballots: list[PaperBallot],
    *,
    entry: str = "",
    notice: str = "",
    error: VecheError | None = None,
    lot_key: str | None = None,
) -> HTMLResponse:
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
        "entry": entry,
        "notice": notice,
        "error": error.message if error else "",
        "lot_key": lot_key or secrets.token_urlsafe(24),
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
    lot: LotField = "",
    entry: EntryField = "",
    remove: Annotated[int | None, Form(ge=1)] = None,
    lot_key: LotKeyField = "",
) -> HTMLResponse:
    """Add the ballot just typed to the lot, or take one out; nothing is recorded yet."""
    poll = _typed_poll(session, caller, meeting_id, poll_id)
    options = ballot_options(poll)
    shape = shape_of(poll.method)
    ballots = _read_lot(lot, options, shape)
    if remove is not None:
        if remove > len(ballots):
            raise InvalidInput(f"the lot has {len(ballots)} ballots; there is no ballot {remove}")
        taken = ballots.pop(remove - 1)
        notice = _("Ballot %(number)s (%(line)s) removed") % {"number": remove, "line": taken.line}
        return _show(
            request, session, caller, poll, ballots, entry=entry, notice=notice, lot_key=lot_key
        )
    try:
        added = _typed(entry, options, shape)
        if len(ballots) + len(added) > MAX_LOT:
            raise InvalidInput(
                _("a lot holds at most %(most)s ballots; record this one and start another")
                % {"most": MAX_LOT}
            )
    except InvalidInput as error:
        return _show(
            request, session, caller, poll, ballots, entry=entry, error=error, lot_key=lot_key
        )
    ballots += added
    notice = _("Ballot %(number)s added: %(line)s") % {
        "number": len(ballots),
        "line": added[-1].line,
    }
    if len(added) > 1:
        notice = _("%(count)s ballots added") % {"count": len(added)}
    return _show(request, session, caller, poll, ballots, notice=notice, lot_key=lot_key)


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots")
def record_lot(
    meeting_id: int,
    poll_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    lot: LotField = "",
    entry: EntryField = "",
    lot_key: LotKeyField = "",
) -> Response:
    """Record the lot: identical ballots counted together, all of them or none; the same lot
    recorded twice (a double click) is added once."""
    try:
        with session.begin():
            poll = _typed_poll(session, caller, meeting_id, poll_id)
            ballots = _read_lot(lot, ballot_options(poll), shape_of(poll.method))
            if entry.strip():
                raise InvalidInput(
                    _("a ballot is typed but not added to the lot: add it, or clear the field")
                )
            if not ballots:
                raise InvalidInput(_("the lot is empty: enter the ballots first"))
            added = do_enter_paper_ballots(
                session, caller, poll, _lots(ballots), lot_key=lot_key or None
            )
    except SHOWN_ON_PAGE as error:
        poll = _typed_poll(session, caller, meeting_id, poll_id)
        shown = _read_lot(lot, ballot_options(poll), shape_of(poll.method))
        return _show(
            request, session, caller, poll, shown, entry=entry, error=error, lot_key=lot_key
        )
    return redirect(
        request,
        _entry_page(meeting_id, poll_id),
        _("%(count)s paper ballots recorded") % {"count": added},
    )


def _lots(ballots: list[PaperBallot]) -> list[PaperLot]:
    """Identical ballots as one lot with their number, in the order first entered."""
    counted = Counter(ballot.line for ballot in ballots)
    choices = {ballot.line: ballot.choice for ballot in ballots}
    return [PaperLot(choices[line], number) for line, number in counted.items()]
