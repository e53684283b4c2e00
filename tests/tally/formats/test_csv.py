"""CSV ballots: the Burlington cast-vote record, one-ballot-per-row files and score tables."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tests.tally.formats._files import assert_refused, write_file
from veche.tally.errors import BallotFormatError
from veche.tally.formats import read_ballots
from veche.tally.profile import EMPTY, Profile


def write(tmp_path: Path, text: str | bytes, name: str = "ballots.csv") -> Path:
    return write_file(tmp_path / name, text)


def rankings_of(profile: Profile) -> Counter[tuple[str, ...]]:
    found: Counter[tuple[str, ...]] = Counter()
    for ranking, count in zip(profile.rankings.tolist(), profile.counts.tolist(), strict=True):
        found[tuple(profile.candidates[c] for c in ranking if c != EMPTY)] += count
    return found


def instant_runoff_rounds(profile: Profile) -> list[dict[str | None, int]]:
    """Each round's totals (None: exhausted) of a plain instant-runoff count, to the last two."""
    standing = set(range(profile.n_candidates))
    rounds = []
    while True:
        totals: Counter[int | None] = Counter()
        for ranking, count in zip(profile.rankings.tolist(), profile.counts.tolist(), strict=True):
            totals[next((c for c in ranking if c in standing), None)] += count
        rounds.append({None if c is None else profile.candidates[c]: n for c, n in totals.items()})
        if len(standing) <= 2:
            return rounds
        standing.remove(min(standing, key=lambda c: totals[c]))


# Burlington 2009 -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def burlington_path(elections: Path) -> Path:
    return elections / "irv" / "burlington_2009_mayor.csv"


def test_burlington_has_one_ballot_per_ballot_id(burlington_path: Path) -> None:
    with burlington_path.open(newline="") as handle:
        ids = {row["ballot_id"] for row in csv.DictReader(handle)}
    profile = read_ballots(burlington_path)
    assert profile.n_voters == len(ids) == 8980
    assert profile.tied_with_previous is None


def test_burlington_first_round_is_the_published_one(burlington_path: Path) -> None:
    # The official first round (Wikipedia and electowiki, "2009 Burlington mayoral
    # election"): Wright 2,951, Kiss 2,585, Montroll 2,063, Smith 1,306, write-ins 36,
    # Simpson 35, and 4 ballots with no first choice.
    first_round = instant_runoff_rounds(read_ballots(burlington_path))[0]
    assert first_round == {
        "Kurt Wright": 2951,
        "Bob Kiss": 2585,
        "Andy Montroll": 2063,
        "Dan Smith": 1306,
        "James Simpson": 35,
        "Write-in": 36,
        None: 4,
    }


def test_burlington_final_round_is_the_one_counted_from_the_file(burlington_path: Path) -> None:
    # As tests/data/README.md gives it. The official final round had Wright at 4,061,
    # one vote more than this file yields.
    final = instant_runoff_rounds(read_ballots(burlington_path))[-1]
    assert final == {"Bob Kiss": 4313, "Kurt Wright": 4060, None: 607}


# One row per rank ------------------------------------------------------------------------


def test_long_form_rules_for_skipped_overvoted_and_repeated_ranks(tmp_path: Path) -> None:
    text = (
        "ballot_id,rank,choice\n"
        "b1,2,B\n"  # ranks come in any order
        "b1,1,A\n"
        "b2,1,$UNDERVOTE\n"  # a skipped rank: B moves up
        "b2,2,B\n"
        "b3,1,C\n"
        "b3,2,$OVERVOTE\n"  # the ballot ends here
        "b3,3,A\n"
        "b4,1,A\n"
        "b4,2,A\n"  # a repeat is skipped
        "b4,3,C\n"
        "b5,1,$OVERVOTE\n"  # a ballot with no usable choice is blank
        "b6,1,\n"  # a blank choice is a skipped rank
        "b6,2,C\n"
    )
    profile = read_ballots(write(tmp_path, text))
    assert profile.candidates == ("B", "A", "C")
    assert rankings_of(profile) == {
        ("A", "B"): 1,
        ("B",): 1,
        ("C",): 2,
        ("A", "C"): 1,
        (): 1,
    }


def test_long_form_ignores_other_columns(tmp_path: Path) -> None:
    text = "precinct,choice,ballot_id,rank\nWard 1,A,x,1\nWard 1,B,x,2\nWard 2,B,y,1\n"
    assert rankings_of(read_ballots(write(tmp_path, text))) == {("A", "B"): 1, ("B",): 1}


# One ballot per row ----------------------------------------------------------------------


def test_rows_with_rank_header_and_count_column(tmp_path: Path) -> None:
    text = "Rank 1,Rank 2,Rank 3,count\nA,B,,12\nB,,,3\nA,B,,1\n,,,2\n"
    profile = read_ballots(write(tmp_path, text))
    assert rankings_of(profile) == {("A", "B"): 13, ("B",): 3, (): 2}
    assert profile.rankings.shape[0] == 3


def test_rows_without_header_are_all_ballots(tmp_path: Path) -> None:
    text = "A,B,C\nC\n\nB,A\n"
    profile = read_ballots(write(tmp_path, text))
    assert profile.candidates == ("A", "B", "C")
    assert rankings_of(profile) == {("A", "B", "C"): 1, ("C",): 1, ("B", "A"): 1}


