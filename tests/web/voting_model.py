"""The model of a meeting's polls that ``test_voting_machine.py`` drives the API against: what
each poll holds (ballots by right, paper lots, the tellers' totals) and what its count must say,
written out small from docs/api.md, "Polls and elections"."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from veche.actions.choices import KEYS, counting_method

#: A ballot's choice as the bulletin board shows it: an option's label, a ranking's or an
#: approval's labels, the scores by label, or None for a blank ballot (shown as ``BLANK``).
Shown = str | list[str] | dict[str, int] | None
BLANK = "blank"
#: The options of every poll that is not a decision, and the highest score a score poll takes.
LABELS = ["Ash", "Birch", "Cedar"]
MAX_SCORE = 3
#: The seats each method the machine takes polls by fills; one that fills several is an
#: election (candidates standing), the others a decision (``majority``) or a choice.
SEATS = {
    "majority": 1,
    "borda": 1,
    "approval": 1,
    "score": 1,
    "sntv": 2,
    "block": 2,
    "scottish-stv": 2,
}
#: The methods whose elected are the options with the highest first-round figures.
TOP_FIGURES = {"borda", "approval", "score", "sntv", "block"}
#: The methods of one choice per voter, which a vote counted in the hall may be counted by.
IN_THE_HALL = ["majority", "sntv"]
#: A decision's majority rules the machine takes, as ``method_options`` (None: the default,
#: more yes than no), and the share of the votes cast each needs.
RULES: dict[str | None, Fraction] = {None: Fraction(1, 2), "2/3": Fraction(2, 3)}


def spec(method: str, rule: str | None) -> dict[str, Any]:
    """What a poll counted by ``method`` is created with, beside its title and secrecy."""
    if counting_method(method).decision:
        options = {} if rule is None else {"rule": "qualified", "fraction": rule}
        return {"kind": "decision", "method": method, "method_options": options}
    kind = "election" if SEATS[method] > 1 else "choice"
    made = {"kind": kind, "method": method, "options": LABELS, "seats": SEATS[method]}
    return made | ({"max_score": MAX_SCORE} if method == "score" else {})


@dataclass
class Held:
    """A ballot a poll holds for one voting right: its client key, receipt, choice, who cast
    it and the weight it was cast with."""

    key: str
    receipt: str
    shown: Shown
    cast_by: int
    weight: int


@dataclass
class PollModel:
    """A poll as the model knows it."""

    id: int
    method: str
    named: bool
    revote: bool
    options: dict[int, str]  # id → label
    vote_by: str = "ballot"  # or counted in the hall: "show_of_hands"
    rule: str | None = None  # a decision's qualified majority, as a fraction of the votes cast
    state: str = "draft"
    was_open: bool = False
    held: dict[int, Held] = field(default_factory=dict)  # by the right's person
    paper: list[tuple[Shown, int]] = field(default_factory=list)  # lots: choice and count
    lot_keys: dict[str, list[tuple[dict[str, Any], int]]] = field(default_factory=dict)
    totals: dict[int, int] = field(default_factory=dict)  # the tellers' votes by option id

    @property
    def key(self) -> str:
        """The key of the poll's ballots: option, options, ranking or scores."""
        return KEYS[counting_method(self.method).ballot]

    @property
    def seats(self) -> int:
        return SEATS[self.method]

    @property
    def by_ballot(self) -> bool:
        return self.vote_by == "ballot"

    def holding(self, key: str) -> Held | None:
        return next((held for held in self.held.values() if held.key == key), None)

    def choices(self) -> st.SearchStrategy[tuple[dict[str, Any], Shown]]:
        """A valid choice, and how the board shows it."""
        blank: st.SearchStrategy[tuple[dict[str, Any], Shown]] = st.just(({"blank": True}, None))
        ids = sorted(self.options)
        made: st.SearchStrategy[tuple[dict[str, Any], Shown]]
        if self.key == "option":
            made = st.sampled_from(ids).map(lambda i: ({"option": i}, self.options[i]))
        elif self.key == "options":
            # Block voting takes one choice a seat; the board shows them in the options' order.
            # None approved is left out: such a poll cannot be closed (a bug, see
            # test_an_approval_of_no_one_leaves_its_poll_countable).
            most = self.seats if counting_method(self.method).limited_to_seats else len(ids)
            made = st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=most).map(
                lambda a: ({"options": a}, [self.options[i] for i in sorted(a)])
            )
        elif self.key == "ranking":
            made = (
                st.permutations(ids)
                .flatmap(lambda order: st.integers(1, len(order)).map(lambda n: order[:n]))
                .map(lambda r: ({"ranking": r}, [self.options[i] for i in r]))
            )
        else:
            made = st.dictionaries(st.sampled_from(ids), st.integers(0, MAX_SCORE), min_size=1).map(
                lambda s: (
                    {"scores": {str(i): n for i, n in s.items()}},
                    {self.options[i]: n for i, n in s.items()},
                )
            )
        return st.one_of(made, blank)

    def wrong_choices(self, elsewhere: list[int]) -> list[dict[str, Any]]:
        """Choices this poll refuses: of another method's shape, over-voted, naming an option
        of another poll (from ``elsewhere``), or none at all."""
        first = min(self.options)
        alien = elsewhere[:1]
        wrong: list[dict[str, Any]] = [{"blank": False}, {}]
        if self.key == "option":
            wrong += [{"ranking": [first]}, {"option": True}, {"option": 0}]
            wrong += [{"option": [first]}, *({"option": i} for i in alien)]
        elif self.key == "options":
            wrong += [{"option": first}, {"options": [first, first]}, {"options": first}]
            wrong.append({"options": []})  # marks no one: a blank ballot says so
            wrong += [{"options": [first, i]} for i in alien]
            if counting_method(self.method).limited_to_seats:
                wrong.append({"options": sorted(self.options)[: self.seats + 1]})
        elif self.key == "ranking":
            wrong += [{"option": first}, {"ranking": []}, {"ranking": [first, first]}]
            wrong += [{"ranking": [first, i]} for i in alien]
        else:
            wrong += [{"scores": {}}, {"scores": {str(first): MAX_SCORE + 1}}]
            wrong += [{"scores": {str(first): -1}}, {"scores": [first]}]
            wrong += [{"scores": {str(i): 1}} for i in alien]
        return wrong

    def counted(self) -> list[tuple[Shown, int]]:
        """Everything the count takes, by its weight: the electronic ballots, the paper lots
        (a lot's weight is its number of ballots) and the tellers' totals."""
        electronic = [(held.shown, held.weight) for held in self.held.values()]
        hall = [(self.options[i], votes) for i, votes in self.totals.items()]
        return electronic + self.paper + hall

    def tallies(self) -> dict[str, int]:
        """The first round's figures, each ballot by its weight: votes for each option (first
        preferences, for STV), approvals, scores added up, or Borda's points (a ranked option
        scores the options ranked below it on a full ballot: n − 1 for the first)."""
        figures = dict.fromkeys(self.options.values(), 0)
        for shown, weight in self.counted():
            if isinstance(shown, str):
                figures[shown] += weight
            elif isinstance(shown, dict):
                for label, score in shown.items():
                    figures[label] += score * weight
            elif shown is not None and self.method == "borda":
                for place, label in enumerate(shown):
                    figures[label] += (len(self.options) - 1 - place) * weight
            elif shown and self.method == "scottish-stv":
                figures[shown[0]] += weight
            elif shown is not None:
                for label in shown:
                    figures[label] += weight
        return figures

    def decision(self) -> str:
        """What a decision's votes decide by its rule, its quorum met: at least the share of
        the votes cast (yes and no) the rule needs, and more than none."""
        figures = self.tallies()
        cast = figures["yes"] + figures["no"]
        share = RULES[self.rule]
        needed = figures["no"] + 1 if self.rule is None else max(math.ceil(share * cast), 1)
        return "adopted" if figures["yes"] >= needed else "rejected"


