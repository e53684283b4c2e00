"""Our winners against pref_voting's on random profiles, and apportionment against a plain table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pref_voting.c1_methods import copeland
from pref_voting.grade_methods import approval, score_voting
from pref_voting.grade_profiles import GradeProfile
from pref_voting.iterative_methods import instant_runoff_put, plurality_with_runoff_put
from pref_voting.margin_based_methods import beat_path, minimax, ranked_pairs
from pref_voting.profiles import Profile as LinearProfile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import borda, borda_for_profile_with_ties, plurality

from veche.tally import Profile, count
from veche.tally.profile import EMPTY

# pref_voting returns every winner some tie-breaking could give; we return one, after our
# documented tie-break. Ours must be among theirs, and equal to theirs when theirs is unique.


@dataclass(frozen=True)
class Election:
    """The same ballots for both libraries: ``levels[i]`` maps candidate -> rank (1 = first)."""

    n_candidates: int
    levels: list[dict[int, int]]
    counts: list[int]

    @property
    def names(self) -> list[str]:
        return [f"c{i}" for i in range(self.n_candidates)]

    def ours(self) -> Profile:
        width = self.n_candidates
        rankings = np.full((len(self.levels), width), EMPTY, dtype=np.int32)
        tied = np.zeros((len(self.levels), width), dtype=np.bool_)
        for row, level in enumerate(self.levels):
            order = sorted(level, key=lambda c: (level[c], c))
            rankings[row, : len(order)] = order
            for position in range(1, len(order)):
                tied[row, position] = level[order[position]] == level[order[position - 1]]
        return Profile(
            candidates=tuple(self.names),
            rankings=rankings,
            counts=np.array(self.counts, dtype=np.int64),
            tied_with_previous=tied if tied.any() else None,
        )

    def theirs(self) -> ProfileWithTies:
        profile = ProfileWithTies(
            [dict(level) for level in self.levels],
            list(self.counts),
            candidates=list(range(self.n_candidates)),
        )
        # Unranked candidates come below ranked ones, as in our pairwise counts.
        profile.use_extended_strict_preference()
        return profile

    def theirs_linear(self) -> LinearProfile:
        orders = [sorted(level, key=level.__getitem__) for level in self.levels]
        return LinearProfile(orders, rcounts=list(self.counts))


@st.composite
def elections(
    draw: st.DrawFn,
    *,
    max_candidates: int = 5,
    complete: bool = False,
    ties: bool = False,
) -> Election:
    n_candidates = draw(st.integers(2, max_candidates))
    rows = draw(st.integers(1, 12))
    levels = []
    for _ in range(rows):
        order = draw(st.permutations(range(n_candidates)))
        length = n_candidates if complete else draw(st.integers(1, n_candidates))
        level: dict[int, int] = {}
        rank = 0
        for position, candidate in enumerate(order[:length]):
            if position == 0 or not (ties and draw(st.booleans())):
                rank += 1
            level[candidate] = rank
        levels.append(level)
    counts = draw(st.lists(st.integers(1, 6), min_size=rows, max_size=rows))
    return Election(n_candidates, levels, counts)


def ranked_pairs_winners(edata: Any) -> list[int]:
    """pref_voting's Ranked Pairs winners, found from stacks (Zavist and Tideman's
    characterization): its default tries every order of the tied margins and took 40 s on
    two reversed ballots of four candidates, where all six margins are nil."""
    return list(ranked_pairs(edata, algorithm="from_stacks"))


def winner_index(result: Any) -> int:
    (name,) = result.elected
    return int(name[1:])


def agree(ours: int, theirs: list[int]) -> None:
    assert ours in theirs, f"our winner c{ours} is not among pref_voting's {theirs}"
    if len(theirs) == 1:
        assert [ours] == theirs


#: A method of ours, its options, and pref_voting's function for the same rule.
Check = tuple[str, dict[str, Any], Callable[[Any], list[int]]]


def agree_on_each(ours: Profile, theirs: Any, seed: int, checks: list[Check]) -> None:
    """Count ``ours`` by each method; its winner must agree with pref_voting's on ``theirs``."""
    for method, options, reference in checks:
        agree(winner_index(count(ours, method, seed=seed, **options)), reference(theirs))


