"""Weighted inclusive Gregory STV: the PR Foundation's reference WIGM rule, 4 decimal places."""

from __future__ import annotations

from typing import Any, ClassVar

from veche.tally.lot import Lot
from veche.tally.methods._gregory import GregoryCount
from veche.tally.methods._stv import TIE_ORDER_HELP
from veche.tally.profile import Profile
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result, TieBreak

#: Rule D.4: every multiplication and division is truncated to four decimal places.
PLACES = 4
SCALE: int = 10**PLACES
RULE = "Proportional Representation Foundation, Reference WIGM Rule (single defeats)"


@method(
    "wigm-stv",
    "Weighted inclusive Gregory single transferable vote, the PR Foundation reference rule: "
    "every paper of a surplus transferred at a reduced weight, 4 decimal places",
    options={"tie_order": TIE_ORDER_HELP},
    multi_winner=True,
    ballot=BallotShape.RANKING,
)
def count_wigm_stv(profile: Profile, *, seats: int, lot: Lot, **options: Any) -> Result:
    """Count by the reference WIGM rule in exact fixed-point arithmetic (integers scaled by 10^4).

    Ties go to ``tie_order`` (the rule's "predetermined random tiebreaking order", D.1) or,
    without it, to lot.
    """
    return WigmCount.count(profile, seats, lot, options.get("tie_order"))


class WigmCount(GregoryCount):
    """Rules B and C of the reference WIGM rule."""

    method_name = "wigm-stv"
    rule = RULE
    places = PLACES
    cite: ClassVar[dict[str, str]] = {
        "quota": "rule A.1: valid ballots / (seats + 1), truncated, plus 0.0001",
        "elect": "rule B.1",
        "surplus": "rule B.3",
        "exclude": "rule B.4",
        "remaining": "rule C",
    }

    @classmethod
    def quota_for(cls, valid: int, seats: int) -> int:
        # Rule A.1: valid ballots / (seats + 1), truncated, plus 0.0001.
        return valid * SCALE // (seats + 1) + 1

    def surplus_to_transfer(self) -> list[int]:
        # Rule B.3: the largest surplus of a pending candidate, even a surplus of zero.
        return list(self.pending)

    def transfer_value(self, value: int, surplus: int, total: int) -> int:
        # Rule B.3 with D.4: weight x surplus, truncated, then / vote, truncated.
        return value * surplus // SCALE * SCALE // total

    def break_tie(self, tied: list[int], highest: bool) -> tuple[int, TieBreak | None]:
        # Rule D.1: the tied candidate earliest in the tiebreaking order (or drawn by lot).
        return self.break_tie_by_order_or_lot(tied)
