"""Polls and elections through the API: lifecycle, candidates, ballots, paper, results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import (
    Caller,
    access_meeting,
    access_poll,
    authorize,
    check_sees_result,
    may_see_result,
)
from veche.actions.closing import do_cancel_poll, do_close_poll
from veche.actions.paper_entry import PaperCorrection
from veche.actions.polls import (
    do_answer_nomination,
    do_nominate,
    do_open_poll,
    do_publish_poll,
    do_withdraw_candidate,
)
from veche.actions.rights import voting_rights
from veche.errors import Forbidden
from veche.models import Poll
from veche.models.polls import OptionStatus, PollKind, PollState, RevotePolicy, Secrecy, VoteBy
from veche.permissions import Permission
from veche.queries.paper_lots import PaperEntry, paper_entries
from veche.queries.polls import (
    MIN_BALLOTS_SHARING_A_WEIGHT,
    bulletin_board,
    live_count,
    recount_file,
    recount_filename,
    roll_call,
    used_rights,
)
from veche.tally import Result
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs import PollIn
from veche.web.inputs_paper import (
    CountedVotesCorrectionIn,
    CountedVotesIn,
    PaperCorrectionIn,
    PaperIn,
)

router = APIRouter(tags=["polls"], responses=REFUSALS)


class OptionOut(FromAttributes):
    id: int
    label: str
    status: OptionStatus
    person_id: int | None


class PollOut(FromAttributes):
    id: int
    meeting_id: int
    title: str
    description: str
    kind: PollKind
    method: str
    seats: int
    secrecy: Secrecy
    revote: RevotePolicy
    state: PollState
    electronic: bool
    vote_by: VoteBy = Field(
        description="ballot, or show_of_hands or standing: counted in the hall, its totals "
        "entered by the tellers"
    )
    day: date | None
    opened_at: datetime | None
    closed_at: datetime | None
    options: list[OptionOut]
    outcome: str | None = Field(description="shown once published, or to the chair once closed")
    approves_agenda: bool
    agenda_item_id: int | None
    motion_id: int | None
    board_shows_choices: bool = Field(
        description="whether the bulletin board shows each ballot's choice beside its "
        "receipt (false: receipts only, and no ballot file)"
    )

    @classmethod
    def of(cls, poll: Poll, *, show_outcome: bool) -> PollOut:
        out = cls.model_validate(poll)
        return out if show_outcome else out.model_copy(update={"outcome": None})


def _out(session: Session, caller: Caller, poll: Poll) -> PollOut:
    return PollOut.of(poll, show_outcome=may_see_result(session, caller, poll))


@router.post("/meetings/{meeting_id}/polls", status_code=201)
def create_poll(meeting_id: Id, body: PollIn, caller: CallerDep, session: Transaction) -> PollOut:
    """Create a poll in draft: a decision, a choice among options, or an election (whose
    `options` are candidates who stand at once, on the chair's word)."""
    meeting = access_meeting(session, caller, meeting_id)
    poll = body.create(session, caller, meeting)
    session.refresh(poll)
    return _out(session, caller, poll)


@router.get("/meetings/{meeting_id}/polls")
def list_polls(meeting_id: Id, caller: CallerDep, session: SessionDep) -> list[PollOut]:
    meeting = access_meeting(session, caller, meeting_id)
    polls = session.scalars(select(Poll).where(Poll.meeting_id == meeting.id).order_by(Poll.id))
    return [_out(session, caller, poll) for poll in polls]


@router.get("/polls/{poll_id}")
def get_poll(poll_id: Id, caller: CallerDep, session: SessionDep) -> PollOut:
    return _out(session, caller, access_poll(session, caller, poll_id))


class NominationIn(BaseModel):
    person_id: Id | None = None
    label: str | None = Field(default=None, max_length=300)


@router.post("/polls/{poll_id}/candidates", status_code=201)
def nominate(poll_id: Id, body: NominationIn, caller: CallerDep, session: Transaction) -> OptionOut:
    """Nominate a candidate (a person, or a name); they stand once they accept."""
    poll = access_poll(session, caller, poll_id, lock=True)
    candidate = do_nominate(session, caller, poll, person_id=body.person_id, label=body.label)
    return OptionOut.model_validate(candidate)


# Before the answers' route, whose {answer} would take "withdraw" for a word it refuses.
@router.post("/polls/{poll_id}/candidates/{option_id}/withdraw")
def withdraw_candidate(
    poll_id: Id, option_id: Id, caller: CallerDep, session: Transaction
) -> OptionOut:
    """The candidate, or the chair, withdraws a candidate (nominated or standing) until voting
    opens; 409 once it has."""
    poll = access_poll(session, caller, poll_id, lock=True)
    candidate = do_withdraw_candidate(session, caller, poll, option_id)
    return OptionOut.model_validate(candidate)


@router.post("/polls/{poll_id}/candidates/{option_id}/{answer}")
def answer_nomination(
    poll_id: Id,
    option_id: Id,
    answer: Literal["accept", "decline"],
    caller: CallerDep,
    session: Transaction,
) -> OptionOut:
    """The candidate accepts or declines (`accept` or `decline`)."""
    poll = access_poll(session, caller, poll_id, lock=True)
    candidate = do_answer_nomination(session, caller, poll, option_id, accept=answer == "accept")
    return OptionOut.model_validate(candidate)


class OpenIn(BaseModel):
    day: date | None = Field(default=None, description="the meeting day; default today")


@router.post("/polls/{poll_id}/open")
def open_poll(
    poll_id: Id, caller: CallerDep, session: Transaction, body: OpenIn | None = None
) -> PollOut:
    poll = do_open_poll(session, caller, poll_id, body.day if body else None)
    return _out(session, caller, poll)


@router.post("/polls/{poll_id}/close")
def close_poll(poll_id: Id, caller: CallerDep, session: Transaction) -> PollOut:
    """Close and count; closing again changes nothing and gives the same answer."""
    poll = do_close_poll(session, caller, poll_id)
    return _out(session, caller, poll)


@router.post("/polls/{poll_id}/publish")
def publish_poll(poll_id: Id, caller: CallerDep, session: Transaction) -> PollOut:
    return _out(session, caller, do_publish_poll(session, caller, poll_id))


@router.post("/polls/{poll_id}/cancel")
def cancel_poll(poll_id: Id, caller: CallerDep, session: Transaction) -> PollOut:
    return _out(session, caller, do_cancel_poll(session, caller, poll_id))


class RightOut(BaseModel):
    right_person_id: int
    kind: str
    weight: int
    on_behalf_of: str | None
    used: bool


@router.get("/polls/{poll_id}/rights")
def my_rights(poll_id: Id, caller: CallerDep, session: SessionDep) -> list[RightOut]:
    """The voting rights the caller holds in an open poll, and which are used already."""
    poll = access_poll(session, caller, poll_id)
    rights = voting_rights(session, poll, caller.person_id)
    used = used_rights(session, [poll.id], [r.right_person_id for r in rights])[poll.id]
    return [
        RightOut(
            right_person_id=r.right_person_id,
            kind=r.kind.value,
            weight=r.weight,
            on_behalf_of=r.on_behalf_of,
            used=r.right_person_id in used,
        )
        for r in rights
    ]


class PaperOut(BaseModel):
    added: int


@router.post("/polls/{poll_id}/paper", status_code=201)
def enter_paper(poll_id: Id, body: PaperIn, caller: CallerDep, session: Transaction) -> PaperOut:
    """Tellers enter counted paper ballots: totals per choice, or each ranked ballot with count 1."""
    poll = access_poll(session, caller, poll_id, lock=True)
    return PaperOut(added=body.enter(session, caller, poll))


class TotalsOut(BaseModel):
    votes: int = Field(description="the votes the totals hold in all")
    rights_present: int = Field(
        description="the voting rights present when they were entered, each by its weight"
    )


@router.post("/polls/{poll_id}/totals", status_code=201)
def enter_totals(
    poll_id: Id, body: CountedVotesIn, caller: CallerDep, session: Transaction
) -> TotalsOut:
    """Tellers enter the totals of a show of hands or a standing vote, once: the votes for
    each option; the same totals sent again get the same answer."""
    poll = access_poll(session, caller, poll_id, lock=True)
    entered = body.enter(session, caller, poll)
    return TotalsOut(votes=entered.votes, rights_present=entered.rights_present)


@router.put("/polls/{poll_id}/totals")
def correct_totals(
    poll_id: Id, body: CountedVotesCorrectionIn, caller: CallerDep, session: Transaction
) -> TotalsOut:
    """Tellers correct the totals entered of a show of hands or a standing vote while it is
    open, saying why: these replace them, journalled beside the first with the reason;
    refused once the poll is closed."""
    poll = access_poll(session, caller, poll_id, lock=True)
    corrected = body.correct(session, caller, poll)
    return TotalsOut(votes=corrected.votes, rights_present=corrected.rights_present)


@router.get("/polls/{poll_id}/paper")
def paper_lots(poll_id: Id, caller: CallerDep, session: SessionDep) -> list[PaperEntry]:
    """The paper lots entered in a poll, each named by its journal entry, with the entry that
    corrected or withdrew it; for those who enter paper ballots."""
    poll = access_poll(session, caller, poll_id)
    authorize(session, caller, Permission.PAPER_ENTER, poll.meeting_id)
    return paper_entries(session, poll.id).entries


@router.post("/polls/{poll_id}/paper/corrections")
def correct_paper(
    poll_id: Id, body: PaperCorrectionIn, caller: CallerDep, session: Transaction
) -> PaperCorrection:
    """Tellers correct a paper lot of an open poll, or withdraw it (no lots), all at once:
    the lot, the lot standing in its place, the ballots taken out and put in."""
    poll = access_poll(session, caller, poll_id, lock=True)
    return body.correct(session, caller, poll)


class CountOut(FromAttributes):
    state: PollState
    electronic: int
    paper: int
    counted: int = Field(description="votes in the tellers' totals of a vote counted in the hall")
    votes: int = Field(
        description="the votes the ballots received carry: each electronic ballot by its "
        "right's weight (a right of weight 3 is one ballot and 3 votes), and the paper ballots"
    )


@router.get("/polls/{poll_id}/count")
def ballots_received(poll_id: Id, caller: CallerDep, session: SessionDep) -> CountOut:
    """How many ballots have arrived — never what they say while the poll is open."""
    poll = access_poll(session, caller, poll_id)
    counted = live_count(session, poll)
    return CountOut.read(counted, state=poll.state)


class ResultOut(FromAttributes):
    poll_id: int
    state: PollState
    outcome: str | None
    ballot_digest: str | None
    result: dict[str, Any] | None
    explanation: str | None


@router.get("/polls/{poll_id}/result")
def result(poll_id: Id, caller: CallerDep, session: SessionDep) -> ResultOut:
    """The count with every round: for the chair once closed, for everyone once published."""
    poll = access_poll(session, caller, poll_id)
    check_sees_result(session, caller, poll, f"the result of poll {poll.id} is shown")
    return ResultOut.read(poll, poll_id=poll.id, explanation=_explain(poll))


def _explain(poll: Poll) -> str | None:
    if not poll.result or "candidates" not in poll.result:
        return None
    return Result.from_dict(poll.result).explain()


class BoardBallotOut(FromAttributes):
    receipt: str
    source: str = Field(description="electronic, paper, or counted (a total counted in the hall)")
    choice: Any = Field(
        description="the ballot's content with the options' labels; null when the board "
        "lists receipts only, and when the weight is withheld"
    )
    weight: int | None = Field(
        description="the votes the ballot carries (a paper lot: its number of ballots); null "
        "when withheld"
    )
    weight_withheld: bool = Field(
        description=f"true when fewer than {MIN_BALLOTS_SHARING_A_WEIGHT} electronic ballots "
        "of this secret poll carry this weight, which could then point at its voter: the "
        "ballot is shown by its receipt alone, with neither weight nor choice; the result "
        "counts it all the same"
    )


class BoardOut(FromAttributes):
    poll_id: int
    ballot_digest: str | None
    shows_choices: bool = Field(
        description="false: the organizer chose a board of receipts only, or the board "
        "withholds every choice (choices_withheld)"
    )
    choices_withheld: int = Field(
        description="when not 0, this many ballots carry weights fewer than "
        f"{MIN_BALLOTS_SHARING_A_WEIGHT} ballots share: so few that the published result less "
        "the other ballots' choices would give theirs, so the board shows no ballot's choice "
        "and offers no ballot file"
    )
    weights_withheld: bool = Field(
        description="some weights are withheld, so those ballots are shown by their receipts "
        "alone, the ballot file leaves them out, and it does not recount the published "
        "result exactly"
    )
    recount_file: bool = Field(
        description="whether GET /api/polls/{id}/ballots.json offers the ballots to recount"
    )
    recount_command: str | None = Field(
        description="the `veche count` command that recounts the file as the poll was counted"
    )
    ballots: list[BoardBallotOut]
    electronic: int = Field(description="the ballots cast electronically, each once")
    paper: int = Field(
        description="the paper ballots, each once: a row of identical ones (a lot) counts them all"
    )


@router.get("/polls/{poll_id}/ballots")
def bulletin(poll_id: Id, caller: CallerDep, session: SessionDep) -> BoardOut:
    """The bulletin board: every ballot sorted by receipt, shown with the result (for the
    chair once closed, for everyone once published)."""
    poll = access_poll(session, caller, poll_id)
    return BoardOut.model_validate(bulletin_board(session, caller, poll))


@router.get("/polls/{poll_id}/ballots.json")
def ballot_file(poll_id: Id, caller: CallerDep, session: SessionDep) -> JSONResponse:
    """The counted ballots as a file `veche count` reads (its JSON ballot format): candidates
    by label, each ballot with its weight as its count; shown with the result, as the board.
    Not offered when the board lists receipts only."""
    poll = access_poll(session, caller, poll_id)
    return JSONResponse(
        recount_file(session, caller, poll),
        headers={"Content-Disposition": f'attachment; filename="{recount_filename(poll)}"'},
    )


@router.get("/polls/{poll_id}/roll-call")
def named_votes(poll_id: Id, caller: CallerDep, session: SessionDep) -> list[dict[str, Any]]:
    """A named poll's roll-call: each voter and their choice, shown with the result (to
    everyone once published, to those who see results early once closed)."""
    poll = access_poll(session, caller, poll_id)
    if poll.secrecy is Secrecy.SECRET:
        raise Forbidden(f"“{poll.title}” is a secret ballot; it has no roll-call")
    check_sees_result(session, caller, poll, f"the roll-call of “{poll.title}” is shown")
    return roll_call(session, poll)
