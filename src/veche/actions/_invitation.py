"""Placing a person in a meeting's list of participants, as every invitation does: by name
from the desk, or with a seat in the body that reaches the term's meetings ahead."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from veche.actions.actor import Actor
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.models import Participant
from veche.models.meetings import ParticipantRole


def add_participant(
    session: Session,
    actor: Actor,
    meeting_id: int,
    person_id: int,
    role: ParticipantRole,
    *,
    category: str = "",
    weight: int = 1,
    membership_id: int | None = None,
) -> Participant:
    """Add the participant and journal the invitation, with the weight of the right it gives
    (which `veche verify` holds each cast of that right against) and the seat it came with."""
    participant = Participant(
        meeting_id=meeting_id, person_id=person_id, role=role, category=category, weight=weight
    )
    session.add(participant)
    session.flush()
    payload: dict[str, Any] = {
        "meeting_id": meeting_id,
        "person_id": person_id,
        "role": role,
        "category": category,
        "weight": weight,
    }
    if membership_id is not None:
        payload["membership_id"] = membership_id
    record(session, actor, JournalAction.INVITE, payload)
    # Who may do what in the meeting changed: the pages' kept permissions are read again.
    queue_event(session, meeting_id, LiveEventType.PARTICIPANTS_CHANGED)
    return participant
