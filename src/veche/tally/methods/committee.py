"""Committees by plurality-style totals: block voting and the single non-transferable vote."""

from __future__ import annotations

from typing import Any

import numpy as np

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.methods._totals import TotalsCount
from veche.tally.methods.single_winner import count_first_preferences
from veche.tally.profile import EMPTY, Profile
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result


@method(
    "block",
    "Block voting (plurality-at-large): each ballot votes for its first `seats` preferences; "
    "the highest totals win.",
    multi_winner=True,
    ballot=BallotShape.APPROVAL,
    limited_to_seats=True,
)
def block(profile: Profile, *, seats: int, lot: Lot, **_: Any) -> Result:
    """Each voter has as many votes as there are seats, at most one per candidate
    (Wikipedia, "Plurality block voting"). From a ranked ballot the first ``seats``
    preferences are its votes; a ballot ranking fewer uses fewer. A ballot whose
    equal rankings straddle the last vote cannot say which to count and is refused.
    """
    count = TotalsCount.start(profile, seats, lot, "block")
    ballots = count.ballots
    ranked = ballots.rankings != EMPTY
    width = ballots.rankings.shape[1]
    if width > seats:
        straddling = ballots.tied[:, seats] & ranked[:, seats]
        if straddling.any():
            raise TallyError(
                f"block voting with {seats} seat(s) takes each ballot's first {seats} "
                f"preferences, but {int(ballots.counts[straddling].sum())} ballot(s) rank "
                f"candidates equal across preference {seats}; count them another way"
            )
    votes = ranked & (np.arange(width) < seats)
    return count.result(
        ballots.marked_totals(votes), action=f"count each ballot's first {seats} preference(s)"
    )


@method(
    "sntv",
    "Single non-transferable vote: one vote per ballot; the `seats` candidates with the most win.",
    multi_winner=True,
    ballot=BallotShape.SINGLE,
)
def sntv(profile: Profile, *, seats: int, lot: Lot, **_: Any) -> Result:
    """Only first preferences count (Wikipedia, "Single non-transferable vote"); with one
    seat this is plurality.
    """
    return count_first_preferences(profile, seats=seats, lot=lot, method_name="sntv")
