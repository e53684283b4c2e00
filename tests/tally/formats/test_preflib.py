"""PrefLib order files: the four kinds, both layouts, and the rules each kind imposes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.tally.formats._files import assert_refused, write_file
from veche.tally.errors import BallotFormatError, TallyError
from veche.tally.formats import read_ballots, read_preflib
from veche.tally.profile import EMPTY, Profile

HEADER = """\
# FILE NAME: 00000-00000001.{kind}
# TITLE: A small election
# DATA TYPE: {kind}
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: {voters}
# NUMBER UNIQUE ORDERS: {unique}
# ALTERNATIVE NAME 1: Ada
# ALTERNATIVE NAME 2: Bea
# ALTERNATIVE NAME 3: Cy
# ALTERNATIVE NAME 4: Di
"""


def preflib(tmp_path: Path, kind: str, orders: str, voters: int, unique: int) -> Path:
    text = HEADER.format(kind=kind, voters=voters, unique=unique) + orders
    return write_file(tmp_path / f"election.{kind}", text)


Groups = tuple[tuple[str, ...], ...]


def orders_of(profile: Profile) -> Counter[Groups]:
    """Each ballot as its groups of equally ranked names."""
    marks = profile.tied_with_previous
    found: Counter[Groups] = Counter()
    for row, (ranking, count) in enumerate(
        zip(profile.rankings.tolist(), profile.counts.tolist(), strict=True)
    ):
        groups: list[list[str]] = []
        for k, c in enumerate(ranking):
            if c == EMPTY:
                continue
            if marks is not None and marks[row, k]:
                groups[-1].append(profile.candidates[c])
            else:
                groups.append([profile.candidates[c]])
        found[tuple(tuple(g) for g in groups)] += count
    return found


def test_soc(tmp_path: Path) -> None:
    path = preflib(tmp_path, "soc", "3: 1,2,3,4\n2: 4,3,2,1\n1: 1,2,3,4\n", 6, 2)
    profile = read_ballots(path)
    assert profile.candidates == ("Ada", "Bea", "Cy", "Di")
    assert profile.title == "A small election"
    assert profile.tied_with_previous is None
    assert orders_of(profile) == {
        (("Ada",), ("Bea",), ("Cy",), ("Di",)): 4,
        (("Di",), ("Cy",), ("Bea",), ("Ada",)): 2,
    }
    assert profile.rankings.shape == (2, 4)


def test_soi_leaves_unranked_alternatives_out(tmp_path: Path) -> None:
    profile = read_ballots(preflib(tmp_path, "soi", "5: 2\n2: 3,1\n", 7, 2))
    assert orders_of(profile) == {(("Bea",),): 5, (("Cy",), ("Ada",)): 2}


def test_toc_braces_rank_alternatives_equal(tmp_path: Path) -> None:
    profile = read_ballots(preflib(tmp_path, "toc", "4: 1,{2,3},4\n1: { 4 , 1 },2,3\n", 5, 2))
    assert orders_of(profile) == {
        (("Ada",), ("Bea", "Cy"), ("Di",)): 4,
        (("Di", "Ada"), ("Bea",), ("Cy",)): 1,
    }


def test_toi_may_be_incomplete_with_ties(tmp_path: Path) -> None:
    profile = read_ballots(preflib(tmp_path, "toi", "2: {1,2}\n1: 4\n1: \n", 4, 3))
    assert orders_of(profile) == {(("Ada", "Bea"),): 2, (("Di",),): 1, (): 1}


def test_preflib_1_layout(tmp_path: Path) -> None:
    path = tmp_path / "old.toc"
    path.write_text("3\n1,Ada\n2,Bea\n3,Cy\n6,6,2\n4,1,{2,3}\n2,3,2,1\n", encoding="utf-8")
    profile = read_ballots(path)
    assert profile.candidates == ("Ada", "Bea", "Cy")
    assert profile.title is None
    assert orders_of(profile) == {
        (("Ada",), ("Bea", "Cy")): 4,
        (("Cy",), ("Bea",), ("Ada",)): 2,
    }


def test_kind_can_be_named_instead_of_the_extension(tmp_path: Path) -> None:
    path = preflib(tmp_path, "soc", "1: 1,2,3,4\n", 1, 1).rename(tmp_path / "orders.txt")
    assert read_ballots(path, format="soc").n_voters == 1
    with pytest.raises(TallyError, match="unknown PrefLib kind 'ooc'"):
        read_preflib(path, "ooc")


#: A number of more digits than Python's int() reads from text (4,300).
LONG = "9" * 5000
#: The line of a file's first order, after the header.
FIRST_ORDER = HEADER.count("\n") + 1

V2 = [
    ("soc", "1: 1,2,3\n", 1, 1, FIRST_ORDER, "all 4 alternatives, but this one ranks 3"),
    ("soc", "1: 1,2,{3,4}\n", 1, 1, FIRST_ORDER, "ranks alternatives equal"),
    ("soi", "1: {1,2}\n", 1, 1, FIRST_ORDER, "name the file .toi if ties are meant"),
    ("toc", "1: 1,{2,3}\n", 1, 1, FIRST_ORDER, "name the file .toi if orders may"),
    ("toi", "1: 1,5\n", 1, 1, FIRST_ORDER, "alternative 5 but there are only 4"),
    ("toi", "1: 1,0\n", 1, 1, FIRST_ORDER, "alternative 0 but there are only 4"),
    ("toi", "1: 2,{1,2}\n", 1, 1, FIRST_ORDER, "alternative 2 more than once"),
    ("toi", "1: 1,,2\n", 1, 1, FIRST_ORDER, "cannot read the order '1,,2'"),
    ("toi", "1: 1,{2\n", 1, 1, FIRST_ORDER, "cannot read the order"),
    ("toi", "x: 1\n", 1, 1, FIRST_ORDER, "count must be a positive integer, got 'x'"),
    ("toi", "0: 1\n", 1, 1, FIRST_ORDER, "count must be a positive integer, got '0'"),
    # A digit to str.isdigit but not to int(), and more digits than int() reads: both once
    # stopped the reader with a ValueError.
    ("toi", "²: 1\n", 1, 1, FIRST_ORDER, "count must be a positive integer, got '²'"),
    ("toi", f"{LONG}: 1\n", 1, 1, FIRST_ORDER, "count must be a positive integer"),
    ("toi", f"1: 1,{LONG}\n", 1, 1, FIRST_ORDER, "too many digits for an alternative"),
    (
        "toi",
        "1: 1\n2000000000000000: 2\n",
        1,
        2,
        FIRST_ORDER + 1,
        "count 2000000000000000 is",
    ),
    ("toi", "1: 1\n1 2\n", 2, 2, FIRST_ORDER + 1, "expected 'count: order', got '1 2'"),
    ("toi", "1: 1\n2: 2\n", 4, 2, 5, "states 4 voters but its orders add up to 3"),
]


@pytest.mark.parametrize(("kind", "orders", "voters", "unique", "line", "problem"), V2)
def test_malformed_orders_are_refused_with_line_and_reason(
    kind: str, orders: str, voters: int, unique: int, line: int, problem: str, tmp_path: Path
) -> None:
    assert_refused(preflib(tmp_path, kind, orders, voters, unique), line, problem)


MALFORMED = [
    ("", None, "file is empty"),
    ("# TITLE: x\n1: 1\n", None, "missing the line '# NUMBER ALTERNATIVES: n'"),
    ("# NUMBER ALTERNATIVES: two\n", 1, "NUMBER ALTERNATIVES must be a whole number, got 'two'"),
    (f"# NUMBER ALTERNATIVES: {LONG}\n", 1, "NUMBER ALTERNATIVES must be a whole number"),
    (f"{LONG}\n", 1, "expected '# ...' header lines (PrefLib 2) or the number of alternatives"),
    (f"2\n1,A\n2,B\n1,1,{LONG}\n", 4, "expected 'voters,sum of counts,unique orders'"),
    (
        "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n1: 1,2\n",
        None,
        "missing the line '# ALTERNATIVE NAME 2: ...'",
    ),
    (
        "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: A\n",
        3,
        "candidate name 'A' is given twice",
    ),
    ("two\n1,A\n", 1, "expected '# ...' header lines (PrefLib 2) or the number of alternatives"),
    ("2\n1,A\n", 2, "expected 2 alternative lines and a 'voters,sum,unique' line"),
    ("2\n1,A\n3,B\n1,1,1\n1,1,2\n", 3, "expected '2,name' for alternative 2"),
    ("2\n1,A\n2,B\n1,1\n1,1,2\n", 4, "expected 'voters,sum of counts,unique orders'"),
    ("2\n1,A\n2,B\n3,3,1\n2,1,2\n", 4, "states 3 voters but its orders add up to 2"),
    ("2\n1,A\n2,B\n2,2,1\n2,1,3\n", 5, "alternative 3 but there are only 2"),
]


@pytest.mark.parametrize(("text", "line", "problem"), MALFORMED)
def test_malformed_files_are_refused_with_line_and_reason(
    text: str, line: int | None, problem: str, tmp_path: Path
) -> None:
    assert_refused(write_file(tmp_path / "election.soc", text), line, problem)


def test_files_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "election.soi"
    path.write_bytes(b"# NUMBER ALTERNATIVES: 1\n# ALTERNATIVE NAME 1: B\xe9a\n1: 1\n")
    with pytest.raises(BallotFormatError, match="not UTF-8"):
        read_ballots(path)
