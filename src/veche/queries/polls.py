"""Reads about polls: their state, the live count, results, the bulletin board, roll-calls."""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased

from veche.actions.access import Caller, check_sees_result
from veche.actions.choices import KEYS, is_blank, shape_of
from veche.actions.polls import ballot_options
from veche.collation import natural_key
from veche.errors import Forbidden
from veche.models import Ballot, Participation, Person, Poll
from veche.models.polls import BallotSource, PollState, Secrecy

#: States in which a poll's result and ballots may be shown.
SHOWN = (PollState.CLOSED, PollState.PUBLISHED)


@dataclass(frozen=True)
class LiveCount:
    """How many rights were used and paper ballots entered — never what was chosen while open
    — or, in a vote counted in the hall, how many votes the tellers' totals hold."""

    electronic: int
    paper: int
    counted: int = 0
    #: The votes the electronic ballots carry, each by its right's weight (a right held with a
    #: weight of 3 is one ballot and 3 votes).
    electronic_votes: int = 0

    @property
    def votes(self) -> int:
        """The votes the ballots received carry: the electronic by weight, and paper's."""
        return self.electronic_votes + self.paper


def live_count(session: Session, poll: Poll) -> LiveCount:
    electronic, electronic_votes = session.execute(
        select(func.count(), func.coalesce(func.sum(Participation.weight), 0)).where(
            Participation.poll_id == poll.id
        )
    ).one()
    entered: dict[BallotSource, int] = {
        source: int(votes or 0)
        for source, votes in session.execute(
            select(Ballot.source, func.sum(Ballot.weight))
            .where(Ballot.poll_id == poll.id, Ballot.source != BallotSource.ELECTRONIC)
            .group_by(Ballot.source)
        )
    }
    return LiveCount(
        electronic or 0,
        entered.get(BallotSource.PAPER, 0),
        entered.get(BallotSource.COUNTED, 0),
        int(electronic_votes or 0),
    )


def used_rights(
    session: Session, poll_ids: Collection[int], right_person_ids: Collection[int]
) -> dict[int, set[int]]:
    """For each poll, which of these rights (by the person whose right it is) have been used
    in it, by whoever cast them: a member back in the hall whose proxy's holder voted for
    them has no vote left to cast. One query for all the polls."""
    used: dict[int, set[int]] = {poll_id: set() for poll_id in poll_ids}
    if not used or not right_person_ids:
        return used
    rows = session.execute(
        select(Participation.poll_id, Participation.right_person_id).where(
            Participation.poll_id.in_(list(used)),
            Participation.right_person_id.in_(list(right_person_ids)),
        )
    )
    for poll_id, right_person_id in rows:
        used[poll_id].add(right_person_id)
    return used


#: The board shows a secret ballot's weight only if at least this many electronic ballots of
#: the poll carry that same weight. A weight few voters hold (the one delegate who speaks for
#: a large branch, with 37 votes) would name its voter beside a choice; one shared by five
#: ballots points at no fewer than five voters. Five is the usual threshold below which
#: statistical offices suppress a small cell of a published table. The count still takes
#: every weight; only the board and its recount file leave these out, and, when the mark of
#: a withheld weight tells those ballots apart from others, their choices too (``Withheld``).
MIN_BALLOTS_SHARING_A_WEIGHT = 5


@dataclass(frozen=True)
class BoardBallot:
    """One counted ballot as the bulletin board shows it."""

    receipt: str
    source: str
    #: What the ballot chose, with the options' labels; None when the board lists receipts
    #: only, and when withheld (``Withheld.choice_of``).
    choice: Any
    #: None when withheld (``weight_withheld``): fewer than ``MIN_BALLOTS_SHARING_A_WEIGHT``
    #: electronic ballots of the poll carry it. A paper lot's weight is its number of paper
    #: ballots, which names no voter, and is always shown.
    weight: int | None
    weight_withheld: bool


