"""Tellers enter paper ballots one by one: rankings (and approvals) typed as candidate numbers;
and the totals of a show of hands or a standing vote.

A lot is built on the page, ballot after ballot, and travels in the form itself, so a
teller sees every ballot entered, removes a mistaken one, and records the lot in one step.
Nothing is stored until then. The form is ``TypedLotForm`` (``veche.web.inputs_paper``):
the API's ``PaperIn`` as this page posts it, entered through the same action. The totals
of a vote counted in the hall are ``CountedVotesForm``, the API's ``CountedVotesIn``.

Until a poll is closed the tellers correct what they entered, saying why: the totals of a
vote in the hall (the same form, filled with the totals entered, and the reason:
``CountedVotesCorrectionForm``, the API's ``CountedVotesCorrectionIn``), and a paper lot,
withdrawn to be entered again (``PaperWithdrawalForm``, the API's ``PaperCorrectionIn``).
Each lot is shown under its number, the journal entry that entered it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import meeting_permissions
from veche.actions.choices import shape_of
from veche.actions.counted_votes import check_counted_poll, counted_in_hall, entered_totals
from veche.actions.paper_entry import (
    MAX_REASON,
    check_paper_poll,
    check_totals_poll,
    check_typed_poll,
    entered_as_totals,
    entered_typed,
)
from veche.actions.polls import ballot_options
from veche.errors import Conflict, InvalidInput, VecheError
from veche.i18n import _
from veche.method_names import poll_counting_name
from veche.models import Poll
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries.paper_lots import PaperEntry, paper_entries
from veche.queries.polls import readable_choice
from veche.queries.sitting import meeting_polls
from veche.tally import BallotShape
from veche.web.inputs_paper import (
    CountedVotesCorrectionForm,
    CountedVotesForm,
    PaperBallot,
    PaperCountsForm,
    PaperWithdrawalForm,
    TypedLotForm,
    check_lot_size,
)
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, as_typed

router = APIRouter()

#: Refusals shown on the entry page itself, so the lot typed so far is never lost.
SHOWN_ON_PAGE = (InvalidInput, Conflict)

LotForm = Annotated[TypedLotForm, Form()]


def _typed_poll(page: Page, meeting_id: int, poll_id: int) -> Poll:
    """A poll of the meeting whose paper ballots are typed as candidate numbers, for one who
    may enter them (asked before the poll is looked up)."""
    return check_typed_poll(page.session, page.caller, page.meeting(meeting_id), poll_id)


def _entry_page(meeting_id: int, poll_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots"


@router.get("/secretary/meetings/{meeting_id}/paper", response_class=HTMLResponse)
def paper_polls(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The open polls whose paper ballots the tellers count (yes / no / abstain, a single
    choice) or enter one by one, and those counted in the hall, with their totals once
    entered."""
    return _paper_polls(page, meeting_id)


@dataclass(frozen=True)
class _CountsRefused:
    """Counts refused on the tellers' page: whose poll, why, and what was typed."""

    poll_id: int
    error: VecheError
    typed: dict[str, str]


def _paper_polls(
    page: Page, meeting_id: int, *, refused: _CountsRefused | None = None
) -> HTMLResponse:
    """The tellers' page; counts ``refused`` are shown at their poll's form, as typed, under
    the refusal's status."""
    meeting = page.meeting(meeting_id, needs=Permission.PAPER_ENTER)
    open_polls = [p for p in meeting_polls(page.session, meeting) if p.state is PollState.OPEN]
    on_paper = [poll for poll in open_polls if entered_as_totals(poll) or entered_typed(poll)]
    context: dict[str, Any] = {
        "meeting": meeting,
        "counts_polls": [
            (poll, ballot_options(poll)) for poll in open_polls if entered_as_totals(poll)
        ],
        # One key per page shown: its counts, sent twice, are added once.
        "lot_key": secrets.token_urlsafe(24),
        "refused": refused,
        "polls": [poll for poll in open_polls if entered_typed(poll)],
        # Few polls are open at once: the totals are read one poll at a time.
        "counted_polls": [
            (poll, ballot_options(poll), entered_totals(page.session, poll.id))
            for poll in open_polls
            if counted_in_hall(poll)
        ],
        # Few polls are open at once: the lots are read one poll at a time.
        "lots": {poll.id: _lots(page, poll) for poll in on_paper},
        "may": meeting_permissions(page.session, page.caller, meeting.id),
        "max_reason": MAX_REASON,
        "counting_name": poll_counting_name,  # "show of hands · Simple majority"
    }
    status = refused.error.status_code if refused is not None else 200
    return page.render("secretary/paper_polls.html", status=status, **context)


def _lots(page: Page, poll: Poll) -> list[tuple[PaperEntry, list[tuple[Any, int]]]]:
    """The lots of a poll that stand, each with its ballots as they read: choice, number."""
    labels = {option.id: option.label for option in poll.options}
    return [
        (entry, [(readable_choice(lot.choice, labels), lot.count) for lot in entry.lots])
        for entry in paper_entries(page.session, poll.id).standing
    ]


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/counts")
def enter_paper_counts(
    meeting_id: int,
    poll_id: int,
    page: PageDep,
    form: Annotated[PaperCountsForm, Form()],
    sent: PostedForm,
) -> Response:
    """The tellers add their counts of a single choice's paper ballots (a number per option
    and blank ones), as the desk does; refused, the page shows why at the poll's form, with
    the counts as typed."""
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            poll = check_totals_poll(page.session, page.caller, meeting, poll_id)
            added = form.enter(page.session, page.caller, poll)
    except SHOWN_ON_PAGE as refusal:
        typed = as_typed(sent, [name for name in sent if name.startswith("count_")])
        return _paper_polls(page, meeting_id, refused=_CountsRefused(poll_id, refusal, typed))
    return page.redirect(
        f"/secretary/meetings/{meeting_id}/paper#counts-{poll_id}",
        _("%(count)s paper ballots added") % {"count": added},
    )


