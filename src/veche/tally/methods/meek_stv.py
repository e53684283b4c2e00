"""Meek STV: the PR Foundation's reference rule in fixed point, or an exact-rational variant."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.methods._ballots import weighted_count
from veche.tally.methods._stv import (
    TIE_ORDER_HELP,
    Ballots,
    StvCount,
    fixed,
    names_of,
    parse_tie_order,
    prepare_ballots,
    say,
)
from veche.tally.numbers import Number
from veche.tally.profile import EMPTY, IntArray, Profile, RankArray
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result, Round, TieBreak

#: PRF reference rule, step D.4 of the rule text: nine decimal places; omega is 10^-6 (rule A).
PLACES = 9
SCALE: int = 10**PLACES
OMEGA_FIXED: int = SCALE // 10**6
#: The exact variant iterates until the surplus is at most 10^-10.
OMEGA_RATIONAL = Fraction(1, 10**10)
#: Exact keep factors can double their digits with every iteration (each is the last one times
#: quota / vote, and the vote is built from all of them), so a count that needs many
#: iterations cannot be finished exactly; past this size it stops and says so.
EXACT_LIMIT_BITS = 2**12

PRF_RULE = "Proportional Representation Foundation, Reference Meek Rule (prfound.org)"
RATIONAL_RULE = (
    "Meek's method in exact rational arithmetic: quota = votes / (seats + 1), elected above "
    "the quota, omega = 10^-10, sure losers defeated together"
)

#: What ends an iteration.
ELECTED, OMEGA, STABLE, BATCH = "elected", "omega", "stable", "batch"

#: The state of a candidate, as used to reduce ballots to what a round can change.
_SKIP, _ELECTED, _HOPEFUL, _END = 0, 1, 2, 3


@method(
    "meek-stv",
    "Meek's single transferable vote: keep factors iterated until every elected candidate "
    "holds just a quota (PR Foundation reference rule, or exact rationals)",
    options={
        "arithmetic": (
            "'fixed' (default): the PR Foundation reference rule, 9 decimal places rounded as "
            "it says, omega 10^-6, one defeat at a time; 'rational': exact fractions, "
            "omega 10^-10, elected strictly above the quota, sure losers defeated together "
            "(a slow reference: a count needing so many iterations that the fractions outgrow "
            "4,096 binary digits stops with an error)"
        ),
        "tie_order": TIE_ORDER_HELP,
    },
    multi_winner=True,
    ballot=BallotShape.RANKING,
)
def count_meek_stv(profile: Profile, *, seats: int, lot: Lot, **options: Any) -> Result:
    """Count by Meek's method; ties for defeat go to ``tie_order`` or to lot (rule T)."""
    arithmetic = options.get("arithmetic", "fixed")
    if arithmetic not in ("fixed", "rational"):
        raise TallyError(f"arithmetic must be 'fixed' or 'rational', not {arithmetic!r}")
    exact = arithmetic == "rational"
    tie_order = parse_tie_order(profile, options.get("tie_order"))
    ballots = prepare_ballots(profile, "meek-stv", SCALE)
    count = _Meek(ballots, seats, lot, tie_order, exact)
    count.run()
    details = {
        "rule": RATIONAL_RULE if exact else PRF_RULE,
        "places": None if exact else PLACES,
        "omega": OMEGA_RATIONAL if exact else fixed(OMEGA_FIXED, PLACES),
        "valid_ballots": ballots.valid,
        # Per round, as the count stood when the round's decision was taken.
        "surplus": count.surpluses,
        "iterations": count.iterations,
        "keep_factors": count.keep_factor_log,
    }
    return count.result(profile, "meek-stv", {"arithmetic": arithmetic}, details)


