"""Electing the candidates with the highest totals, with lots drawn for a tie across the last seat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.methods._ballots import Ballots
from veche.tally.numbers import Number
from veche.tally.profile import IntArray, Profile
from veche.tally.result import Result, Round, TieBreak


def exact(value: Fraction) -> Number:
    """A whole fraction as an int, so that results read ``42`` rather than ``42/1``."""
    return value.numerator if value.denominator == 1 else value


def elect_highest(
    names: Sequence[str],
    totals: Sequence[Number],
    seats: int,
    lot: Lot,
    *,
    method: str,
    action: str,
    unit: str = "votes",
    outcome: str = "elected",
) -> tuple[list[str], list[Round]]:
    """Choose the ``seats`` candidates with the highest totals, in order of their totals.

    Candidates level with one another whom the seats can all take are listed in
    ballot-paper order. When more are level for the last seats than there are
    seats left, lots are drawn one seat at a time, each draw its own round.
    ``outcome`` says what the chosen become; only "elected" marks them elected
    in the rounds (a two-round count chooses its finalists this way).
    """
    electing = outcome == "elected"
    if seats > len(names):
        raise TallyError(
            f"{method} cannot fill {seats} seat(s) from {len(names)} standing candidate(s); "
            "lower the number of seats"
        )
    order = sorted(range(len(names)), key=lambda i: totals[i], reverse=True)
    cutoff = totals[order[seats - 1]]
    above = [names[i] for i in order if totals[i] > cutoff]
    level = [names[i] for i in order if totals[i] == cutoff]
    open_seats = seats - len(above)
    settled = above + level if len(level) == open_seats else above
    if len(level) == open_seats:
        note = f"{outcome} with the highest totals: " + _listing(settled, names, totals)
    else:
        note = (
            f"{', '.join(level)} are level with {cutoff} {unit} each for "
            f"{open_seats} remaining seat(s); lots will be drawn"
        )
        if above:
            note = f"{outcome} with the highest totals: {_listing(above, names, totals)}; {note}"
    rounds = [
        Round(
            number=1,
            action=action,
            note=note,
            tallies={name: totals[i] for i, name in enumerate(names)},
            elected=list(settled) if electing else [],
        )
    ]
    elected = list(settled)
    if len(level) != open_seats:
        undrawn = list(level)
        for _ in range(open_seats):
            chosen = lot.draw(undrawn)
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    action=f"draw lots among {', '.join(undrawn)}",
                    note=f"level with {cutoff} {unit} each; {chosen} {outcome} by lot",
                    elected=[chosen] if electing else [],
                    tie_break=TieBreak(tied=list(undrawn), resolved_by="lot", chosen=chosen),
                )
            )
            elected.append(chosen)
            undrawn.remove(chosen)
    return elected, rounds


@dataclass(frozen=True)
class TotalsCount:
    """A count that elects the ``seats`` highest totals: the ballots, and what was asked."""

    profile: Profile
    ballots: Ballots
    seats: int
    lot: Lot
    method: str

    @classmethod
    def start(cls, profile: Profile, seats: int, lot: Lot, method: str) -> TotalsCount:
        """Ready ``profile``'s ballots for ``method`` (see :meth:`Ballots.countable`)."""
        return cls(profile, Ballots.countable(profile, method), seats, lot, method)

    def result(
        self,
        totals: IntArray | Sequence[Number],
        *,
        action: str,
        unit: str = "votes",
        options: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> Result:
        """Elect the highest of the standing candidates' ``totals`` (see :func:`elect_highest`);
        numpy totals are read as Python integers.
        """
        numbers = [int(t) for t in totals] if isinstance(totals, np.ndarray) else list(totals)
        elected, rounds = elect_highest(
            self.ballots.names,
            numbers,
            self.seats,
            self.lot,
            method=self.method,
            action=action,
            unit=unit,
        )
        return Result(
            method=self.method,
            seats=self.seats,
            candidates=list(self.profile.candidates),
            elected=elected,
            rounds=rounds,
            options=options or {},
            details=details or {},
        )


def _listing(chosen: Sequence[str], names: Sequence[str], totals: Sequence[Number]) -> str:
    index = {name: i for i, name in enumerate(names)}
    return ", ".join(f"{name} ({totals[index[name]]})" for name in chosen)