#: Methods that must agree with pref_voting on any ballots: truncated, with ties or not.
ON_ANY_BALLOTS: list[Check] = [
    ("borda", {"variant": "averaged"}, borda_for_profile_with_ties),
    ("schulze", {"strength": "margin"}, beat_path),
    ("copeland", {}, copeland),
    ("minimax", {}, minimax),
]

CROSS = settings(max_examples=120, deadline=None)
seeds = st.integers(0, 2**16)


@CROSS
@given(election=elections(complete=True), seed=seeds)
def test_complete_strict_ballots(election: Election, seed: int) -> None:
    checks: list[Check] = [
        ("plurality", {}, plurality),
        ("borda", {}, borda),
        ("irv", {}, instant_runoff_put),
        ("two-round", {}, plurality_with_runoff_put),
        ("schulze", {}, beat_path),  # winning votes and margins agree on complete ballots
        ("schulze", {"strength": "margin"}, beat_path),
        ("copeland", {}, copeland),
        ("minimax", {}, minimax),
    ]
    agree_on_each(election.ours(), election.theirs_linear(), seed, checks)


@CROSS
@given(election=elections(max_candidates=4, complete=True), seed=seeds)
def test_ranked_pairs_on_complete_ballots(election: Election, seed: int) -> None:
    agree_on_each(
        election.ours(),
        election.theirs_linear(),
        seed,
        [("ranked-pairs", {}, ranked_pairs_winners)],
    )


@CROSS
@given(election=elections(), seed=seeds)
def test_truncated_ballots(election: Election, seed: int) -> None:
    checks: list[Check] = [
        ("plurality", {}, plurality),
        ("irv", {}, instant_runoff_put),
        *ON_ANY_BALLOTS,
    ]
    agree_on_each(election.ours(), election.theirs(), seed, checks)


@CROSS
@given(election=elections(ties=True), seed=seeds)
def test_ballots_with_equal_rankings(election: Election, seed: int) -> None:
    agree_on_each(election.ours(), election.theirs(), seed, ON_ANY_BALLOTS)


@CROSS
@given(election=elections(max_candidates=4, ties=True), seed=seeds)
def test_ranked_pairs_with_truncation_and_ties(election: Election, seed: int) -> None:
    agree_on_each(
        election.ours(), election.theirs(), seed, [("ranked-pairs", {}, ranked_pairs_winners)]
    )


@CROSS
@given(election=elections(ties=True), seed=seeds)
def test_approval_of_every_ranked_candidate(election: Election, seed: int) -> None:
    grades = GradeProfile(
        [dict.fromkeys(level, 1) for level in election.levels],
        [0, 1],
        gcounts=list(election.counts),
        candidates=list(range(election.n_candidates)),
    )
    agree(winner_index(count(election.ours(), "approval", seed=seed)), approval(grades))


@CROSS
@given(
    scores=st.integers(2, 5).flatmap(
        lambda m: st.lists(
            st.tuples(st.lists(st.integers(0, 5), min_size=m, max_size=m), st.integers(1, 6)),
            min_size=1,
            max_size=12,
        )
    ),
    seed=seeds,
)
def test_score_voting(scores: list[tuple[list[int], int]], seed: int) -> None:
    n_candidates = len(scores[0][0])
    ours = Profile(
        candidates=tuple(f"c{i}" for i in range(n_candidates)),
        rankings=np.full((len(scores), 0), EMPTY, dtype=np.int32),
        counts=np.array([weight for _, weight in scores], dtype=np.int64),
        scores=np.array([row for row, _ in scores], dtype=np.int64),
    )
    grades = GradeProfile(
        [dict(enumerate(row)) for row, _ in scores],
        list(range(6)),
        gcounts=[weight for _, weight in scores],
        candidates=list(range(n_candidates)),
    )
    agree(winner_index(count(ours, "score", seed=seed)), score_voting(grades))


