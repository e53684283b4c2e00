"""The pages' live fragments and the events each re-fetches on, declared once for the templates.

A fragment is named after its partial template, in the folder of the role that shows it
(``console_current`` is ``chair/_console_current.html``); the page that holds it builds its ``hx-trigger`` with
``{{ listens("console_current") }}``. Every event is heard by some fragment or is in
``SHOWN_NOWHERE_LIVE`` with the reason, and tests/web/test_live_events_registry.py keeps
it so.
"""

from __future__ import annotations

from veche.actions.events import LiveEventType as Event
from veche.web.live import RESYNC

_POLL_STEPS = (Event.POLL_OPENED, Event.POLL_CLOSED, Event.POLL_PUBLISHED, Event.POLL_CANCELLED)
_FLOOR = (
    Event.SPEAKERS_CHANGED,
    Event.CONTRIBUTION_RECORDED,
    Event.SPEECH_ENDED,
    Event.ITEM_OPENED,
    Event.ITEM_CLOSED,
)

#: Each fragment and the events that change what it shows. Every fragment also re-fetches on
#: the stream's resync. Agenda changes reach the floor (the next item, the speaking time a
#: timer counts down) and the lists that name items by their position.
LISTENERS: dict[str, tuple[Event, ...]] = {
    # The quorum is counted on the meeting's day, which moves with its dates, and by the
    # participants' weights; the motions whose outcome waits to be recorded leave the list
    # as their outcome is recorded.
    "console_current": (
        Event.BALLOT_RECEIVED,
        Event.POLL_CREATED,
        *_POLL_STEPS,
        Event.ATTENDANCE_CHANGED,
        Event.MEETING_CHANGED,
        Event.PARTICIPANTS_CHANGED,
        Event.MOTION_CHANGED,
        Event.RESOLUTION_ADOPTED,
    ),
    "console_floor": (*_FLOOR, Event.AGENDA_CHANGED),
    "projector_current": (
        Event.BALLOT_RECEIVED,
        *_POLL_STEPS,
        Event.POLL_CREATED,
        *_FLOOR,
        Event.AGENDA_CHANGED,
        Event.PROJECTOR_CHANGED,
    ),
    # Not ballot_received: a hall of phones would re-fetch on every ballot; nor
    # attendance_changed, for every check-in at the door. own_ballot_cast goes to the
    # voter's own pages only: their other devices stop offering a ballot at once.
    "delegate_polls": (*_POLL_STEPS, Event.OWN_BALLOT_CAST),
    "delegate_floor": (*_FLOOR, Event.AGENDA_CHANGED),
    # An adopted motion changes its state, and only resolution_adopted says so.
    "motions_list": (
        Event.MOTION_SUBMITTED,
        Event.MOTION_CHANGED,
        Event.RESOLUTION_ADOPTED,
        Event.AGENDA_CHANGED,
    ),
    "documents_list": (Event.DOCUMENT_ADDED, Event.AGENDA_CHANGED),
}

#: Events that no live fragment shows yet, and why; a fragment that comes to show one of
#: them listens to it and takes it off this list.
SHOWN_NOWHERE_LIVE: dict[Event, str] = {
    Event.MEETING_STATE_CHANGED: "the meeting's state shows on the secretary's desk and the "
    "agenda proposals page, neither of them live",
    Event.GRANTS_CHANGED: "no page shows the roles live; the live fragments' cache reads "
    "what each person may do in the meeting again on it",
    Event.PRESIDIUM_CHANGED: "no page shows the presidium; the API and the reports do",
    Event.SITTING_ADDED: "no page shows the sittings; the API and the reports do",
    Event.AGENDA_PROPOSALS_CHANGED: "proposals show on the agenda proposals page, not live",
    Event.PANEL_CHANGED: "no page shows the panels; the API and the reports do",
}


#: Fragments whose rendering the event stream carries to the delegate's page
#: (``veche.web.fragment_cache`` renders each once per change and audience and pushes it;
#: the page swaps it in with ``sse-swap``): at a congress, no storm of thousands of fetches
#: after each change. Such a fragment fetches itself only on a resync, or on its
#: ``refresh_event`` — sent when the stream cannot carry it for that page, after a
#: reconnection whose missed events changed it, and for an event of the viewer's own pages
#: (``own_ballot_cast``), which no rendering for the room could carry.
PUSHED = frozenset({"delegate_polls", "delegate_floor"})


def refresh_event(fragment: str) -> str:
    """The event on which a pushed fragment fetches itself."""
    return f"refresh_{fragment}"


#: How long a fragment waits after an event before it re-fetches. htmx keeps one delay timer
#: per element, which each of its triggers restarts, so the events of one change (giving the
#: floor ends a speech and records a contribution: two events) or a replay after a
#: reconnection make one fetch instead of several — at a congress, one storm of thousands
#: of fetches instead of two. Short beside the second a page may take to be current.
COALESCE = "delay:100ms"


def listens(fragment: str) -> str:
    """The ``hx-trigger`` value of a live fragment: the SSE events it re-fetches on, a burst
    of them coalesced into one fetch (``COALESCE``); for a pushed one, the resync and its
    refresh only."""
    try:
        events: tuple[str, ...] = LISTENERS[fragment]
    except KeyError:
        raise LookupError(
            f"there is no live fragment {fragment!r}: declare it in veche.web.fragments"
        ) from None
    if fragment in PUSHED:
        events = (refresh_event(fragment),)
    return ", ".join(f"sse:{event} {COALESCE}" for event in (RESYNC, *events))
