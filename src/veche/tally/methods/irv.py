"""Instant-runoff voting: exclude the weakest candidate, one a round, until one has a majority."""

from __future__ import annotations

from typing import Any

import numpy as np

from veche.tally.lot import Lot
from veche.tally.methods._ballots import Ballots, weighted_count
from veche.tally.methods._options import choice_option
from veche.tally.profile import EMPTY, IntArray, Profile
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result, Round, TieBreak

TIE_BREAKS = ("earlier-rounds", "lot")


@method(
    "irv",
    "Instant-runoff voting (alternative vote): exclude the candidate with the fewest votes, "
    "round by round, until one holds a majority of the continuing votes.",
    options={
        "tie_break": "who is excluded when several have the fewest votes: 'earlier-rounds' "
        "(default: the one with fewer votes in the latest earlier round where they differed, "
        "then lot) or 'lot'",
    },
    ballot=BallotShape.RANKING,
)
def irv(
    profile: Profile, *, seats: int, lot: Lot, tie_break: str = "earlier-rounds", **_: Any
) -> Result:
    """The alternative vote as Hare's rule for a single seat (Wikipedia, "Instant-runoff voting").

    Each round, a candidate with more than half of the votes held by continuing
    candidates is elected; otherwise the candidate with the fewest votes is
    excluded and each of their ballots passes to its next continuing preference,
    or is exhausted when it has none. One candidate is excluded per round. The
    'earlier-rounds' tie-break is the backwards rule of the Scottish Local
    Government Elections Order 2007, rule 50: look back round by round and keep
    those with the fewest votes wherever the tied candidates differed.
    """
    tie_break = choice_option("tie_break", tie_break, TIE_BREAKS)
    ballots = Ballots.countable(profile, "irv")
    ballots.require_strict("irv")
    names = ballots.names
    piles = _Piles(ballots)
    continuing = list(range(len(names)))
    history = [piles.totals.tolist()]
    rounds = [
        Round(
            number=1,
            action="count first preferences",
            tallies={names[c]: int(piles.totals[c]) for c in continuing},
            exhausted=piles.exhausted,
        )
    ]
    while True:
        held = history[-1]
        leader = max(continuing, key=held.__getitem__)
        continuing_votes = sum(held[c] for c in continuing)
        if 2 * held[leader] > continuing_votes or len(continuing) == 1:
            rounds[-1].elected = [names[leader]]
            reason = (
                f"a majority of continuing votes ({held[leader]} of {continuing_votes})"
                if 2 * held[leader] > continuing_votes
                else "the last continuing candidate"
            )
            rounds[-1].note = _joined_note(rounds[-1].note, f"{names[leader]} elected: {reason}")
            break
        fewest = min(held[c] for c in continuing)
        tied = [c for c in continuing if held[c] == fewest]
        loser, tie = _choose_exclusion(tied, history, names, tie_break, lot)
        gained = piles.exclude(loser)
        continuing.remove(loser)
        history.append(piles.totals.tolist())
        rounds.append(
            Round(
                number=len(rounds) + 1,
                action=f"exclude {names[loser]}, fewest votes ({fewest})",
                tallies={names[c]: int(piles.totals[c]) for c in continuing},
                excluded=[names[loser]],
                transfers={
                    names[c]: int(gained[c]) for c in [*continuing, loser] if int(gained[c]) != 0
                },
                exhausted=piles.exhausted,
                tie_break=tie,
            )
        )
    return Result(
        method="irv",
        seats=1,
        candidates=list(profile.candidates),
        elected=[names[leader]],
        rounds=rounds,
        options={"tie_break": tie_break},
    )


def _choose_exclusion(
    tied: list[int], history: list[list[int]], names: tuple[str, ...], rule: str, lot: Lot
) -> tuple[int, TieBreak | None]:
    """The candidate to exclude among those level on the fewest votes, and how it was decided."""
    if len(tied) == 1:
        return tied[0], None
    level = [names[c] for c in tied]
    group = list(tied)
    if rule == "earlier-rounds":
        for earlier in reversed(history[:-1]):
            fewest = min(earlier[c] for c in group)
            group = [c for c in group if earlier[c] == fewest]
            if len(group) == 1:
                chosen = names[group[0]]
                return group[0], TieBreak(tied=level, resolved_by="earlier rounds", chosen=chosen)
    chosen = lot.draw([names[c] for c in group])
    resolved_by = "lot" if len(group) == len(tied) else "earlier rounds, then lot"
    return names.index(chosen), TieBreak(tied=level, resolved_by=resolved_by, chosen=chosen)


def _joined_note(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


class _Piles:
    """Which pile each distinct ballot sits in, kept as arrays so a million ballots move at once.

    ``holder[i]`` is the candidate row ``i`` counts for, or ``n_candidates`` (the
    exhausted pile); ``pointer[i]`` is the position of that preference.
    """

    def __init__(self, ballots: Ballots) -> None:
        n_rows = ballots.rankings.shape[0]
        self.n_candidates = ballots.n_candidates
        # A trailing EMPTY column lets a pointer step past the last preference.
        self.rankings = np.hstack(
            [ballots.rankings, np.full((n_rows, 1), EMPTY, dtype=ballots.rankings.dtype)]
        )
        self.counts = ballots.counts
        self.pointer = np.zeros(n_rows, dtype=np.intp)
        # The extra last slot, reached by EMPTY (-1), stops the search for a next preference.
        self.standing = np.ones(self.n_candidates + 1, dtype=np.bool_)
        self.holder = self._pile_of(self.rankings[:, 0])
        self.totals: IntArray = weighted_count(self.holder, self.counts, self.n_candidates + 1)

    @property
    def exhausted(self) -> int:
        return int(self.totals[self.n_candidates])

    def _pile_of(self, preferences: Any) -> Any:
        return np.where(preferences == EMPTY, self.n_candidates, preferences)

    def exclude(self, candidate: int) -> IntArray:
        """Move the excluded candidate's ballots on; return each pile's gain (the loser's is negative)."""
        self.standing[candidate] = False
        rows = np.flatnonzero(self.holder == candidate)
        moving = rows
        while moving.size:
            self.pointer[moving] += 1
            following = self.rankings[moving, self.pointer[moving]]
            moving = moving[~self.standing[following]]
        self.holder[rows] = self._pile_of(self.rankings[rows, self.pointer[rows]])
        gained = weighted_count(self.holder[rows], self.counts[rows], self.n_candidates + 1)
        gained[candidate] -= int(self.totals[candidate])
        self.totals += gained
        return gained
