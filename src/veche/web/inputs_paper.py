"""What entering paper ballots asks for, declared once: lots of counted ballots, the API's JSON
body (``PaperIn``); the secretary's desk posts totals per option and the tellers' page a lot
of ballots typed as the candidates' numbers, each read into the same lots and entered through
the same action (``do_enter_paper_ballots``). The tellers' totals of a vote counted in the
hall are declared here too (``CountedVotesIn``), as the API takes them and the tellers' page
posts them (``CountedVotesForm``), and their correction with its reason
(``CountedVotesCorrectionIn``; the page's ``CountedVotesCorrectionForm``); and a paper lot's
correction or withdrawal with its reason (``PaperCorrectionIn``; the page's
``PaperWithdrawalForm``)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.choices import BLANK, shape_of
from veche.actions.counted_votes import (
    CountedVotes,
    do_correct_counted_votes,
    do_enter_counted_votes,
)
from veche.actions.paper_entry import (
    MAX_REASON,
    TYPED_SHAPES,
    PaperCorrection,
    do_correct_paper_lot,
)
from veche.actions.polls import MAX_PAPER_COUNT, PaperLot, ballot_options, do_enter_paper_ballots
from veche.errors import InvalidInput
from veche.i18n import _
from veche.models import Poll
from veche.models.polls import PollOption
from veche.tally import BallotShape
from veche.web.api.types import Id
from veche.web.form_fields import as_posted
from veche.whole_numbers import digits_only, whole_number


class PaperLotIn(BaseModel):
    """A number of identical paper ballots: totals per choice, or a ranked ballot once."""

    choice: dict[str, Any]
    count: int = Field(ge=1, le=MAX_PAPER_COUNT, description=f"1 to {MAX_PAPER_COUNT:,}")


class PaperIn(BaseModel):
    """Counted paper ballots, added to an open poll all at once or not at all."""

    lots: list[PaperLotIn] = Field(min_length=1, max_length=100_000)
    lot_key: str | None = Field(
        default=None,
        min_length=16,
        max_length=128,
        description="random; the same lots sent again with it are not added twice",
    )

    def paper_lots(self, poll: Poll) -> list[PaperLot]:
        """The lots, as the action takes them."""
        return [PaperLot(lot.choice, lot.count) for lot in self.lots]

    def enter(self, session: Session, caller: Caller, poll: Poll) -> int:
        """The lots added to the poll (``do_enter_paper_ballots``); how many ballots they hold."""
        return do_enter_paper_ballots(
            session, caller, poll, self.paper_lots(poll), lot_key=self.lot_key
        )


#: Why the tellers correct a figure: required on every correction, and given in the minutes.
Reason = Annotated[
    str,
    Field(max_length=MAX_REASON, description="why it is corrected, for the minutes; required"),
]


class PaperCorrectionIn(BaseModel):
    """A paper lot of an open poll corrected: the lots that replace it, or none to withdraw
    it (its ballots are then entered again as a new lot), and why."""

    lot: Id = Field(description="the lot corrected: the journal entry that entered it")
    lots: list[PaperLotIn] = Field(
        default_factory=list, max_length=100_000, description="none: the lot is withdrawn"
    )
    reason: Reason

    def correct(self, session: Session, caller: Caller, poll: Poll) -> PaperCorrection:
        """The lot corrected (``do_correct_paper_lot``)."""
        lots = [PaperLot(lot.choice, lot.count) for lot in self.lots]
        return do_correct_paper_lot(session, caller, poll, self.lot, lots, reason=self.reason)


class PaperWithdrawalForm(PaperCorrectionIn):
    """``PaperCorrectionIn`` as the tellers' page posts it: the lot withdrawn, with no lots."""

    lots: list[PaperLotIn] = Field(default_factory=list, max_length=0)


class _CountsForm(BaseModel):
    """A form that posts a number per option (``count_<option id>``), any of them left
    empty, read as ``counts`` against the poll's options, so that a refusal names the
    option. Of the form's other fields, it keeps those named in ``posted_too``."""

    posted_too: ClassVar[tuple[str, ...]] = ()
    counts: dict[str, str] = Field(default_factory=dict, max_length=1000)

    @as_posted
    def _as_posted(cls, data: dict[str, Any]) -> dict[str, Any]:
        counts = {
            name.removeprefix("count_"): value
            for name, value in data.items()
            if name.startswith("count_")
        }
        kept = {name: value for name, value in data.items() if name in cls.posted_too}
        return kept | {"counts": counts}


