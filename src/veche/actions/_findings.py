"""What a check of the stored records against the journal found (``veche verify``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

#: How a check names a problem: a sentence, or a record of what differs.
Problem = TypeVar("Problem")


@dataclass
class Findings(Generic[Problem]):
    """The problems a check found, each printed on a line of its own; the records hold when
    it found none."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.problems
