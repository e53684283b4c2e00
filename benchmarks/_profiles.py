"""Seeded synthetic electorates for the counting benchmark, and their ballots in each library's form.

Voters rank candidates by a Plackett–Luce model: candidate ``c`` has support
``w[c]`` (drawn from a flat Dirichlet by the same seed), and each voter picks
their first preference with probability proportional to support, their second
among the rest likewise, and so on. Drawn with the Gumbel trick, that is one
``argsort`` of ``log(w) + Gumbel noise`` per voter. Each voter then keeps only
their first L preferences, L drawn from the ballot lengths of real Scottish
council elections (``SCOTTISH_LENGTHS``), or all of them for complete rankings.
Popular orders repeat, as on real ballot papers, so the distinct ballots are
far fewer than the voters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pref_voting.profiles import Profile as LinearProfile
from pref_voting.profiles_with_ties import ProfileWithTies
from votekit.pref_profile import RankProfile

from veche.tally import Profile
from veche.tally.profile import EMPTY, IntArray, RankArray

#: Share of ballots ranking 1, 2, ..., 10 candidates (longer ones folded into 10) among the
#: 5,425,924 ballots of the 1,076 Scottish council ward elections of 2007-2022 in
#: tests/data/elections/scotland/blt.
SCOTTISH_LENGTHS = (0.1454, 0.2634, 0.3263, 0.1092, 0.0466, 0.0353, 0.0338, 0.0212, 0.0106, 0.0082)


def candidate_names(n_candidates: int) -> tuple[str, ...]:
    """``C01``, ``C02``, ...: names that sort in candidate order in every library."""
    return tuple(f"C{number:02d}" for number in range(1, n_candidates + 1))


def plackett_luce(
    n_voters: int, n_candidates: int, seed: int, lengths: Sequence[float] | None
) -> RankArray:
    """One row per voter: candidate indices in order of preference, padded with ``EMPTY``.

    ``lengths[k]`` is the share of voters who rank ``k + 1`` candidates; ``None``
    means every voter ranks every candidate.
    """
    rng = np.random.default_rng(seed)
    support = rng.dirichlet(np.ones(n_candidates))
    rankings = np.empty((n_voters, n_candidates), dtype=np.int32)
    # In blocks, so that the float noise never takes more memory than the rankings.
    block = 1 << 17
    for start in range(0, n_voters, block):
        stop = min(start + block, n_voters)
        noisy = np.log(support) + rng.gumbel(size=(stop - start, n_candidates))
        rankings[start:stop] = np.argsort(-noisy, axis=1)
    if lengths is not None:
        shares = np.asarray(lengths, dtype=np.float64)[:n_candidates]
        kept = rng.choice(np.arange(1, shares.size + 1), size=n_voters, p=shares / shares.sum())
        rankings[np.arange(n_candidates) >= kept[:, None]] = EMPTY
    return rankings


@dataclass(frozen=True)
class Ballots:
    """Rankings over named candidates, each with the number of voters who cast it.

    The one input every library's profile is built from, so that all count the
    same election. Rows may repeat (one row per voter) or be distinct.
    """

    candidates: tuple[str, ...]
    rankings: RankArray
    counts: IntArray

    @classmethod
    def one_per_voter(cls, candidates: tuple[str, ...], rankings: RankArray) -> Ballots:
        return cls(candidates, rankings, np.ones(rankings.shape[0], dtype=np.int64))

    @classmethod
    def merged(cls, candidates: tuple[str, ...], rankings: RankArray) -> Ballots:
        """Each distinct ranking once, with the number of voters who cast it."""
        rows = np.ascontiguousarray(rankings)
        as_bytes = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
        _, first, counts = np.unique(as_bytes, return_index=True, return_counts=True)
        return cls(candidates, rows[first], counts.astype(np.int64))

    @property
    def n_voters(self) -> int:
        return int(self.counts.sum())

    @property
    def n_rows(self) -> int:
        return int(self.counts.shape[0])

    @property
    def complete(self) -> bool:
        """Whether every ballot ranks every candidate."""
        return not bool((self.rankings == EMPTY).any())

    def veche(self) -> Profile:
        return Profile(candidates=self.candidates, rankings=self.rankings, counts=self.counts)

    def pref_voting(self) -> LinearProfile | ProfileWithTies:
        """pref_voting's fastest form: a numpy-backed ``Profile`` for complete rankings,
        otherwise a ``ProfileWithTies`` of ``{candidate: rank}`` maps. Candidates are the
        indices 0, 1, ...; its constructors count the pairwise supports.
        """
        if self.complete:
            return LinearProfile(self.rankings, rcounts=self.counts)
        maps = [
            {candidate: rank for rank, candidate in enumerate(row, start=1) if candidate != EMPTY}
            for row in self.rankings.tolist()
        ]
        return ProfileWithTies(
            maps, rcounts=self.counts.tolist(), candidates=list(range(len(self.candidates)))
        )

    def votekit(self) -> RankProfile:
        """votekit's ``RankProfile``, built from its documented data frame layout (one
        ``Ranking_k`` column of candidate sets per position, ``{"~"}`` for none).
        """
        sets = np.empty(len(self.candidates) + 1, dtype=object)
        sets[:-1] = [frozenset({name}) for name in self.candidates]
        sets[-1] = frozenset({"~"})  # indexed by EMPTY (-1)
        width = self.rankings.shape[1]
        columns: dict[str, object] = {
            f"Ranking_{position + 1}": sets[self.rankings[:, position]] for position in range(width)
        }
        columns["Voter Set"] = [set() for _ in range(self.n_rows)]
        columns["Weight"] = self.counts.astype(np.float64)
        frame = pd.DataFrame(columns)
        frame.index.name = "Ballot Index"
        return RankProfile(df=frame, candidates=self.candidates, max_ranking_length=width)
