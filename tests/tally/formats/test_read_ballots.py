"""Choosing a reader: by extension, or by the format's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from veche.tally.errors import TallyError
from veche.tally.formats import READERS, read_ballots


def test_extension_picks_the_reader(tmp_path: Path) -> None:
    files = {
        "a.BLT": '2 1\n3 1 2 0\n0\n"A"\n"B"\n',
        "a.soi": "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n"
        "# ALTERNATIVE NAME 2: B\n3: 1,2\n",
        "a.csv": "rank1,rank2\nA,B\nA,B\nA,B\n",
        "a.json": '{"candidates": ["A", "B"], "ballots": [{"ranking": ["A", "B"], "count": 3}]}',
    }
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        profile = read_ballots(path)
        assert profile.candidates == ("A", "B"), name
        assert profile.rankings.tolist() == [[0, 1]], name
        assert profile.counts.tolist() == [3], name


def test_format_overrides_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "ballots.txt"
    path.write_text('2 1\n3 1 2 0\n0\n"A"\n"B"\n', encoding="utf-8")
    assert read_ballots(path, format="blt").n_voters == 3
    assert read_ballots(str(path), format="blt").n_voters == 3


def test_unknown_extension_or_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ballots.txt"
    path.write_text("", encoding="utf-8")
    with pytest.raises(TallyError, match=r"from its extension; pass format= one of: blt, soc"):
        read_ballots(path)
    with pytest.raises(TallyError, match="unknown ballot format 'xls'"):
        read_ballots(path, format="xls")


def test_every_format_is_listed() -> None:
    assert set(READERS) == {"blt", "soc", "soi", "toc", "toi", "csv", "csv-scores", "json"}


def test_a_missing_file_is_reported_as_missing(tmp_path: Path) -> None:
    for name in ("gone.blt", "gone.soc", "gone.csv", "gone.json"):
        with pytest.raises(FileNotFoundError):
            read_ballots(tmp_path / name)
