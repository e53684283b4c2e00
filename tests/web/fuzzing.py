"""What the fuzz tests share: how a server whose state moves on is fuzzed repeatably, and how
many draws each takes."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, seed, settings

Test = TypeVar("Test", bound=Callable[..., Any])


def examples(in_the_suite: int) -> int:
    """How many draws a fuzz test takes: few in the suite, so that it stays quick, or as
    many as ``VECHE_FUZZ_EXAMPLES`` says, to look harder for a while."""
    return int(os.environ.get("VECHE_FUZZ_EXAMPLES", in_the_suite))


def drawn_repeatably(examples: int, label: str, *tolerated: HealthCheck) -> Callable[[Test], Test]:
    """The settings of a hypothesis test that sends ``examples`` draws to a server: drawn from
    a seed of ``label`` (the route or operation), the same on every run, so that a failure
    repeats by it and nothing is saved between runs; and not shrunk, since the server's state
    moves on between draws and a smaller one found later may not fail for the same reason (the
    first failing draw is reported). ``tolerated``: health checks the drawing may trip besides
    ``too_slow``."""

    def apply(test: Test) -> Test:
        repeated = seed(zlib.crc32(label.encode()))(test)
        return settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, *tolerated],
        )(repeated)

    return apply
