"""Building profiles from parsed ballots, storing identical ballots once with their total count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from veche.tally.errors import BallotFormatError
from veche.tally.profile import EMPTY, BoolArray, IntArray, Profile, RankArray

#: Bits of an int64 sort key that are safe to fill (the sign bit stays clear).
_KEY_BITS = 63

#: The largest count or score a ballot may carry: well inside int64, so that sums
#: of many such counts still fit.
LARGEST_NUMBER = 10**15
#: The most ballots a file may hold in all: a method's totals, summed in int64, then stay
#: exact (a Borda total of 10^15 ballots, each giving a candidate fewer than 9,000 points,
#: still fits).
MOST_BALLOTS = 10**15
#: The largest sum of one candidate's scores, each times its ballot's count.
LARGEST_SCORE_SUM = 10**18


@dataclass(frozen=True)
class Merged:
    """Distinct ballots in order of first appearance, each with its total count."""

    rankings: RankArray
    tied: BoolArray | None
    counts: IntArray
    scores: IntArray | None


def merge_identical(
    source: str,
    rankings: RankArray,
    tied: BoolArray | None,
    counts: IntArray,
    scores: IntArray | None = None,
) -> Merged:
    """Store each distinct ballot once, summing counts; keep the order of first appearance.

    Rows are compared by ranking, equal-rank marks and scores together. Rankings
    are packed into a few int64 keys (each position takes just the bits its
    largest value needs), so that sorting a million rows is one argsort of
    integers, where ``np.unique(axis=0)`` would compare rows byte by byte.

    The ballots of ``source`` that would carry a total past what int64 holds are refused:
    counted, they would wrap around and elect the wrong candidate without a word.
    """
    check_sums_fit(source, counts, scores)
    kept, totals = _first_rows_and_totals(rankings, tied, counts, scores)
    return Merged(
        rankings=rankings[kept],
        tied=None if tied is None else tied[kept],
        counts=totals,
        scores=None if scores is None else scores[kept],
    )


def check_sums_fit(source: str, counts: IntArray, scores: IntArray | None = None) -> None:
    """Refuse ballots whose count, or whose scores summed candidate by candidate, pass
    ``MOST_BALLOTS`` or ``LARGEST_SCORE_SUM``. The sums are taken in floating point, which
    cannot wrap; its rounding is far below the margin those limits leave to int64."""
    if float(counts.sum(dtype=np.float64)) > MOST_BALLOTS:
        ballots = sum(counts.tolist())  # exact, on this path alone
        raise BallotFormatError(
            source,
            None,
            f"the file holds {ballots:,} ballots in all, more than can be counted exactly "
            "(at most 10^15)",
        )
    if scores is not None and scores.size:
        weighted = np.abs(scores).astype(np.float64).T @ counts.astype(np.float64)
        if float(weighted.max()) > LARGEST_SCORE_SUM:
            raise BallotFormatError(
                source,
                None,
                f"a candidate's scores add up to {float(weighted.max()):.3g} over the ballots, "
                "more than can be counted exactly (at most 10^18)",
            )


def _first_rows_and_totals(
    rankings: RankArray, tied: BoolArray | None, counts: IntArray, scores: IntArray | None
) -> tuple[IntArray, IntArray]:
    """The first row of each group of identical rows, in file order, and each group's count.

    (A function of its own so that its large temporaries are freed before the
    caller copies out the kept rows.)
    """
    n_rows = rankings.shape[0]
    counts = counts.astype(np.int64, copy=False)
    keys = _packed_keys(rankings, tied)
    if scores is not None:
        keys.extend(scores[:, column] for column in range(scores.shape[1]))
    if n_rows == 0:
        return np.zeros(0, dtype=np.intp), counts
    if not keys:
        order = np.arange(n_rows)
        starts = np.zeros(1, dtype=np.intp)
    else:
        order = np.argsort(keys[0]) if len(keys) == 1 else np.lexsort(keys[::-1])
        differs = np.zeros(n_rows - 1, dtype=np.bool_)
        for key in keys:
            in_order = key[order]
            differs |= in_order[1:] != in_order[:-1]
        del keys, in_order
        starts = np.concatenate(([0], np.flatnonzero(differs) + 1))
    first = np.minimum.reduceat(order, starts)
    # Marking each group's first row and reading the marks in file order puts the
    # groups in order of first appearance without sorting again.
    total = np.zeros(n_rows, dtype=np.int64)
    total[first] = np.add.reduceat(counts[order], starts)
    del order, starts
    is_first = np.zeros(n_rows, dtype=np.bool_)
    is_first[first] = True
    kept = np.flatnonzero(is_first)
    return kept, total[kept]


def _packed_keys(rankings: RankArray, tied: BoolArray | None) -> list[IntArray]:
    n_rows, width = rankings.shape
    if n_rows == 0 or width == 0:
        return []
    largest = int(rankings.max()) + 1
    bits = max(largest.bit_length(), 1) + (1 if tied is not None else 0)
    per_key = _KEY_BITS // bits
    keys: list[IntArray] = []
    for start in range(0, width, per_key):
        key = np.zeros(n_rows, dtype=np.int64)
        for offset, column in enumerate(range(start, min(start + per_key, width))):
            # EMPTY (-1) becomes 0, candidate c becomes c + 1.
            value = rankings[:, column].astype(np.int64) + 1
            if tied is not None:
                value = value * 2 + tied[:, column]
            key |= value << (bits * offset)
        keys.append(key)
    return keys


def beyond_declared(where: str, kind: str, number: int, declared: int) -> str:
    """The problem with a file whose ``where`` names ``kind`` ``number`` of only ``declared``."""
    return f"{where} names {kind} {number} but there are only {declared} {kind}s"


def require_distinct_names(names: Sequence[str], source: str, lines: Sequence[int | None]) -> None:
    """Refuse a file that gives two candidates the same name (a profile needs them distinct)."""
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in seen:
            raise BallotFormatError(
                source,
                lines[position],
                f"candidate name {name!r} is given twice (candidates {seen[name] + 1} and "
                f"{position + 1}); names must be distinct",
            )
        seen[name] = position


@dataclass
class BallotCollector:
    """Ballots gathered one at a time by the slower, line-by-line readers.

    A ranking is a sequence of groups: each group holds the candidate indices
    ranked equal at that place, so a strict ranking is a sequence of one-element
    groups. Candidates a ballot leaves out are ranked below all it names.
    """

    source: str
    n_candidates: int
    rated: bool = False
    rankings: list[list[int]] = field(default_factory=list)
    tie_marks: list[list[bool]] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    scores: list[Sequence[int]] = field(default_factory=list)

    def add(
        self,
        groups: Sequence[Sequence[int]],
        count: int,
        scores: Sequence[int] | None = None,
        *,
        line: int | None = None,
        where: str = "",
    ) -> None:
        """Add a ballot read from ``line``; ``where`` (like "ballots[3]: ") prefixes errors."""
        if count > LARGEST_NUMBER:
            raise BallotFormatError(
                self.source, line, f"{where}count {count} is too large (at most 10^15)"
            )
        if scores is not None and any(abs(score) > LARGEST_NUMBER for score in scores):
            raise BallotFormatError(
                self.source, line, f"{where}a score is too large (at most 10^15 either way)"
            )
        ranking: list[int] = []
        marks: list[bool] = []
        for group in groups:
            for place, candidate in enumerate(group):
                ranking.append(candidate)
                marks.append(place > 0)
        self.rankings.append(ranking)
        self.tie_marks.append(marks)
        self.counts.append(count)
        if self.rated:
            self.scores.append(scores if scores is not None else [0] * self.n_candidates)

    def profile(
        self,
        candidates: Sequence[str],
        *,
        seats: int | None = None,
        title: str | None = None,
        withdrawn: frozenset[int] = frozenset(),
    ) -> Profile:
        n_rows = len(self.rankings)
        width = max((len(ranking) for ranking in self.rankings), default=0)
        rankings = np.full((n_rows, width), EMPTY, dtype=np.int32)
        tied = np.zeros((n_rows, width), dtype=np.bool_)
        for row, (ranking, marks) in enumerate(zip(self.rankings, self.tie_marks, strict=True)):
            rankings[row, : len(ranking)] = ranking
            tied[row, : len(marks)] = marks
        scores = None
        if self.rated:
            scores = np.zeros((n_rows, self.n_candidates), dtype=np.int64)
            for row, ballot_scores in enumerate(self.scores):
                scores[row] = ballot_scores
        merged = merge_identical(
            self.source,
            rankings,
            tied if tied.any() else None,
            np.array(self.counts, dtype=np.int64),
            scores,
        )
        return Profile(
            candidates=tuple(candidates),
            rankings=merged.rankings,
            counts=merged.counts,
            tied_with_previous=merged.tied,
            scores=merged.scores,
            seats=seats,
            title=title,
            withdrawn=withdrawn,
        )
