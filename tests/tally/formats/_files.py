"""What the format tests share: writing a test file, and checking how a bad one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from veche.tally.errors import BallotFormatError
from veche.tally.formats import read_ballots


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
