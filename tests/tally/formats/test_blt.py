"""BLT files: every real file we hold parses to what a plain line-by-line reading gives."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.conftest import elections_path
from tests.tally.formats._files import (
    RankedBallot,
    assert_refused,
    ranked_ballots,
    ranking_arrays,
    write_file,
)
from veche.tally.errors import BallotFormatError, TallyError
from veche.tally.formats import blt, read_ballots
from veche.tally.formats.blt import read_blt, write_blt
from veche.tally.profile import EMPTY, Profile

REFERENCE = sorted((elections_path() / "reference_counts").glob("*.blt"))
SCOTTISH = sorted((elections_path() / "scotland" / "blt").glob("*.blt"))
GLASGOW = sorted((elections_path() / "scotland" / "glasgow_2007_reference").glob("*.blt"))

Ballots = Counter[tuple[tuple[int, ...], tuple[bool, ...]]]


def ballots_of(profile: Profile) -> Ballots:
    """The profile's ballots as a multiset of (ranking, equal-rank marks)."""
    marks = profile.tied_with_previous
    found: Ballots = Counter()
    for row, (ranking, count) in enumerate(
        zip(profile.rankings.tolist(), profile.counts.tolist(), strict=True)
    ):
        kept = [k for k, c in enumerate(ranking) if c != EMPTY]
        tied = (
            tuple(bool(marks[row, k]) for k in kept) if marks is not None else (False,) * len(kept)
        )
        found[(tuple(ranking[k] for k in kept), tied)] += count
    return found


def plain_lines(path: Path) -> tuple[int, int, list[list[int]], list[str]]:
    """Candidates, seats, ballot lines as numbers, and the lines after the '0'.

    Read the simplest way there is, for the files we hold (strict rankings), independently of
    the reader under test.
    """
    text = path.read_text(encoding="utf-8")
    if text.split("\n")[0].endswith(","):
        text = text.replace(",", " ")
    lines = text.split("\n")
    n_candidates, seats = (int(word) for word in lines[0].split())
    ballots: list[list[int]] = []
    for number, line in enumerate(lines[1:], start=1):
        if line.startswith("["):
            continue
        words = [int(word) for word in line.split()]
        if words == [0]:
            return n_candidates, seats, ballots, [x for x in lines[number + 1 :] if x.strip()]
        if words:
            ballots.append(words)
    raise AssertionError(f"{path} has no line '0'")


def plain_ballots(lines: list[list[int]]) -> Ballots:
    ballots: Ballots = Counter()
    for weight, *preferences, _ in lines:
        ranking = tuple(c - 1 for c in preferences)
        ballots[(ranking, (False,) * len(ranking))] += weight
    return ballots


def write(tmp_path: Path, text: str | bytes, name: str = "ballots.blt") -> Path:
    return write_file(tmp_path / name, text)


# Real files ------------------------------------------------------------------------------


def test_the_data_is_all_there() -> None:
    assert len(SCOTTISH) == 1076
    assert len(GLASGOW) == 21
    assert len(REFERENCE) == 6


@pytest.mark.parametrize("path", REFERENCE, ids=lambda p: p.name)
def test_droop_reference_files_parse_to_their_plain_reading(path: Path) -> None:
    n_candidates, seats, lines, rest = plain_lines(path)
    profile = read_blt(path).profile
    assert profile.n_candidates == n_candidates
    assert profile.seats == seats
    assert ballots_of(profile) == plain_ballots(lines)
    assert list(profile.candidates) == [line.strip().strip('"') for line in rest[:n_candidates]]
    assert profile.title == rest[n_candidates].strip().strip('"')
    assert profile.withdrawn == frozenset()


def test_tie_option_is_kept_as_candidate_indices() -> None:
    assert read_blt(elections_path() / "reference_counts" / "42t.blt").tie_order == (2, 1, 0)
    assert read_blt(elections_path() / "reference_counts" / "42.blt").tie_order is None


def test_notes_after_the_title_are_ignored() -> None:
    # M135.blt carries author notes and first-preference totals after its title.
    profile = read_blt(elections_path() / "reference_counts" / "M135.blt").profile
    assert profile.title == "M135: Gen v1.1 1 3 45"
    assert profile.candidates[-1] == "C25"


