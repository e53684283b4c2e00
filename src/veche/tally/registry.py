"""The counting methods by their stable kebab-case names, and `count`, which runs one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from veche.tally.errors import TallyError
from veche.tally.lot import Lot
from veche.tally.profile import Profile
from veche.tally.result import Result


class Counter(Protocol):
    """A counting method: profile in, result out. Options arrive as keyword arguments."""

    def __call__(self, profile: Profile, *, seats: int, lot: Lot, **options: Any) -> Result: ...


@dataclass(frozen=True)
class Method:
    """A registered method: its name, a one-line summary, its options and their meaning."""

    name: str
    summary: str
    counter: Counter
    options: dict[str, str]
    multi_winner: bool


METHODS: dict[str, Method] = {}


def method(
    name: str, summary: str, *, options: dict[str, str] | None = None, multi_winner: bool = False
) -> Callable[[Counter], Counter]:
    """Register a counting method under ``name``."""

    def register(counter: Counter) -> Counter:
        if name in METHODS:
            raise RuntimeError(f"counting method {name!r} registered twice")
        METHODS[name] = Method(name, summary, counter, dict(options or {}), multi_winner)
        return counter

    return register


def available_methods() -> dict[str, Method]:
    """Every method, loading the method modules on first use."""
    import veche.tally.methods  # noqa: F401  (registers the methods)

    return dict(sorted(METHODS.items()))


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
    methods = available_methods()
    chosen = methods.get(method)
    if chosen is None:
        raise TallyError(f"unknown counting method {method!r}; choose one of: {', '.join(methods)}")
    unknown = sorted(set(options) - set(chosen.options))
    if unknown:
        allowed = ", ".join(chosen.options) or "none"
        raise TallyError(
            f"{method} does not take option(s) {', '.join(unknown)}; it takes: {allowed}"
        )
    seats = seats if seats is not None else (profile.seats or 1)
    if seats < 1:
        raise TallyError(f"seats must be at least 1, not {seats}")
    if not chosen.multi_winner and seats != 1 and method not in _SEAT_AGNOSTIC:
        raise TallyError(f"{method} elects one winner; it cannot fill {seats} seats")
    lot = Lot(seed)
    result = chosen.counter(profile, seats=seats, lot=lot, **options)
    result.seed = lot.seed if lot.draws else seed
    result.ballots = profile.n_voters
    return result


#: Decision methods ignore seats; a profile read from a BLT file may still name some.
_SEAT_AGNOSTIC = frozenset({"majority"})
