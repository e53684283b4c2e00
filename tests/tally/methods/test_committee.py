"""Committees by block voting, the single non-transferable vote and approval."""

from __future__ import annotations

import numpy as np
import pytest

from veche.tally import Profile, TallyError, count

# Worked by hand, two seats: 3 x [A, B, C], 2 x [C, D], 2 x [D, C, A].
# Block (first two preferences): A 3, B 3, C 2 + 2 = 4, D 2 + 2 = 4: C and D win,
# though A has the most first preferences. SNTV (first only): A 3, C 2, D 2.
BALLOTS = Profile.from_rankings(["A", "B", "C", "D"], [((0, 1, 2), 3), ((2, 3), 2), ((3, 2, 0), 2)])


def test_block_votes_count_the_first_seats_preferences() -> None:
    result = count(BALLOTS, "block", seats=2)
    assert result.rounds[0].tallies == {"A": 3, "B": 3, "C": 4, "D": 4}
    assert result.elected == ["C", "D"]
    assert result.seats == 2


def test_sntv_counts_first_preferences_and_draws_lots_for_a_level_last_seat() -> None:
    seen = set()
    for seed in range(20):
        result = count(BALLOTS, "sntv", seats=2, seed=seed)
        assert result.rounds[0].tallies == {"A": 3, "B": 0, "C": 2, "D": 2}
        assert result.elected[0] == "A"
        assert result.rounds[0].elected == ["A"]
        draw = result.rounds[1].tie_break
        assert draw is not None
        assert draw.tied == ["C", "D"]
        seen.add(result.elected[1])
    assert seen == {"C", "D"}


def test_sntv_with_one_seat_is_plurality() -> None:
    assert count(BALLOTS, "sntv").elected == count(BALLOTS, "plurality").elected == ["A"]


def test_approval_committee_takes_the_most_approved() -> None:
    # Every ranked candidate approved: A 3 + 2 = 5, B 3, C 7, D 4.
    result = count(BALLOTS, "approval", seats=3)
    assert result.elected == ["C", "A", "D"]


def test_lots_drawn_one_seat_at_a_time_among_all_level() -> None:
    # Three level on 4 for the last two seats: two draws, each recorded.
    profile = Profile.from_totals({"A": 9, "B": 4, "C": 4, "D": 4})
    result = count(profile, "sntv", seats=3, seed=5)
    first_draw, second_draw = (r.tie_break for r in result.rounds[1:])
    assert first_draw is not None and second_draw is not None
    assert first_draw.tied == ["B", "C", "D"]
    assert second_draw.tied == [name for name in ["B", "C", "D"] if name != first_draw.chosen]
    assert result.elected == ["A", first_draw.chosen, second_draw.chosen]


def test_committee_methods_refuse_more_seats_than_candidates() -> None:
    for method in ["block", "sntv", "approval"]:
        with pytest.raises(TallyError, match="cannot fill 5 seat"):
            count(BALLOTS, method, seats=5)


def test_block_refuses_equal_rankings_across_the_last_vote() -> None:
    # (A > B = C) with two seats: the second vote could be B's or C's.
    straddling = Profile(
        candidates=("A", "B", "C"),
        rankings=np.array([[0, 1, 2]], dtype=np.int32),
        counts=np.array([1], dtype=np.int64),
        tied_with_previous=np.array([[False, False, True]]),
    )
    with pytest.raises(TallyError, match="across preference 2"):
        count(straddling, "block", seats=2)
    # With three seats every ranked candidate gets a vote, so the tie does not matter.
    assert count(straddling, "block", seats=3).rounds[0].tallies == {"A": 1, "B": 1, "C": 1}
