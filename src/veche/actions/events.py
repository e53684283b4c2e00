"""Live events, queued inside a transaction and delivered only after it commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

_QUEUE = "veche.events"


@dataclass(frozen=True)
class LiveEvent:
    """What changed, by type and ids — never ballot contents or who voted in a secret poll."""

    meeting_id: int
    type: str
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


def queue_event(session: Session, meeting_id: int, type: str, **ids: Any) -> None:
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