@dataclass(frozen=True)
class Board:
    """The bulletin board of a closed poll: every counted ballot, sorted by receipt."""

    poll_id: int
    ballot_digest: str | None
    #: False when the organizer chose a board of receipts alone (``Poll.board_shows_choices``),
    #: and when the board withholds every choice (``choices_withheld``).
    shows_choices: bool
    #: Whether any ballot's weight is withheld (and perhaps its choice), so that the recount
    #: file cannot give the published result exactly.
    weights_withheld: bool
    #: Whether the ballots may be downloaded as a file ``veche count`` reads (``recount_file``).
    recount_file: bool
    #: The ``veche count`` command that recounts the file as the poll was counted; None when
    #: there is no file.
    recount_command: str | None
    ballots: list[BoardBallot]
    #: How many ballots' choices the weights withheld would have kept back, when so few that
    #: the board shows no choice at all (``Withheld.every_choice``); else 0.
    choices_withheld: int = 0
    #: The ballots cast electronically: each once, whatever its weight.
    electronic: int = 0
    #: The paper ballots: a lot of identical ones (a row of ``ballots``) counts each of them.
    paper: int = 0

    @property
    def cast(self) -> int:
        """Every ballot cast, which the rows of ``ballots`` (a paper lot one row) need not be."""
        return self.electronic + self.paper


def check_board_shown(session: Session, caller: Caller, poll: Poll) -> None:
    """A poll's ballots, from which anyone can count its result, are shown with the result
    and by its rule (``check_sees_result``): to everyone once published, to those who see
    results early once closed; never while the poll is open."""
    check_sees_result(session, caller, poll, f"the ballots of poll {poll.id} are shown")


def bulletin_board(session: Session, caller: Caller, poll: Poll) -> Board:
    """Every counted ballot of a poll whose result ``caller`` may see, sorted by receipt, with
    the options' labels: its choice unless the board lists receipts only, its weight unless
    too few ballots share it, and then perhaps not its choice either (``Withheld``)."""
    check_board_shown(session, caller, poll)
    labels = {option.id: option.label for option in poll.options}
    rows = _counted(session, poll)
    withheld = withheld_from_board(poll, rows)
    shows_choices = poll.board_shows_choices and not withheld.every_choice
    ballots = []
    for row in rows:
        shows_choice = shows_choices and not withheld.choice_of(row)
        ballots.append(
            BoardBallot(
                receipt=row.receipt,
                source=row.source.value,
                choice=readable_choice(row.choice, labels) if shows_choice else None,
                weight=None if withheld.weight_of(row) else row.weight,
                weight_withheld=withheld.weight_of(row),
            )
        )
    return Board(
        poll_id=poll.id,
        ballot_digest=poll.ballot_digest,
        shows_choices=shows_choices,
        weights_withheld=bool(withheld.weights),
        recount_file=shows_choices,
        recount_command=recount_command(poll) if shows_choices else None,
        ballots=ballots,
        choices_withheld=withheld.ballots if withheld.every_choice else 0,
        electronic=sum(1 for row in rows if row.source is BallotSource.ELECTRONIC),
        paper=sum(row.weight for row in rows if row.source is BallotSource.PAPER),
    )


def _counted(
    session: Session, poll: Poll
) -> list[Row[tuple[str, dict[str, Any], int, BallotSource]]]:
    return list(
        session.execute(
            select(Ballot.receipt, Ballot.choice, Ballot.weight, Ballot.source)
            .where(Ballot.poll_id == poll.id)
            .order_by(Ballot.receipt)
        ).all()
    )


def withheld_weights(poll: Poll, ballots: Iterable[_Weighed]) -> frozenset[int]:
    """The weights the board withholds: those fewer than ``MIN_BALLOTS_SHARING_A_WEIGHT``
    electronic ballots of a secret poll share. (A named poll's roll-call names each voter
    with their weight, so its board withholds nothing.)"""
    if poll.secrecy is not Secrecy.SECRET:
        return frozenset()
    shared = Counter(b.weight for b in ballots if b.source is BallotSource.ELECTRONIC)
    return frozenset(w for w, n in shared.items() if n < MIN_BALLOTS_SHARING_A_WEIGHT)