# --- The secretary's desk: totals per option -----------------------------------------------


class PaperCountsForm(_CountsForm, PaperIn):
    """``PaperIn`` as the desk posts it for a single choice: a count per option
    (``count_<option id>``) and of blank ballots (``count_blank``), any of them left empty."""

    posted_too = ("lot_key",)
    lots: list[PaperLotIn] = Field(default_factory=list, max_length=0)

    def paper_lots(self, poll: Poll) -> list[PaperLot]:
        lots = []
        for option in ballot_options(poll):
            number = _count(self.counts.get(str(option.id)), option.label)
            if number:
                lots.append(PaperLot({"option": option.id}, number))
        blank = _count(self.counts.get("blank"), _("blank"))
        if blank:
            lots.append(PaperLot(dict(BLANK), blank))
        return lots


def _count(text: str | None, label: str) -> int:
    text = (text or "").strip()
    if not text:
        return 0
    if not digits_only(text):
        raise InvalidInput(f"the count for {label} must be a whole number, not {text[:20]!r}")
    count = whole_number(text)
    if count is None or count > MAX_PAPER_COUNT:
        raise InvalidInput(
            f"the count for {label} must be at most {MAX_PAPER_COUNT:,}; "
            "enter a larger count in several lots"
        )
    return count


# --- Votes counted in the hall: the tellers' totals ----------------------------------------

Votes = Annotated[int, Field(ge=0, le=MAX_PAPER_COUNT)]


class CountedVotesIn(BaseModel):
    """The tellers' totals of a show of hands or a standing vote, entered once and corrected
    while the poll is open: the votes for each option (or candidate), by its id; an option
    left out had none."""

    totals: dict[Id, Votes] = Field(
        min_length=1,
        max_length=1000,
        description=f"an option's id → its votes, 0 to {MAX_PAPER_COUNT:,}",
    )

    def counted(self, poll: Poll) -> dict[int, int]:
        """The votes for each option, as the action takes them."""
        return dict(self.totals)

    def enter(self, session: Session, caller: Caller, poll: Poll) -> CountedVotes:
        """The totals entered (``do_enter_counted_votes``)."""
        return do_enter_counted_votes(session, caller, poll, self.counted(poll))


class CountedVotesCorrectionIn(CountedVotesIn):
    """The tellers' totals corrected while the poll is open: the totals that replace those
    entered, and why."""

    reason: Reason

    def correct(self, session: Session, caller: Caller, poll: Poll) -> CountedVotes:
        """The totals entered replaced by these (``do_correct_counted_votes``)."""
        return do_correct_counted_votes(
            session, caller, poll, self.counted(poll), reason=self.reason
        )


class CountedVotesForm(_CountsForm, CountedVotesIn):
    """``CountedVotesIn`` as the tellers' page posts it: a number per option
    (``count_<option id>``), an empty one for none."""

    totals: dict[Id, Votes] = Field(default_factory=dict, max_length=0)

    def counted(self, poll: Poll) -> dict[int, int]:
        return {
            option.id: _count(self.counts.get(str(option.id)), option.label)
            for option in ballot_options(poll)
        }


class CountedVotesCorrectionForm(CountedVotesForm, CountedVotesCorrectionIn):
    """``CountedVotesCorrectionIn`` as the tellers' page posts it: the totals' form, filled
    with those entered, and the reason."""

    posted_too = ("reason",)


# --- The tellers' page: ballots typed one by one -------------------------------------------

#: The most ballots one lot holds: a hall's worth; a larger count is entered in several lots.
MAX_LOT = 5000


@dataclass(frozen=True)
class PaperBallot:
    """One paper ballot as the teller typed it: candidate numbers in order, none if blank."""

    numbers: tuple[int, ...]
    choice: dict[str, Any]

    @property
    def line(self) -> str:
        """The ballot typed back the one way it is kept in a lot: "3 1 2" or "blank"."""
        return " ".join(str(n) for n in self.numbers) if self.numbers else "blank"


