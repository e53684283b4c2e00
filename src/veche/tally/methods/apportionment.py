"""Seats for party lists in proportion to their votes: D'Hondt, Sainte-Laguë, largest remainder."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.methods._ballots import Ballots
from veche.tally.methods._options import choice_option, fraction_option
from veche.tally.methods._totals import elect_highest, exact
from veche.tally.numbers import Number, format_number
from veche.tally.profile import Profile
from veche.tally.registry import BallotShape, Counter, method
from veche.tally.result import Result, Round, TieBreak

THRESHOLD = (
    "share of all list votes a list needs to take part, e.g. '3.25/100' or '0.0325' "
    "(default: none); a list with at least that share qualifies"
)
QUOTAS = ("hare", "droop")


def _list_method(name: str, summary: str, **options: str) -> Callable[[Counter], Counter]:
    """Register a method that shares seats among party lists: each reads a ballot for one
    list, fills several seats and takes the ``threshold`` a list must pass."""
    return method(
        name,
        summary,
        options={**options, "threshold": THRESHOLD},
        multi_winner=True,
        ballot=BallotShape.SINGLE,
    )


@_list_method(
    "dhondt",
    "D'Hondt (Jefferson) highest averages: each seat to the list with the highest "
    "votes / (seats won + 1).",
)
def dhondt(profile: Profile, *, seats: int, lot: Lot, threshold: Any = None, **_: Any) -> Result:
    """Divisors 1, 2, 3, ... (Wikipedia, "D'Hondt method"); the Knesset's Bader–Ofer method."""
    return _highest_averages(
        profile, seats, lot, "dhondt", threshold, {}, lambda won: Fraction(won + 1)
    )


@_list_method(
    "sainte-lague",
    "Sainte-Laguë (Webster) highest averages: divisors 1, 3, 5, ...; a larger first divisor "
    "(e.g. '7/5') makes the modified method.",
    first_divisor="divisor for a list's first seat (default 1; '7/5' is the modified "
    "method of Norway and Sweden)",
)
def sainte_lague(
    profile: Profile,
    *,
    seats: int,
    lot: Lot,
    first_divisor: Any = 1,
    threshold: Any = None,
    **_: Any,
) -> Result:
    """Divisors 1, 3, 5, ... (Wikipedia, "Sainte-Laguë method"); a first divisor of 1.4
    is the modified method used in Norway, which makes a list's first seat dearer.
    """
    first = fraction_option("first_divisor", first_divisor)
    if first <= 0:
        raise TallyError(f"option first_divisor must be above 0, not {first}")
    return _highest_averages(
        profile,
        seats,
        lot,
        "sainte-lague",
        threshold,
        {"first_divisor": exact(first)},
        lambda won: first if won == 0 else Fraction(2 * won + 1),
    )