class _Weighed(Protocol):
    @property
    def weight(self) -> int: ...

    @property
    def source(self) -> BallotSource: ...


@dataclass(frozen=True)
class Withheld:
    """What the board keeps back of a secret poll's counted ballots."""

    #: The weights fewer than ``MIN_BALLOTS_SHARING_A_WEIGHT`` electronic ballots carry.
    weights: frozenset[int]
    #: Whether the ballots of those weights show no choice either: so when another electronic
    #: ballot shows its weight, as the mark of a withheld one then tells those ballots apart,
    #: and the participants list names whoever holds a weight few others do (the delegates of
    #: weights 7 and 3, seen to abstain). When no electronic ballot shows its weight, the
    #: mark tells none apart, and every choice is shown.
    choices: bool
    #: How many ballots' choices ``choices`` withholds.
    ballots: int = 0

    @property
    def every_choice(self) -> bool:
        """Whether the board shows no ballot's choice at all: so when it would withhold some,
        but fewer than ``MIN_BALLOTS_SHARING_A_WEIGHT``. The published totals less the choices
        shown give what the withheld ballots chose together, which names each of their
        choices when they are few (the one delegate of weight 3: the 3 abstentions the
        board does not show are theirs). With none withheld nothing is left over, and with as
        many as the threshold no fewer voters share the sum than share a weight shown."""
        return 0 < self.ballots < MIN_BALLOTS_SHARING_A_WEIGHT

    def weight_of(self, ballot: _Weighed) -> bool:
        """Whether ``ballot``'s weight is withheld."""
        return ballot.source is BallotSource.ELECTRONIC and ballot.weight in self.weights

    def choice_of(self, ballot: _Weighed) -> bool:
        """Whether ``ballot``'s choice is withheld (with its weight, or with every choice of
        the poll): it is shown by its receipt alone, so that its voter still finds it counted."""
        return self.every_choice or (self.choices and self.weight_of(ballot))


def withheld_from_board(poll: Poll, ballots: Sequence[_Weighed]) -> Withheld:
    """What the board of ``poll`` keeps back of ``ballots``, its counted ballots: the rule
    for every reader of the board (its page, the API, the ballot file, the receipt's
    forecast)."""
    weights = withheld_weights(poll, ballots)
    told_apart = any(
        b.source is BallotSource.ELECTRONIC and b.weight not in weights for b in ballots
    )
    choices = bool(weights) and told_apart
    hidden = (
        sum(1 for b in ballots if b.source is BallotSource.ELECTRONIC and b.weight in weights)
        if choices
        else 0
    )
    return Withheld(weights, choices, hidden)


def recount_filename(poll: Poll) -> str:
    return f"poll-{poll.id}-ballots.json"


