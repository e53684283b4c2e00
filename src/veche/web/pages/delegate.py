"""The delegate's pages, made for a phone: the meeting, its agenda, voting with a confirmation, the
receipt, the bulletin board and the voter's own record of their votes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from anyio import from_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import access_meeting_row
from veche.actions.ballots import SentBallot, not_taking_ballots
from veche.actions.choices import check_choice, counting_method, shape_of
from veche.actions.follow_up_access import units_reported_for
from veche.actions.intake import BallotIntake, BallotRequest
from veche.actions.polls import ballot_options
from veche.actions.rights import VotingRight
from veche.errors import Forbidden, InvalidInput, VecheError
from veche.i18n import _
from veche.models import Meeting, Participation, Poll
from veche.queries.floor import floor_view
from veche.queries.meeting_agenda import meeting_agenda
from veche.queries.my_votes import my_votes
from veche.queries.papers import document_list, motion_list
from veche.queries.polls import (
    MIN_BALLOTS_SHARING_A_WEIGHT,
    SHOWN,
    bulletin_board,
    readable_choice,
    recount_file,
    recount_filename,
)
from veche.queries.room import board_forecast, nominations, room, standing
from veche.queries.sitting import meetings_seen
from veche.web.deps import PageCallerDep, ReadSessionDep
from veche.web.pages._ballots import choice_from_form, filled_from_choice, json_or_none
from veche.web.pages._page import Page, PageDep
from veche.web.pages._receipt import forget_receipt, keep_receipt, kept_receipt
from veche.web.pages._render import context_of, redirect
from veche.web.pages.secretary_agenda import kind_labels
from veche.whole_numbers import whole_number

router = APIRouter()


@router.get("/meetings", response_class=HTMLResponse)
def my_meetings(page: PageDep) -> HTMLResponse:
    """The meetings the viewer takes part in."""
    meetings = meetings_seen(page.session, page.caller)
    # The way to one's reports is offered to those who file some, not to every delegate.
    files_reports = bool(units_reported_for(page.session, page.caller))
    return page.render(
        "delegate/meetings.html", meetings=meetings, today=date.today(), files_reports=files_reports
    )


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The meeting as a delegate or observer follows it: polls (a voter's page signals one
    that opens, static/delegate.js), the elections taking candidates with the viewer's own
    nominations to answer, the floor, drafts and papers."""
    return show_meeting(page, meeting_id)


def show_meeting(
    page: Page, meeting_id: int, *, status: int = 200, floor_refused: str = ""
) -> HTMLResponse:
    """The meeting page; after a request for the floor refused, with why in the floor's
    section (``floor_refused``), under the refusal's ``status``."""

    def everything(session: Session, meeting: Meeting) -> dict[str, Any]:
        return {
            **context_of(
                motion_list(session, meeting),
                document_list(session, meeting),
                floor_view(session, meeting, page.caller.person_id),
                room(session, page.caller, meeting),
                nominations(session, page.caller, meeting),
            ),
            "floor_refused": floor_refused,
        }

    return page.render_meeting(meeting_id, "delegate/delegate.html", everything, status=status)