@_list_method(
    "largest-remainder",
    "Largest remainder: each list a seat per full quota of votes, the rest to the largest "
    "remainders.",
    quota="'hare' (default: votes / seats) or 'droop' (floor(votes / (seats + 1)) + 1)",
)
def largest_remainder(
    profile: Profile,
    *,
    seats: int,
    lot: Lot,
    quota: str = "hare",
    threshold: Any = None,
    **_: Any,
) -> Result:
    """Hamilton's method (Wikipedia, "Largest remainder method"), with the quota counted
    over the votes of the lists that pass the threshold. A list gets at most one seat
    for its remainder; seats level on remainders across the last seat go to lot.
    Full-quota seats come first in ``elected``, list by list in order of votes, then
    the remainder seats in order of remainders.
    """
    quota = choice_option("quota", quota, QUOTAS)
    lists = _ListVotes.count(profile, "largest-remainder", threshold)
    total = sum(lists.votes[i] for i in lists.qualified)
    quota_size: Number = (
        exact(Fraction(total, seats)) if quota == "hare" else total // (seats + 1) + 1
    )
    whole = {i: int(lists.votes[i] // Fraction(quota_size)) for i in lists.qualified}
    remaining = seats - sum(whole.values())
    if remaining > len(lists.qualified):
        raise TallyError(
            f"{total} votes are too few to share {seats} seats by the {quota} quota "
            f"({quota_size}); use a divisor method"
        )
    by_votes = sorted(lists.qualified, key=lambda i: lists.votes[i], reverse=True)
    elected = [lists.names[i] for i in by_votes for _ in range(whole[i])]
    remainders: list[Number] = [
        exact(lists.votes[i] - whole[i] * Fraction(quota_size)) for i in lists.qualified
    ]
    rounds = [
        lists.first_round(),
        Round(
            number=2,
            action=f"award a seat for each full {quota.capitalize()} quota",
            note="tallies: votes left over after the full quotas",
            quota=quota_size,
            tallies={lists.names[i]: r for i, r in zip(lists.qualified, remainders, strict=True)},
            elected=list(elected),
        ),
    ]
    if remaining:
        by_remainder, remainder_rounds = elect_highest(
            [lists.names[i] for i in lists.qualified],
            remainders,
            remaining,
            lot,
            method="largest-remainder",
            action="award the remaining seats by largest remainder",
            unit="votes left over",
        )
        for rnd in remainder_rounds:
            rnd.number += len(rounds)
            rnd.tallies = {}
        rounds.extend(remainder_rounds)
        elected.extend(by_remainder)
    return lists.result("largest-remainder", seats, elected, rounds, {"quota": quota})


def _highest_averages(
    profile: Profile,
    seats: int,
    lot: Lot,
    method_name: str,
    threshold: Any,
    options: dict[str, Any],
    divisor: Callable[[int], Fraction],
) -> Result:
    """Award seats one at a time to the highest ``votes / divisor(seats won so far)``.

    Lists level on the highest quotient take the next seats in ballot order when
    all of them will get one; when fewer seats are left than lists level, lots
    decide, one seat at a time. Awarding seat by seat makes every divisor method
    house-monotone: one more seat never costs a list a seat (Balinski and Young,
    Fair Representation, 2nd ed., 2001).
    """
    lists = _ListVotes.count(profile, method_name, threshold)
    won = dict.fromkeys(lists.qualified, 0)
    rounds = [lists.first_round()]
    elected: list[str] = []
    for seat in range(1, seats + 1):
        quotients = {i: lists.votes[i] / divisor(won[i]) for i in lists.qualified}
        highest = max(quotients.values())
        level = [i for i in lists.qualified if quotients[i] == highest]
        left = seats - seat + 1
        tie = None
        if len(level) > left:
            tied = [lists.names[i] for i in level]
            chosen = lot.draw(tied)
            tie = TieBreak(tied=tied, resolved_by="lot", chosen=chosen)
            winner = lists.names.index(chosen)
        else:
            winner = level[0]
        won[winner] += 1
        elected.append(lists.names[winner])
        rounds.append(
            Round(
                number=len(rounds) + 1,
                action=f"seat {seat}: {lists.names[winner]}",
                note=(
                    f"highest quotient {lists.votes[winner]} / {divisor(won[winner] - 1)}"
                    f" = {format_number(highest, 2)}"
                    + (f", level with {', '.join(tie.tied)}; drawn by lot" if tie else "")
                ),
                elected=[lists.names[winner]],
                tie_break=tie,
            )
        )
    return lists.result(method_name, seats, elected, rounds, options)


class _ListVotes:
    """The votes of each list and which lists pass the threshold."""

    def __init__(
        self,
        profile: Profile,
        names: tuple[str, ...],
        votes: list[int],
        qualified: list[int],
        threshold: Fraction,
    ) -> None:
        self.candidates = list(profile.candidates)
        self.names = names
        self.votes = votes
        self.qualified = qualified
        self.threshold = threshold

    @classmethod
    def count(cls, profile: Profile, method_name: str, threshold: Any) -> _ListVotes:
        share = Fraction(0) if threshold is None else fraction_option("threshold", threshold)
        if not 0 <= share < 1:
            raise TallyError(f"option threshold must be at least 0 and below 1, not {share}")
        ballots = Ballots.countable(profile, method_name)
        votes = [int(v) for v in ballots.first_preference_totals(method_name)]
        total = sum(votes)
        qualified = [i for i, v in enumerate(votes) if v > 0 and v >= share * total]
        if not qualified:
            raise TallyError(f"no list reaches the threshold of {share} of {total} votes")
        return cls(profile, ballots.names, votes, qualified, share)

    def first_round(self) -> Round:
        total = sum(self.votes)
        below = [self.names[i] for i in range(len(self.names)) if i not in self.qualified]
        if self.threshold:
            needed = format_number(self.threshold * total, 2)
            note = f"threshold {self.threshold} of {total} votes: {needed} needed"
        else:
            note = f"{total} list votes"
        return Round(
            number=1,
            action="count list votes",
            note=note,
            tallies=dict(zip(self.names, self.votes, strict=True)),
            excluded=below,
        )

    def result(
        self,
        method_name: str,
        seats: int,
        elected: list[str],
        rounds: list[Round],
        options: dict[str, Any],
    ) -> Result:
        if self.threshold:
            options = {**options, "threshold": self.threshold}
        return Result(
            method=method_name,
            seats=seats,
            candidates=self.candidates,
            elected=elected,
            rounds=rounds,
            options=options,
            details={"seats": {name: elected.count(name) for name in self.names}},
        )