def recount_file(session: Session, caller: Caller, poll: Poll) -> dict[str, Any]:
    """The counted ballots of a poll whose result ``caller`` may see, in the JSON ballot
    format ``veche count`` reads (``veche.tally.formats.json_ballots``): the options by label,
    one entry per ballot in receipt order with its weight as its count and its receipt, so
    that a voter finds theirs in the file they recount. Blank ballots are left out, as the
    count leaves them out.

    When the board withholds a weight, every electronic ballot counts once here (a paper lot
    its number of ballots): a weight beside a choice is what the board keeps back. A ballot
    whose choice it withholds as well is left out. The title then says that the file cannot
    give the published result exactly. Not offered when the board lists receipts only.
    """
    check_board_shown(session, caller, poll)
    if not poll.board_shows_choices:
        raise Forbidden(
            f"poll {poll.id}'s bulletin board lists receipts only, by the organizer's choice; "
            "its ballots are not published"
        )
    options = ballot_options(poll)
    labels = {option.id: option.label for option in options}
    key = KEYS[shape_of(poll.method)]
    rows = _counted(session, poll)
    withheld = withheld_from_board(poll, rows)
    if withheld.every_choice:
        raise Forbidden(
            f"poll {poll.id}'s bulletin board lists receipts only: {withheld.ballots} of its "
            f"ballots carry weights fewer than {MIN_BALLOTS_SHARING_A_WEIGHT} ballots share, "
            "and the published result less the other ballots' choices would give theirs; "
            "its ballots are not published"
        )
    ballots: list[dict[str, Any]] = []
    left_out = 0
    for row in rows:
        if withheld.choice_of(row):
            left_out += 1
            continue
        if is_blank(row.choice):
            continue
        count = 1 if withheld.weights and row.source is BallotSource.ELECTRONIC else row.weight
        value = row.choice[key]
        if key == "scores":
            entry = {"scores": {labels[int(k)]: v for k, v in value.items()}, "count": count}
        else:
            ids = [value] if key == "option" else value
            entry = {"ranking": [labels[i] for i in ids], "count": count}
        ballots.append({**entry, "receipt": row.receipt})
    title = poll.title
    if withheld.weights:
        without = (
            ""
            if not left_out
            else ", 1 ballot is left out with its choice,"
            if left_out == 1
            else f", {left_out} ballots are left out with their choices,"
        )
        title += (
            f" (weights withheld: fewer than {MIN_BALLOTS_SHARING_A_WEIGHT} ballots share some "
            f"of them, so every electronic ballot counts once here{without} and this file does "
            "not recount the published result exactly)"
        )
    return {
        "title": title,
        "candidates": [option.label for option in options],
        "seats": poll.seats,
        "ballots": ballots,
    }


def recount_command(poll: Poll) -> str | None:
    """``veche count`` as the poll was counted: its method, seats, tie-breaking seed and the
    options the count took (a decision's rule, quorum and members present), for its file."""
    if not poll.board_shows_choices or not poll.result or "options" not in poll.result:
        return None
    words = ["veche", "count", recount_filename(poll), "--method", poll.method]
    words += ["--seats", str(poll.seats)]
    if poll.result.get("seed") is not None:
        words += ["--seed", str(poll.result["seed"])]
    for name, value in sorted(poll.result["options"].items()):
        if value is None:
            continue
        shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
        words += ["-o", f"{name}={shown}"]
    return shlex.join(words)


def roll_call(session: Session, poll: Poll) -> list[dict[str, Any]]:
    """A named poll's voters and their choices, by name; empty for secret polls. Each vote
    names the person whose right it used (``voter``) and, if another cast it (the holder of
    their proxy, the alternate standing in for them), who did (``cast_by``, else None)."""
    if poll.secrecy is not Secrecy.NAMED:
        return []
    labels = {option.id: option.label for option in poll.options}
    caster = aliased(Person)
    rows = session.execute(
        select(Person.full_name, Ballot.choice, Ballot.weight, caster.full_name)
        .join(Person, Person.id == Ballot.voter_person_id)
        .outerjoin(
            caster,
            (caster.id == Ballot.cast_by_person_id)
            & (Ballot.cast_by_person_id != Ballot.voter_person_id),
        )
        .where(Ballot.poll_id == poll.id)
        .order_by(Person.id)
    ).all()
    # By name in natural order ("Delegate 2" before "Delegate 10"), which neither
    # database's collation gives; namesakes stay in the order their people were added.
    return [
        {
            "voter": name,
            "choice": readable_choice(choice, labels),
            "weight": weight,
            "cast_by": cast_by,
        }
        for name, choice, weight, cast_by in sorted(rows, key=lambda row: natural_key(row[0]))
    ]


def readable_choice(choice: dict[str, Any], labels: dict[int, str]) -> Any:
    """A stored ballot with option numbers replaced by their labels."""
    if choice.get("blank"):
        return "blank"
    if "option" in choice:
        return labels[choice["option"]]
    if "options" in choice:
        return [labels[i] for i in choice["options"]]
    if "ranking" in choice:
        return [labels[i] for i in choice["ranking"]]
    return {labels[int(k)]: v for k, v in choice["scores"].items()}