@router.get("/meetings/{meeting_id}/agenda", response_class=HTMLResponse)
def delegate_agenda(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The agenda, approved or still a draft: each item's state, papers, drafts and votes, and
    the item under discussion marked."""
    return page.render_meeting(
        meeting_id,
        "delegate/agenda.html",
        lambda session, meeting: {
            **context_of(
                meeting_agenda(session, page.caller, meeting),
                nominations(session, page.caller, meeting),
            ),
            "kind_names": dict(kind_labels()),
        },
    )


@router.get("/meetings/{meeting_id}/my-votes", response_class=HTMLResponse)
def my_votes_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The polls of the meeting the viewer could vote in: whether they voted, and in a named
    vote the choice recorded. A secret ballot's choice is shown nowhere, not even to its voter."""
    return page.render_meeting(
        meeting_id,
        "delegate/my_votes.html",
        lambda session, meeting: my_votes(session, page.caller, meeting),
    )


@router.get("/meetings/{meeting_id}/room", response_class=HTMLResponse)
def meeting_fragment(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The polls part of the meeting page, re-fetched when a live event says it changed."""
    return page.render_meeting(
        meeting_id,
        "delegate/_delegate_polls.html",
        lambda session, meeting: room(session, page.caller, meeting),
    )


@router.get("/meetings/{meeting_id}/polls/{poll_id}/vote", response_class=HTMLResponse)
def ballot_form(meeting_id: int, poll_id: int, page: PageDep) -> HTMLResponse:
    """The ballot: the poll's options in the shape its method asks for."""
    poll = page.row(Poll, poll_id, meeting_id, "poll")
    return _ballot_page(page, poll, error=None, status=200)


def _ballot_page(
    page: Page,
    poll: Poll,
    *,
    error: str | None,
    status: int,
    filled: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    """The ballot, or why none can be cast (the poll is not open, it is taken in the hall or on
    paper, the viewer holds no voting right, or has used every one); ``error`` above it, and
    the fields as ``filled`` in (by name, the values sent) when it comes back to the voter."""
    refusal = not_taking_ballots(poll)
    return page.render(
        "delegate/ballot.html",
        status=status,
        meeting=poll.meeting,
        poll=poll,
        refusal=None if refusal is None else refusal.message,
        standing=standing(page.session, page.caller.person_id, poll),
        options=ballot_options(poll),
        shape=shape_of(poll.method).value,
        counting=counting_method(poll.method),
        error=error,
        filled=filled or {},
    )


@router.post("/meetings/{meeting_id}/polls/{poll_id}/review", response_class=HTMLResponse)
async def review_ballot(meeting_id: int, poll_id: int, page: PageDep) -> HTMLResponse:
    """Show the ballot back before it is cast: the voter confirms or changes it."""
    form = await page.request.form()
    poll = page.row(Poll, poll_id, meeting_id, "poll")
    refusal = not_taking_ballots(poll)
    if refusal is not None:  # the ballot page says why
        return _ballot_page(page, poll, error=None, status=refusal.status_code)
    seen = standing(page.session, page.caller.person_id, poll)
    if seen.reason is not None or not seen.unused:
        return _ballot_page(page, poll, error=None, status=403 if seen.reason else 409)
    right = form.get("right_person_id")
    chosen = right if isinstance(right, str) and whole_number(right) is not None else ""
    if form.get("again"):  # "Change my choice": the ballot again, as the voter filled it in
        shown = form.get("choice")
        filled = filled_from_choice(shown if isinstance(shown, str) else "")
        filled["right_person_id"] = [chosen]
        return _ballot_page(page, poll, error=None, status=200, filled=filled)
    options = ballot_options(poll)
    try:
        choice = check_choice(
            poll.method,
            choice_from_form(poll, options, form),
            options,
            seats=poll.seats,
            max_score=poll.max_score,
        )
    except InvalidInput as error:
        sent = {name: [str(value) for value in form.getlist(name)] for name in form}
        return _ballot_page(page, poll, error=error.message, status=422, filled=sent)
    labels = {option.id: option.label for option in poll.options}
    return page.render(
        "delegate/ballot_review.html",
        meeting=poll.meeting,
        poll=poll,
        choice_json=json.dumps(choice),
        readable=readable_choice(choice, labels),
        right_person_id=chosen,
        voting_as=_voting_as(seen.rights, whole_number(chosen) if chosen else None),
        weight=_weight_of(seen.unused, whole_number(chosen) if chosen else None),
    )


def _weight_of(rights: list[VotingRight], right_person_id: int | None) -> int:
    """The votes a ballot cast with the right chosen carries (the one right left, when none is
    named): a right's weight."""
    right = next((r for r in rights if r.right_person_id == right_person_id), None)
    if right is None and len(rights) == 1:
        right = rights[0]
    return right.weight if right is not None else 1


def _voting_as(rights: list[VotingRight], right_person_id: int | None) -> str | None:
    """Whose vote a ballot is, as the review page and the receipt say it to one who holds
    several: "on behalf of …" a member, or their own; None to one who holds only their own."""
    right = next((r for r in rights if r.right_person_id == right_person_id), None)
    if right is not None and right.on_behalf_of:
        return _("On behalf of %(name)s") % {"name": right.on_behalf_of}
    return _("My own vote") if len(rights) > 1 else None


@router.post("/meetings/{meeting_id}/polls/{poll_id}/ballot", response_class=HTMLResponse)
def cast_ballot(
    meeting_id: int,
    poll_id: int,
    request: Request,
    session: ReadSessionDep,
    caller: PageCallerDep,
    choice: Annotated[str, Form(max_length=20_000)],
    # Made by the page's script in the voter's browser (veche.js), never by the server: the
    # receipt is derived from it, and only its holder can tell which receipt is theirs.
    # Without scripts there is none, and the ballot is refused (ballot_review.html says so).
    client_key: Annotated[str, Form(max_length=128)] = "",
    right_person_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Cast the confirmed ballot, and send the browser to its receipt (303): Back and reloading
    then never offer to send the ballot again. The receipt goes with the answer in a cookie
    for that page alone (``_receipt``), never in an address."""
    parsed = json_or_none(choice)
    if parsed is None:
        raise InvalidInput("the ballot was damaged on the way; fill it in again")
    if not client_key:
        raise InvalidInput(
            "your browser sent no key for this ballot: the page's script makes it, so that only "
            "you can tell which receipt is yours; turn on JavaScript and fill in your ballot again"
        )
    # The ballot page sends the number of one of the voter's rights, or nothing (their own);
    # anything else was damaged.
    right = whole_number(right_person_id) if right_person_id else None
    if right_person_id and right is None:
        raise InvalidInput("the ballot was damaged on the way; fill it in again")
    with session.begin():
        access_meeting_row(session, caller, Poll, poll_id, meeting_id, "poll")
    # Stored with the other ballots arriving now, in one write, by the event loop's intake.
    intake: BallotIntake = request.app.state.intake
    ballot = BallotRequest(caller, SentBallot(poll_id, parsed, client_key, right))
    try:
        cast = from_thread.run(intake.cast, ballot)
    except VecheError as refusal:  # the poll closed meanwhile, the right was used …: say so
        with session.begin():
            poll = access_meeting_row(session, caller, Poll, poll_id, meeting_id, "poll")
            page = Page(request, session, caller)
            return _ballot_page(page, poll, error=refusal.message, status=refusal.status_code)
    shown_at = request.url_for("ballot_receipt", meeting_id=meeting_id, poll_id=poll_id).path
    answer = redirect(request, shown_at)
    keep_receipt(request, answer, shown_at, cast)
    return answer


@router.get("/meetings/{meeting_id}/polls/{poll_id}/receipt", response_class=HTMLResponse)
def ballot_receipt(meeting_id: int, poll_id: int, page: PageDep) -> Response:
    """The receipt of the ballot just cast, shown once: from the cookie the cast handed the
    browser, which this answer deletes. Without it (shown already, a reload, Back and Forward)
    the ballot page, which says that the voter has voted, or offers their next vote."""
    poll = page.row(Poll, poll_id, meeting_id, "poll")
    at = page.request.url_for
    shown_at = at("ballot_receipt", meeting_id=meeting_id, poll_id=poll_id).path
    kept = kept_receipt(page.request, poll.id)
    answer: Response
    if kept is None:
        answer = page.redirect(at("ballot_form", meeting_id=meeting_id, poll_id=poll_id).path)
    else:
        held = standing(page.session, page.caller.person_id, poll)
        # As the right used recorded it: the right itself may be gone since (its giver came).
        used = page.session.get(Participation, (poll.id, kept.right_person_id))
        weight = used.weight if used is not None else _weight_of(held.rights, kept.right_person_id)
        answer = page.render(
            "delegate/receipt.html",
            meeting=poll.meeting,
            poll=poll,
            cast=kept,
            receipt_groups=receipt_groups(kept.receipt),
            voting_as=_voting_as(held.rights, kept.right_person_id),
            rights_left=len(held.unused),
            weight=weight,
            forecast=board_forecast(page.session, poll, weight),
        )
        # Said by every answer already (``veche.web.headers``); this one must never be kept.
        answer.headers["Cache-Control"] = "no-store"
    forget_receipt(page.request, answer, shown_at)
    return answer


def receipt_groups(receipt: str, size: int = 4) -> list[str]:
    """A receipt cut into groups of ``size`` characters, as it is shown for reading aloud or
    copying by hand ("3f2a 9c01 …"); the groups joined again are the receipt."""
    return [receipt[start : start + size] for start in range(0, len(receipt), size)]


@router.get("/meetings/{meeting_id}/polls/{poll_id}/board", response_class=HTMLResponse)
def bulletin(meeting_id: int, poll_id: int, page: PageDep) -> HTMLResponse:
    """Every ballot of a poll by receipt, shown with its result, so each voter can find
    theirs. The search runs in the page (veche.js): a receipt is never sent to the server, in
    a URL or else. The receipt page's link carries the receipt after '#', which the browser
    keeps to itself; the page's script (delegate.js) looks it up. Until the caller may see
    the result (as its board tells it), the page says when to come back, and keeps that
    address for it."""
    poll = page.row(Poll, poll_id, meeting_id, "poll")
    try:
        board = bulletin_board(page.session, page.caller, poll) if poll.state in SHOWN else None
    except Forbidden:  # closed, and its result not yet published to the caller
        board = None
    return page.render(
        "delegate/board.html",
        meeting=poll.meeting,
        poll=poll,
        board=board,
        min_sharing=MIN_BALLOTS_SHARING_A_WEIGHT,
    )


@router.get("/meetings/{meeting_id}/polls/{poll_id}/board/ballots.json")
def ballot_file(meeting_id: int, poll_id: int, page: PageDep) -> JSONResponse:
    """The board's ballots as a file ``veche count`` reads (as ``GET /api/polls/{id}/ballots.json``)."""
    poll = page.row(Poll, poll_id, meeting_id, "poll")
    return JSONResponse(
        recount_file(page.session, page.caller, poll),
        headers={"Content-Disposition": f'attachment; filename="{recount_filename(poll)}"'},
    )
