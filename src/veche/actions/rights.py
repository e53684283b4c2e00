"""Voting rights: who may vote in a poll, and for whom — in person, as a substitute, by proxy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import participant_of
from veche.actions.meetings import is_present
from veche.errors import Forbidden
from veche.models import Participant, Poll, Proxy, Substitution
from veche.models.meetings import ParticipantRole
from veche.models.polls import RightKind


@dataclass(frozen=True)
class VotingRight:
    """One vote a person may cast in a poll: their own, a proxy's, or an absent member's."""

    right_person_id: int
    kind: RightKind
    weight: int
    on_behalf_of: str | None  # the name of the member whose right it is, when not one's own


def voting_rights(session: Session, poll: Poll, person_id: int | None) -> list[VotingRight]:
    """Every right ``person_id`` holds in ``poll`` now; Forbidden, with the reason, if none."""
    participant = participant_of(session, poll.meeting_id, person_id)
    if participant is None:
        raise Forbidden(f"you are not a participant of meeting {poll.meeting_id}")
    if participant.role == ParticipantRole.OBSERVER:
        raise Forbidden("observers follow the meeting but do not vote")
    day = poll.day
    if day is None:
        raise Forbidden(f"poll {poll.id} is not open")
    if not is_present(session, participant, day):
        raise Forbidden(
            f"you are not checked in as present on {day}; ask the secretary to check you in"
        )
    rights: list[VotingRight] = []
    if participant.role == ParticipantRole.MEMBER:
        rights.append(VotingRight(participant.person_id, RightKind.OWN, participant.weight, None))
    rights += _substitute_rights(session, poll, participant)
    rights += _proxy_rights(session, poll, participant)
    if not rights:
        raise Forbidden(
            "alternates vote only when standing in for an absent member; "
            "you stand in for no one today"
        )
    return rights


def _substitute_rights(session: Session, poll: Poll, alternate: Participant) -> list[VotingRight]:
    if alternate.role != ParticipantRole.ALTERNATE or poll.day is None:
        return []
    if not poll.meeting.term.body.alternates_vote_for_absent:
        return []
    pairing = session.scalar(
        select(Substitution).where(
            Substitution.alternate_id == alternate.id, Substitution.day == poll.day
        )
    )
    if pairing is None or is_present(session, pairing.member, poll.day):
        return []  # the member came after all and votes in person
    member = pairing.member
    return [
        VotingRight(member.person_id, RightKind.SUBSTITUTE, member.weight, member.person.full_name)
    ]


def _proxy_rights(session: Session, poll: Poll, holder: Participant) -> list[VotingRight]:
    if holder.role != ParticipantRole.MEMBER or poll.day is None:
        return []
    proxies = session.scalars(select(Proxy).where(Proxy.holder_id == holder.id)).all()
    return [
        VotingRight(
            p.grantor.person_id, RightKind.PROXY, p.grantor.weight, p.grantor.person.full_name
        )
        for p in proxies
        if not is_present(session, p.grantor, poll.day)  # a member who came votes themselves
    ]
