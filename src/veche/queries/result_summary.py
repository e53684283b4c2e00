"""A counted poll's result in brief, as the chair and the hall are told it: every ballot
received, the blank ones among them (counted and shown, never dropped), a decision's votes and
the yes votes its majority needed, the votes a count in rounds could transfer to no one, and
the outcome with the ties a lot settled."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from veche.models import Poll
from veche.models.polls import PollKind, VoteBy
from veche.reports._words import figure, with_lots
from veche.tally import Round

#: A decision's choices, in the order they are read out.
DECISION_CHOICES = ("yes", "no", "abstain")


@dataclass(frozen=True)
class ResultSummary:
    """What the count found, by weight (a right held with a weight of 3 is 3 votes)."""

    #: Every vote counted: electronic, on paper or in the tellers' totals, blank included.
    received: int
    blank: int
    #: A decision's votes for yes, no and abstain, in that order; empty for other polls.
    votes: list[tuple[str, int]]
    #: The yes votes a decision's majority needed; None for other polls, or without a quorum.
    required: int | None
    #: The outcome as recorded at the close, with every tie a lot settled and between whom.
    outcome: str = ""
    #: By round number, the votes so far that could be transferred to no one still counted
    #: (single transferable vote), as the chart's bars give votes; only the rounds that have some.
    non_transferable: dict[int, str] = field(default_factory=dict)
    #: Whether its voters could vote blank: a ballot can be; a hand raised in the hall cannot.
    takes_blank: bool = True

    @property
    def valid(self) -> int:
        """Votes that chose something: those the counting method counted."""
        return self.received - self.blank


def outcome_said(poll: Poll) -> str:
    """A counted poll's outcome as recorded at the close, with every tie a lot settled and
    between whom (``reports._words.with_lots``); "" before the count."""
    return with_lots(poll.outcome or "", poll.result)


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
    rounds = [Round.from_dict(data) for data in result.get("rounds", [])]
    return ResultSummary(
        received,
        int(result.get("blank", 0)),
        votes,
        required,
        outcome=outcome_said(poll),
        non_transferable={r.number: figure(r.exhausted) for r in rounds if r.exhausted},
        takes_blank=poll.vote_by is VoteBy.BALLOT,
    )
