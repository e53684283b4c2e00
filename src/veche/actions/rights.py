"""Voting rights: who may vote in a poll, and for whom — in person, as a substitute, by proxy.

The rules are worked out for many voters at once (``rights_on_day``), in a handful of
queries whatever their number, so that a group of ballots stored together has its
rights checked together, inside the transaction that stores it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from veche.errors import Forbidden
from veche.i18n import _
from veche.models import Body, Participant, Person, Poll, Proxy, Substitution
from veche.models.meetings import ParticipantRole
from veche.models.polls import RightKind
from veche.queries.org import in_meeting_body
from veche.queries.presence import present_among
from veche.sql import OneOf

#: Said to someone who holds no seat in the poll's meeting (or logs in as no person). The
#: refusals here are read by voters, on their phones and through the API alike.
NOT_TAKING_PART = "You do not take part in this meeting, so you have no vote in it."


@dataclass(frozen=True)
class VotingRight:
    """One vote a person may cast in a poll: their own, a proxy's, or an absent member's."""

    right_person_id: int
    kind: RightKind
    weight: int
    on_behalf_of: str | None  # the name of the member whose right it is, when not one's own


@dataclass(frozen=True)
class _Seat:
    """A participant, as far as voting rights need them."""

    id: int
    person_id: int
    role: ParticipantRole
    weight: int


@dataclass(frozen=True)
class _Entrusted:
    """A right someone else holds for a member: the holder, and the member it belongs to."""

    holder_id: int
    member_id: int
    right: VotingRight


def voting_rights(session: Session, poll: Poll, person_id: int | None) -> list[VotingRight]:
    """Every right ``person_id`` holds in ``poll`` now; Forbidden, with the reason, if none."""
    if person_id is None:
        raise Forbidden(_(NOT_TAKING_PART))
    found = rights_on_day(session, poll.meeting_id, poll.day, [person_id])[person_id]
    if isinstance(found, Forbidden):
        raise found
    return found


def rights_on_day(
    session: Session,
    meeting_id: int,
    day: date | None,
    person_ids: Collection[int],
) -> dict[int, list[VotingRight] | Forbidden]:
    """For each person, the rights they hold in a poll held on ``day``, or why they hold none.

    Members present vote; an alternate votes for the absent member they stand in for, if
    the body allows it; a member present also votes for each absent member whose proxy
    they hold; observers never vote.
    """
    seats = {
        row.person_id: _Seat(row.id, row.person_id, row.role, row.weight)
        for row in session.execute(
            _SEATS, {"meeting_id": meeting_id, "person_ids": list(person_ids)}
        )
    }
    voters = [seat for seat in seats.values() if seat.role != ParticipantRole.OBSERVER]
    entrusted = [] if day is None else _entrusted(session, meeting_id, day, voters)
    concerned = {s.id for s in voters} | {e.member_id for e in entrusted}
    present = set() if day is None else present_among(session, concerned, day)
    found: dict[int, list[VotingRight] | Forbidden] = {}
    for person_id in person_ids:
        seat = seats.get(person_id)
        if seat is None:
            found[person_id] = Forbidden(_(NOT_TAKING_PART))
        elif seat.role == ParticipantRole.OBSERVER:
            found[person_id] = Forbidden(_("Observers follow the meeting but do not vote."))
        elif day is None:
            found[person_id] = Forbidden(_("This vote has not opened yet."))
        elif seat.id not in present:
            found[person_id] = Forbidden(
                _(
                    "You are not checked in as present on %(day)s: ask the secretary to check "
                    "you in, then vote."
                )
                % {"day": day.isoformat()}
            )
        else:
            found[person_id] = _rights_of(seat, entrusted, present)
    return found


def rights_in_hall(session: Session, meeting_id: int, day: date) -> dict[int, int]:
    """Every voting right that can be used on ``day``, by the person whose right it is, with
    its weight: a member's own right while they are present, else their substitute's or
    their proxy holder's while that one is present.

    The rules are those of ``rights_on_day``, applied to everyone present at once, so that
    the quorum, the ceiling on ballots and the majority "of members present" count exactly
    the rights that voters hold. A right reachable twice (an absent member with both a
    substitute and a proxy holder present) is one right: it can be used once.
    """
    voters = [_Seat(*row) for row in session.execute(_MEETING_SEATS, {"meeting_id": meeting_id})]
    entrusted = _entrusted(session, meeting_id, day, voters)
    present = present_among(session, {seat.id for seat in voters}, day)
    held: dict[int, list[_Entrusted]] = defaultdict(list)
    for right in entrusted:
        held[right.holder_id].append(right)
    usable: dict[int, int] = {}
    for seat in voters:
        if seat.id not in present:
            continue
        rights = _rights_of(seat, held[seat.id], present)
        if not isinstance(rights, Forbidden):
            usable.update((right.right_person_id, right.weight) for right in rights)
    return usable


# The statements below are built once: a burst of ballots asks them for every group.
_SEATS = select(Participant.id, Participant.person_id, Participant.role, Participant.weight).where(
    Participant.meeting_id == bindparam("meeting_id"),
    OneOf(Participant.person_id, "person_ids"),
)
#: Observers never vote: left in the database, as a congress brings them by the thousand.
_MEETING_SEATS = select(
    Participant.id, Participant.person_id, Participant.role, Participant.weight
).where(
    Participant.meeting_id == bindparam("meeting_id"),
    Participant.role != ParticipantRole.OBSERVER,
)


def _rights_of(
    seat: _Seat, entrusted: list[_Entrusted], present: set[int]
) -> list[VotingRight] | Forbidden:
    rights = []
    if seat.role == ParticipantRole.MEMBER:
        rights.append(VotingRight(seat.person_id, RightKind.OWN, seat.weight, None))
    # A member who came after all votes in person: their substitute or proxy holder does not.
    rights += [e.right for e in entrusted if e.holder_id == seat.id and e.member_id not in present]
    if not rights:
        return Forbidden(
            _(
                "Alternates vote only when standing in for an absent member, and you stand in "
                "for no one today."
            )
        )
    return rights


#: The member whose right is held by someone else (an alias made once: making one is slow).
_MEMBER = aliased(Participant)
_SUBSTITUTES = (
    select(Substitution.alternate_id, _MEMBER.id, _MEMBER.person_id, _MEMBER.weight)
    .add_columns(Person.full_name)
    .join(_MEMBER, Substitution.member_id == _MEMBER.id)
    .join(Person, Person.id == _MEMBER.person_id)
    .where(
        OneOf(Substitution.alternate_id, "holders"),
        Substitution.day == bindparam("day"),
    )
)
_PROXIES = (
    select(Proxy.holder_id, _MEMBER.id, _MEMBER.person_id, _MEMBER.weight)
    .add_columns(Person.full_name)
    .join(_MEMBER, Proxy.grantor_id == _MEMBER.id)
    .join(Person, Person.id == _MEMBER.person_id)
    .where(OneOf(Proxy.holder_id, "holders"))
)


def _entrusted(
    session: Session, meeting_id: int, day: date, voters: list[_Seat]
) -> list[_Entrusted]:
    """Rights held for others: absent members' by their alternates, proxies by members."""
    found = []
    alternates = [s.id for s in voters if s.role == ParticipantRole.ALTERNATE]
    if alternates and _alternates_vote(session, meeting_id):
        rows = session.execute(_SUBSTITUTES, {"holders": alternates, "day": day})
        found += [
            _Entrusted(holder, member_id, VotingRight(person, RightKind.SUBSTITUTE, weight, name))
            for holder, member_id, person, weight, name in rows
        ]
    members = [s.id for s in voters if s.role == ParticipantRole.MEMBER]
    if members:
        rows = session.execute(_PROXIES, {"holders": members})
        found += [
            _Entrusted(holder, member_id, VotingRight(person, RightKind.PROXY, weight, name))
            for holder, member_id, person, weight, name in rows
        ]
    return found


def _alternates_vote(session: Session, meeting_id: int) -> bool:
    """Whether the body lets alternates vote for its absent members."""
    allowed = session.scalar(in_meeting_body(select(Body.alternates_vote_for_absent), meeting_id))
    return bool(allowed)
