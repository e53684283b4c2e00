"""A file's ballots are counted exactly or refused: the methods sum counts and scores in
int64, which wraps around without a word past 9.2 × 10^18. Before the limit on the sums,
a score table whose one line gave 10^15 points to 10^15 voters counted A at
5,076,944,270,305,263,616 points, not 10^30."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.formats._files import assert_refused, write_file
from veche.tally import count
from veche.tally.errors import BallotFormatError
from veche.tally.formats import read_ballots
from veche.tally.formats._build import LARGEST_NUMBER, LARGEST_SCORE_SUM, MOST_BALLOTS


def test_scores_whose_sum_would_wrap_around_are_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path / "scores.csv", f"A,B,count\n{10**15},0,{10**14}\n0,1,1\n")
    assert_refused(path, None, "a candidate's scores add up to 1e+29", format="csv-scores")


def test_scores_that_sum_to_the_limit_are_counted_exactly(tmp_path: Path) -> None:
    path = write_file(tmp_path / "scores.csv", f"A,B,count\n{10**15},0,1000\n0,1,1\n")
    result = count(read_ballots(path, format="csv-scores"), "score")
    assert result.rounds[0].tallies == {"A": LARGEST_SCORE_SUM, "B": 1}


def test_more_ballots_than_can_be_summed_are_refused(tmp_path: Path) -> None:
    # Each weight is within the fifteen digits a BLT line may carry; their sum is not.
    lines = "999999999999999 1 2 0\n" * 10_001
    path = write_file(tmp_path / "big.blt", f'2 1\n{lines}0\n"A"\n"B"\n"Many"\n')
    assert_refused(path, None, "the file holds 10,000,999,999,999,989,999 ballots in all")


def test_ballots_up_to_the_limit_are_read_with_their_exact_count(tmp_path: Path) -> None:
    lines = f"{MOST_BALLOTS - 1} 1 2 0\n1 1 2 0\n"  # one ballot, twice: merged
    path = write_file(tmp_path / "limit.blt", f'2 1\n{lines}0\n"A"\n"B"\n"All"\n')
    assert read_ballots(path).counts.tolist() == [MOST_BALLOTS]


#: Counts and scores drawn from everyday sizes and from the largest a line may carry.
_NUMBER = st.one_of(st.integers(1, 1000), st.integers(1, LARGEST_NUMBER))
_SCORE = st.one_of(st.integers(-10, 10), st.integers(-LARGEST_NUMBER, LARGEST_NUMBER))
#: How near the limits a sum may be refused: the check sums in floating point.
_NEAR = 1 - 1e-12


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_NUMBER, _SCORE, _SCORE), min_size=1, max_size=6))
def test_any_score_table_is_counted_exactly_or_refused_past_the_limits(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, int, int]]
) -> None:
    """Python's integers do not wrap: whatever the table, its totals are the exact sums, or
    it is refused, and only where some sum reaches the limits."""
    path = tmp_path_factory.mktemp("scores") / "scores.csv"
    write_file(path, "A,B,count\n" + "".join(f"{a},{b},{n}\n" for n, a, b in rows))
    ballots = sum(n for n, _, _ in rows)
    weighed = max(sum(n * abs(a) for n, a, _ in rows), sum(n * abs(b) for n, _, b in rows))
    try:
        profile = read_ballots(path, format="csv-scores")
    except BallotFormatError as refusal:
        assert "more than can be counted exactly" in refusal.problem
        assert ballots > MOST_BALLOTS * _NEAR or weighed > LARGEST_SCORE_SUM * _NEAR
        return
    assert ballots <= MOST_BALLOTS and weighed <= LARGEST_SCORE_SUM
    totals = count(profile, "score").rounds[0].tallies
    assert totals == {"A": sum(n * a for n, a, _ in rows), "B": sum(n * b for n, _, b in rows)}
