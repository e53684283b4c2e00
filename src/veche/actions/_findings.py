"""What a check of the stored records against the journal found (``veche verify``)."""

from __future__ import annotations

from collections.abc import Iterable
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


# The words the checks name what they found with.

#: How many names a problem lists before it says how many more.
MOST_NAMED = 10


def listed(names: Iterable[str], most: int = MOST_NAMED) -> str:
    """Names joined by commas, the first ``most`` of them and how many more."""
    items = list(names)
    shown = ", ".join(items[:most])
    return shown if len(items) <= most else f"{shown} and {len(items) - most} more"


def persons(ids: list[int]) -> str:
    """ "person 4", "persons 4, 7"."""
    return ("person " if len(ids) == 1 else "persons ") + listed(str(i) for i in ids)


def rights_of(ids: list[int]) -> str:
    """ "the right of person 4", "the rights of persons 4, 7"."""
    return ("the right of " if len(ids) == 1 else "the rights of ") + persons(ids)


def is_(ids: list[int]) -> str:
    return "is" if len(ids) == 1 else "are"


def was(ids: list[int]) -> str:
    return "was" if len(ids) == 1 else "were"


def is_id(value: object) -> bool:
    """Whether a journal entry's field holds a row's id (a whole number, not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)
