"""Live events, queued inside a transaction and delivered only after it commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_QUEUE = "veche.events"


@dataclass(frozen=True)
class LiveEvent:
    """What changed, by type and ids — never ballot contents or who voted in a secret poll."""

    meeting_id: int
    type: str
    ids: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[LiveEvent], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> Callable[[], None]:
    """Receive every event after its transaction commits; returns a function that unsubscribes."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def queue_event(session: Session, meeting_id: int, type: str, **ids: Any) -> None:
    session.info.setdefault(_QUEUE, []).append(LiveEvent(meeting_id, type, ids))


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    for live_event in session.info.pop(_QUEUE, []):
        for listener in list(_listeners):
            listener(live_event)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, _previous_transaction: object) -> None:
    if session.in_transaction():
        return  # a savepoint was rolled back; the outer transaction's events still stand
    session.info.pop(_QUEUE, None)
