"""A counted poll's result in brief, as the chair and the hall are told it: every ballot
received, the blank ones among them (counted and shown, never dropped), a decision's votes and
the yes votes its majority needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veche.models import Poll
from veche.models.polls import PollKind

#: A decision's choices, in the order they are read out.
DECISION_CHOICES = ("yes", "no", "abstain")


@dataclass(frozen=True)
class ResultSummary:
    """What the count found, by weight (a right held with a weight of 3 is 3 ballots)."""

    #: Every ballot counted: electronic, on paper or in the tellers' totals, blank included.
    received: int
    blank: int
    #: A decision's votes for yes, no and abstain, in that order; empty for other polls.
    votes: list[tuple[str, int]]
    #: The yes votes a decision's majority needed; None for other polls, or without a quorum.
    required: int | None

    @property
    def valid(self) -> int:
        """Ballots that chose something: those the counting method counted."""
        return self.received - self.blank


def result_summary(poll: Poll) -> ResultSummary | None:
    """The summary of a counted poll's stored result; None before the count."""
    result: dict[str, Any] | None = poll.result
    if not result:
        return None
    received = sum(int(n) for n in (result.get("ballots_by_source") or {}).values())
    votes: list[tuple[str, int]] = []
    required = None
    if poll.kind is PollKind.DECISION:
        details = result.get("details") or {}
        votes = [(choice, int(details.get(choice, 0))) for choice in DECISION_CHOICES]
        if details.get("required") is not None:
            required = int(details["required"])
    return ResultSummary(received, int(result.get("blank", 0)), votes, required)
