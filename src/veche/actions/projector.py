"""The projector under the chair's control: what the hall's screen shows, chosen by those who
run the floor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting, Poll, Projector
from veche.models.base import utcnow
from veche.models.polls import PollState
from veche.models.projector import ProjectorShows
from veche.permissions import Permission

#: The longest message the chair may put on the screen: a few lines the hall reads at a glance.
MAX_MESSAGE = 500


@dataclass(frozen=True)
class ProjectorChoice:
    """What the chair wants the screen to show: a poll names the poll, a message its words."""

    shows: ProjectorShows
    poll_id: int | None = None
    message: str = ""


def projector_of(session: Session, meeting_id: int) -> Projector | None:
    """The chair's choice for the meeting's screen; None while the chair has made none."""
    return session.get(Projector, meeting_id)


def check_projector_choice(
    session: Session, meeting: Meeting, choice: ProjectorChoice
) -> tuple[Poll | None, str]:
    """The poll and the message the choice puts on the screen, or what is wrong with it."""
    message = "\n".join(line.strip() for line in choice.message.strip().splitlines())
    if choice.shows is ProjectorShows.MESSAGE:
        if not message:
            raise InvalidInput(_("Type the message to show on the projector."))
        if len(message) > MAX_MESSAGE:
            raise InvalidInput(
                _("A message on the projector has at most %(most)s characters, not %(length)s.")
                % {"most": MAX_MESSAGE, "length": len(message)}
            )
    elif message:
        raise InvalidInput(_("Only a message is shown with words of its own: choose a message."))
    if choice.shows is not ProjectorShows.POLL:
        if choice.poll_id is not None:
            raise InvalidInput(_("A poll is chosen only to show it: choose to show a poll."))
        return None, message
    if choice.poll_id is None:
        raise InvalidInput(_("Choose the poll to show on the projector."))
    poll = session.get(Poll, choice.poll_id)
    if poll is None or poll.meeting_id != meeting.id:
        raise NotFound(_("This meeting has no such poll: choose one of its polls."))
    if poll.state is PollState.CANCELLED:
        raise Conflict(
            _("The poll “%(title)s” was cancelled: choose another one.") % {"title": poll.title}
        )
    return poll, message


def do_show_on_projector(
    session: Session, caller: Caller, meeting: Meeting, choice: ProjectorChoice
) -> Projector:
    """Put ``choice`` on the meeting's projector; every screen showing it changes at once."""
    authorize(session, caller, Permission.FLOOR_RUN, meeting.id)
    poll, message = check_projector_choice(session, meeting, choice)
    # Journaled first: the journal's lock makes two choices made at once follow each other,
    # so that the second finds the row the first one added.
    record(
        session,
        caller.actor,
        JournalAction.SHOW_ON_PROJECTOR,
        {
            "meeting_id": meeting.id,
            "shows": choice.shows,
            "poll_id": poll.id if poll is not None else None,
            "message": message,
        },
    )
    projector = projector_of(session, meeting.id)
    if projector is None:
        projector = Projector(meeting_id=meeting.id)
        session.add(projector)
    projector.shows = choice.shows
    projector.poll = poll
    projector.message = message
    projector.changed_at = utcnow()
    session.flush()
    queue_event(session, meeting.id, LiveEventType.PROJECTOR_CHANGED)
    return projector
