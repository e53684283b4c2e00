"""The counting methods by their stable kebab-case names, and `count`, which runs one."""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.profile import EMPTY, Profile
from veche.tally.result import Result


class Counter(Protocol):
    """A counting method: profile in, result out. Options arrive as keyword arguments."""

    def __call__(self, profile: Profile, *, seats: int, lot: Lot, **options: Any) -> Result: ...


class BallotShape(enum.StrEnum):
    """What a voter fills in for a method; ballots, forms and paper entry are built from it."""

    SINGLE = "single"  # one choice
    APPROVAL = "approval"  # every choice the voter approves of
    RANKING = "ranking"  # choices in order of preference
    SCORE = "score"  # a score for each choice


@dataclass(frozen=True)
class Method:
    """A registered method: its name, a one-line summary, its options and their meaning, the
    ballot its voters fill in and the seats it fills."""

    name: str
    summary: str
    counter: Counter
    options: dict[str, str]
    ballot: BallotShape
    multi_winner: bool
    #: Decides yes or no on a motion: it fills no seat, so counting ignores the seats named.
    decision: bool
    #: A ballot marks at most as many choices as there are seats (block voting).
    limited_to_seats: bool

    def check_seats(self, seats: int) -> None:
        """Refuse a number of seats this method cannot fill."""
        if seats < 1:
            raise TallyError(f"seats must be at least 1, not {seats}")
        if seats != 1 and not self.multi_winner:
            raise TallyError(f"{self.name} elects one winner; it cannot fill {seats} seats")

    def check_options(self, given: Iterable[str], *, supplied: Collection[str] = ()) -> None:
        """Refuse options this method does not take, and those in ``supplied``: the caller
        fills those in itself, so they are not the user's to give."""
        takes = [name for name in self.options if name not in supplied]
        refused = sorted(set(given) - set(takes))
        if refused:
            raise TallyError(
                f"{self.name} does not take option(s) {', '.join(refused)}; "
                f"it takes: {', '.join(takes) or 'none'}"
            )


METHODS: dict[str, Method] = {}


def method(
    name: str,
    summary: str,
    *,
    ballot: BallotShape,
    options: dict[str, str] | None = None,
    multi_winner: bool = False,
    decision: bool = False,
    limited_to_seats: bool = False,
) -> Callable[[Counter], Counter]:
    """Register a counting method under ``name``."""

    def register(counter: Counter) -> Counter:
        if name in METHODS:
            raise RuntimeError(f"counting method {name!r} registered twice")
        METHODS[name] = Method(
            name=name,
            summary=summary,
            counter=counter,
            options=dict(options or {}),
            ballot=ballot,
            multi_winner=multi_winner,
            decision=decision,
            limited_to_seats=limited_to_seats,
        )
        return counter

    return register


def available_methods() -> dict[str, Method]:
    """Every method, loading the method modules on first use."""
    import veche.tally.methods  # noqa: F401  (registers the methods)

    return dict(sorted(METHODS.items()))


def method_named(name: str) -> Method:
    """The method registered as ``name``, or TallyError naming every method."""
    import veche.tally.methods  # noqa: F401  (registers the methods)

    found = METHODS.get(name)
    if found is None:
        raise TallyError(
            f"unknown counting method {name!r}; choose one of: {', '.join(sorted(METHODS))}"
        )
    return found


#: The ballots whose methods read scores where a ballot has them.
_READ_FROM_SCORES = (BallotShape.SCORE, BallotShape.APPROVAL)


def count(
    profile: Profile,
    method: str,
    seats: int | None = None,
    seed: int | None = None,
    **options: Any,
) -> Result:
    """Count ``profile`` by ``method``; ``seats`` defaults to the profile's, then to one.

    Unknown methods and options raise :class:`TallyError` naming what is allowed.
    Ties broken by lot use ``seed`` (a fresh one is drawn if none is given); the
    seed is recorded in the result either way.
    """
    chosen = method_named(method)
    chosen.check_options(options)
    seats = seats if seats is not None else (profile.seats or 1)
    # A decision fills no seat: a number of seats (a ballot file may name one) is ignored,
    # as long as it is one or more.
    chosen.check_seats(min(seats, 1) if chosen.decision else seats)
    if (
        profile.scores is not None
        and chosen.ballot not in _READ_FROM_SCORES
        and not (profile.rankings != EMPTY).any()
    ):
        # Counted, every candidate would have nothing and a lot would pick the winner.
        raise TallyError(
            f"these ballots give scores and rank no one, so {chosen.name} would find no votes "
            "in them; count them with score or approval, or read a file of rankings"
        )
    lot = Lot(seed)
    result = chosen.counter(profile, seats=seats, lot=lot, **options)
    result.seed = lot.seed if lot.draws else seed
    result.ballots = profile.n_voters
    return result
