"""Ballot profiles: identical ballots stored once, with a count, in numpy arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from veche.tally.errors import TallyError

#: Marks an empty position at the end of a ranking row.
EMPTY = -1

IntArray = npt.NDArray[np.int64]
RankArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Profile:
    """A set of ballots over named candidates.

    ``rankings[i]`` lists candidate indices in order of preference, padded with
    ``EMPTY``; ``counts[i]`` says how many voters cast that ballot. Where a
    ballot ranks several candidates equal, ``tied_with_previous[i, k]`` is true
    for each position ``k`` that shares its rank with position ``k - 1``; it is
    ``None`` when no ballot has ties. Rated ballots (score voting) carry
    ``scores[i, c]``, the score ballot ``i`` gives candidate ``c``.
    """

    candidates: tuple[str, ...]
    rankings: RankArray
    counts: IntArray
    tied_with_previous: BoolArray | None = None
    scores: IntArray | None = None
    seats: int | None = None
    title: str | None = None
    withdrawn: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        n_ballots = self.counts.shape[0]
        if self.rankings.ndim != 2 or self.rankings.shape[0] != n_ballots:
            raise TallyError("rankings must be a 2-d array with one row per counted ballot")
        if self.tied_with_previous is not None and (
            self.tied_with_previous.shape != self.rankings.shape
        ):
            raise TallyError("tied_with_previous must have the shape of rankings")
        if self.scores is not None and self.scores.shape != (n_ballots, len(self.candidates)):
            raise TallyError("scores must have one row per ballot and one column per candidate")
        if len(set(self.candidates)) != len(self.candidates):
            raise TallyError("candidate names must be distinct")

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[Sequence[int], int]],
        *,
        seats: int | None = None,
        title: str | None = None,
        withdrawn: Iterable[int] = (),
    ) -> Profile:
        """Build a profile from ``(ranking, count)`` pairs of strict rankings, merging duplicates."""
        merged: dict[tuple[int, ...], int] = {}
        for ranking, count in ballots:
            key = tuple(ranking)
            merged[key] = merged.get(key, 0) + count
        width = max((len(k) for k in merged), default=0)
        rankings = np.full((len(merged), width), EMPTY, dtype=np.int32)
        counts = np.zeros(len(merged), dtype=np.int64)
        for row, (key, count) in enumerate(merged.items()):
            rankings[row, : len(key)] = key
            counts[row] = count
        return cls(
            candidates=tuple(candidates),
            rankings=rankings,
            counts=counts,
            seats=seats,
            title=title,
            withdrawn=frozenset(withdrawn),
        )

    @classmethod
    def from_totals(cls, totals: dict[str, int], *, title: str | None = None) -> Profile:
        """A profile of single-choice ballots from vote totals (list votes, yes/no/abstain)."""
        return cls.from_rankings(
            list(totals),
            (((index,), count) for index, count in enumerate(totals.values()) if count),
            title=title,
        )

    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    @property
    def n_voters(self) -> int:
        """Total number of ballots, counting each identical ballot as often as it was cast."""
        return int(self.counts.sum())

    @property
    def has_ties(self) -> bool:
        return self.tied_with_previous is not None and bool(self.tied_with_previous.any())

    def require_strict(self, method: str) -> None:
        """Refuse ballots with equal rankings for methods that need a strict order."""
        if self.has_ties:
            raise TallyError(
                f"{method} needs strict rankings, but some ballots rank candidates equal"
            )
