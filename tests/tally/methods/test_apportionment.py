"""D'Hondt, Sainte-Laguë and largest remainder on worked examples, with thresholds and lots."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.tally import Profile, TallyError, count

# The example of Wikipedia's "D'Hondt method" and "Sainte-Laguë method" articles:
# 230,000 votes for four lists, 8 seats.
FOUR_LISTS = Profile.from_totals({"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000})


def test_dhondt_worked_example() -> None:
    # Quotients in order: A 100000, B 80000, A 50000, B 40000, A 33333.3, C 30000,
    # B 26666.7, A 25000 (next: D 20000, B 20000, A 20000).
    result = count(FOUR_LISTS, "dhondt", seats=8)
    assert result.details["seats"] == {"A": 4, "B": 3, "C": 1, "D": 0}
    assert result.elected == ["A", "B", "A", "B", "A", "C", "B", "A"]
    assert result.rounds[3].action == "seat 3: A"
    assert "100000 / 2" in result.rounds[3].note


def test_sainte_lague_worked_example() -> None:
    # Divisors 1, 3, 5: A 100000, B 80000, A 33333.3, C 30000, B 26666.7, then A 20000 and
    # D 20000 level for seats 6 and 7 (both are filled, in ballot order), B 16000.
    result = count(FOUR_LISTS, "sainte-lague", seats=8)
    assert result.details["seats"] == {"A": 3, "B": 3, "C": 1, "D": 1}
    assert result.elected == ["A", "B", "A", "C", "B", "A", "D", "B"]
    assert result.seed is None  # the level quotients both got seats: no lot


def test_modified_sainte_lague_draws_lots_for_a_level_last_seat() -> None:
    # First divisor 7/5: A 71428.6, B 57142.9, A 33333.3, B 26666.7, C 21428.6, A 20000,
    # B 16000; then A's 100000 / 7 and D's 20000 / (7/5) are both exactly 100000/7 for the
    # eighth seat.
    outcomes = set()
    for seed in range(20):
        result = count(FOUR_LISTS, "sainte-lague", seats=8, first_divisor="7/5", seed=seed)
        last = result.rounds[-1]
        assert last.tie_break is not None
        assert last.tie_break.tied == ["A", "D"]
        assert last.tie_break.resolved_by == "lot"
        assert result.seed == seed
        outcomes.add((result.details["seats"]["A"], result.details["seats"]["D"]))
    assert outcomes == {(4, 0), (3, 1)}
    # With a ninth seat both get one and no lot is needed.
    nine = count(FOUR_LISTS, "sainte-lague", seats=9, first_divisor=Fraction(7, 5))
    assert nine.details["seats"] == {"A": 4, "B": 3, "C": 1, "D": 1}
    assert nine.options["first_divisor"] == Fraction(7, 5)


# The example of Wikipedia's "Largest remainder method" article: 100,000 votes, 10 seats.
SIX_LISTS = Profile.from_totals(
    {"A": 47_000, "B": 16_000, "C": 15_800, "D": 12_000, "E": 6_100, "F": 3_100}
)


def test_largest_remainder_hare() -> None:
    # Quota 10000: 4.70, 1.60, 1.58, 1.20, 0.61, 0.31 -> 7 seats; remainders A .70, E .61,
    # B .60 take the other three.
    result = count(SIX_LISTS, "largest-remainder", seats=10)
    assert result.details["seats"] == {"A": 5, "B": 2, "C": 1, "D": 1, "E": 1, "F": 0}
    assert result.rounds[1].quota == 10_000
    assert result.elected == ["A", "A", "A", "A", "B", "C", "D", "A", "E", "B"]


def test_largest_remainder_droop() -> None:
    # Quota floor(100000 / 11) + 1 = 9091: 5.17, 1.76, 1.74, 1.32, 0.67, 0.34 -> 8 seats;
    # the largest remainders are B's and C's.
    result = count(SIX_LISTS, "largest-remainder", seats=10, quota="droop")
    assert result.details["seats"] == {"A": 5, "B": 2, "C": 2, "D": 1, "E": 0, "F": 0}
    assert result.rounds[1].quota == 9091


def test_threshold_shuts_out_small_lists_and_the_quota_counts_the_rest() -> None:
    # 5% of 100,000 is 5,000: F (3,100) is out. Hare quota 96900 / 10 = 9690; full quotas
    # A 4, B 1, C 1, D 1; remainders A 8240, B 6310, C 6110, E 6100, D 2310.
    result = count(SIX_LISTS, "largest-remainder", seats=10, threshold="5/100")
    assert result.rounds[0].excluded == ["F"]
    assert result.rounds[1].quota == 9690
    assert result.rounds[1].tallies == {"A": 8240, "B": 6310, "C": 6110, "D": 2310, "E": 6100}
    assert result.details["seats"] == {"A": 5, "B": 2, "C": 2, "D": 1, "E": 0, "F": 0}


@pytest.mark.parametrize("threshold", ["2.5/100", "0.025", 0.025, Fraction(1, 40)])
def test_threshold_spellings_and_a_list_exactly_at_it_qualifies(threshold: object) -> None:
    profile = Profile.from_totals({"A": 975, "B": 25})
    assert count(profile, "dhondt", seats=40, threshold=threshold).details["seats"]["B"] == 1
    assert count(profile, "dhondt", seats=40, threshold="0.026").details["seats"]["B"] == 0


def test_hare_largest_remainder_shows_the_alabama_paradox() -> None:
    # Votes 6, 6, 2. Ten seats: quota 1.4, shares 4.29, 4.29, 1.43 -> 4, 4, 1 and C's
    # remainder takes the tenth: C 2. Eleven seats: quota 14/11, shares 4.71, 4.71, 1.57 ->
    # 4, 4, 1 and A and B take the rest: C 1. One more seat costs C a seat.
    profile = Profile.from_totals({"A": 6, "B": 6, "C": 2})
    ten = count(profile, "largest-remainder", seats=10).details["seats"]
    eleven = count(profile, "largest-remainder", seats=11).details["seats"]
    assert (ten["C"], eleven["C"]) == (2, 1)


@pytest.mark.parametrize(
    ("method", "options", "message"),
    [
        ("dhondt", {"threshold": "1"}, "below 1"),
        ("dhondt", {"threshold": "a tenth"}, "must be a number"),
        ("dhondt", {"threshold": "0.9"}, "no list reaches the threshold"),
        ("sainte-lague", {"first_divisor": "0"}, "above 0"),
        ("largest-remainder", {"quota": "imperiali"}, "quota must be one of hare, droop"),
    ],
)
def test_unsuitable_options_are_refused(method: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(TallyError, match=message):
        count(FOUR_LISTS, method, seats=8, **options)


def test_no_votes_no_seats() -> None:
    empty = Profile.from_rankings(["A", "B"], [])
    with pytest.raises(TallyError, match="every ballot is blank"):
        count(empty, "dhondt", seats=3)


def test_droop_quota_breaks_down_with_too_few_votes() -> None:
    # 3 votes, 10 seats: the Droop quota is 1, giving 3 seats by quota and 7 left for two
    # lists' remainders.
    profile = Profile.from_totals({"A": 2, "B": 1})
    with pytest.raises(TallyError, match="too few"):
        count(profile, "largest-remainder", seats=10, quota="droop")


vote_totals = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D", "E", "F", "G"]),
    st.integers(0, 10_000),
    min_size=1,
).filter(lambda totals: sum(totals.values()) > 0)


@settings(max_examples=150, deadline=None)
@given(
    totals=vote_totals,
    seats=st.integers(1, 60),
    method=st.sampled_from(["dhondt", "sainte-lague", "largest-remainder"]),
    seed=st.integers(0, 2**16),
)
def test_apportionment_fills_exactly_the_house(
    totals: dict[str, int], seats: int, method: str, seed: int
) -> None:
    profile = Profile.from_totals(totals)
    result = count(profile, method, seats=seats, seed=seed)
    assert len(result.elected) == seats
    assert sum(result.details["seats"].values()) == seats
    assert count(profile, method, seats=seats, seed=seed).elected == result.elected


@settings(max_examples=100, deadline=None)
@given(
    totals=vote_totals,
    seats=st.integers(1, 40),
    method=st.sampled_from(["dhondt", "sainte-lague"]),
    seed=st.integers(0, 2**16),
)
def test_divisor_methods_never_lose_a_list_a_seat_when_the_house_grows(
    totals: dict[str, int], seats: int, method: str, seed: int
) -> None:
    profile = Profile.from_totals(totals)
    smaller = count(profile, method, seats=seats, seed=seed).details["seats"]
    larger = count(profile, method, seats=seats + 1, seed=seed).details["seats"]
    assert all(larger[name] >= smaller[name] for name in smaller)
    assert sum(larger.values()) == sum(smaller.values()) + 1