def plain_totals(path: Path) -> tuple[int, int, int, Counter[int], int, list[str]]:
    """Candidates, seats, ballots, first preferences, preferences cast, lines after the '0'.

    Lighter than ``plain_lines``, so that all 1,076 files are read in a few seconds.
    """
    text = path.read_text(encoding="utf-8")
    if text.split("\n")[0].endswith(","):
        text = text.replace(",", " ")
    lines = text.split("\n")
    n_candidates, seats = (int(word) for word in lines[0].split())
    voters = preferences = 0
    firsts: Counter[int] = Counter()
    for number, line in enumerate(lines[1:], start=1):
        words = line.split()
        if words == ["0"]:
            rest = [x for x in lines[number + 1 :] if x.strip()]
            return n_candidates, seats, voters, firsts, preferences, rest
        weight = int(words[0])
        voters += weight
        firsts[int(words[1]) - 1] += weight
        preferences += weight * (len(words) - 2)
    raise AssertionError(f"{path} has no line '0'")


def test_every_scottish_council_file_parses_with_its_totals() -> None:
    for path in SCOTTISH:
        n_candidates, seats, voters, firsts, preferences, rest = plain_totals(path)
        profile = read_ballots(path)
        assert profile.n_candidates == n_candidates, path.name
        assert profile.seats == seats >= 1, path.name
        assert len(rest) == n_candidates + 1, path.name
        assert profile.title, path.name
        ranked = profile.rankings[profile.rankings != EMPTY]
        assert ranked.size == 0 or 0 <= ranked.min() <= ranked.max() < n_candidates, path.name
        assert profile.n_voters == voters, path.name
        found = np.bincount(profile.rankings[:, 0], profile.counts, n_candidates).astype(int)
        assert found.tolist() == [firsts[c] for c in range(n_candidates)], path.name
        lengths = (profile.rankings != EMPTY).sum(axis=1)
        assert int((lengths * profile.counts).sum()) == preferences, path.name
        unquoted = [" ".join(line.split()) for line in rest]
        if not any(line.startswith('"') for line in unquoted):
            assert list(profile.candidates) == unquoted[:-1], path.name
            assert profile.title == unquoted[-1], path.name


@pytest.mark.parametrize("path", SCOTTISH[::50], ids=lambda p: p.name)
def test_scottish_council_files_parse_ballot_for_ballot(path: Path) -> None:
    _, _, lines, _ = plain_lines(path)
    assert ballots_of(read_ballots(path)) == plain_ballots(lines)


def test_edinburgh_2017_winners_are_named_as_in_the_ballot_files() -> None:
    official = json.loads(
        (elections_path() / "scotland" / "edinburgh_2017_official.json").read_text()
    )
    for ward, elected in official["elected"].items():
        candidates = read_ballots(elections_path() / "scotland" / "blt" / ward).candidates
        assert set(elected) <= set(candidates), ward


def test_quoted_names_use_doubled_quotes_for_quote_marks() -> None:
    profile = read_ballots(elections_path() / "scotland" / "blt" / "aberdeen_2012_ward1.blt")
    # The file's line is: "Lab ""Barney CROCKETT"" "
    assert profile.candidates[0] == 'Lab "Barney CROCKETT"'
    assert profile.title == "Ward 1 - Dyce - Bucksburn - Danestone"


def test_a_line_of_several_quoted_strings_is_taken_as_it_is() -> None:
    path = elections_path() / "scotland" / "blt" / "aberdeenshire_2022_ward10.blt"
    lines = path.read_text(encoding="utf-8").split("\n")
    profile = read_ballots(path)
    assert lines[-2].strip() == '"Hazel Linda SMITH" "Scottish Liberal Democrats"'
    assert profile.candidates[-1] == lines[-2].strip()
    assert profile.title == "Ward 10 - West Garioch"


def test_spreadsheet_export_dialect_reads_commas_as_blanks() -> None:
    path = elections_path() / "scotland" / "blt" / "perth_kinross_2016_by_election_ward9.blt"
    assert path.read_text(encoding="utf-8").split("\n")[0] == "5 1,"
    profile = read_ballots(path)
    assert profile.candidates == (
        "Kathleen BAIRD",
        "Denise BAYKAL",
        "George HAYTON",
        "Wilma LUMSDEN",
        "Dave MACKENZIE",
    )
    assert profile.title == "Ward 9 - Almond and Earn"
    assert profile.seats == 1


