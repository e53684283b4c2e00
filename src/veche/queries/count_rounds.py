"""The counts of a meeting that moved votes over several rounds (single transferable vote,
instant runoff, contingent vote), read round by round for its minutes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import Poll
from veche.models.polls import PollState
from veche.tally import BallotShape, Result, method_named


def counts_in_rounds(session: Session, meeting_id: int) -> dict[int, Result]:
    """By poll id, the stored count of each closed poll of the meeting counted from ranked
    ballots that gave candidates' totals in more than one round."""
    rows = session.execute(
        select(Poll.id, Poll.method, Poll.result)
        .where(
            Poll.meeting_id == meeting_id,
            Poll.state.in_((PollState.CLOSED, PollState.PUBLISHED)),
        )
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
