"""State machines: which state each state may become, declared once beside its enum."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from veche.errors import Conflict

State = TypeVar("State", bound=enum.StrEnum)


def said(state: enum.StrEnum) -> str:
    """A state as a sentence says it: "in session", not "in_session"."""
    return state.value.replace("_", " ")


@dataclass(frozen=True)
class Transitions(Generic[State]):
    """The states each state may become; a state that is not a key becomes nothing more.

    ``steps`` names the step that leads to a state ("close" leads to closed): the word an
    action's refusal uses and a page's button and address carry.
    """

    moves: Mapping[State, Collection[State]]
    steps: Mapping[str, State] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for step, target in self.steps.items():
            if not self.sources(target):
                raise ValueError(f"step {step!r} leads to {target.value}, which no state becomes")
        if len(set(self.steps.values())) != len(self.steps):
            raise ValueError("two steps lead to the same state")

    def may_become(self, state: State, target: State) -> bool:
        return target in self.moves.get(state, ())

    def may_take(self, state: State, step: str) -> bool:
        """Whether ``step`` may be taken from ``state``: what a page asks before it offers it."""
        return self.may_become(state, self.steps[step])

    def sources(self, target: State) -> list[State]:
        """The states that may become ``target``, in the order they are declared."""
        return [state for state, targets in self.moves.items() if target in targets]

    def reached(self, state: State, target: State) -> bool:
        """Whether ``state`` is ``target`` or a state that ``target`` leads to, at any remove."""
        seen = {target}
        frontier = [target]
        while frontier:
            for following in self.moves.get(frontier.pop(), ()):
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        return state in seen

    def check_step(self, state: State, target: State, subject: str) -> None:
        """Refuse a step not declared, naming the state it needs:
        "cannot close poll 7: it is draft, not open"."""
        if self.may_become(state, target):
            return
        step = {leads_to: name for name, leads_to in self.steps.items()}[target]
        needed = " or ".join(said(source) for source in self.sources(target))
        raise Conflict(f"cannot {step} {subject}: it is {said(state)}, not {needed}")

    def check_move(self, state: State, target: State, subject: str) -> None:
        """Refuse a move to a state asked for by name, saying where the subject can go:
        "meeting 3 is draft; it can move on to convened only, not closed"."""
        if self.may_become(state, target):
            return
        onward = " or ".join(said(following) for following in self.moves.get(state, ()))
        raise Conflict(
            f"{subject} is {said(state)}; "
            f"it can move on to {onward or 'nothing'} only, not {said(target)}"
        )