# Apportionment against the plainest possible statement of each rule.


def divisor_table_bounds(
    votes: dict[str, int], seats: int, divisor: Callable[[int], Fraction]
) -> dict[str, tuple[int, int]]:
    """Write out every quotient, take the ``seats`` largest: each list's seats lie between
    its quotients above the last one taken and those at least equal to it."""
    table = [(votes[name] / divisor(k), name) for name in votes for k in range(seats)]
    table.sort(reverse=True)
    cutoff = table[seats - 1][0]
    return {
        name: (
            sum(1 for q, n in table if n == name and q > cutoff),
            sum(1 for q, n in table if n == name and q >= cutoff),
        )
        for name in votes
    }


def hare_bounds(votes: dict[str, int], seats: int) -> dict[str, tuple[int, int]]:
    quota = Fraction(sum(votes.values()), seats)
    whole = {name: int(v // quota) for name, v in votes.items()}
    left = seats - sum(whole.values())
    remainders = sorted((v - whole[name] * quota for name, v in votes.items()), reverse=True)
    cutoff = remainders[left - 1] if left else None
    return {
        name: (
            whole[name] + (1 if cutoff is not None and v - whole[name] * quota > cutoff else 0),
            whole[name] + (1 if cutoff is not None and v - whole[name] * quota >= cutoff else 0),
        )
        for name, v in votes.items()
    }


list_votes = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D", "E", "F"]), st.integers(1, 5_000), min_size=1
)


def within(ours: dict[str, int], bounds: dict[str, tuple[int, int]]) -> None:
    for name, (low, high) in bounds.items():
        assert low <= ours[name] <= high, (name, ours[name], low, high)
    if all(low == high for low, high in bounds.values()):
        assert ours == {name: low for name, (low, _) in bounds.items()}


@settings(max_examples=200, deadline=None)
@given(
    votes=list_votes,
    seats=st.integers(1, 50),
    threshold=st.sampled_from([None, "1/20", "0.0325"]),
    seed=seeds,
)
def test_divisor_methods_against_the_quotient_table(
    votes: dict[str, int], seats: int, threshold: str | None, seed: int
) -> None:
    total = sum(votes.values())
    share = Fraction(threshold) if threshold else Fraction(0)
    eligible = {name: v for name, v in votes.items() if v >= share * total}
    profile = Profile.from_totals(votes)
    options = {} if threshold is None else {"threshold": threshold}
    for method, divisor in [
        ("dhondt", lambda k: Fraction(k + 1)),
        ("sainte-lague", lambda k: Fraction(2 * k + 1)),
    ]:
        ours = count(profile, method, seats=seats, seed=seed, **options).details["seats"]
        assert all(ours[name] == 0 for name in votes if name not in eligible)
        within(ours, divisor_table_bounds(eligible, seats, divisor))
    modified = count(
        profile, "sainte-lague", seats=seats, seed=seed, first_divisor="1.4", **options
    ).details["seats"]
    within(
        modified,
        divisor_table_bounds(
            eligible, seats, lambda k: Fraction(7, 5) if k == 0 else Fraction(2 * k + 1)
        ),
    )


@settings(max_examples=200, deadline=None)
@given(votes=list_votes, seats=st.integers(1, 50), seed=seeds)
def test_largest_remainder_against_hamilton(votes: dict[str, int], seats: int, seed: int) -> None:
    ours = count(Profile.from_totals(votes), "largest-remainder", seats=seats, seed=seed)
    within(ours.details["seats"], hare_bounds(votes, seats))