class TypedLotForm(PaperIn):
    """``PaperIn`` as the tellers' page posts it. The lot is built on the page, ballot after
    ballot, and travels in the form itself: the ballots entered so far (``lot``, one typed
    line each, between semicolons), the one just typed (``entry``), and one to take out
    (``remove``, by its number). Nothing is stored until the lot is recorded."""

    lots: list[PaperLotIn] = Field(default_factory=list, max_length=0)
    lot: str = Field(default="", max_length=MAX_LOT * 40)
    entry: str = Field(default="", max_length=100_000)
    remove: int | None = Field(default=None, ge=1)

    def ballots(self, poll: Poll) -> list[PaperBallot]:
        """The ballots entered so far, as the page sent them back."""
        ballots = _read(_lines(self.lot), poll, _("ballot %(number)s of the lot: %(problem)s"))
        return check_lot_size(ballots)

    def typed(self, poll: Poll) -> list[PaperBallot]:
        """The ballots just typed: one, or several pasted at once."""
        lines = _lines(self.entry)
        if not lines:
            raise InvalidInput(_type_numbers())
        return _read(lines, poll, _("ballot %(typed)r was not added: %(problem)s"))

    def paper_lots(self, poll: Poll) -> list[PaperLot]:
        """Identical ballots as one lot with their number, in the order first entered."""
        ballots = self.ballots(poll)
        if self.entry.strip():
            raise InvalidInput(
                _("a ballot is typed but not added to the lot: add it, or clear the field")
            )
        if not ballots:
            raise InvalidInput(_("the lot is empty: enter the ballots first"))
        counted = Counter(ballot.line for ballot in ballots)
        choices = {ballot.line: ballot.choice for ballot in ballots}
        return [PaperLot(choices[line], number) for line, number in counted.items()]


def check_lot_size(ballots: list[PaperBallot]) -> list[PaperBallot]:
    if len(ballots) > MAX_LOT:
        raise InvalidInput(
            _("a lot holds at most %(most)s ballots; record this one and start another")
            % {"most": MAX_LOT}
        )
    return ballots


def _lines(text: str) -> list[str]:
    """Ballots apart: one per line, or several on a line between semicolons."""
    return [line.strip() for line in re.split(r"[;\r\n]", text) if line.strip()]


def _read(lines: list[str], poll: Poll, refusal: str) -> list[PaperBallot]:
    """Typed lines as ballots of the poll; ``refusal`` says which one is mistyped, by its
    %(number)s or as %(typed)r, and its %(problem)s."""
    options, shape = ballot_options(poll), shape_of(poll.method)
    ballots = []
    for number, line in enumerate(lines, start=1):
        try:
            ballots.append(paper_ballot(line, options, shape))
        except InvalidInput as error:
            words = {"number": number, "typed": line, "problem": error.message}
            raise InvalidInput(refusal % words) from None
    return ballots


def _type_numbers() -> str:
    return _("type the candidates' numbers in order of preference, such as 3 1 2, or blank")


def _blank_words() -> set[str]:
    return {"blank", "-", _("blank").lower()}


def paper_ballot(line: str, options: Sequence[PollOption], shape: BallotShape) -> PaperBallot:
    """A paper ballot typed as the candidates' numbers on the ballot, "3 1 2" (a ranking, first
    preference first; for approval, the candidates marked), or "blank"."""
    if shape not in TYPED_SHAPES:
        raise InvalidInput(_("only ranked and approval ballots are typed as candidate numbers"))
    words = line.replace(",", " ").split()
    if not words:
        raise InvalidInput(_type_numbers())
    if len(words) == 1 and words[0].lower() in _blank_words():
        return PaperBallot((), dict(BLANK))
    numbers: list[int] = []
    for word in words:
        if not digits_only(word):
            raise InvalidInput(
                _("%(word)r is not a candidate's number; type numbers such as 3 1 2, or blank")
                % {"word": word[:20]}
            )
        number = whole_number(word)  # None: too many digits to be anyone's, told as typed
        if number is None or not 1 <= number <= len(options):
            raise InvalidInput(
                _("there is no candidate %(number)s; the candidates are numbered 1 to %(last)s")
                % {"number": word[:20] if number is None else number, "last": len(options)}
            )
        if number in numbers:
            raise InvalidInput(
                _("candidate %(number)s appears twice; each candidate takes one place")
                % {"number": number}
            )
        numbers.append(number)
    ids = [options[number - 1].id for number in numbers]
    if shape is BallotShape.RANKING:
        return PaperBallot(tuple(numbers), {"ranking": ids})
    return PaperBallot(tuple(sorted(numbers)), {"options": sorted(ids)})