def _report_facts(report: Path) -> tuple[str, int, int, list[str], list[int]]:
    text = report.read_text(encoding="utf-8")
    title = re.search(r"^Election: (.*)$", text, re.M)
    seats = re.search(r"^\tSeats: (\d+)$", text, re.M)
    ballots = re.search(r"^\tBallots: (\d+)$", text, re.M)
    assert title and seats and ballots
    # Droop turns runs of blanks in a name into one but keeps a trailing one ("Kieran Wild ");
    # we drop it, so names are compared word by word.
    names = [" ".join(n.split()) for n in re.findall(r"^\tAdd eligible: (.*)$", text, re.M)]
    begin = text.split("Action: Begin Count\n", 1)[1]
    firsts = re.findall(r"^\tHopeful:  (.*) \((\d+)\.0+\)$", begin.split("Action:", 1)[0], re.M)
    by_name = {" ".join(name.split()): int(votes) for name, votes in firsts}
    return title[1], int(seats[1]), int(ballots[1]), names, [by_name[n] for n in names]


@pytest.mark.parametrize("path", GLASGOW, ids=lambda p: p.name)
def test_glasgow_files_agree_with_droop_reports(path: Path) -> None:
    title, seats, n_ballots, names, first_preferences = _report_facts(
        path.with_name(path.name.replace(".blt", ".report.txt"))
    )
    profile = read_ballots(path)
    assert profile.title == title
    assert profile.seats == seats
    assert profile.n_voters == n_ballots
    assert list(profile.candidates) == names
    firsts = np.bincount(
        profile.rankings[:, 0], weights=profile.counts, minlength=profile.n_candidates
    )
    assert firsts.astype(int).tolist() == first_preferences


# Features --------------------------------------------------------------------------------


def test_identical_ballots_are_stored_once_in_order_of_first_appearance(tmp_path: Path) -> None:
    text = '3 1\n2 1 2 0\n1 3 0\n5 1 2 0\n1 3 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    profile = read_ballots(write(tmp_path, text))
    assert profile.rankings.tolist() == [[0, 1], [2, EMPTY]]
    assert profile.counts.tolist() == [7, 2]
    assert profile.tied_with_previous is None


def test_equals_sign_ranks_candidates_equal(tmp_path: Path) -> None:
    text = '4 1\n3 1 2=3 4 0\n2 2 = 1 0\n1 1 2=3 4 0\n0\n"A"\n"B"\n"C"\n"D"\n'
    profile = read_ballots(write(tmp_path, text))
    assert ballots_of(profile) == {
        ((0, 1, 2, 3), (False, False, True, False)): 4,
        ((1, 0), (False, True)): 2,
    }
    assert profile.title is None


def test_withdrawn_line_and_option_both_withdraw(tmp_path: Path) -> None:
    text = '5 2\n-2 -4\n[withdrawn 5]\n1 1 2 0\n0\n"A"\n"B"\n"C"\n"D"\n"E"\n"T"\n'
    assert read_ballots(write(tmp_path, text)).withdrawn == {1, 3, 4}


def test_blank_lines_crlf_bom_and_no_final_newline_are_accepted(tmp_path: Path) -> None:
    text = '\ufeff3 1\r\n\r\n2 1 2 0\r\n\r\n 1 3 0 \r\n0\r\n\r\n"A"\r\nB\r\n"C"\r\n"Title"'
    profile = read_ballots(write(tmp_path, text))
    assert ballots_of(profile) == {((0, 1), (False, False)): 2, ((2,), (False,)): 1}
    assert profile.candidates == ("A", "B", "C")
    assert profile.title == "Title"


def test_a_file_without_ballots_has_an_empty_profile(tmp_path: Path) -> None:
    profile = read_ballots(write(tmp_path, '2 1\n0\n"A"\n"B"\n'))
    assert profile.n_voters == 0
    assert profile.rankings.shape == (0, 0)


