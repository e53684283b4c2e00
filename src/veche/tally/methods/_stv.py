"""Shared machinery for the STV counters: ballot arrays, exact sums, tie-breaking, wording."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.numbers import Number, format_number
from veche.tally.profile import EMPTY, IntArray, Profile, RankArray
from veche.tally.result import Result, Round, TieBreak

#: Sums of scaled votes stay below this, so int64 arithmetic is exact with room to spare.
_INT64_SAFE = 2**62

TIE_ORDER_HELP = (
    "candidate names in the order lots would fall: when a tie cannot be broken by the rule, "
    "the first tied candidate in this order is chosen (its surplus is transferred first, or it "
    "is excluded); default: draw lots with the seed"
)


@dataclass(frozen=True)
class Ballots:
    """A profile made ready for transfers: one row per distinct ballot, ending in ``EMPTY``.

    ``ranks[i]`` holds candidate indices, ``EMPTY`` (-1) after the last preference, with one
    extra ``EMPTY`` column so that a pointer moving along a row always comes to rest. Arrays
    indexed by candidate have ``n_candidates + 1`` entries: ``EMPTY`` indexes the last one,
    which stands for "no further preference" (non-transferable papers, a keep factor of 0).
    """

    names: tuple[str, ...]
    ranks: RankArray
    counts: IntArray
    standing: tuple[int, ...]
    valid: int

    @property
    def n_candidates(self) -> int:
        return len(self.names)


def prepare_ballots(profile: Profile, method: str, scale: int) -> Ballots:
    """Check the profile and lay its ballots out for counting at ``scale`` (10 ** places).

    Ballots that rank nobody are not valid votes and are dropped. Withdrawn candidates stay in
    the rows but are never continuing, so papers pass over them; a paper that ranks only
    withdrawn candidates is valid and non-transferable from the start, as in the Droop package
    and the Proportional Representation Foundation reference rules.
    """
    profile.require_strict(method)
    n = profile.n_candidates
    unknown = sorted(c for c in profile.withdrawn if not 0 <= c < n)
    if unknown:
        raise TallyError(f"withdrawn candidate indices {unknown} are not candidates of the profile")
    rankings = profile.rankings
    counts = profile.counts.astype(np.int64, copy=False)
    if rankings.size and (int(rankings.max()) >= n or int(rankings.min()) < EMPTY):
        raise TallyError("a ranking names a candidate index outside the profile")
    if counts.size and int(counts.min()) < 0:
        raise TallyError("a ballot count is negative")
    keep = counts > 0
    keep &= rankings[:, 0] != EMPTY if rankings.shape[1] else False
    everything = bool(keep.all())
    kept = rankings if everything else rankings[keep]
    ranks = np.concatenate([kept, np.full((kept.shape[0], 1), EMPTY, dtype=np.int32)], axis=1)
    counts = counts if everything else np.ascontiguousarray(counts[keep])
    valid = int(counts.sum())
    if valid == 0:
        raise TallyError(f"{method} needs at least one valid ballot; every ballot is empty")
    if valid * scale >= _INT64_SAFE:
        raise TallyError(
            f"{valid:,} ballots are more than {method} can count exactly at this precision"
        )
    standing = tuple(c for c in range(n) if c not in profile.withdrawn)
    if not standing:
        # As every other method: a count with no one to elect is the wrong file.
        raise TallyError(f"{method} needs at least one standing candidate, but there are none")
    return Ballots(profile.candidates, ranks, counts, standing, valid)


class StvCount:
    """What every STV count starts from: the ballots, the seats, and the way to break a tie
    that the rule itself cannot (the agreed ``tie_order``, or else lot)."""

    def __init__(
        self, ballots: Ballots, seats: int, lot: Lot, tie_order: dict[int, int] | None
    ) -> None:
        self.ballots = ballots
        self.names = ballots.names
        self.seats = seats
        self.lot = lot
        self.tie_order = tie_order
        #: Candidates elected so far, in the order of their election, and the rounds so far.
        self.elected: list[int] = []
        self.rounds: list[Round] = []

    def result(
        self, profile: Profile, method: str, options: dict[str, Any], details: dict[str, Any]
    ) -> Result:
        """The count as a Result once it has run; ``tie_order`` joins ``options`` if given."""
        return Result(
            method=method,
            seats=self.seats,
            candidates=list(profile.candidates),
            elected=[self.names[c] for c in self.elected],
            rounds=self.rounds,
            options={**options, **tie_order_names(profile, self.tie_order)},
            details=details,
        )

    def left_for(
        self, remaining: Sequence[int], standing: str, vacancies: int, vacancy: tuple[str, str]
    ) -> str:
        """'2 hopeful candidates are left for 1 seat: A and B', ``vacancy`` in both numbers."""
        word = "candidate is" if len(remaining) == 1 else "candidates are"
        return (
            f"{len(remaining)} {standing} {word} left for {vacancies} "
            f"{vacancy[0] if vacancies == 1 else vacancy[1]}: {names_of(remaining, self.names)}"
        )

    def break_tie_by_order_or_lot(self, tied: list[int]) -> tuple[int, TieBreak | None]:
        if len(tied) == 1:
            return tied[0], None
        return draw_or_order(tied, tied, self.names, self.lot, self.tie_order)


def advance(ranks: RankArray, pos: IntArray, rows: IntArray, stops: np.ndarray[Any, Any]) -> None:
    """Move each row's pointer forward until it rests on a candidate in ``stops`` (or the end)."""
    todo = rows
    while todo.size:
        moving = ~stops[ranks[todo, pos[todo]]]
        todo = todo[moving]
        pos[todo] += 1


