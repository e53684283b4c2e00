"""A voter's own record in a meeting: whether they voted in each poll, and their choice where it is
on the record.

Secrecy decides what may be read here. That a right was used is known for every poll (the
participation), but a secret ballot's choice is never read: it lies apart from its voter,
and this module looks for it nowhere. Receipts are not kept with voters either, so none is
shown; only the voter's own device knows theirs. A named (roll-call) ballot records voter and
choice openly, and is shown as recorded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, meeting_permissions, participant_of, result_visible
from veche.models import Ballot, Meeting, Participant, Participation, Person, Poll
from veche.models.meetings import ParticipantRole
from veche.models.polls import PollState, Secrecy, VoteBy
from veche.permissions import Permission
from veche.queries.polls import readable_choice
from veche.queries.room import Standing, standings
from veche.queries.sitting import meeting_polls

#: Polls nobody votes in: not yet put to the meeting, or dropped.
_UNSEEN = (PollState.DRAFT, PollState.CANCELLED)


@dataclass(frozen=True)
class UsedRight:
    """A voting right the voter used: their own (``on_behalf_of`` None) or a member's."""

    on_behalf_of: str | None
    #: In a named poll, the choice recorded with this right (readable); None in a secret one.
    recorded: Any = None


@dataclass(frozen=True)
class MyVote:
    poll: Poll
    #: The rights the voter used in the poll, their own first.
    used: list[UsedRight] = field(default_factory=list)
    #: In an open poll, where the voter stands (rights left, or why none).
    standing: Standing | None = None

    @property
    def taken_in_hall(self) -> bool:
        """A show of hands or a standing vote: the tellers count, no one's vote is on record."""
        return self.poll.vote_by is not VoteBy.BALLOT

    @property
    def on_paper(self) -> bool:
        """Paper ballots only: they carry no voter, so whether one voted is not on record."""
        return not self.taken_in_hall and not self.poll.electronic

    @property
    def named(self) -> bool:
        return self.poll.secrecy is Secrecy.NAMED


@dataclass(frozen=True)
class MyVotes:
    meeting: Meeting
    participant: Participant | None
    #: The names of the permissions the viewer holds in the meeting (the tabs read them).
    may: frozenset[str]
    #: Newest first; empty for someone who holds no vote in the meeting.
    votes: list[MyVote]
    #: By poll id: whether the viewer may see its result.
    results: dict[int, bool]
    #: Whether the viewer holds a seat that votes (a member's, or an alternate's).
    votes_here: bool


def my_votes(session: Session, caller: Caller, meeting: Meeting) -> MyVotes:
    """The polls of the meeting the caller could vote in, with what they did in each: three
    queries beside the polls', however many polls."""
    may = meeting_permissions(session, caller, meeting.id)
    participant = participant_of(session, meeting.id, caller.person_id)
    person_id = caller.person_id
    if person_id is None or participant is None or participant.role == ParticipantRole.OBSERVER:
        return MyVotes(meeting, participant, may, [], {}, votes_here=False)
    polls = [poll for poll in meeting_polls(session, meeting) if poll.state not in _UNSEEN][::-1]
    used = _rights_used(session, [poll.id for poll in polls], person_id)
    # Only named polls: a secret ballot's choice is not looked for, let alone shown.
    named = [poll for poll in polls if poll.secrecy is Secrecy.NAMED]
    recorded = _named_choices(session, named, person_id)
    where = {s.poll.id: s for s in standings(session, person_id, polls)}
    votes = [
        MyVote(
            poll,
            [
                UsedRight(name, recorded.get((poll.id, right)))
                for right, name in sorted(used[poll.id], key=lambda r: r[1] is not None)
            ],
            where[poll.id] if poll.state is PollState.OPEN else None,
        )
        for poll in polls
    ]
    sees_closed = Permission.RESULTS_SEE_CLOSED in may
    return MyVotes(
        meeting,
        participant,
        may,
        votes,
        {poll.id: result_visible(poll.state, sees_closed) for poll in polls},
        votes_here=True,
    )


def _rights_used(
    session: Session, poll_ids: list[int], person_id: int
) -> dict[int, list[tuple[int, str | None]]]:
    """By poll, the rights ``person_id`` cast a ballot with: (whose right, their name unless
    it is the voter's own)."""
    found: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    if not poll_ids:
        return found
    rows = session.execute(
        select(Participation.poll_id, Participation.right_person_id, Person.full_name)
        .join(Person, Person.id == Participation.right_person_id)
        .where(Participation.poll_id.in_(poll_ids), Participation.cast_by_person_id == person_id)
        .order_by(Participation.poll_id, Person.full_name)
    )
    for poll_id, right, name in rows:
        found[poll_id].append((right, None if right == person_id else name))
    return found


def _named_choices(
    session: Session, named: list[Poll], person_id: int
) -> dict[tuple[int, int], Any]:
    """By (poll, whose right), the choice each named poll recorded of the ballots
    ``person_id`` cast, readable."""
    if not named:
        return {}
    labels = {poll.id: {option.id: option.label for option in poll.options} for poll in named}
    rows = session.execute(
        select(Ballot.poll_id, Ballot.voter_person_id, Ballot.choice).where(
            Ballot.poll_id.in_(list(labels)), Ballot.cast_by_person_id == person_id
        )
    )
    return {
        (poll_id, voter): readable_choice(choice, labels[poll_id])
        for poll_id, voter, choice in rows
    }
