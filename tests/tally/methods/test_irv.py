"""Instant-runoff voting: rounds, transfers, exhausted ballots and tie-breaks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.methods._profiles import equal_rankings_profile, ranked_profiles
from veche.tally import Profile, TallyError, count

# Wikipedia's Tennessee capital example (article "Instant-runoff voting").
TENNESSEE = Profile.from_rankings(
    ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
    [((0, 1, 2, 3), 42), ((1, 2, 3, 0), 26), ((2, 3, 1, 0), 15), ((3, 2, 1, 0), 17)],
)


def test_tennessee_irv_elects_knoxville_in_three_rounds() -> None:
    # Round 1: Chattanooga has fewest (15); its voters go on to Knoxville (17 + 15 = 32).
    # Round 2: Nashville has fewest (26); its voters go on to Chattanooga (gone), then to
    # Knoxville: 32 + 26 = 58 of 100, a majority.
    result = count(TENNESSEE, "irv")
    assert result.elected == ["Knoxville"]
    first, second, third = result.rounds
    assert first.tallies == {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17}
    assert second.action == "exclude Chattanooga, fewest votes (15)"
    assert second.excluded == ["Chattanooga"]
    assert second.tallies == {"Memphis": 42, "Nashville": 26, "Knoxville": 32}
    assert second.transfers == {"Knoxville": 15, "Chattanooga": -15}
    assert third.action == "exclude Nashville, fewest votes (26)"
    assert third.tallies == {"Memphis": 42, "Knoxville": 58}
    assert third.elected == ["Knoxville"]
    assert "majority of continuing votes (58 of 100)" in third.note
    assert all(r.exhausted == 0 for r in result.rounds)


def test_first_round_majority_ends_the_count() -> None:
    profile = Profile.from_rankings(["A", "B", "C"], [((0,), 6), ((1, 0), 3), ((2,), 2)])
    result = count(profile, "irv")
    assert result.elected == ["A"]
    assert len(result.rounds) == 1


def test_exhausted_ballots_leave_the_majority_threshold() -> None:
    # A 4, B 3, C 2 (C's ballots rank nothing else). C excluded: 2 exhausted; A has 4 of the
    # 7 continuing votes, a majority, though not of all 9 ballots.
    profile = Profile.from_rankings(["A", "B", "C"], [((0,), 4), ((1,), 3), ((2,), 2)])
    result = count(profile, "irv")
    assert result.elected == ["A"]
    assert result.rounds[-1].exhausted == 2
    assert "(4 of 7)" in result.rounds[-1].note


# Ties for exclusion, worked by hand: A 10, B 5, C 4 x [C, B], D 1 x [D, C] and 1 x [D].
# Round 1: D (2) excluded; one ballot to C, one exhausted: A 10, B 5, C 5.
# Round 2: B and C tie on 5; in round 1 C had fewer (4 to 5), so C is excluded.
# Round 3: C's four [C, B] ballots go to B, [D, C] exhausts: A 10, B 9, 2 exhausted.
BACKWARDS = Profile.from_rankings(
    ["A", "B", "C", "D"],
    [((0,), 10), ((1,), 5), ((2, 1), 4), ((3, 2), 1), ((3,), 1)],
)


def test_exclusion_tie_broken_on_earlier_rounds() -> None:
    result = count(BACKWARDS, "irv")
    tied_round = result.rounds[2]
    assert tied_round.excluded == ["C"]
    assert tied_round.tie_break is not None
    assert tied_round.tie_break.tied == ["B", "C"]
    assert tied_round.tie_break.resolved_by == "earlier rounds"
    assert tied_round.tallies == {"A": 10, "B": 9}
    assert tied_round.exhausted == 2
    assert result.elected == ["A"]
    assert result.seed is None  # no lots drawn


def test_exclusion_tie_by_lot_when_asked() -> None:
    excluded = set()
    for seed in range(20):
        result = count(BACKWARDS, "irv", tie_break="lot", seed=seed)
        tie = result.rounds[2].tie_break
        assert tie is not None
        assert tie.resolved_by == "lot"
        excluded.add(result.rounds[2].excluded[0])
        assert result.seed == seed
    assert excluded == {"B", "C"}


def test_tie_level_in_every_round_falls_to_lot() -> None:
    # A 4 of 10 is no majority; B and C, level on 3, have no earlier round to differ in.
    profile = Profile.from_rankings(["A", "B", "C"], [((0,), 4), ((1,), 3), ((2,), 3)])
    result = count(profile, "irv", seed=3)
    tie = result.rounds[1].tie_break
    assert tie is not None
    assert tie.resolved_by == "lot"
    assert tie.chosen == result.rounds[1].excluded[0]
    assert count(profile, "irv", seed=3).rounds[1].excluded == result.rounds[1].excluded


def test_irv_refuses_equal_rankings_and_unknown_tie_breaks() -> None:
    tied = equal_rankings_profile(1)
    with pytest.raises(TallyError, match="strict rankings"):
        count(tied, "irv")
    with pytest.raises(TallyError, match="tie_break must be one of"):
        count(TENNESSEE, "irv", tie_break="alphabetical")


def test_withdrawn_candidate_never_holds_votes() -> None:
    profile = Profile.from_rankings(["A", "B", "C"], [((2, 0), 3), ((1,), 2)], withdrawn=[2])
    result = count(profile, "irv")
    assert result.rounds[0].tallies == {"A": 3, "B": 2}
    assert result.elected == ["A"]


@settings(max_examples=200, deadline=None)
@given(profile=ranked_profiles(max_candidates=7, max_ballots=25), seed=st.integers(0, 2**16))
def test_votes_are_conserved_in_every_round(profile: Profile, seed: int) -> None:
    result = count(profile, "irv", seed=seed)
    exhausted_before = None
    for rnd in result.rounds:
        held = [int(votes) for votes in rnd.tallies.values()]
        moved = [int(votes) for votes in rnd.transfers.values()]
        assert rnd.exhausted is not None
        exhausted = int(rnd.exhausted)
        assert sum(held) + exhausted == profile.n_voters
        if exhausted_before is not None:
            # What the excluded candidate lost, the others and the exhausted pile gained.
            assert sum(moved) + (exhausted - exhausted_before) == 0
        exhausted_before = exhausted
    assert count(profile, "irv", seed=seed).to_dict() == result.to_dict()
