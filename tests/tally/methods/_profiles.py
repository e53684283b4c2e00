"""Profiles the method tests share: a ballot with equal rankings, random ranked ballots."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from veche.tally import Profile


def equal_rankings_profile(voters: int) -> Profile:
    """``voters`` ballots ranking A and B equal first, which strict-ranking methods refuse."""
    return Profile(
        candidates=("A", "B"),
        rankings=np.array([[0, 1]], dtype=np.int32),
        counts=np.array([voters], dtype=np.int64),
        tied_with_previous=np.array([[False, True]]),
    )


@st.composite
def ranked_profiles(draw: st.DrawFn, *, max_candidates: int, max_ballots: int) -> Profile:
    """Strict, possibly truncated or blank, ballots over 2 to ``max_candidates`` candidates."""
    n_candidates = draw(st.integers(2, max_candidates))
    ballot = st.permutations(range(n_candidates)).flatmap(
        lambda order: st.integers(0, n_candidates).map(lambda k: tuple(order[:k]))
    )
    ballots = draw(st.lists(st.tuples(ballot, st.integers(1, 9)), min_size=1, max_size=max_ballots))
    assume(any(ranking for ranking, _ in ballots))  # a count needs a marked ballot
    return Profile.from_rankings([f"c{i}" for i in range(n_candidates)], ballots)
