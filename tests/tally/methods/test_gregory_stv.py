"""Properties every count by a Gregory method of STV has (Scottish STV and WIGM STV), on random
elections; each method's reference counts and rules are tested in its own module."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.methods._stv_reference import accounted, elections
from veche.tally.profile import Profile
from veche.tally.registry import count


@pytest.mark.parametrize("method", ["scottish-stv", "wigm-stv"])
@settings(max_examples=150, deadline=None)
@given(elections(), st.integers(0, 2**32 - 1))
def test_properties_of_every_count(method: str, election: tuple[Profile, int], seed: int) -> None:
    profile, seats = election
    result = count(profile, method, seats=seats, seed=seed)
    for rnd, loss in zip(result.rounds, result.details["rounding_loss"], strict=True):
        # Votes are conserved: nothing appears or vanishes except by recorded truncation.
        assert accounted(rnd, loss) == profile.n_voters
    # Enough candidates stand, so every seat is filled, each by a different candidate.
    assert len(result.elected) == seats == len(set(result.elected))
    first = result.rounds[0]
    assert first.quota is not None
    for name, votes in first.tallies.items():
        if votes >= first.quota:
            assert name in first.elected
    # The same seed draws the same lots.
    assert count(profile, method, seats=seats, seed=seed).to_dict() == result.to_dict()