def _show(
    page: Page,
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
        "may": meeting_permissions(page.session, page.caller, poll.meeting_id),
        "poll": poll,
        "options": options,
        "ranked": shape_of(poll.method) is BallotShape.RANKING,
        "ballots": [(ballot, _names(ballot, labels)) for ballot in ballots],
        "lot": ";".join(ballot.line for ballot in ballots),
        "entry": sent.entry if sent and keep_entry else "",
        "notice": notice,
        "error": error.message if error else "",
        "lot_key": (sent.lot_key if sent else None) or secrets.token_urlsafe(24),
        "counting_name": poll_counting_name,
    }
    status = error.status_code if error else 200
    return page.render("secretary/paper_ballots.html", status=status, **context)


def _names(ballot: PaperBallot, labels: dict[int, str]) -> list[str]:
    ids = ballot.choice.get("ranking") or ballot.choice.get("options") or []
    return [labels[option_id] for option_id in ids]


@router.get(
    "/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots",
    response_class=HTMLResponse,
)
def ballot_entry(meeting_id: int, poll_id: int, page: PageDep) -> HTMLResponse:
    """An empty lot, ready for the first ballot."""
    poll = _typed_poll(page, meeting_id, poll_id)
    return _show(page, poll, [])


@router.post(
    "/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots/lot",
    response_class=HTMLResponse,
)
def change_lot(meeting_id: int, poll_id: int, page: PageDep, form: LotForm) -> HTMLResponse:
    """Add the ballot just typed to the lot, or take one out; nothing is recorded yet."""
    poll = _typed_poll(page, meeting_id, poll_id)
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
        return _show(page, poll, ballots, form, notice=notice)
    try:
        added = form.typed(poll)
        check_lot_size(ballots + added)
    except InvalidInput as error:
        return _show(page, poll, ballots, form, error=error)
    ballots += added
    notice = _("Ballot %(number)s added: %(line)s") % {
        "number": len(ballots),
        "line": added[-1].line,
    }
    if len(added) > 1:
        notice = _("%(count)s ballots added") % {"count": len(added)}
    return _show(
        page,
        poll,
        ballots,
        form,
        notice=notice,
        keep_entry=False,
    )


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/ballots")
def record_lot(meeting_id: int, poll_id: int, page: PageDep, form: LotForm) -> Response:
    """Record the lot: identical ballots counted together, all of them or none; the same lot
    recorded twice (a double click) is added once."""
    try:
        with page.session.begin():
            added = form.enter(
                page.session,
                page.caller,
                _typed_poll(page, meeting_id, poll_id),
            )
    except SHOWN_ON_PAGE as error:
        poll = _typed_poll(page, meeting_id, poll_id)
        return _show(page, poll, form.ballots(poll), form, error=error)
    return page.redirect(
        _entry_page(meeting_id, poll_id),
        _("%(count)s paper ballots recorded") % {"count": added},
    )


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/totals")
def enter_totals(
    meeting_id: int, poll_id: int, page: PageDep, form: Annotated[CountedVotesForm, Form()]
) -> Response:
    """Enter the tellers' totals of a show of hands or a standing vote, once; the same totals
    sent again (a double click) change nothing."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        poll = check_counted_poll(page.session, page.caller, meeting, poll_id)
        entered = form.enter(page.session, page.caller, poll)
    return page.redirect(
        f"/secretary/meetings/{meeting_id}/paper",
        _("%(votes)s votes entered; %(present)s voting rights are present")
        % {"votes": entered.votes, "present": entered.rights_present},
    )


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/totals/correct")
def correct_totals(
    meeting_id: int,
    poll_id: int,
    page: PageDep,
    form: Annotated[CountedVotesCorrectionForm, Form()],
) -> Response:
    """Correct the tellers' totals of a show of hands or a standing vote while it is open:
    those of the form replace those entered, for the reason it gives."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        poll = check_counted_poll(page.session, page.caller, meeting, poll_id)
        corrected = form.correct(page.session, page.caller, poll)
    return page.redirect(
        f"/secretary/meetings/{meeting_id}/paper#counted-{poll_id}",
        _("The totals are corrected: %(votes)s votes; %(present)s voting rights are present")
        % {"votes": corrected.votes, "present": corrected.rights_present},
    )


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/paper/withdraw")
def withdraw_paper_lot(
    meeting_id: int, poll_id: int, page: PageDep, form: Annotated[PaperWithdrawalForm, Form()]
) -> Response:
    """Withdraw a paper lot of an open poll, saying why, to enter its ballots again as they
    should be."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        poll = check_paper_poll(page.session, page.caller, meeting, poll_id, lock=True)
        withdrawn = form.correct(page.session, page.caller, poll)
    return page.redirect(
        f"/secretary/meetings/{meeting_id}/paper#lots-{poll_id}",
        _("Lot %(lot)s withdrawn: %(count)s paper ballots taken out; enter them again as they read")
        % {"lot": withdrawn.lot, "count": withdrawn.withdrawn},
    )
