"""Reads about polls: their state, the live count, results, the bulletin board, roll-calls."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.models import Ballot, Participation, Person, Poll
from veche.models.polls import BallotSource, PollState, Secrecy

#: States in which a poll's result and ballots may be shown.
SHOWN = (PollState.CLOSED, PollState.PUBLISHED)


@dataclass(frozen=True)
class LiveCount:
    """How many rights were used and paper ballots entered — never what was chosen while open."""

    electronic: int
    paper: int


def live_count(session: Session, poll: Poll) -> LiveCount:
    electronic = session.scalar(
        select(func.count()).select_from(Participation).where(Participation.poll_id == poll.id)
    )
    paper = session.scalar(
        select(func.coalesce(func.sum(Ballot.weight), 0)).where(
            Ballot.poll_id == poll.id, Ballot.source == BallotSource.PAPER
        )
    )
    return LiveCount(electronic or 0, int(paper or 0))


def voted_rights(
    session: Session, poll_ids: Collection[int], person_id: int
) -> dict[int, set[int]]:
    """For each poll, the rights (by the person whose right it is) that ``person_id`` has
    used in it: one query for all the polls."""
    used: dict[int, set[int]] = {poll_id: set() for poll_id in poll_ids}
    if not used:
        return used
    rows = session.execute(
        select(Participation.poll_id, Participation.right_person_id).where(
            Participation.poll_id.in_(list(used)), Participation.cast_by_person_id == person_id
        )
    )
    for poll_id, right_person_id in rows:
        used[poll_id].add(right_person_id)
    return used


def bulletin_board(session: Session, poll: Poll) -> list[dict[str, Any]]:
    """Every ballot of a closed poll, sorted by receipt, with the options' labels."""
    labels = {option.id: option.label for option in poll.options}
    rows = session.execute(
        select(Ballot.receipt, Ballot.choice, Ballot.weight, Ballot.source)
        .where(Ballot.poll_id == poll.id)
        .order_by(Ballot.receipt)
    ).all()
    return [
        {
            "receipt": row.receipt,
            "choice": readable_choice(row.choice, labels),
            "weight": row.weight,
            "source": row.source.value,
        }
        for row in rows
    ]


def roll_call(session: Session, poll: Poll) -> list[dict[str, Any]]:
    """A named poll's voters and their choices, by name; empty for secret polls."""
    if poll.secrecy is not Secrecy.NAMED:
        return []
    labels = {option.id: option.label for option in poll.options}
    rows = session.execute(
        select(Person.full_name, Ballot.choice, Ballot.weight)
        .join(Person, Person.id == Ballot.voter_person_id)
        .where(Ballot.poll_id == poll.id)
        .order_by(Person.full_name)
    ).all()
    return [
        {"voter": name, "choice": readable_choice(choice, labels), "weight": weight}
        for name, choice, weight in rows
    ]


def readable_choice(choice: dict[str, Any], labels: dict[int, str]) -> Any:
    """A stored ballot with option numbers replaced by their labels."""
    if choice.get("blank"):
        return "blank"
    if "option" in choice:
        return labels[choice["option"]]
    if "options" in choice:
        return [labels[i] for i in choice["options"]]
    if "ranking" in choice:
        return [labels[i] for i in choice["ranking"]]
    return {labels[int(k)]: v for k, v in choice["scores"].items()}
