"""Scottish STV: The Scottish Local Government Elections Order 2007, Schedule 1, rules 45–52."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from veche.tally.lot import Lot
from veche.tally.methods._stv import (
    TIE_ORDER_HELP,
    Ballots,
    advance,
    draw_or_order,
    fixed,
    names_of,
    parse_tie_order,
    prepare_ballots,
    say,
    sum_by_candidate,
    tie_order_names,
)
from veche.tally.profile import IntArray, Profile
from veche.tally.registry import method
from veche.tally.result import Result, Round, TieBreak

#: Rule 48(3): transfer values are calculated to five decimal places, any remainder ignored.
PLACES = 5
SCALE = 10**PLACES
RULE = "The Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1, rules 45-52"


@method(
    "scottish-stv",
    "Single transferable vote as in Scottish council elections (SSI 2007/42): Droop quota, "
    "every paper of a surplus transferred at a value truncated to 5 decimal places",
    options={"tie_order": TIE_ORDER_HELP},
    multi_winner=True,
)
def count_scottish_stv(profile: Profile, *, seats: int, lot: Lot, **options: Any) -> Result:
    """Count by the Scottish rules in exact fixed-point arithmetic (integers scaled by 10^5).

    Ties are broken as rules 49 and 51 say: by the most recent earlier stage at which the tied
    candidates had unequal votes (narrowing to those still level at each stage), then by lot,
    or by ``tie_order`` when it is given so that a published count can be reproduced.
    """
    tie_order = parse_tie_order(profile, options.get("tie_order"))
    ballots = prepare_ballots(profile, "scottish-stv", SCALE)
    count = _Count(ballots, seats, lot, tie_order)
    count.run()
    return Result(
        method="scottish-stv",
        seats=seats,
        candidates=list(profile.candidates),
        elected=[ballots.names[c] for c in count.elected],
        rounds=count.rounds,
        options=tie_order_names(profile, tie_order),
        details={
            "rule": RULE,
            "places": PLACES,
            "valid_ballots": ballots.valid,
            "quota": fixed(count.quota, PLACES),
            "non_transferable": fixed(count.non_transferable, PLACES),
            # Value lost to truncation (rule 48(3)), after each round: tallies plus
            # non-transferable plus this equal the valid ballots in every round.
            "rounding_loss": count.losses,
        },
    )


class _Count:
    """The state of one count: where each distinct paper rests, at what value, and the totals."""

    def __init__(
        self, ballots: Ballots, seats: int, lot: Lot, tie_order: dict[int, int] | None
    ) -> None:
        self.ballots = ballots
        self.names = ballots.names
        self.seats = seats
        self.lot = lot
        self.tie_order = tie_order
        n = ballots.n_candidates
        # Rule 46: valid papers divided by seats plus one, decimals ignored, plus one.
        self.quota = (ballots.valid // (seats + 1) + 1) * SCALE
        rows = ballots.ranks.shape[0]
        self.position = np.zeros(rows, dtype=np.int64)
        self.value = np.full(rows, SCALE, dtype=np.int64)
        self.holder = np.full(rows, n, dtype=np.int32)
        self.continuing = np.zeros(n + 1, dtype=np.bool_)
        self.continuing[list(ballots.standing)] = True
        self.votes = np.zeros(n, dtype=np.int64)
        self.non_transferable = 0
        self.loss = 0
        self.history: list[IntArray] = []
        self.elected: list[int] = []
        self.pending: list[int] = []
        self.rounds: list[Round] = []
        self.losses: list[Decimal] = []

    # The count -----------------------------------------------------------------------

    def run(self) -> None:
        self._first_stage()
        while True:
            vacancies = self.seats - len(self.elected)
            continuing = self._continuing()
            # Rule 48(1) transfers only while vacancies remain; rule 52 ends the count when
            # the continuing candidates are no more than the vacancies.
            if vacancies <= 0 or len(continuing) <= vacancies:
                break
            surpluses = [c for c in self.pending if self.votes[c] > self.quota]
            if surpluses:
                self._transfer_surplus(surpluses)
            else:
                self._exclude(continuing)
        self._elect_remaining()

    def _first_stage(self) -> None:
        """Rule 45: each paper counts one vote for its first preference."""
        rows = np.arange(self.ballots.ranks.shape[0])
        advance(self.ballots.ranks, self.position, rows, self._stops())
        self.holder[:] = self.ballots.ranks[rows, self.position]
        totals = sum_by_candidate(
            self.holder, self.ballots.counts * SCALE, self.ballots.n_candidates + 1
        )
        self.votes[:] = totals[:-1]
        self.non_transferable = int(totals[-1])
        quota = say(fixed(self.quota, PLACES))
        note = (
            f"{say(self.ballots.valid)} valid ballot papers; the quota is "
            f"{say(self.ballots.valid)} / {self.seats + 1}, ignoring decimals, plus one: "
            f"{quota} (rules 45 and 46)."
        )
        self._close_stage("first preferences", note, {}, None, [], None)

    def _transfer_surplus(self, holders: list[int]) -> None:
        """Rules 48 and 49: every paper of the highest surplus passes on at a reduced value."""
        top = max(int(self.votes[c]) for c in holders)
        chosen, tie = self._break_tie([c for c in holders if self.votes[c] == top], highest=True)
        total = int(self.votes[chosen])
        surplus = total - self.quota
        rows = np.flatnonzero(self.holder == chosen)
        # Papers received at the same value get the same transfer value; computing it once per
        # value in Python integers keeps surplus x value exact however large the count.
        received, which = np.unique(self.value[rows], return_inverse=True)
        transfer_values = np.array(
            [value * surplus // total for value in received.tolist()], dtype=np.int64
        )
        self.value[rows] = transfer_values[which]
        delta = self._move(rows)
        transferred = int(delta.sum())
        self.loss += surplus - transferred
        self.votes[chosen] = self.quota
        self.pending.remove(chosen)
        transfers = self._transfers(delta)
        transfers[self.names[chosen]] = fixed(-surplus, PLACES)
        value_of_one = fixed(SCALE * surplus // total, PLACES)
        note = (
            f"{self.names[chosen]} has {say(fixed(total, PLACES))} votes, "
            f"{say(fixed(surplus, PLACES))} above the quota of {say(fixed(self.quota, PLACES))}; "
            f"each of their papers passes on at the surplus times its value divided by "
            f"{say(fixed(total, PLACES))}, to 5 decimal places, remainder ignored "
            f"({value_of_one} for a paper of value one) (rules 48 and 49)."
        )
        self._close_stage(
            f"transfer surplus of {self.names[chosen]}", note, transfers, value_of_one, [], tie
        )

    def _exclude(self, continuing: list[int]) -> None:
        """Rules 50 and 51: the lowest candidate's papers pass on at their current values."""
        low = min(int(self.votes[c]) for c in continuing)
        chosen, tie = self._break_tie([c for c in continuing if self.votes[c] == low], False)
        self.continuing[chosen] = False
        rows = np.flatnonzero(self.holder == chosen)
        delta = self._move(rows)
        held = int(self.votes[chosen])
        self.votes[chosen] = 0
        transfers = self._transfers(delta)
        transfers[self.names[chosen]] = fixed(-held, PLACES)
        note = (
            f"{self.names[chosen]} has the fewest votes, {say(fixed(held, PLACES))}, and is "
            f"excluded; their papers pass on at their current values (rules 50 and 51)."
        )
        self._close_stage(f"exclude {self.names[chosen]}", note, transfers, None, [chosen], tie)

    def _elect_remaining(self) -> None:
        """Rule 52: as many continuing candidates as vacancies are deemed elected."""
        vacancies = self.seats - len(self.elected)
        remaining = self._continuing()
        if vacancies <= 0 or not remaining:
            return
        remaining.sort(key=lambda c: (-int(self.votes[c]), c))
        self.elected.extend(remaining)
        word = "candidate is" if len(remaining) == 1 else "candidates are"
        note = (
            f"{len(remaining)} continuing {word} left for {vacancies} "
            f"{'vacancy' if vacancies == 1 else 'vacancies'}: {names_of(remaining, self.names)} "
            f"deemed elected without further transfer (rule 52)."
        )
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                action="elect remaining",
                note=note,
                tallies=self._tallies(),
                quota=fixed(self.quota, PLACES),
                elected=[self.names[c] for c in remaining],
                exhausted=fixed(self.non_transferable, PLACES),
            )
        )
        self.losses.append(fixed(self.loss, PLACES))

    # Helpers -------------------------------------------------------------------------

    def _move(self, rows: IntArray) -> IntArray:
        """Pass papers on to their next continuing preference; return what each one gained.

        The last entry of the result is what became non-transferable (rule 48(1)(b), 50(2)(b)).
        """
        self.position[rows] += 1
        advance(self.ballots.ranks, self.position, rows, self._stops())
        self.holder[rows] = self.ballots.ranks[rows, self.position[rows]]
        delta = sum_by_candidate(
            self.holder[rows],
            self.ballots.counts[rows] * self.value[rows],
            self.ballots.n_candidates + 1,
        )
        self.votes += delta[:-1]
        self.non_transferable += int(delta[-1])
        return delta

    def _close_stage(
        self,
        action: str,
        note: str,
        transfers: dict[str, Any],
        transfer_value: Decimal | None,
        excluded: list[int],
        tie: TieBreak | None,
    ) -> None:
        """End a stage: rule 47 elects whoever now has a quota; the totals join the history."""
        reached = [c for c in self._continuing() if self.votes[c] >= self.quota]
        reached.sort(key=lambda c: (-int(self.votes[c]), c))
        for c in reached:
            self.continuing[c] = False
        self.elected.extend(reached)
        self.pending.extend(reached)
        if reached:
            each = "; ".join(
                f"{self.names[c]} has {say(fixed(int(self.votes[c]), PLACES))} votes"
                for c in reached
            )
            note += (
                f" {each}: at or above the quota of {say(fixed(self.quota, PLACES))}, "
                f"{'elected' if len(reached) == 1 else 'all elected'} (rule 47)."
            )
        if tie is not None:
            note += f" {', '.join(tie.tied)} were level; {tie.chosen} chosen by {tie.resolved_by}."
        self.history.append(self.votes.copy())
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                action=action,
                note=note,
                tallies=self._tallies(),
                quota=fixed(self.quota, PLACES),
                elected=[self.names[c] for c in reached],
                excluded=[self.names[c] for c in excluded],
                transfers=transfers,
                transfer_value=transfer_value,
                exhausted=fixed(self.non_transferable, PLACES),
                tie_break=tie,
            )
        )
        self.losses.append(fixed(self.loss, PLACES))

    def _break_tie(self, tied: list[int], highest: bool) -> tuple[int, TieBreak | None]:
        """Rules 49(2)-(3) and 51(2): look back stage by stage, then draw lots."""
        if len(tied) == 1:
            return tied[0], None
        among = tied
        for totals in reversed(self.history):
            values = [int(totals[c]) for c in among]
            best = max(values) if highest else min(values)
            # Where only some are level at that stage, those not at the extreme drop out and
            # the rest are compared at the stage before.
            among = [c for c, v in zip(among, values, strict=True) if v == best]
            if len(among) == 1:
                names = [self.names[c] for c in tied]
                return among[0], TieBreak(names, "earlier stages", self.names[among[0]])
        return draw_or_order(tied, among, self.names, self.lot, self.tie_order)

    def _continuing(self) -> list[int]:
        return [c for c in self.ballots.standing if self.continuing[c]]

    def _stops(self) -> np.ndarray[Any, Any]:
        """Where a paper comes to rest: a continuing candidate, or the end of its preferences."""
        stops = self.continuing.copy()
        stops[-1] = True
        return stops

    def _tallies(self) -> dict[str, Any]:
        return {self.names[c]: fixed(int(self.votes[c]), PLACES) for c in self.ballots.standing}

    def _transfers(self, delta: IntArray) -> dict[str, Any]:
        return {
            self.names[c]: fixed(int(delta[c]), PLACES)
            for c in self.ballots.standing
            if delta[c]
        }