#: The poll's state a step leads to from each state it may be taken in (docs/api.md: "draft →
#: open → closed → published, or cancelled from draft or open"); a step asked again where it
#: has been taken already changes nothing (close and publish are idempotent).
STEPS_TAKEN = {
    "open": {"draft": "open"},
    "close": {"open": "closed", "closed": "closed", "published": "published"},
    "publish": {"closed": "published", "published": "published"},
    "cancel": {"draft": "cancelled", "open": "cancelled"},
}


def not_open(poll: PollModel, sent_before: bool, *, valid: bool) -> set[int]:
    """What a ballot to a poll that is not open gets: 200 with its receipt if it is a ballot
    the poll holds, sent again (known by its receipt: a close and a cancel forget the
    ballots' keys), else 409.

    The ballot's first check trusts an open poll's facts for two seconds
    (``veche.actions.intake``), so a poll open a moment ago may be taken for open and the
    choice checked first: 422 for a bad one (a vote counted in the hall refuses any ballot
    before reading its choice)."""
    counted = poll.state in ("closed", "published")
    # Found by its receipt among the stored ballots: a named poll's stay when it is cancelled.
    stored = sent_before and (counted or (poll.named and poll.state == "cancelled"))
    statuses = {200 if stored else 409}
    if poll.was_open and not valid and poll.by_ballot:
        statuses.add(422)
    return statuses


def first_round(counted: dict[str, Any], poll: PollModel) -> dict[str, Decimal]:
    """A result's figures in its first round (STV's carry decimals); nothing for any option
    when it has no round (no ballot was counted)."""
    rounds = counted["rounds"]
    if not rounds:
        return dict.fromkeys(poll.options.values(), Decimal(0))
    return {label: Decimal(str(figure)) for label, figure in rounds[0]["tallies"].items()}


def elected_rightly(counted: dict[str, Any], poll: PollModel) -> bool:
    """Whether, where the highest first-round figures elect, the result elected no more than
    the seats, everyone above the last seat's figure and no one below it (a tie for it is
    drawn by lot)."""
    if poll.method not in TOP_FIGURES or not counted["rounds"]:
        return True
    figures = poll.tallies()
    last_seat = sorted(figures.values(), reverse=True)[poll.seats - 1]
    above = {label for label, figure in figures.items() if figure > last_seat}
    at_least = {label for label, figure in figures.items() if figure >= last_seat}
    elected = set(counted["elected"])
    return len(elected) <= poll.seats and above <= elected <= at_least