def test_weight_column_with_any_other_headings(tmp_path: Path) -> None:
    text = "first,second,weight\nA,B,2\n"
    assert rankings_of(read_ballots(write(tmp_path, text))) == {("A", "B"): 2}


def test_rows_apply_the_same_rules_as_the_long_form(tmp_path: Path) -> None:
    text = "1st,2nd,3rd,4th\nA,,B,C\nA,$OVERVOTE,B,\nA,A,B,\n$UNDERVOTE,C,,\n"
    assert rankings_of(read_ballots(write(tmp_path, text))) == {
        ("A", "B", "C"): 1,
        ("A",): 1,
        ("A", "B"): 1,
        ("C",): 1,
    }


def test_a_score_table_is_not_mistaken_for_rankings(tmp_path: Path) -> None:
    path = write(tmp_path, "A,B,C\n5,3,0\n1,2,3\n")
    with pytest.raises(BallotFormatError, match="format='csv-scores'") as raised:
        read_ballots(path)
    assert raised.value.line == 2


# Scores ----------------------------------------------------------------------------------


def test_score_table_with_count_and_blank_cells(tmp_path: Path) -> None:
    text = "Ada,Bea,count,Cy\n5,3,10,0\n,4,2,-1\n5,3,1,\n"
    profile = read_ballots(write(tmp_path, text), format="csv-scores")
    assert profile.candidates == ("Ada", "Bea", "Cy")
    assert profile.scores is not None
    assert profile.scores.tolist() == [[5, 3, 0], [0, 4, -1]]
    assert profile.counts.tolist() == [11, 2]
    assert profile.rankings.shape == (2, 0)


def test_score_rows_may_be_short(tmp_path: Path) -> None:
    profile = read_ballots(write(tmp_path, "A,B,C\n1\n"), format="csv-scores")
    assert profile.scores is not None
    assert np.array_equal(profile.scores, [[1, 0, 0]])


# Errors ----------------------------------------------------------------------------------

MALFORMED = [
    ("csv", "", None, "file is empty"),
    ("csv", "\n\n", None, "file is empty"),
    (
        "csv",
        "ballot_id,rank,choice\nb1,first,A\n",
        2,
        "rank must be a positive integer, got 'first'",
    ),
    ("csv", "ballot_id,rank,choice\nb1,0,A\n", 2, "rank must be a positive integer, got '0'"),
    ("csv", "ballot_id,rank,choice\nb1,1,A\nb2,1,B\nb1,1,C\n", 4, "second choice for rank 1"),
    ("csv", "ballot_id,rank,choice\n,1,A\n", 2, "ballot_id is blank"),
    ("csv", "ballot_id,rank,choice\nb1,1\n", 2, "expected at least 3 cells, found 2"),
    ("csv", "rank1,rank2,count\nA,B,2\nB,A,x\n", 3, "count must be a positive integer, got 'x'"),
    ("csv", "rank1,count\nA,0\n", 2, "count must be a positive integer, got '0'"),
    # More digits than int() reads, and a digit to str.isdigit but not to int(): both once
    # stopped the reader with a ValueError.
    ("csv", f"rank1,count\nA,{'9' * 5000}\n", 2, "count must be a positive integer"),
    ("csv", "ballot_id,rank,choice\nb1,²,A\n", 2, "rank must be a positive integer, got '²'"),
    ("csv-scores", f"A,B\n1,{'9' * 5000}\n", 2, "score for 'B' must be a whole number"),
    ("csv-scores", "A,B\n1,--2\n", 2, "score for 'B' must be a whole number, got '--2'"),
    ("csv", "rank1,count\nA\n", 2, "count must be a positive integer, got ''"),
    ("csv", 'rank1\n"A\n', 2, "unexpected end of data"),
    ("csv-scores", "", None, "file is empty"),
    ("csv-scores", "A,B\n1,x\n", 2, "score for 'B' must be a whole number, got 'x'"),
    ("csv-scores", "A,B\n1,2.5\n", 2, "score for 'B' must be a whole number, got '2.5'"),
    ("csv-scores", "A,B\n1,2,3\n", 2, "row has 3 cells but the header names 2 columns"),
    ("csv-scores", "A,,B\n1,2,3\n", 1, "column 2 of the header has no candidate name"),
    ("csv-scores", "A,B,A\n1,2,3\n", 1, "candidate name 'A' is given twice"),
    ("csv-scores", "A,count\n1,-2\n", 2, "count must be a positive integer, got '-2'"),
    ("csv", "rank1,count\nA,1\nA,10000000000000000\n", 3, "count 10000000000000000 is too large"),
    ("csv-scores", "A,B\n1,2\n1,-10000000000000000\n", 3, "a score is too large"),
    ("csv", b"rank1\nB\xe9a\n", None, "not UTF-8"),
    ("csv-scores", b"rank1\nB\xe9a\n", None, "not UTF-8"),
]


@pytest.mark.parametrize(("format", "text", "line", "problem"), MALFORMED)
def test_malformed_files_are_refused_with_line_and_reason(
    format: str, text: str | bytes, line: int | None, problem: str, tmp_path: Path
) -> None:
    assert_refused(write(tmp_path, text), line, problem, format=format)
