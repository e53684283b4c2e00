"""What the format tests share: writing a test file, checking how a bad one is refused, and
drawing ranked ballots to write and read back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

from veche.tally.errors import BallotFormatError
from veche.tally.formats import read_ballots
from veche.tally.profile import EMPTY

#: A ranking of candidates by index, and for each place whether it is tied with the one before.
RankedBallot = tuple[tuple[int, ...], tuple[bool, ...]]


def write_file(path: Path, text: str | bytes) -> Path:
    """Write ``text`` exactly (UTF-8, line ends untranslated), or raw bytes; return the path."""
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def assert_refused(path: Path, line: int | None, problem: str, format: str | None = None) -> None:
    """Reading ``path`` fails with an error naming the file, the line and the problem."""
    with pytest.raises(BallotFormatError) as raised:
        read_ballots(path, format=format)
    assert raised.value.source == str(path)
    assert raised.value.line == line
    assert problem in raised.value.problem


@st.composite
def ranked_ballots(draw: st.DrawFn, candidates: int, ties: bool = True) -> RankedBallot:
    """Some of ``candidates`` in an order; with ``ties``, each after the first may be tied
    with the one before."""
    ranking = tuple(draw(st.permutations(range(candidates)))[: draw(st.integers(0, candidates))])
    return ranking, tuple(k > 0 and ties and draw(st.booleans()) for k in range(len(ranking)))


def ranking_arrays(
    ballots: Sequence[RankedBallot],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """Ranked ballots as a profile holds them: one row each, padded with ``EMPTY``, and the
    tie marks (``None`` where nothing is tied)."""
    width = max((len(ranking) for ranking, _ in ballots), default=0)
    rankings = np.full((len(ballots), width), EMPTY, dtype=np.int32)
    tied = np.zeros((len(ballots), width), dtype=np.bool_)
    for row, (ranking, marks) in enumerate(ballots):
        rankings[row, : len(ranking)] = ranking
        tied[row, : len(marks)] = marks
    return rankings, tied if tied.any() else None
