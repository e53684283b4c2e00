"""Ballot papers for Gregory-method STV: where each distinct ballot rests, at what value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np

from veche.tally.lot import Lot
from veche.tally.methods._ballots import weighted_count
from veche.tally.methods._stv import (
    Ballots,
    StvCount,
    advance,
    fixed,
    parse_tie_order,
    prepare_ballots,
    say,
)
from veche.tally.numbers import Number
from veche.tally.profile import EMPTY, IntArray, Profile
from veche.tally.result import Result, Round, TieBreak


class Papers:
    """The papers of a count, all ballots alike moving together, values scaled integers.

    Every distinct ballot has a pointer into its ranking (``position``), the candidate it
    rests with (``holder``, ``EMPTY`` once non-transferable) and the value of each of
    its papers (``value``). Totals are kept per candidate and updated as papers move, so a
    stage costs time in proportion to the papers it moves.
    """

    def __init__(self, ballots: Ballots, scale: int) -> None:
        self.ballots = ballots
        self.scale = scale
        rows = ballots.ranks.shape[0]
        n = ballots.n_candidates
        self.position = np.zeros(rows, dtype=np.int64)
        self.value = np.full(rows, scale, dtype=np.int64)
        self.holder = np.full(rows, EMPTY, dtype=np.int32)
        self.continuing = np.zeros(n + 1, dtype=np.bool_)
        self.continuing[list(ballots.standing)] = True
        self.votes = np.zeros(n, dtype=np.int64)
        self.non_transferable = 0

    def deal(self) -> None:
        """Give every paper, at value one, to its first continuing preference."""
        rows = np.arange(self.ballots.ranks.shape[0])
        advance(self.ballots.ranks, self.position, rows, self._stops())
        self.holder[:] = self.ballots.ranks[rows, self.position]
        totals = weighted_count(
            self.holder, self.ballots.counts * self.scale, self.ballots.n_candidates + 1
        )
        self.votes[:] = totals[:-1]
        self.non_transferable = int(totals[-1])

    def held_by(self, candidate: int) -> IntArray:
        return np.flatnonzero(self.holder == candidate)

    def revalue(self, rows: IntArray, new_value: Callable[[int], int]) -> None:
        """Set each paper's value from its present one, computing once per distinct value.

        Papers that arrived at the same value get the same new value, and the computation runs
        on Python integers, so it is exact however large the numbers grow.
        """
        received, which = np.unique(self.value[rows], return_inverse=True)
        values = np.array([new_value(v) for v in received.tolist()], dtype=np.int64)
        self.value[rows] = values[which.ravel()]

    def move(self, rows: IntArray) -> IntArray:
        """Pass papers on to their next continuing preference; return what each one gained.

        The last entry of the result is what became non-transferable.
        """
        self.position[rows] += 1
        advance(self.ballots.ranks, self.position, rows, self._stops())
        self.holder[rows] = self.ballots.ranks[rows, self.position[rows]]
        delta = weighted_count(
            self.holder[rows],
            self.ballots.counts[rows] * self.value[rows],
            self.ballots.n_candidates + 1,
        )
        self.votes += delta[:-1]
        self.non_transferable += int(delta[-1])
        return delta

    def continuing_candidates(self) -> list[int]:
        return [c for c in self.ballots.standing if self.continuing[c]]

    def _stops(self) -> np.ndarray[Any, Any]:
        """Where a paper comes to rest: a continuing candidate, or the end of its preferences."""
        stops = self.continuing.copy()
        stops[-1] = True
        return stops


class GregoryCount(StvCount):
    """A count by stages, each a surplus transfer or an exclusion (Scottish STV, WIGM).

    Subclasses say how the quota is set, which surpluses are transferred, how ties are broken,
    how a transfer value is computed and which rule each step follows; this class moves the
    papers and records every stage.
    """

    #: The registered name of the method, and the rule it counts by, for the result.
    method_name: ClassVar[str]
    rule: ClassVar[str]
    #: Decimal places of the fixed-point arithmetic.
    places: ClassVar[int]
    #: Rule references for notes, e.g. {"elect": "rule 47", ...}.
    cite: ClassVar[dict[str, str]]

    @classmethod
    def count(cls, profile: Profile, seats: int, lot: Lot, tie_order: object) -> Result:
        """Count ``profile`` by this rule; ``tie_order`` is the option as given, if it was."""
        order = parse_tie_order(profile, tie_order)
        ballots = prepare_ballots(profile, cls.method_name, 10**cls.places)
        count = cls(ballots, seats, lot, order)
        count.run()
        return count.result(profile, cls.method_name, {}, count.details())

    def __init__(
        self, ballots: Ballots, seats: int, lot: Lot, tie_order: dict[int, int] | None
    ) -> None:
        super().__init__(ballots, seats, lot, tie_order)
        self.quota = self.quota_for(ballots.valid, seats)
        self.papers = Papers(ballots, 10**self.places)
        self.loss = 0
        self.pending: list[int] = []
        self.history: list[IntArray] = []
        self.losses: list[Decimal] = []

    def details(self) -> dict[str, Any]:
        """What the result records of the count besides its rounds, once :meth:`run` is done."""
        return {
            "rule": self.rule,
            "places": self.places,
            "valid_ballots": self.ballots.valid,
            "quota": self.number(self.quota),
            "non_transferable": self.number(self.papers.non_transferable),
            # Value lost to truncation after each round: tallies, non-transferable
            # papers and this add up to the valid ballots in every round.
            "rounding_loss": self.losses,
        }

    # Rules a subclass supplies -------------------------------------------------------

    @classmethod
    def quota_for(cls, valid: int, seats: int) -> int:
        """The quota, scaled, for ``valid`` ballots and ``seats`` seats."""
        raise NotImplementedError

    def surplus_to_transfer(self) -> list[int]:
        """The candidates whose surplus may be transferred now."""
        raise NotImplementedError

    def break_tie(self, tied: list[int], highest: bool) -> tuple[int, TieBreak | None]:
        raise NotImplementedError

    def transfer_value(self, value: int, surplus: int, total: int) -> int:
        """The new value of a paper of ``value`` when ``surplus`` of ``total`` passes on."""
        raise NotImplementedError

    def election_order(self, candidate: int) -> tuple[int, ...]:
        """Sort key for candidates elected at the same stage: most votes first."""
        return (-int(self.papers.votes[candidate]), candidate)

    # The count -----------------------------------------------------------------------

    def run(self) -> None:
        self.papers.deal()
        self.close_stage("first preferences", self._quota_note(), {}, None, [], None)
        while True:
            vacancies = self.seats - len(self.elected)
            continuing = self.papers.continuing_candidates()
            if vacancies <= 0 or len(continuing) <= vacancies:
                break
            holders = self.surplus_to_transfer()
            if holders:
                self._transfer_surplus(holders)
            else:
                self._exclude(continuing)
        self._elect_remaining()

    def _transfer_surplus(self, holders: list[int]) -> None:
        votes = self.papers.votes
        top = max(int(votes[c]) for c in holders)
        chosen, tie = self.break_tie([c for c in holders if votes[c] == top], highest=True)
        total = int(votes[chosen])
        surplus = total - self.quota
        rows = self.papers.held_by(chosen)
        self.papers.revalue(rows, lambda value: self.transfer_value(value, surplus, total))
        delta = self.papers.move(rows)
        self.loss += surplus - int(delta.sum())
        votes[chosen] = self.quota
        self.pending.remove(chosen)
        transfers = self._transfers(delta)
        transfers[self.names[chosen]] = self.number(-surplus)
        value_of_one = self.number(self.transfer_value(10**self.places, surplus, total))
        note = (
            f"{self.names[chosen]} has {self.say(total)} votes, {self.say(surplus)} above the "
            f"quota of {self.say(self.quota)}; every paper they hold passes on at the surplus "
            f"times its value divided by {self.say(total)}, truncated to {self.places} "
            f"decimal places ({value_of_one} for a paper of value one) ({self.cite['surplus']})."
        )
        action = f"transfer surplus of {self.names[chosen]}"
        self.close_stage(action, note, transfers, value_of_one, [], tie)

    def _exclude(self, continuing: list[int]) -> None:
        votes = self.papers.votes
        low = min(int(votes[c]) for c in continuing)
        chosen, tie = self.break_tie([c for c in continuing if votes[c] == low], highest=False)
        held = int(votes[chosen])
        self.papers.continuing[chosen] = False
        delta = self.papers.move(self.papers.held_by(chosen))
        votes[chosen] = 0
        transfers = self._transfers(delta)
        transfers[self.names[chosen]] = self.number(-held)
        note = (
            f"{self.names[chosen]} has the fewest votes, {self.say(held)}, and is excluded; "
            f"their papers pass on at their present values ({self.cite['exclude']})."
        )
        self.close_stage(f"exclude {self.names[chosen]}", note, transfers, None, [chosen], tie)

    def _elect_remaining(self) -> None:
        vacancies = self.seats - len(self.elected)
        remaining = self.papers.continuing_candidates()
        if vacancies <= 0 or not remaining:
            return
        remaining.sort(key=lambda c: (-int(self.papers.votes[c]), c))
        for c in remaining:
            self.papers.continuing[c] = False
        self.elected.extend(remaining)
        left = self.left_for(remaining, "continuing", vacancies, ("vacancy", "vacancies"))
        note = f"{left} elected without further transfer ({self.cite['remaining']})."
        self._append_round("elect remaining", note, {}, None, remaining, [], None)

    def close_stage(
        self,
        action: str,
        note: str,
        transfers: dict[str, Number],
        transfer_value: Decimal | None,
        excluded: list[int],
        tie: TieBreak | None,
    ) -> None:
        """End a stage: whoever now has a quota is elected; the totals join the history."""
        votes = self.papers.votes
        reached = [c for c in self.papers.continuing_candidates() if votes[c] >= self.quota]
        reached.sort(key=self.election_order)
        for c in reached:
            self.papers.continuing[c] = False
        self.elected.extend(reached)
        self.pending.extend(reached)
        if reached:
            each = "; ".join(
                f"{self.names[c]} has {self.say(int(votes[c]))} votes" for c in reached
            )
            note += (
                f" {each}: at or above the quota of {self.say(self.quota)}, "
                f"{'elected' if len(reached) == 1 else 'all elected'} ({self.cite['elect']})."
            )
        if tie is not None:
            note += f" {', '.join(tie.tied)} were level; {tie.chosen} chosen by {tie.resolved_by}."
        self.history.append(votes.copy())
        self._append_round(action, note, transfers, transfer_value, reached, excluded, tie)

    def _append_round(
        self,
        action: str,
        note: str,
        transfers: dict[str, Number],
        transfer_value: Decimal | None,
        elected: list[int],
        excluded: list[int],
        tie: TieBreak | None,
    ) -> None:
        votes = self.papers.votes
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                action=action,
                note=note,
                tallies={self.names[c]: self.number(int(votes[c])) for c in self.ballots.standing},
                quota=self.number(self.quota),
                elected=[self.names[c] for c in elected],
                excluded=[self.names[c] for c in excluded],
                transfers=transfers,
                transfer_value=transfer_value,
                exhausted=self.number(self.papers.non_transferable),
                tie_break=tie,
            )
        )
        self.losses.append(self.number(self.loss))

    # Helpers -------------------------------------------------------------------------

    def number(self, scaled: int) -> Decimal:
        return fixed(scaled, self.places)

    def say(self, scaled: int) -> str:
        return say(self.number(scaled))

    def _quota_note(self) -> str:
        valid = self.ballots.valid
        return (
            f"{say(valid)} valid ballots; the quota is {self.say(self.quota)} "
            f"({self.cite['quota']})."
        )

    def _transfers(self, delta: IntArray) -> dict[str, Number]:
        return {
            self.names[c]: self.number(int(delta[c])) for c in self.ballots.standing if delta[c]
        }