class _Meek(StvCount):
    """One Meek count. Votes and keep factors are scaled integers, or fractions when exact."""

    def __init__(
        self,
        ballots: Ballots,
        seats: int,
        lot: Lot,
        tie_order: dict[int, int] | None,
        exact: bool,
    ) -> None:
        super().__init__(ballots, seats, lot, tie_order)
        self.n = ballots.n_candidates
        self.exact = exact
        self.one: int | Fraction = Fraction(1) if exact else SCALE
        self.total: int | Fraction = Fraction(ballots.valid) if exact else ballots.valid * SCALE
        # Rule A: hopeful candidates keep everything; withdrawn ones keep nothing.
        self.keep: list[int | Fraction] = [0] * self.n
        self.state = [_SKIP] * self.n
        for c in ballots.standing:
            self.keep[c] = self.one
            self.state[c] = _HOPEFUL
        self.votes: list[int | Fraction] = [0] * self.n
        self.quota: int | Fraction = 0
        self.surplus: int | Fraction = 0
        self.residual: int | Fraction = 0
        self.surpluses: list[Number] = []
        self.iterations: list[int] = []
        self.keep_factor_log: list[dict[str, Number]] = []

    # The count -----------------------------------------------------------------------

    def run(self) -> None:
        """Rule B: rounds of iteration, each ending in an election or a defeat."""
        while len(self._hopeful()) > self.seats - len(self.elected) > 0:
            status, steps, batch = self._iterate()
            if status == ELECTED:
                continue
            if status == BATCH:
                self._defeat(batch, status, steps, None)
                continue
            hopeful = self._hopeful()
            low = min(self.votes[c] for c in hopeful)
            # Rule B.3: candidates within the surplus of the lowest vote count as tied.
            tied = [c for c in hopeful if self.votes[c] <= low + self.surplus]
            chosen, tie = self.break_tie_by_order_or_lot(tied)
            self._defeat([chosen], status, steps, tie)
        self._finish()

    def _iterate(self) -> tuple[str, int, list[int]]:
        """Rule B.2: distribute, requota, elect, and adjust keep factors until settled."""
        groups, counts = self._groups()
        last_surplus = self.total
        steps = 0
        while True:
            steps += 1
            self._distribute(groups, counts)
            counted = [c for c in range(self.n) if self.state[c] in (_ELECTED, _HOPEFUL)]
            votes = sum((self.votes[c] for c in counted), self._zero())
            self.quota = self._quota(votes)
            reached = [c for c in self._hopeful() if self._has_quota(self.votes[c])]
            if reached:
                reached.sort(key=lambda c: (-self.votes[c], c))
                for c in reached:
                    self.state[c] = _ELECTED
                self.elected.extend(reached)
            surplus = sum((self.votes[c] - self.quota for c in self.elected), self._zero())
            self.surplus = surplus if self.exact else max(surplus, 0)
            if reached:
                self._record_election(reached, steps)
                return ELECTED, steps, []
            if self._below_omega(self.surplus):
                return OMEGA, steps, []
            if self.surplus >= last_surplus:
                return STABLE, steps, []
            if self.exact:
                batch = self._sure_losers()
                if batch:
                    return BATCH, steps, batch
            last_surplus = self.surplus
            for c in self.elected:
                self.keep[c] = self._new_keep_factor(c)
            if self.exact:
                self._check_size(steps)

    def _distribute(self, groups: IntArray, counts: IntArray) -> None:
        """Rule B.2.a: each ballot leaves with each candidate its keep factor of what remains."""
        if self.exact:
            votes = [Fraction(0)] * (self.n + 1)
            residual = Fraction(0)
            keep = [*self.keep, Fraction(0)]
            for sequence, count in zip(groups.tolist(), counts.tolist(), strict=True):
                left = Fraction(1)
                for c in sequence:
                    kept = left * keep[c]
                    votes[c] += kept * count
                    left -= kept
                residual += left * count
            self.votes = list(votes[: self.n])
            self.residual = residual
            return
        keep_factors = np.array([*self.keep, 0], dtype=np.int64)
        weight = np.full(groups.shape[0], SCALE, dtype=np.int64)
        totals = np.zeros(self.n + 1, dtype=np.int64)
        for column in groups.T:
            # weight x keep factor, to 9 places rounded up; both are at most 10^9, so the
            # product fits in int64.
            kept = -((-weight * keep_factors[column]) // SCALE)
            np.add.at(totals, column, kept * counts)
            weight -= kept
        self.votes = [int(v) for v in totals[: self.n]]
        self.residual = int((weight * counts).sum())

    def _groups(self) -> tuple[IntArray, IntArray]:
        """Reduce the ballots to what this round's iterations can change.

        A ballot passes over defeated candidates untouched and gives everything to its first
        hopeful candidate, so only the elected candidates before that one, and that one, matter.
        Ballots alike in that prefix are merged, which leaves a few hundred rows however many
        ballots there are; every iteration of the round then runs on those.
        """
        ranks, counts = self.ballots.ranks, self.ballots.counts
        code = np.array([*self.state, _END], dtype=np.int8)
        width = len(self.elected) + 1
        base = self.n + 1
        if base**width > 2**62:
            # Too many elected candidates to number the prefixes: compare them row by row.
            prefixes = _prefixes(ranks, code, width)
            groups, inverse = np.unique(prefixes, axis=0, return_inverse=True)
            return groups, weighted_count(inverse.ravel(), counts, groups.shape[0])
        key = _prefix_keys(ranks, code, base)
        if base**width <= max(2**20, key.size):
            # Few possible prefixes: count them in a table indexed by number, without sorting.
            table = weighted_count(key, counts, base**width)
            present = np.flatnonzero(table)
            example = np.empty(base**width, dtype=np.int64)
            example[key] = np.arange(key.size)
            rows, totals = example[present], table[present]
        else:
            _, rows, inverse = np.unique(key, return_index=True, return_inverse=True)
            totals = weighted_count(inverse.ravel(), counts, rows.size)
        return _prefixes(ranks[rows], code, width), totals

    def _defeat(self, losers: list[int], status: str, steps: int, tie: TieBreak | None) -> None:
        """Rule B.3: a defeated candidate keeps nothing from now on."""
        held = {c: self.votes[c] for c in losers}
        for c in losers:
            self.state[c] = _SKIP
            self.keep[c] = 0
        if status == BATCH:
            others = self._hopeful()
            note = (
                f"{names_of(losers, self.names)} cannot win: their votes, "
                f"{say(self._number(sum(held.values(), self._zero())))}, with the surplus of "
                f"{say(self._number(self.surplus))} are fewer than the "
                f"{say(self._number(min(self.votes[c] for c in others)))} of the next candidate;"
                f" defeated together."
            )
        else:
            why = f"the surplus of {say(self._number(self.surplus))} is " + (
                f"below omega ({self._omega_text()})" if status == OMEGA else "no longer falling"
            )
            loser = losers[0]
            note = (
                f"No one else reaches the quota: {why}. {self.names[loser]} has the fewest votes, "
                f"{say(self._number(held[loser]))}, and is defeated (rule B.3)."
            )
        if tie is not None:
            note += f" {', '.join(tie.tied)} were level; {tie.chosen} chosen by {tie.resolved_by}."
        action = f"exclude {names_of(losers, self.names)}"
        if not self.rounds:
            action, note = "first preferences", f"{self._quota_note()} {note}"
        self._record(action, note, steps, excluded=losers, tie=tie, shown=held)

    def _finish(self) -> None:
        """Rule C: fill the seats left with the hopeful candidates, if any seats are left."""
        if not self.rounds:
            groups, counts = self._groups()
            self._distribute(groups, counts)
            counted = sum((self.votes[c] for c in self.ballots.standing), self._zero())
            self.quota = self._quota(counted)
            self._record("first preferences", self._quota_note(), 1)
        vacancies = self.seats - len(self.elected)
        remaining = self._hopeful()
        if vacancies <= 0 or not remaining:
            return
        # One more distribution, keep factors unchanged, so that the last round shows where
        # the votes of the candidates defeated last have gone.
        groups, counts = self._groups()
        self._distribute(groups, counts)
        remaining.sort(key=lambda c: (-self.votes[c], c))
        for c in remaining:
            self.state[c] = _ELECTED
        self.elected.extend(remaining)
        left = self.left_for(remaining, "hopeful", vacancies, ("seat", "seats"))
        self._record("elect remaining", f"{left} elected (rule C).", 0, elected=remaining)

    # Arithmetic, as the rule in force says -----------------------------------------

    def _zero(self) -> int | Fraction:
        return Fraction(0) if self.exact else 0

    def _quota(self, votes: int | Fraction) -> int | Fraction:
        if self.exact:
            return Fraction(votes) / (self.seats + 1)
        # Rule B.2.b: votes / (seats + 1), truncated to 9 places, plus 10^-9.
        return int(votes) // (self.seats + 1) + 1

    def _has_quota(self, vote: int | Fraction) -> bool:
        # The fixed-point quota is already rounded up, so reaching it is enough (rule B.2.c).
        return vote > self.quota if self.exact else vote >= self.quota

    def _below_omega(self, surplus: int | Fraction) -> bool:
        return surplus <= OMEGA_RATIONAL if self.exact else surplus < OMEGA_FIXED

    def _new_keep_factor(self, c: int) -> int | Fraction:
        """Rule B.2.f: keep factor x quota / vote, each step rounded up to 9 places."""
        if self.exact:
            return Fraction(self.keep[c]) * self.quota / self.votes[c]
        scaled = -(-int(self.keep[c]) * int(self.quota) // SCALE)
        return -(-scaled * SCALE // int(self.votes[c]))

    def _check_size(self, steps: int) -> None:
        sizes = (
            max(k.numerator.bit_length(), k.denominator.bit_length())
            for k in self.keep
            if isinstance(k, Fraction)
        )
        if max(sizes, default=0) > EXACT_LIMIT_BITS:
            raise TallyError(
                f"exact Meek arithmetic cannot settle this count: after {steps} iterations of "
                f"round {len(self.rounds) + 1} the keep factors have grown past "
                f"{EXACT_LIMIT_BITS:,} binary digits and the surplus, "
                f"{say(self._number(self.surplus))}, is still above omega (10^-10); "
                f"count it with arithmetic='fixed' (the PR Foundation rule)"
            )

    def _sure_losers(self) -> list[int]:
        """Candidates who cannot win even with the whole surplus: defeat them at once.

        Candidates are taken from the bottom in groups that the surplus could reorder, never
        splitting a group, never leaving fewer hopeful candidates than seats, and only while the
        group's votes plus the surplus stay below the next candidate's vote.
        """
        hopeful = sorted(self._hopeful(), key=lambda c: (self.votes[c], c))
        groups: list[list[int]] = []
        group: list[int] = []
        anchor = self._zero()
        for c in hopeful:
            if anchor + self.surplus >= self.votes[c]:
                group.append(c)
                continue
            if group:
                groups.append(group)
            group = [c]
            anchor = self.votes[c]
        if group:
            groups.append(group)
        most = len(hopeful) - (self.seats - len(self.elected))
        taken = 0
        below = self._zero()
        batch: list[int] = []
        for g in range(len(groups) - 1):
            taken += len(groups[g])
            if taken > most:
                break
            below += sum((self.votes[c] for c in groups[g]), self._zero())
            if below + self.surplus < self.votes[groups[g + 1][0]]:
                batch = [c for group in groups[: g + 1] for c in group]
        return sorted(batch)

    def _number(self, value: int | Fraction) -> Number:
        return value if isinstance(value, Fraction) else fixed(value, PLACES)

    def _omega_text(self) -> str:
        return "10^-10" if self.exact else "10^-6"

    # Recording ------------------------------------------------------------------------

    def _record_election(self, reached: list[int], steps: int) -> None:
        each = "; ".join(
            f"{self.names[c]} has {say(self._number(self.votes[c]))} votes" for c in reached
        )
        above = "above" if self.exact else "at or above"
        note = (
            f"{each}: {above} the quota of {say(self._number(self.quota))}, "
            f"{'elected' if len(reached) == 1 else 'all elected'} (rule B.2.c)."
        )
        if not self.rounds:
            self._record("first preferences", f"{self._quota_note()} {note}", steps, reached)
        else:
            self._record(f"elect {names_of(reached, self.names)}", note, steps, reached)

    def _quota_note(self) -> str:
        if self.exact:
            return (
                f"{say(self.ballots.valid)} valid ballots; the quota is the votes divided by "
                f"{self.seats + 1}: {say(self._number(self.quota))}."
            )
        return (
            f"{say(self.ballots.valid)} valid ballots; the quota is the votes divided by "
            f"{self.seats + 1}, truncated to 9 places, plus 0.000000001: "
            f"{say(self._number(self.quota))} (rule B.2.b)."
        )

    def _record(
        self,
        action: str,
        note: str,
        steps: int,
        elected: list[int] | None = None,
        excluded: list[int] | None = None,
        tie: TieBreak | None = None,
        shown: dict[int, int | Fraction] | None = None,
    ) -> None:
        """Add a round; candidates just defeated are shown with the votes that defeated them."""
        shown = shown or {}
        tallies: dict[str, Number] = {}
        for c in self.ballots.standing:
            counted = self.state[c] != _SKIP
            tallies[self.names[c]] = self._number(
                shown.get(c, self.votes[c] if counted else self._zero())
            )
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                action=action,
                note=note,
                tallies=tallies,
                quota=self._number(self.quota),
                elected=[self.names[c] for c in elected or []],
                excluded=[self.names[c] for c in excluded or []],
                exhausted=self._number(self.residual),
                tie_break=tie,
            )
        )
        self.surpluses.append(self._number(self.surplus))
        self.iterations.append(steps)
        self.keep_factor_log.append(
            {
                self.names[c]: self._number(self.keep[c])
                for c in self.ballots.standing
                if self.state[c] == _ELECTED
            }
        )

    def _hopeful(self) -> list[int]:
        return [c for c in range(self.n) if self.state[c] == _HOPEFUL]


def _prefix_keys(ranks: RankArray, code: np.ndarray[Any, Any], base: int) -> IntArray:
    """Number each ballot's prefix (see ``_Meek._groups``): digits candidate + 1, in ``base``."""
    key = np.zeros(ranks.shape[0], dtype=np.int64)
    for rows, candidates in _prefix_steps(ranks, code):
        key[rows] = key[rows] * base + candidates + 1
    return key


def _prefixes(ranks: RankArray, code: np.ndarray[Any, Any], width: int) -> IntArray:
    """Each ballot's prefix as a row of candidates, padded with ``EMPTY`` (keeps nothing)."""
    prefix = np.full((ranks.shape[0], width), EMPTY, dtype=np.int64)
    filled = np.zeros(ranks.shape[0], dtype=np.int64)
    for rows, candidates in _prefix_steps(ranks, code):
        prefix[rows, filled[rows]] = candidates
        filled[rows] += 1
    return prefix


def _prefix_steps(
    ranks: RankArray, code: np.ndarray[Any, Any]
) -> Iterator[tuple[IntArray, IntArray]]:
    """Walk the ballots' prefixes a preference at a time: the rows whose prefix takes a
    candidate at this preference, and those candidates.

    A ballot goes on past skipped (defeated, withdrawn) and elected candidates and stops at
    its first hopeful one or at its end.
    """
    active = np.arange(ranks.shape[0])
    for k in range(ranks.shape[1]):
        here = ranks[active, k]
        kind = code[here]
        kept = (kind == _ELECTED) | (kind == _HOPEFUL)
        yield active[kept], here[kept]
        active = active[(kind == _ELECTED) | (kind == _SKIP)]
        if not active.size:
            break
