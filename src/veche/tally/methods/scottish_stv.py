"""Scottish STV: The Scottish Local Government Elections Order 2007, Schedule 1, rules 45–52."""

from __future__ import annotations

from typing import Any, ClassVar

from veche.tally.lot import Lot
from veche.tally.methods._gregory import GregoryCount
from veche.tally.methods._stv import TIE_ORDER_HELP, draw_or_order
from veche.tally.profile import Profile
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result, TieBreak

#: Rule 48(3): transfer values are calculated to five decimal places, any remainder ignored.
PLACES = 5
SCALE: int = 10**PLACES
RULE = "The Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1, rules 45-52"


@method(
    "scottish-stv",
    "Single transferable vote as in Scottish council elections (SSI 2007/42): Droop quota, "
    "every paper of a surplus transferred at a value truncated to 5 decimal places",
    options={"tie_order": TIE_ORDER_HELP},
    multi_winner=True,
    ballot=BallotShape.RANKING,
)
def count_scottish_stv(profile: Profile, *, seats: int, lot: Lot, **options: Any) -> Result:
    """Count by the Scottish rules in exact fixed-point arithmetic (integers scaled by 10^5).

    Ties are broken as rules 49 and 51 say: by the most recent earlier stage at which the tied
    candidates had unequal votes (where only some were level there, the others drop out and
    the comparison goes on to the stage before), then by lot, or by ``tie_order`` when it is
    given so that a published count can be reproduced.
    """
    return ScottishCount.count(profile, seats, lot, options.get("tie_order"))


class ScottishCount(GregoryCount):
    """The stages of rules 47 to 52."""

    method_name = "scottish-stv"
    rule = RULE
    places = PLACES
    cite: ClassVar[dict[str, str]] = {
        "quota": "rules 45 and 46: valid papers / (seats + 1), decimals ignored, plus one",
        "elect": "rule 47",
        "surplus": "rules 48 and 49",
        "exclude": "rules 50 and 51",
        "remaining": "rule 52",
    }

    @classmethod
    def quota_for(cls, valid: int, seats: int) -> int:
        # Rule 46: valid papers divided by seats plus one, decimals ignored, plus one.
        return (valid // (seats + 1) + 1) * SCALE

    def surplus_to_transfer(self) -> list[int]:
        # Rule 48(1): only a vote that exceeds the quota leaves a surplus to transfer.
        return [c for c in self.pending if self.papers.votes[c] > self.quota]

    def transfer_value(self, value: int, surplus: int, total: int) -> int:
        # Rule 48(3): surplus x value of the paper, divided by the candidate's votes, to five
        # decimal places with the remainder ignored. Scaled integers make that exact.
        return value * surplus // total

    def election_order(self, candidate: int) -> tuple[int, ...]:
        """Most votes first; equal votes in the order rule 49(2) would transfer their surpluses.

        Comparing the totals stage by stage backwards is the same as taking the candidate with
        more votes at the most recent stage at which they differed. Equal at every stage, the
        order of the names stands in for the lot that would decide whose surplus goes first.
        """
        earlier = tuple(-int(totals[candidate]) for totals in reversed(self.history))
        return (-int(self.papers.votes[candidate]), *earlier, candidate)

    def break_tie(self, tied: list[int], highest: bool) -> tuple[int, TieBreak | None]:
        """Rules 49(2)-(3) and 51(2): look back stage by stage, then draw lots."""
        if len(tied) == 1:
            return tied[0], None
        among = tied
        for totals in reversed(self.history):
            values = [int(totals[c]) for c in among]
            best = max(values) if highest else min(values)
            among = [c for c, v in zip(among, values, strict=True) if v == best]
            if len(among) == 1:
                names = [self.names[c] for c in tied]
                return among[0], TieBreak(names, "earlier stages", self.names[among[0]])
        return draw_or_order(tied, among, self.names, self.lot, self.tie_order)