def parse_tie_order(profile: Profile, value: object) -> dict[int, int] | None:
    """The ``tie_order`` option as candidate index -> position, checked against the profile:
    a list of names, or the names in one text separated by commas, as the command line gives
    them (``-o tie_order=Ann,Bob,Cy``)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [name.strip() for name in value.split(",")]
    if not isinstance(value, Sequence):
        raise TallyError("tie_order must list the candidates' names, e.g. Ann,Bob,Cy")
    index = {name: i for i, name in enumerate(profile.candidates)}
    order: dict[int, int] = {}
    for position, name in enumerate(value):
        if name not in index:
            raise TallyError(f"tie_order names {name!r}, who is not a candidate")
        if index[name] in order:
            raise TallyError(f"tie_order names {name!r} twice")
        order[index[name]] = position
    missing = [profile.candidates[c] for c in range(profile.n_candidates) if c not in order]
    if missing:
        raise TallyError(f"tie_order must list every candidate; it leaves out {', '.join(missing)}")
    return order


def draw_or_order(
    tied: Sequence[int],
    among: Sequence[int],
    names: Sequence[str],
    lot: Lot,
    tie_order: dict[int, int] | None,
) -> tuple[int, TieBreak]:
    """Choose one of ``among`` by the agreed tie order, or else by lot; ``tied`` is reported."""
    if tie_order is not None:
        chosen = min(among, key=tie_order.__getitem__)
        how = "tie order"
    else:
        pick = lot.draw([names[c] for c in among])
        chosen = next(c for c in among if names[c] == pick)
        how = "lot"
    return chosen, TieBreak([names[c] for c in tied], how, names[chosen])


def fixed(value: int, places: int) -> Decimal:
    """A scaled integer as an exact decimal with ``places`` places, never in E notation."""
    whole, frac = divmod(abs(value), 10**places)
    sign = "-" if value < 0 else ""
    return Decimal(f"{sign}{whole}.{frac:0{places}d}") if places else Decimal(f"{sign}{whole}")


def say(value: Number, places: int = 12) -> str:
    """A number for a sentence: thousands separated, whole numbers without decimals."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"{value.numerator:,}"
        value = Decimal(format_number(value, places))
    if isinstance(value, Decimal):
        return f"{int(value):,}" if value == value.to_integral_value() else f"{value:,f}"
    return f"{value:,}"


def names_of(candidates: Sequence[int], names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    listed = [names[c] for c in candidates]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def tie_order_names(profile: Profile, tie_order: dict[int, int] | None) -> dict[str, Any]:
    """The option as the result records it (empty when lots were to be drawn)."""
    if tie_order is None:
        return {}
    return {
        "tie_order": [profile.candidates[c] for c in sorted(tie_order, key=lambda c: tie_order[c])]
    }
