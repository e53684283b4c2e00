"""Ballot files in, profiles out: BLT, PrefLib, CSV and JSON, chosen by file extension or by name.

Every reader merges identical ballots (one row, with a count) and refuses a
malformed file with a ``BallotFormatError`` naming the line and the problem;
none returns part of a file. Candidates a ballot leaves out are ranked below
every candidate it names, equal among themselves.

==============  ============================  ===========================================
format          extension                     contents
==============  ============================  ===========================================
``blt``         ``.blt``                      BLT (see ``blt``), incl. Droop's options
``soc`` ...     ``.soc .soi .toc .toi``       PrefLib orders (see ``preflib``)
``csv``         ``.csv``                      rankings, one ballot per row or per rank
``csv-scores``  (name it)                     one row of scores per ballot
``json``        ``.json``                     ballots or totals (see ``json_ballots``)
==============  ============================  ===========================================
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from veche.tally.errors import TallyError
from veche.tally.formats.blt import BltElection, read_blt, write_blt
from veche.tally.formats.csv_ballots import read_csv_rankings, read_csv_scores
from veche.tally.formats.json_ballots import read_json, write_json
from veche.tally.formats.preflib import read_preflib
from veche.tally.profile import Profile

READERS: dict[str, Callable[[Path], Profile]] = {
    "blt": lambda path: read_blt(path).profile,
    "soc": lambda path: read_preflib(path, "soc"),
    "soi": lambda path: read_preflib(path, "soi"),
    "toc": lambda path: read_preflib(path, "toc"),
    "toi": lambda path: read_preflib(path, "toi"),
    "csv": read_csv_rankings,
    "csv-scores": read_csv_scores,
    "json": read_json,
}

#: A score table is a CSV file too, so ``.csv`` means rankings unless told otherwise.
_BY_EXTENSION = {
    ".blt": "blt",
    ".soc": "soc",
    ".soi": "soi",
    ".toc": "toc",
    ".toi": "toi",
    ".csv": "csv",
    ".json": "json",
}


def read_ballots(path: str | os.PathLike[str], format: str | None = None) -> Profile:
    """Read a ballot file, in the format its extension names unless ``format`` says otherwise."""
    path = Path(path)
    if format is None:
        format = _BY_EXTENSION.get(path.suffix.lower())
        if format is None:
            raise TallyError(
                f"cannot tell the ballot format of {path} from its extension; "
                f"pass format= one of: {', '.join(READERS)}"
            )
    reader = READERS.get(format)
    if reader is None:
        raise TallyError(f"unknown ballot format {format!r}; known: {', '.join(READERS)}")
    return reader(path)


__all__ = [
    "READERS",
    "BltElection",
    "read_ballots",
    "read_blt",
    "read_csv_rankings",
    "read_csv_scores",
    "read_json",
    "read_preflib",
    "write_blt",
    "write_json",
]
