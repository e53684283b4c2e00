"""A meeting's counts as its reports give them: those that moved votes over several rounds
(single transferable vote, instant runoff, contingent vote), read round by round for its
minutes; and for every counted poll the ballots beside the votes, the blank ones, the ties a
lot settled and a roll-call's weights."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.models import Ballot, Poll
from veche.models.polls import BallotSource, PollState, Secrecy
from veche.queries.polls import roll_call
from veche.reports._words import with_lots
from veche.tally import BallotShape, Result, method_named

#: The states of a counted poll, whose result the reports give.
_COUNTED = (PollState.CLOSED, PollState.PUBLISHED)


def counts_in_rounds(session: Session, meeting_id: int) -> dict[int, Result]:
    """By poll id, the stored count of each closed poll of the meeting counted from ranked
    ballots that gave candidates' totals in more than one round."""
    rows = session.execute(
        select(Poll.id, Poll.method, Poll.result)
        .where(Poll.meeting_id == meeting_id, Poll.state.in_(_COUNTED))
        .order_by(Poll.id)
    )
    counts = {}
    for poll_id, method, result in rows:
        if not result or "candidates" not in result:
            continue  # closed without a count: no quorum, or counted in the hall
        if method_named(method).ballot is not BallotShape.RANKING:
            continue
        counted = Result.from_dict(result)
        if sum(1 for counted_round in counted.rounds if counted_round.tallies) > 1:
            counts[poll_id] = counted
    return counts


@dataclass(frozen=True)
class CountFacts:
    """What a counted poll's record leaves to be said: a right held with a weight of 3 is one
    ballot and 3 votes, and a paper lot of 4 identical ballots is 4 ballots."""

    #: Each electronic ballot once, whatever its weight; each paper ballot of a lot; each vote
    #: of the tellers' totals in the hall.
    ballots: int
    #: The votes of those ballots, by weight: what the count counted.
    votes: int
    #: The blank votes among them, by weight.
    blank: int
    #: The outcome recorded at the close, with every tie a lot settled (``with_lots``).
    outcome: str | None
    #: A named poll's weights, in the order of its roll-call (``queries.polls.roll_call``).
    weights: list[int] = field(default_factory=list)


def count_facts(
    session: Session, meeting_id: int, *, weights: bool = True
) -> dict[int, CountFacts]:
    """By poll id, the facts of each counted poll of the meeting: two queries, and with
    ``weights`` one more for each named poll's roll-call."""
    polls = session.scalars(
        select(Poll).where(Poll.meeting_id == meeting_id, Poll.state.in_(_COUNTED))
    ).all()
    ballots: dict[int, int] = {}
    votes: dict[int, int] = {}
    for poll_id, source, rows, weight in session.execute(
        select(Ballot.poll_id, Ballot.source, func.count(), func.sum(Ballot.weight))
        .join(Poll, Poll.id == Ballot.poll_id)
        .where(Poll.meeting_id == meeting_id, Poll.state.in_(_COUNTED))
        .group_by(Ballot.poll_id, Ballot.source)
    ):
        weight = int(weight or 0)
        ballots[poll_id] = ballots.get(poll_id, 0) + (
            int(rows) if source is BallotSource.ELECTRONIC else weight
        )
        votes[poll_id] = votes.get(poll_id, 0) + weight
    return {
        poll.id: CountFacts(
            ballots=ballots.get(poll.id, 0),
            votes=votes.get(poll.id, 0),
            blank=int((poll.result or {}).get("blank", 0)),
            outcome=with_lots(poll.outcome, poll.result) if poll.outcome else None,
            weights=(
                [int(vote["weight"]) for vote in roll_call(session, poll)]
                if weights and poll.secrecy is Secrecy.NAMED
                else []
            ),
        )
        for poll in polls
    }
