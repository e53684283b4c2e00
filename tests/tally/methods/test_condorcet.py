"""Schulze, ranked pairs, Copeland and minimax on published and hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from veche.tally import Profile, TallyError, count

CONDORCET_METHODS = ["schulze", "ranked-pairs", "copeland", "minimax"]


def ballots(candidates: str, spec: list[tuple[int, str]]) -> Profile:
    """Strict ballots written as letters: (5, "ACBED") means 5 voters rank A > C > B > E > D."""
    return Profile.from_rankings(
        list(candidates), [(tuple(candidates.index(c) for c in order), n) for n, order in spec]
    )


# The example of Wikipedia's "Schulze method" article (after Schulze's own examples page):
# 45 voters, 5 candidates; the matrices and the winner E are those published there.
SCHULZE_45 = ballots(
    "ABCDE",
    [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ],
)


def test_schulze_published_example() -> None:
    result = count(SCHULZE_45, "schulze")
    assert result.elected == ["E"]
    published_d = {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    published_p = {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    assert result.details["pairwise"] == published_d
    assert result.details["strongest_paths"] == published_p
    assert result.details["ranking"] == ["E", "A", "C", "B", "D"]
    assert result.details["condorcet_winner"] is None


# Wikipedia's Tennessee capital example (articles "Condorcet method", "Ranked pairs").
TENNESSEE = Profile.from_rankings(
    ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
    [((0, 1, 2, 3), 42), ((1, 2, 3, 0), 26), ((2, 3, 1, 0), 15), ((3, 2, 1, 0), 17)],
)


@pytest.mark.parametrize("method", CONDORCET_METHODS)
def test_tennessee_condorcet_winner_is_nashville(method: str) -> None:
    result = count(TENNESSEE, method)
    assert result.elected == ["Nashville"]
    assert result.details["condorcet_winner"] == "Nashville"
    pairwise = result.details["pairwise"]
    # Nashville beats Memphis 58-42 and Chattanooga and Knoxville 68-32 each.
    assert pairwise["Nashville"] == {"Memphis": 58, "Chattanooga": 68, "Knoxville": 68}
    assert pairwise["Chattanooga"]["Knoxville"] == 83


def test_tennessee_ranked_pairs_locks_the_largest_margins_first() -> None:
    # Margins: Chattanooga over Knoxville 66; Nashville over Chattanooga and over Knoxville
    # 36 each; everyone over Memphis 16. No cycle arises, so every pair is locked.
    result = count(TENNESSEE, "ranked-pairs")
    actions = [r.action for r in result.rounds[1:-1]]
    assert actions[0] == "lock Chattanooga over Knoxville (margin 66)"
    assert set(actions[1:3]) == {
        "lock Nashville over Chattanooga (margin 36)",
        "lock Nashville over Knoxville (margin 36)",
    }
    assert len(actions) == 6
    assert all(action.startswith("lock") for action in actions)
    assert result.seed is None  # equal margins here cannot change the outcome: no lot


# A cycle worked by hand: 4 x ABC, 3 x BCA, 2 x CAB.
# A over B 6-3 (margin 3), B over C 7-2 (margin 5), C over A 5-4 (margin 1).
CYCLE = ballots("ABC", [(4, "ABC"), (3, "BCA"), (2, "CAB")])


def test_ranked_pairs_skips_the_weakest_link_of_a_cycle() -> None:
    result = count(CYCLE, "ranked-pairs")
    actions = [r.action for r in result.rounds[1:-1]]
    assert actions == [
        "lock B over C (margin 5)",
        "lock A over B (margin 3)",
        "skip C over A (margin 1)",
    ]
    assert result.elected == ["A"]
    assert result.details["locked"] == [["A", "B"], ["B", "C"]]


def test_schulze_on_the_cycle() -> None:
    # Winning votes: A->B 6, B->C 7, C->A 5. Strongest A->C = min(6, 7) = 6 > C->A 5;
    # A->B 6 > B->A = min(7, 5) = 5. A wins.
    result = count(CYCLE, "schulze")
    assert result.elected == ["A"]
    assert result.details["strongest_paths"]["A"] == {"B": 6, "C": 6}


def test_minimax_strength_measures_on_the_cycle() -> None:
    # Worst defeats. Margins: A 1 (by C), B 3 (by A), C 5 (by B).
    # Winning votes: A 5, B 6, C 7. Pairwise opposition: A max(3, 5) = 5, B max(6, 2) = 6,
    # C max(4, 7) = 7.
    for strength, worst in [
        ("margin", {"A": 1, "B": 3, "C": 5}),
        ("winning-votes", {"A": 5, "B": 6, "C": 7}),
        ("pairwise-opposition", {"A": 5, "B": 6, "C": 7}),
    ]:
        result = count(CYCLE, "minimax", strength=strength)
        assert result.rounds[1].tallies == worst
        assert result.elected == ["A"]


def test_copeland_cycle_is_a_tie_broken_by_lot() -> None:
    winners = set()
    for seed in range(20):
        result = count(CYCLE, "copeland", seed=seed)
        assert result.rounds[1].tallies == {"A": 1, "B": 1, "C": 1}
        assert result.details["wins"] == {"A": 1, "B": 1, "C": 1}
        winners.add(result.elected[0])
    assert winners == {"A", "B", "C"}


# The Condorcet paradox: 1 x ABC, 1 x BCA, 1 x CAB. Every majority is 2-1: nothing but lot
# can choose.
PARADOX = ballots("ABC", [(1, "ABC"), (1, "BCA"), (1, "CAB")])


@pytest.mark.parametrize("method", CONDORCET_METHODS)
def test_perfect_cycle_goes_to_lot_and_is_reproducible(method: str) -> None:
    winners = {count(PARADOX, method, seed=seed).elected[0] for seed in range(30)}
    assert winners == {"A", "B", "C"}
    result = count(PARADOX, method, seed=11)
    assert result.seed == 11
    assert count(PARADOX, method, seed=11).to_dict() == result.to_dict()
    draws = [r.tie_break for r in result.rounds if r.tie_break is not None]
    assert draws
    assert all(draw.resolved_by == "lot" for draw in draws)


def test_pairwise_counts_equal_and_unranked_candidates_for_no_one() -> None:
    # 2 x (A = B > C) and 1 x (C) over A, B, C, D. A and B: 0-0. A over C 2-1 (the C ballot
    # leaves A unranked). A over D 2-0, C over D 3-0, D over no one.
    profile = Profile(
        candidates=("A", "B", "C", "D"),
        rankings=np.array([[0, 1, 2], [2, -1, -1]], dtype=np.int32),
        counts=np.array([2, 1], dtype=np.int64),
        tied_with_previous=np.array([[False, True, False], [False, False, False]]),
    )
    pairwise = count(profile, "copeland", seed=1).details["pairwise"]
    assert pairwise["A"] == {"B": 0, "C": 2, "D": 2}
    assert pairwise["B"] == {"A": 0, "C": 2, "D": 2}
    assert pairwise["C"] == {"A": 1, "B": 1, "D": 3}
    assert pairwise["D"] == {"A": 0, "B": 0, "C": 0}


def test_condorcet_methods_elect_one_and_refuse_unknown_strengths() -> None:
    with pytest.raises(TallyError, match="elects one winner"):
        count(TENNESSEE, "schulze", seats=2)
    with pytest.raises(TallyError, match="strength must be one of"):
        count(TENNESSEE, "ranked-pairs", strength="pairwise-opposition")


@st.composite
def profiles_with_a_condorcet_winner(draw: st.DrawFn) -> Profile:
    """Random weak-order ballots, kept only when some candidate beats all others."""
    n_candidates = draw(st.integers(2, 6))
    rows = draw(st.integers(1, 15))
    rankings = np.full((rows, n_candidates), -1, dtype=np.int32)
    tied = np.zeros((rows, n_candidates), dtype=np.bool_)
    for row in range(rows):
        order = draw(st.permutations(range(n_candidates)))
        length = draw(st.integers(0, n_candidates))
        rankings[row, :length] = order[:length]
        for position in range(1, length):
            tied[row, position] = draw(st.booleans())
    counts = np.array(draw(st.lists(st.integers(1, 9), min_size=rows, max_size=rows)))
    profile = Profile(
        candidates=tuple(f"c{i}" for i in range(n_candidates)),
        rankings=rankings,
        counts=counts.astype(np.int64),
        tied_with_previous=tied,
    )
    preferred = np.zeros((n_candidates, n_candidates), dtype=np.int64)
    for ranking, flags, weight in zip(rankings, tied, counts, strict=True):
        level = {int(c): int(np.sum(~flags[: k + 1])) for k, c in enumerate(ranking) if c >= 0}
        for a in range(n_candidates):
            for b in range(n_candidates):
                if level.get(a, n_candidates + 1) < level.get(b, n_candidates + 1):
                    preferred[a, b] += weight
    winners = [
        a
        for a in range(n_candidates)
        if all(preferred[a, b] > preferred[b, a] for b in range(n_candidates) if b != a)
    ]
    assume(winners)
    return profile


@settings(max_examples=150, deadline=None)
@given(profile=profiles_with_a_condorcet_winner(), seed=st.integers(0, 2**16))
def test_a_condorcet_winner_wins_every_condorcet_method(profile: Profile, seed: int) -> None:
    results = [count(profile, method, seed=seed) for method in CONDORCET_METHODS]
    winner = results[0].details["condorcet_winner"]
    assert winner is not None
    for result in results:
        assert result.details["condorcet_winner"] == winner
        assert result.elected == [winner]
