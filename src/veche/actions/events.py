"""Live events, queued inside a transaction and delivered only after it commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    #: A role granted or withdrawn, or what a role grants changed, reaching the meeting.
    GRANTS_CHANGED = "grants_changed"
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
    #: For the voters' own pages only (``LiveEvent.persons``): they cast a ballot.
    OWN_BALLOT_CAST = "own_ballot_cast"
    POLL_CLOSED = "poll_closed"
    POLL_PUBLISHED = "poll_published"
    POLL_CANCELLED = "poll_cancelled"
    RESOLUTION_ADOPTED = "resolution_adopted"


#: The events for some persons' own pages (their phone and their laptop), never the room's.
PERSONAL = frozenset({LiveEventType.OWN_BALLOT_CAST})


@dataclass(frozen=True)
class LiveEvent:
    """What changed, by type and ids — never ballot contents or who voted in a secret poll.

    An event with ``persons`` is for the pages of those persons alone: what one of them did
    (cast a ballot) reaches their other open pages, and nobody else's. The persons travel
    between the server's processes, never to a page; they are left out of the event's repr,
    so that no log names them either.
    """

    meeting_id: int
    type: str  # a LiveEventType, or the stream's own "resync" (veche.web.live)
    ids: dict[str, Any] = field(default_factory=dict)
    persons: tuple[int, ...] = field(default=(), repr=False)


Listener = Callable[[LiveEvent], None]
_listeners: list[tuple[Listener, Engine | None]] = []


def subscribe(listener: Listener, *, bind: Engine | None = None) -> Callable[[], None]:
    """Receive every event after its transaction commits — with ``bind``, only those committed
    through that engine (one app among several in a process); returns a function that unsubscribes.
    """
    entry = (listener, bind)
    _listeners.append(entry)
    return lambda: _listeners.remove(entry)


def queue_event(
    session: Session,
    meeting_id: int,
    type: LiveEventType,
    *,
    for_persons: Iterable[int] = (),
    **ids: Any,
) -> None:
    """Queue an event for delivery after the commit: to the meeting's pages, or, for a
    ``PERSONAL`` type, to the pages of ``for_persons`` only."""
    persons = tuple(sorted(set(for_persons)))
    if type in PERSONAL and not persons:
        raise ValueError(f"{type} goes to some persons' pages only: name them in for_persons")
    if persons and type not in PERSONAL:
        raise ValueError(f"{type} goes to every page of the meeting: it names no persons")
    session.info.setdefault(_QUEUE, []).append(LiveEvent(meeting_id, type, ids, persons))


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
