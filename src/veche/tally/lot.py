"""Ties broken by lot, from a recorded seed so that a count can be reproduced."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence


class Lot:
    """Draws lots for tied candidates; the same seed always draws the same way."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed if seed is not None else secrets.randbits(32)
        self._random = random.Random(self.seed)
        self.draws = 0

    def draw(self, tied: Sequence[str]) -> str:
        """Pick one of the tied candidates. Sorting first makes the draw independent of input order."""
        if not tied:
            raise ValueError("cannot draw lots among no candidates")
        self.draws += 1
        return self._random.choice(sorted(tied))
