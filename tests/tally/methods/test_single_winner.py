"""Plurality, approval, score, Borda and the two-round contingent vote on hand-counted examples."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.methods._profiles import equal_rankings_profile, ranked_profiles
from veche.tally import Profile, TallyError, count
from veche.tally.profile import EMPTY
from veche.tally.registry import available_methods

# Wikipedia's Tennessee capital example (articles "Condorcet method", "Instant-runoff voting",
# "Borda count"): 42% Memphis > Nashville > Chattanooga > Knoxville, 26% Nashville >
# Chattanooga > Knoxville > Memphis, 15% Chattanooga > Knoxville > Nashville > Memphis,
# 17% Knoxville > Chattanooga > Nashville > Memphis.
TENNESSEE = Profile.from_rankings(
    ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
    [((0, 1, 2, 3), 42), ((1, 2, 3, 0), 26), ((2, 3, 1, 0), 15), ((3, 2, 1, 0), 17)],
)


@pytest.mark.parametrize(
    ("method", "winner", "tallies"),
    [
        pytest.param(
            "plurality",
            "Memphis",
            {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17},
            id="plurality elects memphis on first preferences",
        ),
        # Points 3, 2, 1, 0 by place. Memphis 42*3 = 126; Nashville 42*2 + 26*3 + 15 + 17 = 194;
        # Chattanooga 42 + 26*2 + 15*3 + 17*2 = 173; Knoxville 26 + 15*2 + 17*3 = 107.
        pytest.param(
            "borda",
            "Nashville",
            {"Memphis": 126, "Nashville": 194, "Chattanooga": 173, "Knoxville": 107},
            id="borda elects nashville",
        ),
    ],
)
def test_tennessee_in_one_round(method: str, winner: str, tallies: dict[str, int]) -> None:
    result = count(TENNESSEE, method)
    assert result.elected == [winner]
    assert result.rounds[0].tallies == tallies


def test_tennessee_two_round_runoff_elects_nashville() -> None:
    # No majority (Memphis 42 of 100); Memphis and Nashville go through; every ballot but
    # Memphis's 42 ranks Nashville above Memphis: 58 to 42.
    result = count(TENNESSEE, "two-round")
    assert result.elected == ["Nashville"]
    runoff = result.rounds[-1]
    assert runoff.action == "runoff between Memphis and Nashville"
    assert runoff.tallies == {"Memphis": 42, "Nashville": 58}
    assert runoff.exhausted == 0


def test_two_round_elects_a_first_round_majority_at_once() -> None:
    profile = Profile.from_rankings(["A", "B", "C"], [((0, 1), 6), ((1,), 3), ((2, 1), 2)])
    result = count(profile, "two-round")
    assert result.elected == ["A"]
    assert len(result.rounds) == 1
    assert "majority of first preferences: 6 of 11" in result.rounds[0].note


def test_two_round_tied_runoff_goes_to_more_first_preferences() -> None:
    # First preferences A 4, B 3, C 1: no majority of 8. Runoff A 4, B 3 + 1 = 4.
    profile = Profile.from_rankings(["A", "B", "C"], [((0,), 4), ((1,), 3), ((2, 1), 1)])
    result = count(profile, "two-round")
    assert result.elected == ["A"]
    runoff = result.rounds[-1]
    assert runoff.tallies == {"A": 4, "B": 4}
    assert runoff.tie_break is not None
    assert runoff.tie_break.resolved_by == "first preferences"


def test_two_round_refuses_equal_rankings() -> None:
    tied = equal_rankings_profile(3)
    with pytest.raises(TallyError, match="strict rankings"):
        count(tied, "two-round")


def test_plurality_counts_blank_ballots_for_no_one() -> None:
    profile = Profile.from_rankings(["A", "B"], [((0,), 3), ((1, 0), 2), ((), 4)])
    result = count(profile, "plurality")
    assert result.elected == ["A"]
    assert result.details["blank_ballots"] == 4


def test_plurality_refuses_ballots_with_two_first_places() -> None:
    tied_first = Profile(
        candidates=("A", "B", "C"),
        rankings=np.array([[0, 1, 2], [2, 0, 1]], dtype=np.int32),
        counts=np.array([2, 1], dtype=np.int64),
        tied_with_previous=np.array([[False, True, False], [False, False, False]]),
    )
    with pytest.raises(TallyError, match=r"2 ballot\(s\) rank several candidates first"):
        count(tied_first, "plurality")


def test_plurality_tie_goes_to_lot_reproducibly() -> None:
    profile = Profile.from_totals({"A": 5, "B": 5, "C": 2})
    winners = {count(profile, "plurality", seed=seed).elected[0] for seed in range(20)}
    assert winners == {"A", "B"}
    first = count(profile, "plurality", seed=7)
    again = count(profile, "plurality", seed=7)
    assert first.elected == again.elected
    assert first.seed == 7
    draw = first.rounds[-1].tie_break
    assert draw is not None
    assert (draw.tied, draw.resolved_by, draw.chosen) == (["A", "B"], "lot", first.elected[0])


def test_plurality_elects_one() -> None:
    with pytest.raises(TallyError, match="elects one winner"):
        count(TENNESSEE, "plurality", seats=2)


def test_approval_from_rankings_approves_every_ranked_candidate() -> None:
    # A approved on 3 + 1 ballots, B on 3 + 2, C on 1.
    profile = Profile.from_rankings(["A", "B", "C"], [((0, 1), 3), ((1,), 2), ((2, 0), 1)])
    result = count(profile, "approval")
    assert result.elected == ["B"]
    assert result.rounds[0].tallies == {"A": 4, "B": 5, "C": 1}
    assert count(profile, "approval", seats=2).elected == ["B", "A"]


def rated(candidates: tuple[str, ...], scores: list[list[int]], counts: list[int]) -> Profile:
    return Profile(
        candidates=candidates,
        rankings=np.full((len(counts), 0), EMPTY, dtype=np.int32),
        counts=np.array(counts, dtype=np.int64),
        scores=np.array(scores, dtype=np.int64),
    )


def test_approval_and_score_from_rated_ballots() -> None:
    # Scores 0-5. Sums: A 5*2 + 0*3 = 10, B 1*2 + 4*3 = 14, C 0 + 3*3 = 9.
    # Approvals (score above 0): A 2, B 5, C 3.
    profile = rated(("A", "B", "C"), [[5, 1, 0], [0, 4, 3]], [2, 3])
    scored = count(profile, "score")
    assert scored.elected == ["B"]
    assert scored.rounds[0].tallies == {"A": 10, "B": 14, "C": 9}
    approved = count(profile, "approval")
    assert approved.rounds[0].tallies == {"A": 2, "B": 5, "C": 3}
    assert approved.details["approvals_from"] == "scores above zero"


def test_score_needs_scores() -> None:
    with pytest.raises(TallyError, match="rated ballots"):
        count(TENNESSEE, "score")


@pytest.mark.parametrize(
    "method",
    [m.name for m in available_methods().values() if m.ballot not in ("score", "approval")],
)
def test_a_method_of_rankings_refuses_ballots_that_only_give_scores(method: str) -> None:
    """Counted, every candidate would have nothing and a lot would elect one of them."""
    only_scores = rated(("A", "B", "C"), [[5, 1, 0], [0, 4, 3]], [2, 3])
    with pytest.raises(TallyError, match="give scores and rank no one"):
        count(only_scores, method, seats=1)


def test_ballots_giving_scores_and_a_ranking_are_counted_by_either() -> None:
    both = Profile(
        candidates=("A", "B", "C"),
        rankings=np.array([[0, 1, 2], [1, 2, 0]], dtype=np.int32),
        counts=np.array([2, 3], dtype=np.int64),
        scores=np.array([[5, 1, 0], [0, 4, 3]], dtype=np.int64),
    )
    assert count(both, "plurality").rounds[0].tallies == {"A": 2, "B": 3, "C": 0}
    assert count(both, "score").rounds[0].tallies == {"A": 10, "B": 14, "C": 9}


# Partial ballots: 5 x [A], 3 x [B, C, A], 2 x [C, B, A] over three candidates.
PARTIAL = Profile.from_rankings(["A", "B", "C"], [((0,), 5), ((1, 2, 0), 3), ((2, 1, 0), 2)])


def test_borda_zero_variant_rewards_the_bullet_votes() -> None:
    # Places worth 2, 1, 0; unranked 0. A 5*2 = 10, B 3*2 + 2*1 = 8, C 3*1 + 2*2 = 7.
    result = count(PARTIAL, "borda")
    assert result.rounds[0].tallies == {"A": 10, "B": 8, "C": 7}
    assert result.elected == ["A"]
    assert result.options == {"variant": "zero"}


def test_borda_averaged_variant_shares_the_unused_points() -> None:
    # On the 5 bullet votes B and C share the points 1 and 0: half a point each.
    # A 10, B 8 + 5/2 = 21/2, C 7 + 5/2 = 19/2.
    result = count(PARTIAL, "borda", variant="averaged")
    assert result.rounds[0].tallies == {"A": 10, "B": Fraction(21, 2), "C": Fraction(19, 2)}
    assert result.elected == ["B"]


def test_borda_modified_variant_scores_by_candidates_ranked() -> None:
    # Emerson's MBC: a ballot ranking r candidates gives r, r-1, ..., 1.
    # A 5*1 + 3*1 + 2*1 = 10, B 3*3 + 2*2 = 13, C 3*2 + 2*3 = 12.
    result = count(PARTIAL, "borda", variant="modified")
    assert result.rounds[0].tallies == {"A": 10, "B": 13, "C": 12}
    assert result.elected == ["B"]


def test_borda_equal_rankings_share_their_places() -> None:
    # 2 x (A = B > C) and 1 x (C > A > B) over A, B, C, D: places worth 3, 2, 1, 0.
    # A and B share 3 + 2 on the first ballots: 5/2 each. A = 2 * 5/2 + 2 = 7,
    # B = 5 + 1 = 6, C = 2 * 1 + 3 = 5, D = 0.
    profile = Profile(
        candidates=("A", "B", "C", "D"),
        rankings=np.array([[0, 1, 2], [2, 0, 1]], dtype=np.int32),
        counts=np.array([2, 1], dtype=np.int64),
        tied_with_previous=np.array([[False, True, False], [False, False, False]]),
    )
    result = count(profile, "borda")
    assert result.rounds[0].tallies == {"A": 7, "B": 6, "C": 5, "D": 0}


def test_borda_refuses_an_unknown_variant() -> None:
    with pytest.raises(TallyError, match="variant must be one of zero, averaged, modified"):
        count(TENNESSEE, "borda", variant="dowdall")


@pytest.mark.parametrize(
    "method",
    ["plurality", "approval", "borda", "two-round", "irv", "schulze", "sntv", "block", "dhondt"],
)
def test_a_count_without_a_marked_ballot_is_refused(method: str) -> None:
    # Everyone would be level on nothing and lots would choose: almost surely a wrong file.
    blank = Profile.from_rankings(["A", "B"], [((), 4)])
    with pytest.raises(TallyError, match="every ballot is blank"):
        count(blank, method)
    with pytest.raises(TallyError, match="every ballot is blank"):
        count(Profile.from_rankings(["A", "B"], []), method)


def test_withdrawn_candidate_is_passed_over() -> None:
    # C withdrew: its 3 ballots count for their next preference, A.
    profile = Profile.from_rankings(["A", "B", "C"], [((2, 0), 3), ((1,), 2)], withdrawn=[2])
    result = count(profile, "plurality")
    assert result.elected == ["A"]
    assert result.rounds[0].tallies == {"A": 3, "B": 2}


@settings(max_examples=150, deadline=None)
@given(profile=ranked_profiles(max_candidates=6, max_ballots=20), seed=st.integers(0, 2**16))
def test_plurality_winner_has_the_most_first_preferences(profile: Profile, seed: int) -> None:
    firsts = {name: 0 for name in profile.candidates}
    for ranking, weight in zip(profile.rankings, profile.counts, strict=True):
        if ranking.size and ranking[0] != EMPTY:
            firsts[profile.candidates[ranking[0]]] += int(weight)
    result = count(profile, "plurality", seed=seed)
    assert firsts[result.elected[0]] == max(firsts.values())
    assert count(profile, "plurality", seed=seed).elected == result.elected
