"""One result type for every counting method, with every round explained."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from veche.tally.numbers import Number, format_number, number_from_json, number_to_json


@dataclass
class TieBreak:
    """How a tie was resolved: which candidates were level, by what means, who was chosen."""

    tied: list[str]
    resolved_by: str  # "earlier stages", "lot", "candidate order", ...
    chosen: str


@dataclass
class Round:
    """One step of a count: what was done, to whom, why, and the totals after it.

    ``tallies`` are the votes each candidate holds after this round (candidates
    no longer in the count may be left out); ``transfers`` are the votes each
    candidate gained (negative: lost) in this round; ``exhausted`` is the total
    of non-transferable votes so far.
    """

    number: int
    action: str
    note: str = ""
    tallies: dict[str, Number] = field(default_factory=dict)
    quota: Number | None = None
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    transfers: dict[str, Number] = field(default_factory=dict)
    transfer_value: Number | None = None
    exhausted: Number | None = None
    tie_break: TieBreak | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tallies"] = {k: number_to_json(v) for k, v in self.tallies.items()}
        data["transfers"] = {k: number_to_json(v) for k, v in self.transfers.items()}
        for key in ("quota", "transfer_value", "exhausted"):
            value = getattr(self, key)
            data[key] = None if value is None else number_to_json(value)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Round:
        tie = data.get("tie_break")
        return cls(
            number=data["number"],
            action=data["action"],
            note=data.get("note", ""),
            tallies={k: number_from_json(v) for k, v in data.get("tallies", {}).items()},
            quota=_optional_number(data.get("quota")),
            elected=list(data.get("elected", [])),
            excluded=list(data.get("excluded", [])),
            transfers={k: number_from_json(v) for k, v in data.get("transfers", {}).items()},
            transfer_value=_optional_number(data.get("transfer_value")),
            exhausted=_optional_number(data.get("exhausted")),
            tie_break=TieBreak(**tie) if tie else None,
        )


@dataclass
class Result:
    """The outcome of a count.

    ``elected`` lists winners in order of election (for list apportionment, one
    entry per seat in the order seats were allocated). ``decision`` is set by
    decision methods ("adopted", "rejected", "no quorum"). ``details`` holds what
    a method adds: the pairwise matrix, the Condorcet winner, seats per list, the
    rule and the numbers it compared. All numbers are exact.
    """

    method: str
    seats: int
    candidates: list[str]
    elected: list[str]
    rounds: list[Round] = field(default_factory=list)
    decision: str | None = None
    seed: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    ballots: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "seats": self.seats,
            "candidates": list(self.candidates),
            "elected": list(self.elected),
            "decision": self.decision,
            "ballots": self.ballots,
            "seed": self.seed,
            "options": _jsonable(self.options),
            "details": _jsonable(self.details),
            "rounds": [r.to_dict() for r in self.rounds],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            method=data["method"],
            seats=data["seats"],
            candidates=list(data["candidates"]),
            elected=list(data["elected"]),
            rounds=[Round.from_dict(r) for r in data.get("rounds", [])],
            decision=data.get("decision"),
            seed=data.get("seed"),
            options=dict(data.get("options", {})),
            details=dict(data.get("details", {})),
            ballots=data.get("ballots"),
        )

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls.from_dict(json.loads(text))

    def explain(self, places: int | None = 5) -> str:
        """A plain-text account of the count that a returning officer could read aloud."""
        lines = [f"Count by {self.method}", f"Seats to fill: {self.seats}"]
        if self.ballots is not None:
            lines.append(f"Ballots: {self.ballots}")
        if self.seed is not None:
            lines.append(f"Seed for drawing lots: {self.seed}")
        for rnd in self.rounds:
            lines.append("")
            lines.append(f"Round {rnd.number}: {rnd.action}")
            if rnd.note:
                lines.append(f"  {rnd.note}")
            if rnd.quota is not None:
                lines.append(f"  Quota: {format_number(rnd.quota, places)}")
            if rnd.transfer_value is not None:
                lines.append(f"  Transfer value: {format_number(rnd.transfer_value, places)}")
            width = max((len(name) for name in rnd.tallies), default=0)
            for name, votes in rnd.tallies.items():
                change = rnd.transfers.get(name)
                moved = f"  ({_signed(change, places)})" if change else ""
                lines.append(f"  {name.ljust(width)}  {format_number(votes, places)}{moved}")
            if rnd.exhausted is not None:
                lines.append(f"  Non-transferable: {format_number(rnd.exhausted, places)}")
            if rnd.tie_break is not None:
                tie = rnd.tie_break
                lines.append(
                    f"  Tie between {', '.join(tie.tied)} resolved by {tie.resolved_by}: {tie.chosen}"
                )
            for name in rnd.elected:
                lines.append(f"  Elected: {name}")
            for name in rnd.excluded:
                lines.append(f"  Excluded: {name}")
        lines.append("")
        if self.decision is not None:
            lines.append(f"Decision: {self.decision}")
        if self.elected:
            lines.append("Elected, in order: " + ", ".join(self.elected))
            if len(self.elected) < self.seats:
                # More seats than candidates to fill them: the count does not hide it.
                lines.append(f"Seats left empty: {self.seats - len(self.elected)}")
        elif self.decision is None:
            lines.append("No one was elected.")
        return "\n".join(lines)


def _optional_number(value: int | str | None) -> Number | None:
    return None if value is None else number_from_json(value)


def _signed(value: Number, places: int | None) -> str:
    text = format_number(value, places)
    return text if text.startswith("-") else "+" + text


def _jsonable(value: Any) -> Any:
    """Numbers inside option and detail structures, made exact JSON."""
    from decimal import Decimal
    from fractions import Fraction

    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return value
    if isinstance(value, int | Decimal | Fraction):
        return number_to_json(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)
