"""What the fuzz tests share: how a server whose state moves on is fuzzed repeatably, how
many draws each takes, and how a stateful machine is run on each database."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

Test = TypeVar("Test", bound=Callable[..., Any])

#: An id no row has, within what the API takes (the largest a 32-bit integer column holds).
NO_ROW = 2_147_483_647


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


def run_machine(
    machine: type[RuleBasedStateMachine],
    label: str,
    database_url: str,
    *,
    runs: int,
    steps: int,
    fewer_on_postgresql: int = 3,
) -> None:
    """Take ``machine`` through ``runs`` runs (or as many as ``VECHE_FUZZ_EXAMPLES`` says) of
    ``steps`` steps each, drawn repeatably from ``label``; on PostgreSQL, slower, through a
    ``fewer_on_postgresql``-th as many, one at least."""
    taken = examples(runs)
    if database_url.startswith("postgresql"):
        taken = max(1, taken // fewer_on_postgresql)
    drawn = drawn_repeatably(taken, label)(machine)
    run_state_machine_as_test(
        drawn, settings=settings(drawn.TestCase.settings, stateful_step_count=steps)
    )
