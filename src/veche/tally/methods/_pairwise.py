"""Pairwise preference counts over compressed ballots, and what they say about a Condorcet winner."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from veche.tally.methods._ballots import Ballots
from veche.tally.profile import IntArray

#: Rows of a profile as bits, eight to a byte (``np.packbits``).
PackedRows = npt.NDArray[np.uint8]


def pairwise_matrix(ballots: Ballots) -> IntArray:
    """``matrix[a, b]``: the number of voters who rank ``a`` strictly above ``b``.

    A ballot that ranks ``a`` and leaves ``b`` out prefers ``a``; equally ranked
    and both-unranked pairs count for neither. The count runs over bitsets so
    that 100,000 distinct ballots over 30 candidates take a few hundredths of a
    second: for each ``a``, the rows preferring ``a`` to each ``b`` are packed
    eight to a byte and counted with a population count, once per binary digit
    of the ballot multiplicities (each row's count is the sum of its digits'
    powers of two), so every sum is an exact integer.
    """
    n_candidates = ballots.n_candidates
    matrix = np.zeros((n_candidates, n_candidates), dtype=np.int64)
    if ballots.counts.size == 0 or n_candidates == 0:
        return matrix
    # No copy: rank_levels lays the levels out candidate by candidate already.
    levels = np.ascontiguousarray(ballots.rank_levels().T)
    planes = _binary_digit_planes(ballots.counts)
    prefers = np.empty(levels.shape, dtype=np.bool_)
    for a in range(n_candidates):
        np.less(levels[a], levels, out=prefers)
        packed = np.packbits(prefers, axis=1)
        for weight, rows in planes:
            matrix[a] += weight * np.bitwise_count(packed & rows).sum(axis=1, dtype=np.int64)
    return matrix


def _binary_digit_planes(counts: IntArray) -> list[tuple[int, PackedRows]]:
    """For each binary digit set in some count: its value and the packed rows that have it."""
    planes = []
    remaining = counts.copy()
    digit = 1
    while remaining.any():
        has_digit = (remaining & 1).astype(np.bool_)
        if has_digit.any():
            planes.append((digit, np.packbits(has_digit)))
        remaining >>= 1
        digit <<= 1
    return planes


def condorcet_winner(matrix: IntArray) -> int | None:
    """The candidate who beats every other head to head, if there is one."""
    beats = matrix > matrix.T
    n_candidates = matrix.shape[0]
    for a in range(n_candidates):
        if int(beats[a].sum()) == n_candidates - 1:
            return a
    return None


def matrix_as_dict(names: tuple[str, ...], matrix: IntArray) -> dict[str, dict[str, int]]:
    """The matrix as ``{a: {b: voters preferring a to b}}``, for ``Result.details``."""
    return {
        a: {b: int(matrix[i, j]) for j, b in enumerate(names) if j != i}
        for i, a in enumerate(names)
    }
