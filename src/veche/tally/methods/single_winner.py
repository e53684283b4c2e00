"""Single-winner counts by totals: plurality, approval, score, Borda, and the two-round contingent vote."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.methods._ballots import Ballots, weighted_count
from veche.tally.methods._options import choice_option
from veche.tally.methods._totals import TotalsCount, elect_highest, exact
from veche.tally.numbers import Number
from veche.tally.profile import EMPTY, IntArray, Profile
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result, Round, TieBreak

BORDA_VARIANTS = ("zero", "averaged", "modified")


@method(
    "plurality",
    "Plurality (first past the post): the most first preferences wins; sntv fills several seats.",
    ballot=BallotShape.SINGLE,
)
def plurality(profile: Profile, *, seats: int, lot: Lot, **_: Any) -> Result:
    """Each ballot counts for its first preference; a blank ballot counts for no one."""
    return count_first_preferences(profile, seats=seats, lot=lot, method_name="plurality")


def count_first_preferences(profile: Profile, *, seats: int, lot: Lot, method_name: str) -> Result:
    """The ``seats`` candidates with the most first preferences (plurality, SNTV)."""
    count = TotalsCount.start(profile, seats, lot, method_name)
    totals = count.ballots.first_preference_totals(method_name)
    blank = count.ballots.total - int(totals.sum())
    return count.result(totals, action="count first preferences", details={"blank_ballots": blank})


@method(
    "approval",
    "Approval voting: the most approvals wins; with several seats, the most-approved fill them.",
    multi_winner=True,
    ballot=BallotShape.APPROVAL,
)
def approval(profile: Profile, *, seats: int, lot: Lot, **_: Any) -> Result:
    """Approvals come from scores where the profile has them (a score above zero approves),
    otherwise from rankings (every ranked candidate is approved). With several seats this
    is multi-winner approval voting with the top totals elected (block approval), which
    is not proportional (Kilgour, "Approval Balloting for Multi-winner Elections", 2010).
    """
    count = TotalsCount.start(profile, seats, lot, "approval")
    ballots = count.ballots
    if ballots.scores is not None:
        source = "scores above zero"
        totals = ballots.candidate_totals(ballots.scores > 0)
    else:
        source = "ranked candidates"
        totals = ballots.marked_totals(ballots.rankings != EMPTY)
    return count.result(
        totals, action="count approvals", unit="approvals", details={"approvals_from": source}
    )


@method("score", "Score (range) voting: the highest total score wins.", ballot=BallotShape.SCORE)
def score(profile: Profile, *, seats: int, lot: Lot, **_: Any) -> Result:
    """Totals are the sums of the scores each ballot gives (Smith, "Range Voting", 2000)."""
    count = TotalsCount.start(profile, seats, lot, "score")
    scores = count.ballots.scores
    if scores is None:
        raise TallyError(
            "score voting needs rated ballots (a score for each candidate), but these ballots "
            "are rankings; count them with borda, or read a file of scores"
        )
    totals = count.ballots.candidate_totals(scores)
    return count.result(totals, action="add up the scores", unit="points")


@method(
    "borda",
    "Borda count: points by place on each ballot; the most points wins.",
    options={
        "variant": "how a ballot that ranks only some candidates scores: 'zero' (default; "
        "with m candidates, place p (from 0) earns m-1-p and the unranked earn nothing), "
        "'averaged' (the unranked share the points left, equally) or 'modified' "
        "(Emerson: a ballot ranking r candidates gives r, r-1, ..., 1)",
    },
    ballot=BallotShape.RANKING,
)
def borda(profile: Profile, *, seats: int, lot: Lot, variant: str = "zero", **_: Any) -> Result:
    """Borda's count (Borda, "Mémoire sur les élections au scrutin", 1781).

    With every candidate ranked the three variants elect the same. They differ on
    partial ballots (Wikipedia, "Borda count", on truncated ballots): 'zero' gives
    the unranked nothing, which rewards ranking one candidate only; 'averaged'
    lets the unranked share the points left; 'modified' is Emerson's modified
    Borda count ("The original Borda count and partial voting", Social Choice and
    Welfare 40, 2013), in which ranking fewer candidates gives fewer points.
    Candidates ranked equal share the points of the places they fill, so every
    score is a whole or half point.
    """
    variant = choice_option("variant", variant, BORDA_VARIANTS)
    count = TotalsCount.start(profile, seats, lot, "borda")
    totals = [exact(Fraction(int(t), 2)) for t in _doubled_borda_totals(count.ballots, variant)]
    return count.result(
        totals, action="add up Borda points", unit="points", options={"variant": variant}
    )


def _doubled_borda_totals(ballots: Ballots, variant: str) -> IntArray:
    """Twice each candidate's Borda score, so that shared (half) points stay whole numbers.

    A tie group filling places s .. s+g-1 earns the average of their points:
    with place p worth top - p, that is top - s - (g - 1)/2 each.
    """
    rankings, tied = ballots.rankings, ballots.tied
    n_rows, width = rankings.shape
    m = ballots.n_candidates
    if width == 0:
        return np.zeros(m, dtype=np.int64)
    places = np.arange(width)
    ranked = rankings != EMPTY
    n_ranked = ranked.sum(axis=1)
    opens_group = ranked & ~tied
    group_start = np.maximum.accumulate(np.where(opens_group, places, 0), axis=1)
    # The first opening at or after each place; unranked places close a group too.
    openings = np.full((n_rows, width + 1), width)
    openings[:, :width] = np.where(opens_group | ~ranked, places, width)
    next_opening = np.minimum.accumulate(openings[:, ::-1], axis=1)[:, ::-1]
    group_size = next_opening[:, 1:] - group_start
    top = (n_ranked[:, None] if variant == "modified" else m - 1) - group_start
    doubled = 2 * top - (group_size - 1)
    weights = doubled * ballots.counts[:, None]
    totals = weighted_count(rankings[ranked], weights[ranked], m)
    if variant == "averaged":
        # The m - r unranked share places worth 0 .. m-r-1: (m - r - 1)/2 each.
        unranked_share = np.maximum(m - n_ranked - 1, 0) * ballots.counts
        totals += int(unranked_share.sum())
        shares = np.broadcast_to(unranked_share[:, None], rankings.shape)
        totals -= weighted_count(rankings[ranked], shares[ranked], m)
    return totals


@method(
    "two-round",
    "Contingent vote: a majority of first preferences wins; otherwise the top two meet in a "
    "runoff counted from the same ranked ballots.",
    ballot=BallotShape.RANKING,
)
def two_round(profile: Profile, *, seats: int, lot: Lot, **_: Any) -> Result:
    """The contingent vote (Wikipedia, "Contingent vote": Queensland used it from 1892 to 1942).

    Round one elects a candidate with more than half of the first preferences on
    non-blank ballots. Otherwise the two with the most first preferences go on
    (lots settle a tie for those places) and every ballot counts for whichever
    finalist it ranks higher; a ballot ranking neither is exhausted. A tied
    runoff goes to the finalist with more first preferences, then to lot.
    """
    ballots = Ballots.countable(profile, "two-round")
    ballots.require_strict("two-round")
    firsts = [int(t) for t in ballots.first_preference_totals("two-round")]
    cast = sum(firsts)
    leader = max(range(len(firsts)), key=lambda i: firsts[i])
    if 2 * firsts[leader] > cast or ballots.n_candidates == 1:
        name = ballots.names[leader]
        first_round = Round(
            number=1,
            action="count first preferences",
            note=f"{name} has a majority of first preferences: {firsts[leader]} of {cast}",
            tallies=dict(zip(ballots.names, firsts, strict=True)),
            elected=[name],
        )
        return _two_round_result(profile, [name], [first_round])
    finalists, rounds = elect_highest(
        ballots.names,
        firsts,
        2,
        lot,
        method="two-round",
        action="count first preferences",
        outcome="through to the runoff",
    )
    rounds[0].note = f"no majority of {cast} first preferences; " + rounds[0].note
    index = {name: i for i, name in enumerate(ballots.names)}
    levels = ballots.rank_levels()
    first_level, second_level = (levels[:, index[name]] for name in finalists)
    runoff: dict[str, Number] = {
        finalists[0]: int(ballots.counts[first_level < second_level].sum()),
        finalists[1]: int(ballots.counts[second_level < first_level].sum()),
    }
    tie_break = None
    if runoff[finalists[0]] != runoff[finalists[1]]:
        winner = max(finalists, key=runoff.__getitem__)
        note = f"{winner} wins the runoff"
    elif firsts[index[finalists[0]]] != firsts[index[finalists[1]]]:
        winner = max(finalists, key=lambda name: firsts[index[name]])
        note = f"the runoff is tied; {winner} had more first preferences"
        tie_break = TieBreak(tied=list(finalists), resolved_by="first preferences", chosen=winner)
    else:
        winner = lot.draw(finalists)
        note = f"the runoff and the first preferences are tied; {winner} elected by lot"
        tie_break = TieBreak(tied=list(finalists), resolved_by="lot", chosen=winner)
    rounds.append(
        Round(
            number=len(rounds) + 1,
            action=f"runoff between {finalists[0]} and {finalists[1]}",
            note=note,
            tallies=runoff,
            exhausted=ballots.total - sum(runoff.values()),
            elected=[winner],
            tie_break=tie_break,
        )
    )
    return _two_round_result(profile, [winner], rounds)


def _two_round_result(profile: Profile, elected: list[str], rounds: list[Round]) -> Result:
    return Result(
        method="two-round",
        seats=1,
        candidates=list(profile.candidates),
        elected=elected,
        rounds=rounds,
    )
