"""The delegate's room: the polls they follow, where they stand in each, whose result shows;
and the elections still taking candidates, with the viewer's own nominations."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, meeting_permissions, participant_of, result_visible
from veche.actions.rights import NOT_TAKING_PART, VotingRight, rights_on_day, voting_rights
from veche.errors import Forbidden
from veche.i18n import _
from veche.models import Meeting, Participant, Participation, Poll, PollOption
from veche.models.polls import OptionStatus, PollKind, PollState
from veche.permissions import Permission
from veche.queries.polls import used_rights
from veche.queries.sitting import meeting_polls

#: Polls a delegate does not follow: not yet put to the meeting, or dropped.
_UNSEEN = (PollState.DRAFT, PollState.CANCELLED)


@dataclass
class Standing:
    """Where the viewer stands in one poll: the rights they may still use, or why not."""

    poll: Poll
    rights: list[VotingRight] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    reason: str | None = None

    @property
    def unused(self) -> list[VotingRight]:
        return [r for r in self.rights if r.right_person_id not in self.used]


def standing(session: Session, person_id: int | None, poll: Poll) -> Standing:
    return standings(session, person_id, [poll])[0]


def standings(session: Session, person_id: int | None, polls: Sequence[Poll]) -> list[Standing]:
    """Where ``person_id`` stands in each of a meeting's polls, in as many queries for many
    polls as for one: a poll's rights depend only on its meeting and its day, so they are
    worked out once for each, and the rights used are read for every open poll at once."""
    held: dict[tuple[int, date | None], list[VotingRight] | Forbidden] = {}
    for poll in polls:
        if poll.state is PollState.OPEN and (poll.meeting_id, poll.day) not in held:
            held[poll.meeting_id, poll.day] = _rights(session, poll, person_id)
    votable = [
        poll.id
        for poll in polls
        if poll.state is PollState.OPEN
        and not isinstance(held[poll.meeting_id, poll.day], Forbidden)
    ]
    # Rights are held by people only: without a person every open poll is refused above.
    rights_held = {
        right.right_person_id
        for rights in held.values()
        if not isinstance(rights, Forbidden)
        for right in rights
    }
    used = used_rights(session, votable, rights_held)
    found = []
    for poll in polls:
        rights = held.get((poll.meeting_id, poll.day)) if poll.state is PollState.OPEN else None
        if rights is None:
            found.append(Standing(poll))
        elif isinstance(rights, Forbidden):
            found.append(Standing(poll, reason=rights.message))
        else:
            mine = used[poll.id].intersection(r.right_person_id for r in rights)
            found.append(Standing(poll, rights, mine))
    return found


def standings_of_all(
    session: Session, polls: Sequence[Poll], person_ids: Collection[int]
) -> dict[int, list[Standing]]:
    """``standings`` of every one of ``person_ids`` at once, in as many queries for a hall of
    5,000 as for one person: the rights of each poll's day for all of them together, and the
    rights used in every open poll by anyone."""
    opened = [poll for poll in polls if poll.state is PollState.OPEN]
    held: dict[tuple[int, date | None], dict[int, list[VotingRight] | Forbidden]] = {}
    for poll in opened:
        if (poll.meeting_id, poll.day) not in held:
            held[poll.meeting_id, poll.day] = rights_on_day(
                session, poll.meeting_id, poll.day, person_ids
            )
    # The rights used in each open poll, by whoever cast them.
    used: dict[int, set[int]] = {poll.id: set() for poll in opened}
    if opened:
        rows = session.execute(
            select(Participation.poll_id, Participation.right_person_id).where(
                Participation.poll_id.in_(list(used))
            )
        )
        for poll_id, right_person_id in rows:
            used[poll_id].add(right_person_id)
    found: dict[int, list[Standing]] = {}
    for person_id in person_ids:
        standings_of_one = []
        for poll in polls:
            rights = (
                held[poll.meeting_id, poll.day][person_id] if poll.state is PollState.OPEN else None
            )
            if rights is None:
                standings_of_one.append(Standing(poll))
            elif isinstance(rights, Forbidden):
                standings_of_one.append(Standing(poll, reason=rights.message))
            else:
                # The rights used in the poll that this person holds, as ``standings`` has.
                mine = used[poll.id].intersection(r.right_person_id for r in rights)
                standings_of_one.append(Standing(poll, rights, mine))
        found[person_id] = standings_of_one
    return found


def outsider_standings(polls: Sequence[Poll]) -> list[Standing]:
    """``standings`` of someone who takes no part in the meeting (the staff, say)."""
    return [
        Standing(poll, reason=_(NOT_TAKING_PART))
        if poll.state is PollState.OPEN
        else Standing(poll)
        for poll in polls
    ]


def _rights(session: Session, poll: Poll, person_id: int | None) -> list[VotingRight] | Forbidden:
    try:
        return voting_rights(session, poll, person_id)
    except Forbidden as refusal:
        return refusal


@dataclass(frozen=True)
class Room:
    """The polls part of the delegate's meeting page."""

    meeting: Meeting
    participant: Participant | None
    #: The names of the permissions the viewer holds in the meeting.
    may: frozenset[str]
    #: Newest first.
    standings: list[Standing]
    #: By poll id: whether the viewer may see its result.
    results: dict[int, bool]


def polls_followed(session: Session, meeting: Meeting) -> list[Poll]:
    """The meeting's polls a delegate follows, oldest first."""
    return [poll for poll in meeting_polls(session, meeting) if poll.state not in _UNSEEN]


def room(session: Session, caller: Caller, meeting: Meeting) -> Room:
    may = meeting_permissions(session, caller, meeting.id)
    sees_closed = Permission.RESULTS_SEE_CLOSED in may
    shown = polls_followed(session, meeting)
    return Room(
        meeting=meeting,
        participant=participant_of(session, meeting.id, caller.person_id),
        may=may,
        standings=standings(session, caller.person_id, shown[::-1]),
        results={poll.id: result_visible(poll.state, sees_closed) for poll in shown},
    )


@dataclass(frozen=True)
class Nominations:
    """The elections of a meeting still taking candidates (in draft), and where the viewer is
    a candidate in them: told of a nomination, they answer it from their own pages."""

    #: Oldest first.
    elections_nominating: list[Poll]
    #: The viewer's candidacies in those elections (awaiting their answer, or standing).
    my_candidacies: list[PollOption]


def nominations(session: Session, caller: Caller, meeting: Meeting) -> Nominations:
    elections = [
        poll
        for poll in meeting_polls(session, meeting)
        if poll.kind is PollKind.ELECTION and poll.state is PollState.DRAFT
    ]
    mine = [
        option
        for poll in elections
        for option in poll.options
        if caller.person_id is not None
        and option.person_id == caller.person_id
        and option.status is not OptionStatus.WITHDRAWN
    ]
    return Nominations(elections_nominating=elections, my_candidacies=mine)
