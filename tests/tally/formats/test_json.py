"""JSON ballots and totals: the documented schema, its errors, and writing then reading back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.formats._files import assert_refused, ranked_ballots, ranking_arrays, write_file
from veche.tally.errors import BallotFormatError, TallyError
from veche.tally.formats import read_ballots, write_json
from veche.tally.profile import EMPTY, Profile


def write(tmp_path: Path, document: Any, name: str = "ballots.json") -> Path:
    text = document if isinstance(document, str) else json.dumps(document)
    return write_file(tmp_path / name, text)


def test_ranked_ballots_with_ties_seats_title_and_withdrawn(tmp_path: Path) -> None:
    document = {
        "candidates": ["Ada", "Bea", "Cy"],
        "seats": 2,
        "title": "Board election",
        "withdrawn": ["Cy"],
        "ballots": [
            {"ranking": ["Ada", "Bea"], "count": 3},
            {"ranking": [["Ada", "Bea"], "Cy"]},
            {"ranking": ["Ada", "Bea"], "count": 2},
            {"ranking": []},
        ],
    }
    profile = read_ballots(write(tmp_path, document))
    assert profile.candidates == ("Ada", "Bea", "Cy")
    assert (profile.seats, profile.title, profile.withdrawn) == (
        2,
        "Board election",
        frozenset({2}),
    )
    assert profile.rankings.tolist() == [[0, 1, EMPTY], [0, 1, 2], [EMPTY, EMPTY, EMPTY]]
    assert profile.counts.tolist() == [5, 1, 1]
    assert profile.tied_with_previous is not None
    assert profile.tied_with_previous.tolist() == [
        [False, False, False],
        [False, True, False],
        [False, False, False],
    ]
    assert profile.scores is None


def test_rated_ballots(tmp_path: Path) -> None:
    document = {
        "candidates": ["Ada", "Bea", "Cy"],
        "ballots": [
            {"scores": {"Ada": 5, "Bea": 2}, "count": 4},
            {"scores": {"Cy": -1}},
            {"scores": {"Bea": 2, "Ada": 5}},
            {},
        ],
    }
    profile = read_ballots(write(tmp_path, document))
    assert profile.scores is not None
    assert profile.scores.tolist() == [[5, 2, 0], [0, 0, -1], [0, 0, 0]]
    assert profile.counts.tolist() == [5, 1, 1]
    assert profile.rankings.shape == (3, 0)


def test_totals(tmp_path: Path) -> None:
    document = {"title": "Motion 7", "totals": {"yes": 120, "no": 80, "abstain": 0}}
    profile = read_ballots(write(tmp_path, document))
    assert profile.candidates == ("yes", "no", "abstain")
    assert profile.title == "Motion 7"
    assert profile.seats is None
    firsts = np.bincount(profile.rankings[:, 0], profile.counts, profile.n_candidates)
    assert firsts.tolist() == [120, 80, 0]


def test_totals_in_the_order_candidates_give_with_seats(tmp_path: Path) -> None:
    document = {"candidates": ["B", "A"], "seats": 5, "totals": {"A": 10, "B": 30}}
    profile = read_ballots(write(tmp_path, document))
    assert profile.candidates == ("B", "A")
    assert profile.seats == 5
    firsts = np.bincount(profile.rankings[:, 0], profile.counts, profile.n_candidates)
    assert firsts.tolist() == [30, 10]


BASE: dict[str, Any] = {"candidates": ["A", "B"], "ballots": []}

MALFORMED: list[tuple[Any, int | None, str]] = [
    ("", None, "file is empty"),
    ('{"candidates": ["A"],\n "ballots": [}', 2, "not valid JSON"),
    ([], None, "the top level must be an object"),
    ({"candidates": ["A"]}, None, "needs 'candidates' and 'ballots' (or 'totals')"),
    ({**BASE, "rankings": []}, None, "unknown key 'rankings'"),
    ({**BASE, "candidates": "A B"}, None, "'candidates' must be a list of names"),
    ({**BASE, "candidates": ["A", "A"]}, None, "candidate name 'A' is given twice"),
    ({**BASE, "ballots": {}}, None, "'ballots' must be a list"),
    ({**BASE, "ballots": ["A"]}, None, "ballots[0] must be an object"),
    ({**BASE, "ballots": [{"ranking": ["A"], "weight": 2}]}, None, "ballots[0] has unknown key"),
    ({**BASE, "ballots": [{"ranking": "A"}]}, None, "ballots[0].ranking must be a list"),
    ({**BASE, "ballots": [{}, {"ranking": ["C"]}]}, None, "ballots[1].ranking[0] names 'C'"),
    ({**BASE, "ballots": [{"ranking": [1]}]}, None, "ballots[0].ranking[0] names 1"),
    ({**BASE, "ballots": [{"ranking": ["A", []]}]}, None, "ranking[1] is an empty list"),
    ({**BASE, "ballots": [{"ranking": ["A", ["B", "A"]]}]}, None, "ranks 'A' more than once"),
    ({**BASE, "ballots": [{"count": 0}]}, None, "ballots[0].count must be a positive integer"),
    ({**BASE, "ballots": [{"count": 1.5}]}, None, "ballots[0].count must be a positive integer"),
    ({**BASE, "ballots": [{"count": True}]}, None, "ballots[0].count must be a positive integer"),
    ({**BASE, "ballots": [{"receipt": 7}]}, None, "ballots[0].receipt must be a string, got 7"),
    ({**BASE, "ballots": [{"scores": []}]}, None, "ballots[0].scores must be an object"),
    ({**BASE, "ballots": [{}, {"count": 10**16}]}, None, "ballots[1]: count 10000000000000000 is"),
    ({**BASE, "ballots": [{"scores": {"A": 10**16}}]}, None, "ballots[0]: a score is too large"),
    # More digits than Python's json reads: once a ValueError out of the reader.
    ('{"candidates": ["A"], "ballots": [{"count": %s}]}' % ("9" * 5000), None, "far too long"),
    ({"totals": {"yes": 10**16}}, None, "totals['yes'] must be a whole number of votes from 0"),
    ({**BASE, "ballots": [{"scores": {"C": 1}}]}, None, "ballots[0].scores names 'C'"),
    ({**BASE, "ballots": [{"scores": {"A": "1"}}]}, None, "scores['A'] must be a whole number"),
    ({**BASE, "seats": 0}, None, "'seats' must be a positive integer, got 0"),
    ({**BASE, "title": 7}, None, "'title' must be a string, got 7"),
    ({**BASE, "withdrawn": "A"}, None, "'withdrawn' must be a list of candidate names"),
    ({**BASE, "withdrawn": ["C"]}, None, "'withdrawn' names 'C'"),
    ({"totals": {}}, None, "'totals' must be an object mapping each option"),
    ({"totals": {"yes": -1}}, None, "totals['yes'] must be a whole number of votes from 0"),
    ({"totals": {"yes": 1}, "ballots": []}, None, "unknown key 'ballots'"),
    ({"totals": {"yes": 1}, "candidates": ["no"]}, None, "name exactly the options in 'totals'"),
]


def test_a_ballots_receipt_is_carried_but_not_counted(tmp_path: Path) -> None:
    """The bulletin board's file names each ballot's receipt, for voters to find theirs."""
    ballots: list[dict[str, Any]] = [{"ranking": ["A", "B"], "count": 2}, {"ranking": ["B"]}]
    plain = read_ballots(write(tmp_path, {**BASE, "ballots": ballots}, "plain.json"))
    with_receipts = [{**b, "receipt": f"{n:032x}"} for n, b in enumerate(ballots)]
    receipted = read_ballots(write(tmp_path, {**BASE, "ballots": with_receipts}, "r.json"))
    assert receipted.n_voters == plain.n_voters == 3
    assert np.array_equal(receipted.counts, plain.counts)


@pytest.mark.parametrize(("document", "line", "problem"), MALFORMED)
def test_malformed_files_are_refused_with_the_reason(
    document: Any, line: int | None, problem: str, tmp_path: Path
) -> None:
    assert_refused(write(tmp_path, document), line, problem)


def test_files_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "ballots.json"
    path.write_bytes(b'{"candidates": ["B\xe9a"], "ballots": []}')
    with pytest.raises(BallotFormatError, match="not UTF-8"):
        read_ballots(path)


# Writing ---------------------------------------------------------------------------------


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """A profile built directly (not through the readers): ranked, possibly with ties, or rated."""
    candidates = draw(st.lists(st.text(max_size=8), min_size=1, max_size=8, unique=True))
    n = len(candidates)
    rated = draw(st.booleans())
    rows: dict[tuple[Any, ...], int] = {}
    # A file without ballots cannot say it is rated, so rated profiles get at least one.
    for _ in range(draw(st.integers(1 if rated else 0, 12))):
        if rated:
            key: tuple[Any, ...] = tuple(
                draw(st.lists(st.integers(-5, 10), min_size=n, max_size=n))
            )
        else:
            key = draw(ranked_ballots(n))
        rows[key] = rows.get(key, 0) + draw(st.integers(1, 10**12))
    counts = np.array(list(rows.values()), dtype=np.int64)
    common: dict[str, Any] = {
        "candidates": tuple(candidates),
        "counts": counts,
        "seats": draw(st.none() | st.integers(1, n)),
        "title": draw(st.none() | st.text(max_size=8)),
        "withdrawn": frozenset(draw(st.sets(st.integers(0, n - 1)))),
    }
    if rated:
        return Profile(
            rankings=np.zeros((len(rows), 0), dtype=np.int32),
            scores=np.array(list(rows), dtype=np.int64).reshape(len(rows), n),
            **common,
        )
    rankings, tied = ranking_arrays(list(rows))
    return Profile(rankings=rankings, tied_with_previous=tied, **common)


def _same_arrays(found: np.ndarray[Any, Any] | None, expected: np.ndarray[Any, Any] | None) -> bool:
    if found is None or expected is None:
        return found is None and expected is None
    return found.shape == expected.shape and bool(np.array_equal(found, expected))


@settings(max_examples=150, deadline=None)
@given(profile=profiles())
def test_write_then_read_gives_the_same_profile(
    profile: Profile, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("json") / "written.json"
    write_json(profile, path)
    read = read_ballots(path)
    assert read.candidates == profile.candidates
    assert (read.seats, read.title, read.withdrawn) == (
        profile.seats,
        profile.title,
        profile.withdrawn,
    )
    assert _same_arrays(read.counts, profile.counts)
    assert _same_arrays(read.scores, profile.scores)
    assert _same_arrays(read.rankings, profile.rankings)
    assert _same_arrays(read.tied_with_previous, profile.tied_with_previous)


def test_writing_refuses_zero_counts(tmp_path: Path) -> None:
    profile = Profile.from_rankings(["A"], [((0,), 0)])
    with pytest.raises(TallyError, match="positive count"):
        write_json(profile, tmp_path / "out.json")