def test_a_ballot_of_weight_only_is_a_blank_ballot(tmp_path: Path) -> None:
    profile = read_ballots(write(tmp_path, '2 1\n4 0\n1 2 0\n0\n"A"\n"B"\n'))
    assert ballots_of(profile) == {((), ()): 4, ((1,), (False,)): 1}


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64])
def test_small_chunks_read_exactly_what_one_chunk_reads(
    chunk_bytes: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = elections_path() / "scotland" / "glasgow_2007_reference" / "Calton-2007.blt"
    tied = write(tmp_path, '4 1\n3 1 2=3 4 0\n\n2 2=1 0\n1 4 0\n0\n"A"\n"B"\n"C"\n"D"\n')
    whole = [read_ballots(path), read_ballots(tied)]
    monkeypatch.setattr(blt, "CHUNK_BYTES", chunk_bytes)
    for expected, found in zip(whole, [read_ballots(path), read_ballots(tied)], strict=True):
        assert np.array_equal(found.rankings, expected.rankings)
        assert np.array_equal(found.counts, expected.counts)
        if found.tied_with_previous is None or expected.tied_with_previous is None:
            assert found.tied_with_previous is expected.tied_with_previous is None
        else:
            assert np.array_equal(found.tied_with_previous, expected.tied_with_previous)


@pytest.mark.parametrize("chunk_bytes", [1, 5, 1 << 19])
def test_error_lines_are_counted_across_chunks(
    chunk_bytes: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ballots = ["1 1 2 3 0"] * 20 + [""] + ["1 1 2 3 0"] * 20
    lines = ["3 1", *ballots, "1 1 2 0 3", "0", '"A"', '"B"', '"C"']
    monkeypatch.setattr(blt, "CHUNK_BYTES", chunk_bytes)
    for wrong in ("1 1 2 0 3", "="):
        lines[42] = wrong
        with pytest.raises(BallotFormatError) as raised:
            read_ballots(write(tmp_path, "\n".join(lines)))
        assert raised.value.line == 43


# Errors ----------------------------------------------------------------------------------

NAMES = '"A"\n"B"\n"C"\n'

MALFORMED = [
    ("", None, "file is empty"),
    (" \n\n", None, "file is empty"),
    ("3\n0\n" + NAMES, 1, "first line must be 'candidates seats'"),
    ("3 x\n0\n" + NAMES, 1, "first line must be 'candidates seats'"),
    # More digits than int() reads from text: once a ValueError out of the reader.
    (f"3 {'9' * 5000}\n0\n" + NAMES, 1, "first line must be 'candidates seats'"),
    ("0 1\n0\n", 1, "number of candidates must be at least 1"),
    ("3 0\n0\n" + NAMES, 1, "number of seats must be at least 1"),
    ("3 1\n1 1 2\n0\n" + NAMES, 2, "missing terminating 0"),
    ("3 1\n1 1 2 0\n\n5\n0\n" + NAMES, 4, "missing terminating 0"),
    ("3 1\nx 1 2 0\n0\n" + NAMES, 2, "weight must be a positive integer, got 'x'"),
    ("3 1\n1 1 0\n1.5 1 0\n0\n" + NAMES, 3, "weight must be a positive integer, got '1.5'"),
    ("3 1\n1 1 0\n0 1 2 0\n0\n" + NAMES, 3, "weight must be a positive integer, got 0"),
    ("3 1\n1 1 a 0\n0\n" + NAMES, 2, "preferences must be candidate numbers, got 'a'"),
    ("3 1\n1 1 -2 0\n0\n" + NAMES, 2, "preferences must be candidate numbers, got '-2'"),
    ("3 1\n1 1 4 0\n0\n" + NAMES, 2, "names candidate 4 but there are only 3 candidates"),
    ("3 1\n1 1 0 2 0\n0\n" + NAMES, 2, "0 in the middle of a ballot line"),
    ("3 1\n1 2 0\n1 1 2 1 0\n0\n" + NAMES, 3, "ranks candidate 1 more than once"),
    ("3 1\n1 1=1 0\n0\n" + NAMES, 2, "ranks candidate 1 more than once"),
    ("3 1\n1 =1 2 0\n0\n" + NAMES, 2, "'=' must stand once between two preferences"),
    ("3 1\n1 1 2= 0\n0\n" + NAMES, 2, "'=' must stand once between two preferences"),
    ("3 1\n1 1==2 0\n0\n" + NAMES, 2, "'=' must stand once between two preferences"),
    ("3 1\n1 1 2 0=\n1 3 0\n0\n" + NAMES, 2, "'=' must stand once between two preferences"),
    ("3 1\n1 1 2 0\n=\n1 3 0\n0\n" + NAMES, 3, "'=' must stand once between two preferences"),
    ("3 1\n1 1 0\n1 1234567890123456 0\n0\n" + NAMES, 3, "more than 15 digits"),
    ("3 1\n1 1 2 0\n" + NAMES, 5, "missing the line '0' that ends the ballots"),
    (
        "3 1\n1 1 2 0\n0\n" + '"A"\n"B"\n',
        5,
        "expected 3 candidate names after the ballots, found 2",
    ),
    ("3 1\n1 1 2 0\n0\n" + '"A"\n"B"\n"A"\n', 6, "candidate name 'A' is given twice"),
    ("3 1\n-4\n1 1 0\n0\n" + NAMES, 2, "withdrawn line names candidate 4 but there are only 3"),
    ("3 1\n-1 2\n1 1 0\n0\n" + NAMES, 2, "negative candidate numbers like -2, got '2'"),
    ("3 1\n[tie 1 2 2]\n1 1 0\n0\n" + NAMES, 2, "[tie] option lists a candidate more than once"),
    ("3 1\n[tie 1 x 3]\n1 1 0\n0\n" + NAMES, 2, "[tie] option must hold candidate numbers"),
    (f"3 1\n[tie 1 {'9' * 5000}]\n1 1 0\n0\n" + NAMES, 2, "[tie] option must hold candidate"),
    ("3 1\n\n[ranked 1]\n1 1 0\n0\n" + NAMES, 3, "unknown option [ranked]"),
    ("3 1\n[tie 1 2 3\n1 1 0\n0\n" + NAMES, 2, "missing its closing ']'"),
    (b'2 1\n1 1 0\n0\n"A"\n"B\xe9"\n', 5, "names and title must be UTF-8"),
]


@pytest.mark.parametrize(("text", "line", "problem"), MALFORMED)
def test_malformed_files_are_refused_with_line_and_reason(
    text: str | bytes, line: int | None, problem: str, tmp_path: Path
) -> None:
    assert_refused(write(tmp_path, text), line, problem)


# Writing ---------------------------------------------------------------------------------

# Names as BLT can hold them: one line, single spaces between words, none at either end.
names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=10).filter(
    lambda name: name == " ".join(name.split())
)


@st.composite
def blt_elections(draw: st.DrawFn) -> tuple[Profile, tuple[int, ...] | None]:
    """A profile built directly (not through the readers), with an optional tie order."""
    candidates = draw(st.lists(names, min_size=1, max_size=12, unique=True))
    n = len(candidates)
    with_ties = draw(st.booleans())
    ballots: dict[RankedBallot, int] = {}
    for _ in range(draw(st.integers(0, 25))):
        ballot = draw(ranked_ballots(n, ties=with_ties))
        ballots[ballot] = ballots.get(ballot, 0) + draw(st.integers(1, 10**12))
    rankings, tied = ranking_arrays(list(ballots))
    profile = Profile(
        candidates=tuple(candidates),
        rankings=rankings,
        counts=np.array(list(ballots.values()), dtype=np.int64),
        tied_with_previous=tied,
        seats=draw(st.integers(1, n)),
        title=draw(st.none() | names),
        withdrawn=frozenset(draw(st.sets(st.integers(0, n - 1)))),
    )
    tie_order = draw(st.none() | st.permutations(range(n)).map(tuple))
    return profile, tie_order


@settings(max_examples=150, deadline=None)
@given(election=blt_elections())
def test_write_then_read_gives_the_same_election(
    election: tuple[Profile, tuple[int, ...] | None], tmp_path_factory: pytest.TempPathFactory
) -> None:
    profile, tie_order = election
    path = tmp_path_factory.mktemp("blt") / "written.blt"
    write_blt(profile, path, tie_order=tie_order)
    again = read_blt(path)
    assert again.tie_order == tie_order
    read = again.profile
    assert read.candidates == profile.candidates
    assert read.seats == profile.seats
    assert read.title == profile.title
    assert read.withdrawn == profile.withdrawn
    assert ballots_of(read) == ballots_of(profile)
    # Distinct rows come back in the order they were written.
    assert np.array_equal(read.counts, profile.counts)


def test_writing_needs_seats_rankings_and_one_line_names(tmp_path: Path) -> None:
    path = tmp_path / "out.blt"
    ranked = Profile.from_rankings(["A", "B"], [((0, 1), 2)], seats=1)
    with pytest.raises(TallyError, match="number of seats"):
        write_blt(Profile.from_rankings(["A", "B"], [((0, 1), 2)]), path)
    rated = Profile(
        candidates=("A", "B"),
        rankings=np.zeros((1, 0), dtype=np.int32),
        counts=np.ones(1, dtype=np.int64),
        scores=np.array([[3, 1]], dtype=np.int64),
        seats=1,
    )
    with pytest.raises(TallyError, match="ranked ballots only"):
        write_blt(rated, path)
    for bad in ("two\nlines", " padded", "double  space"):
        with pytest.raises(TallyError, match="single spaces between words"):
            write_blt(Profile.from_rankings(["A", bad], [((0, 1), 2)], seats=1), path)
    write_blt(ranked, path)
    assert path.read_text(encoding="utf-8") == '2 1\n2 1 2 0\n0\n"A"\n"B"\n'
