"""Reading and writing ballots as JSON, in a small schema of our own; also plain vote totals.

Ballots::

    {
      "candidates": ["Ada", "Bea", "Cy"],
      "seats": 2,                                  optional, a positive integer
      "title": "Board election",                   optional
      "withdrawn": ["Cy"],                         optional, names of candidates
      "ballots": [
        {"ranking": ["Ada", "Bea"], "count": 3},   "count" is optional (1)
        {"ranking": [["Ada", "Bea"], "Cy"]},       an inner list ranks its names equal
        {"scores": {"Ada": 5, "Bea": 2}},          a rated ballot
        {"ranking": ["Bea"], "receipt": "9f2c…"}   "receipt" is optional: where a voter
      ]                                            finds their ballot; it is not counted
    }

Candidates a ranking leaves out are ranked below all it names. If any ballot
has ``scores`` the profile is rated: candidates a ballot's scores leave out
(and every candidate, on a ballot without ``scores``) score 0.

Totals (yes/no/abstain, list votes), read with ``Profile.from_totals``::

    {"title": "Motion 7", "totals": {"yes": 120, "no": 80, "abstain": 7}}

``candidates`` may accompany ``totals`` to fix the order; ``seats`` may too.
Keys not named here are refused, so that a misspelt key is not silently lost.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from veche.tally.errors import BallotFormatError, TallyError
from veche.tally.formats._build import LARGEST_NUMBER, BallotCollector
from veche.tally.profile import EMPTY, Profile

_BALLOTS_KEYS = ("candidates", "seats", "title", "withdrawn", "ballots")
_TOTALS_KEYS = ("candidates", "seats", "title", "totals")
_BALLOT_KEYS = ("ranking", "scores", "count", "receipt")


def read_json(path: str | os.PathLike[str]) -> Profile:
    """Read a JSON ballot file (ballots or totals, see the module docstring)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BallotFormatError(source, None, "not UTF-8 text; save the file as UTF-8") from None
    if not text.strip():
        raise BallotFormatError(source, None, "file is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BallotFormatError(
            source, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except ValueError:  # a number of thousands of digits, which Python will not read
        raise BallotFormatError(source, None, "a number in it is far too long") from None
    return _Document(source).profile(document)


class _Document:
    """Checks a parsed document against the schema; every error names the offending key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str) -> BallotFormatError:
        return BallotFormatError(self.source, None, problem)

    def profile(self, document: Any) -> Profile:
        if not isinstance(document, dict):
            raise self.fail("the top level must be an object with 'candidates' and 'ballots'")
        if "totals" in document:
            self.known_keys(document, _TOTALS_KEYS, "the top level")
            return self.totals(document)
        self.known_keys(document, _BALLOTS_KEYS, "the top level")
        if "candidates" not in document or "ballots" not in document:
            raise self.fail("the top level needs 'candidates' and 'ballots' (or 'totals')")
        candidates = self.names(document["candidates"])
        index = {name: position for position, name in enumerate(candidates)}
        withdrawn = document.get("withdrawn", [])
        if not isinstance(withdrawn, list):
            raise self.fail("'withdrawn' must be a list of candidate names")
        withdrawn_indices = frozenset(
            self.candidate(name, index, "'withdrawn'") for name in withdrawn
        )
        ballots = document["ballots"]
        if not isinstance(ballots, list):
            raise self.fail("'ballots' must be a list")
        rated = any(isinstance(b, dict) and "scores" in b for b in ballots)
        collector = BallotCollector(self.source, len(candidates), rated=rated)
        for number, ballot in enumerate(ballots):
            where = f"ballots[{number}]"
            if not isinstance(ballot, dict):
                raise self.fail(f"{where} must be an object with 'ranking' or 'scores'")
            self.known_keys(ballot, _BALLOT_KEYS, where)
            groups = self.ranking(ballot.get("ranking", []), index, f"{where}.ranking")
            scores = None
            if rated:
                scores = self.scores(ballot.get("scores", {}), index, f"{where}.scores")
            if not isinstance(ballot.get("receipt", ""), str):
                raise self.fail(f"{where}.receipt must be a string, got {ballot['receipt']!r}")
            count = ballot.get("count", 1)
            if not self.is_integer(count) or count < 1:
                raise self.fail(f"{where}.count must be a positive integer, got {count!r}")
            collector.add(groups, count, scores, where=f"{where}: ")
        return collector.profile(
            candidates,
            seats=self.seats(document),
            title=self.title(document),
            withdrawn=withdrawn_indices,
        )

    def totals(self, document: dict[str, Any]) -> Profile:
        totals = document["totals"]
        if not isinstance(totals, dict) or not totals:
            raise self.fail("'totals' must be an object mapping each option to its votes")
        for name, votes in totals.items():
            if not self.is_integer(votes) or not 0 <= votes <= LARGEST_NUMBER:
                raise self.fail(
                    f"totals[{name!r}] must be a whole number of votes from 0 to 10^15, "
                    f"got {votes!r}"
                )
        if "candidates" in document:
            candidates = self.names(document["candidates"])
            if sorted(candidates) != sorted(totals):
                raise self.fail("'candidates' must name exactly the options in 'totals'")
            totals = {name: totals[name] for name in candidates}
        profile = Profile.from_totals(totals, title=self.title(document))
        return dataclasses.replace(profile, seats=self.seats(document))

    def known_keys(self, mapping: dict[str, Any], known: tuple[str, ...], where: str) -> None:
        unknown = [key for key in mapping if key not in known]
        if unknown:
            raise self.fail(
                f"{where} has unknown key {unknown[0]!r}; known keys: {', '.join(known)}"
            )

    def names(self, candidates: Any) -> list[str]:
        if not isinstance(candidates, list) or not all(isinstance(c, str) for c in candidates):
            raise self.fail("'candidates' must be a list of names (strings)")
        for position, name in enumerate(candidates):
            if name in candidates[:position]:
                raise self.fail(f"candidate name {name!r} is given twice; names must be distinct")
        return candidates

    def candidate(self, name: Any, index: dict[str, int], where: str) -> int:
        if not isinstance(name, str) or name not in index:
            raise self.fail(f"{where} names {name!r}, who is not among the candidates")
        return index[name]

    def ranking(self, ranking: Any, index: dict[str, int], where: str) -> list[list[int]]:
        if not isinstance(ranking, list):
            raise self.fail(f"{where} must be a list of names, or of lists of names ranked equal")
        groups: list[list[int]] = []
        seen: set[int] = set()
        for place, entry in enumerate(ranking):
            members = entry if isinstance(entry, list) else [entry]
            if not members:
                raise self.fail(f"{where}[{place}] is an empty list; leave it out instead")
            group = [self.candidate(name, index, f"{where}[{place}]") for name in members]
            for candidate in group:
                if candidate in seen:
                    raise self.fail(
                        f"{where} ranks {members[group.index(candidate)]!r} more than once"
                    )
                seen.add(candidate)
            groups.append(group)
        return groups

    def scores(self, scores: Any, index: dict[str, int], where: str) -> list[int]:
        if not isinstance(scores, dict):
            raise self.fail(f"{where} must be an object mapping candidate names to scores")
        row = [0] * len(index)
        for name, score in scores.items():
            candidate = self.candidate(name, index, where)
            if not self.is_integer(score):
                raise self.fail(f"{where}[{name!r}] must be a whole number, got {score!r}")
            row[candidate] = score
        return row

    def seats(self, document: dict[str, Any]) -> int | None:
        seats = document.get("seats")
        if seats is not None and (not self.is_integer(seats) or seats < 1):
            raise self.fail(f"'seats' must be a positive integer, got {seats!r}")
        return seats

    def title(self, document: dict[str, Any]) -> str | None:
        title = document.get("title")
        if title is not None and not isinstance(title, str):
            raise self.fail(f"'title' must be a string, got {title!r}")
        return title

    @staticmethod
    def is_integer(value: Any) -> bool:
        # JSON true/false arrive as bool, which Python counts as int.
        return isinstance(value, int) and not isinstance(value, bool)


def write_json(profile: Profile, path: str | os.PathLike[str]) -> None:
    """Write a profile in the ballots schema of the module docstring."""
    names = profile.candidates
    if profile.counts.size and int(profile.counts.min()) < 1:
        raise TallyError("every ballot in a JSON file has a positive count; drop zero counts")
    marks = profile.tied_with_previous
    ballots: list[dict[str, Any]] = []
    for row, ranking in enumerate(profile.rankings.tolist()):
        groups: list[list[str]] = []
        for position, candidate in enumerate(ranking):
            if candidate == EMPTY:
                continue
            if groups and marks is not None and marks[row, position]:
                groups[-1].append(names[candidate])
            else:
                groups.append([names[candidate]])
        ballot: dict[str, Any] = {}
        if profile.scores is None or groups:
            ballot["ranking"] = [group[0] if len(group) == 1 else group for group in groups]
        if profile.scores is not None:
            ballot["scores"] = dict(zip(names, profile.scores[row].tolist(), strict=True))
        ballot["count"] = int(profile.counts[row])
        ballots.append(ballot)
    document: dict[str, Any] = {"candidates": list(names)}
    if profile.seats is not None:
        document["seats"] = profile.seats
    if profile.title is not None:
        document["title"] = profile.title
    if profile.withdrawn:
        document["withdrawn"] = [names[c] for c in sorted(profile.withdrawn)]
    document["ballots"] = ballots
    Path(path).write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
