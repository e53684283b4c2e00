"""The delegate's room: the polls they follow, where they stand in each, whose result shows;
and the elections still taking candidates, with the viewer's own nominations."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, meeting_permissions, participant_of, result_visible
from veche.actions.rights import NOT_TAKING_PART, VotingRight, rights_on_day, voting_rights
from veche.errors import Forbidden
from veche.i18n import _
from veche.models import Meeting, Participant, Participation, Person, Poll, PollOption
from veche.models.meetings import ParticipantRole
from veche.models.polls import BallotSource, OptionStatus, PollKind, PollState, RightKind
from veche.permissions import Permission
from veche.queries.polls import MIN_BALLOTS_SHARING_A_WEIGHT, used_rights, withheld_from_board
from veche.queries.sitting import meeting_polls
from veche.sql import OneOf

#: Polls a delegate does not follow: not yet put to the meeting, or dropped.
_UNSEEN = (PollState.DRAFT, PollState.CANCELLED)


@dataclass(frozen=True)
class CastForYou:
    """Who cast a member's own vote for them: by proxy (``RightKind.PROXY``) or as their
    substitute."""

    kind: RightKind
    name: str


@dataclass
class Standing:
    """Where the viewer stands in one poll: the rights they may still use, or why not."""

    poll: Poll
    rights: list[VotingRight] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    reason: str | None = None
    #: Who used the viewer's own right, when someone else did: the proxy holder or the
    #: substitute who voted for them before they came (a ballot that stands).
    cast_for_you: CastForYou | None = None

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
    cast_for = _cast_for(session, votable, [person_id] if person_id is not None else [])
    found = []
    for poll in polls:
        rights = held.get((poll.meeting_id, poll.day)) if poll.state is PollState.OPEN else None
        if rights is None:
            found.append(Standing(poll))
        elif isinstance(rights, Forbidden):
            found.append(Standing(poll, reason=rights.message))
        else:
            mine = used[poll.id].intersection(r.right_person_id for r in rights)
            found.append(
                Standing(poll, rights, mine, cast_for_you=cast_for.get((poll.id, person_id)))
            )
    return found


def _cast_for(
    session: Session, poll_ids: Collection[int], person_ids: Collection[int]
) -> dict[tuple[int, int | None], CastForYou]:
    """By (poll, person): who else cast that person's own right in the poll, when someone did.
    One query for every poll and person."""
    if not poll_ids or not person_ids:
        return {}
    rows = session.execute(
        select(
            Participation.poll_id,
            Participation.right_person_id,
            Participation.kind,
            Person.full_name,
        )
        .join(Person, Person.id == Participation.cast_by_person_id)
        .where(
            OneOf(Participation.poll_id, "polls"),
            OneOf(Participation.right_person_id, "persons"),
            Participation.cast_by_person_id != Participation.right_person_id,
        ),
        {"polls": list(poll_ids), "persons": list(person_ids)},
    )
    return {(poll_id, person): CastForYou(kind, name) for poll_id, person, kind, name in rows}


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
    cast_by_others: set[int] = set()
    if opened:
        rows = session.execute(
            select(
                Participation.poll_id,
                Participation.right_person_id,
                Participation.cast_by_person_id,
            ).where(Participation.poll_id.in_(list(used)))
        )
        for poll_id, right_person_id, cast_by in rows:
            used[poll_id].add(right_person_id)
            if cast_by != right_person_id:
                cast_by_others.add(right_person_id)
    # Who cast the own vote of those someone else voted for: a few, read only when there are.
    asked = cast_by_others.intersection(person_ids)
    cast_for = _cast_for(session, list(used), asked)
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
                cast = cast_for.get((poll.id, person_id))
                standings_of_one.append(Standing(poll, rights, mine, cast_for_you=cast))
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


@dataclass(frozen=True)
class _Possible:
    """A ballot the poll may yet count: electronic, of a member's weight."""

    weight: int
    source: BallotSource = BallotSource.ELECTRONIC


@dataclass(frozen=True)
class BoardForecast:
    """What the bulletin board will keep back of a ballot just cast, told on its receipt."""

    weight: int
    #: Fewer members than the board's threshold carry the weight: even if every one of them
    #: voted electronically, the board would withhold it. Else it may, if too few do.
    certain: bool
    #: Whether its choice goes with it (the board then shows the ballot by its receipt alone).
    choice: bool
    #: The board's threshold (``MIN_BALLOTS_SHARING_A_WEIGHT``), as the receipt says it.
    sharing: int = MIN_BALLOTS_SHARING_A_WEIGHT


def board_forecast(session: Session, poll: Poll, weight: int) -> BoardForecast | None:
    """Whether the board of ``poll`` will withhold the weight (and perhaps the choice) of a
    ballot of ``weight``, by the board's own rule (``withheld_from_board``) applied to every
    ballot the meeting's members could cast: a right's weight is always a member's. None when
    it will not, or when it may but ``weight`` is the members' commonest."""
    members = session.execute(
        select(Participant.weight, func.count())
        .where(
            Participant.meeting_id == poll.meeting_id, Participant.role == ParticipantRole.MEMBER
        )
        .group_by(Participant.weight)
    ).all()
    possible = [_Possible(carried) for carried, count in members for _ in range(count)]
    withheld = withheld_from_board(poll, possible)
    ballot = _Possible(weight)
    if withheld.weight_of(ballot):
        return BoardForecast(weight, True, poll.board_shows_choices and withheld.choice_of(ballot))
    # It may, if too few cast it: as the one ballot of its weight among all the others.
    commonest = max(members, key=lambda row: row[1], default=None)
    if commonest is None or commonest[0] == weight:
        return None
    alone = withheld_from_board(poll, [ballot, *(p for p in possible if p.weight != weight)])
    if not alone.weight_of(ballot):
        return None
    return BoardForecast(weight, False, poll.board_shows_choices and alone.choice_of(ballot))
