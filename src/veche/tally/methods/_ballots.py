"""Ballots made ready for counting: withdrawn candidates removed, ranks and first choices found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from veche.tally.errors import TallyError
from veche.tally.profile import EMPTY, BoolArray, IntArray, Profile, RankArray

#: Rank levels in the narrowest signed integer type that holds them.
LevelArray = np.ndarray[Any, np.dtype[np.signedinteger[Any]]]


@dataclass(frozen=True)
class Ballots:
    """The ballots of a profile over its standing (not withdrawn) candidates only.

    ``rankings`` holds indices into ``names``, each row packed to the left and
    padded with ``EMPTY``; a withdrawn candidate is dropped from every ballot as
    if never printed on it, the later preferences moving up (what the withdrawn
    line of a BLT file asks of a count). ``tied[i, k]`` says position ``k`` of
    row ``i`` shares its rank with position ``k - 1``.
    """

    names: tuple[str, ...]
    rankings: RankArray
    tied: BoolArray
    counts: IntArray
    scores: IntArray | None

    @classmethod
    def from_profile(cls, profile: Profile) -> Ballots:
        n_all = profile.n_candidates
        rankings = profile.rankings
        if rankings.size and (int(rankings.max()) >= n_all or int(rankings.min()) < EMPTY):
            raise TallyError(
                f"a ballot names a candidate number outside 0-{n_all - 1}, the {n_all} "
                "candidates of the profile; check the ballot file"
            )
        if profile.counts.size and int(profile.counts.min()) < 0:
            raise TallyError("a ballot has a negative count; counts must be zero or more")
        standing = [c for c in range(n_all) if c not in profile.withdrawn]
        renumbered = rankings
        if profile.withdrawn:
            # One slot past the candidates maps EMPTY (-1) to EMPTY again.
            renumber = np.full(n_all + 1, EMPTY, dtype=np.int32)
            renumber[standing] = np.arange(len(standing), dtype=np.int32)
            renumbered = renumber[rankings]
        tied = (
            profile.tied_with_previous
            if profile.tied_with_previous is not None
            else np.zeros(rankings.shape, dtype=np.bool_)
        )
        renumbered, tied = _pack_left(renumbered, tied)
        scores = None if profile.scores is None else profile.scores[:, standing]
        return cls(
            names=tuple(profile.candidates[c] for c in standing),
            rankings=renumbered,
            tied=tied,
            counts=profile.counts.astype(np.int64, copy=False),
            scores=scores,
        )

    @classmethod
    def countable(cls, profile: Profile, method: str) -> Ballots:
        """The ballots of ``profile``, refused as :meth:`require_countable` says."""
        ballots = cls.from_profile(profile)
        ballots.require_countable(method)
        return ballots

    @property
    def n_candidates(self) -> int:
        return len(self.names)

    @property
    def total(self) -> int:
        """The number of ballots, each identical ballot counted as often as it was cast."""
        return int(self.counts.sum())

    @property
    def has_ties(self) -> bool:
        return bool(self.tied.any())

    def require_countable(self, method: str) -> None:
        """Refuse a count with no standing candidate or without a single marked ballot.

        Every candidate would be level on nothing and lots would pick the winner;
        a count like that is almost always the wrong file or the wrong ballots.
        """
        if self.n_candidates == 0:
            raise TallyError(f"{method} needs at least one standing candidate, but there are none")
        marked = (self.rankings != EMPTY).any(axis=1)
        if self.scores is not None:
            marked |= True
        if int(self.counts[marked].sum()) == 0:
            raise TallyError(
                f"{method} needs at least one ballot that marks a candidate, but every ballot "
                "is blank (or there are none)"
            )

    def require_strict(self, method: str) -> None:
        """Refuse ballots with equal rankings for methods whose rule cannot use them."""
        if self.has_ties:
            rows = int(self.counts[self.tied.any(axis=1)].sum())
            raise TallyError(
                f"{method} needs strict rankings, but {rows} ballot(s) rank candidates equal; "
                "count them with a pairwise method (schulze, ranked-pairs, copeland, minimax) "
                "or have the ballot reader treat equal rankings as overvotes"
            )

    def first_choices(self, method: str) -> RankArray:
        """Each row's first preference (``EMPTY`` for a blank ballot); refuse shared first places."""
        if self.rankings.shape[1] == 0:
            return np.full(self.rankings.shape[0], EMPTY, dtype=np.int32)
        if self.tied.shape[1] > 1:
            shared = self.tied[:, 1]
            if shared.any():
                rows = int(self.counts[shared].sum())
                raise TallyError(
                    f"{method} counts one first preference per ballot, but {rows} ballot(s) "
                    "rank several candidates first"
                )
        return self.rankings[:, 0].copy()

    def first_preference_totals(self, method: str) -> IntArray:
        """Votes per candidate from first preferences; blank ballots count for no one."""
        firsts = self.first_choices(method)
        cast = firsts != EMPTY
        return weighted_count(firsts[cast], self.counts[cast], self.n_candidates)

    def marked_totals(self, marked: BoolArray) -> IntArray:
        """One vote for each marked position of each ballot, times the ballot's count."""
        weights = np.broadcast_to(self.counts[:, None], self.rankings.shape)
        return weighted_count(self.rankings[marked], weights[marked], self.n_candidates)

    def candidate_totals(self, values: IntArray | BoolArray) -> IntArray:
        """Per candidate, the sum over ballots of ``values[i, c]`` times the ballot's count.

        ``values`` has a column per standing candidate, as ``scores`` has.
        """
        totals: IntArray = (values * self.counts[:, None]).sum(axis=0, dtype=np.int64)
        return totals

    def rank_levels(self) -> LevelArray:
        """``levels[i, c]``: the rank of candidate ``c`` on row ``i``, 0 for first.

        Equally ranked candidates share a level; candidates a ballot leaves out
        share the level after its last (they are preferred less than every
        ranked candidate and are equal among themselves). The integers are as
        narrow as the ballots allow, since pairwise counts compare them by the
        million.
        """
        n_rows, width = self.rankings.shape
        dtype = np.min_scalar_type(-(width + 1))
        # Laid out candidate by candidate, so that pairwise counts read whole rows; one
        # spare candidate row takes the writes for EMPTY positions.
        by_candidate = np.full((self.n_candidates + 1, n_rows), width, dtype=dtype)
        if width:
            if self.has_ties:
                position_level = np.cumsum(~self.tied, axis=1, dtype=dtype) - 1
            else:
                position_level = np.broadcast_to(np.arange(width, dtype=dtype), (n_rows, width))
            candidate = np.where(self.rankings == EMPTY, self.n_candidates, self.rankings)
            cells = candidate.astype(np.intp) * n_rows + np.arange(n_rows)[:, None]
            by_candidate.ravel()[cells] = position_level
        return by_candidate[: self.n_candidates].T


def weighted_count(indices: np.ndarray[Any, Any], weights: IntArray, size: int) -> IntArray:
    """Sum ``weights`` per index in integers (``np.bincount`` would sum in floating point)."""
    totals = np.zeros(size, dtype=np.int64)
    np.add.at(totals, indices, weights)
    return totals


def _pack_left(rankings: RankArray, tied: BoolArray) -> tuple[RankArray, BoolArray]:
    """Close the gaps left by dropped candidates; a moved position keeps its rank level."""
    empty = rankings == EMPTY
    if not (empty[:, :-1] & ~empty[:, 1:]).any():
        return rankings, tied & ~empty
    levels = np.cumsum(~tied, axis=1)
    order = np.argsort(empty, axis=1, kind="stable")
    packed = np.take_along_axis(rankings, order, axis=1)
    packed_levels = np.take_along_axis(levels, order, axis=1)
    packed_empty = packed == EMPTY
    packed_tied = np.zeros(packed.shape, dtype=np.bool_)
    packed_tied[:, 1:] = (packed_levels[:, 1:] == packed_levels[:, :-1]) & ~packed_empty[:, 1:]
    return packed, packed_tied
