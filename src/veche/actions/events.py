"""Live events, queued inside a transaction and delivered only after it commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

_QUEUE = "veche.events"


class LiveEventType(StrEnum):
    """Every kind of change an action announces; the value is the event's name on the wire.

    ``veche.web.fragments`` says which parts of the pages re-fetch on each of them.
    """

    MEETING_CHANGED = "meeting_changed"
    MEETING_STATE_CHANGED = "meeting_state_changed"
    PARTICIPANTS_CHANGED = "participants_changed"
    ATTENDANCE_CHANGED = "attendance_changed"
    PRESIDIUM_CHANGED = "presidium_changed"
    SITTING_ADDED = "sitting_added"
    AGENDA_CHANGED = "agenda_changed"
    AGENDA_PROPOSALS_CHANGED = "agenda_proposals_changed"
    ITEM_OPENED = "item_opened"
    ITEM_CLOSED = "item_closed"
    SPEAKERS_CHANGED = "speakers_changed"
    CONTRIBUTION_RECORDED = "contribution_recorded"
    SPEECH_ENDED = "speech_ended"
    PROJECTOR_CHANGED = "projector_changed"
    DOCUMENT_ADDED = "document_added"
    MOTION_SUBMITTED = "motion_submitted"
    MOTION_CHANGED = "motion_changed"
    PANEL_CHANGED = "panel_changed"
    POLL_CREATED = "poll_created"
    POLL_OPENED = "poll_opened"
    BALLOT_RECEIVED = "ballot_received"
    POLL_CLOSED = "poll_closed"
    POLL_PUBLISHED = "poll_published"
    POLL_CANCELLED = "poll_cancelled"
    RESOLUTION_ADOPTED = "resolution_adopted"


@dataclass(frozen=True)
class LiveEvent:
    """What changed, by type and ids — never ballot contents or who voted in a secret poll."""

    meeting_id: int
    type: str  # a LiveEventType, or the stream's own "resync" (veche.web.live)
    ids: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[LiveEvent], None]
_listeners: list[tuple[Listener, Engine | None]] = []


def subscribe(listener: Listener, *, bind: Engine | None = None) -> Callable[[], None]:
    """Receive every event after its transaction commits — with ``bind``, only those committed
    through that engine (one app among several in a process); returns a function that unsubscribes.
    """
    entry = (listener, bind)
    _listeners.append(entry)
    return lambda: _listeners.remove(entry)


def queue_event(session: Session, meeting_id: int, type: LiveEventType, **ids: Any) -> None:
    session.info.setdefault(_QUEUE, []).append(LiveEvent(meeting_id, type, ids))


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    events = session.info.pop(_QUEUE, [])
    if not events:
        return
    bind = session.get_bind()
    for live_event in events:
        for listener, wanted in list(_listeners):
            if wanted is None or wanted is bind:
                listener(live_event)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, _previous_transaction: object) -> None:
    if session.in_transaction():
        return  # a savepoint was rolled back; the outer transaction's events still stand
    session.info.pop(_QUEUE, None)
