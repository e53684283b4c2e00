"""The meeting's elections as the presidium page offers them: each with why it cannot seat the
presidium, asked of the action that seats it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from veche.actions.presidium import check_seats_presidium
from veche.errors import VecheError
from veche.models import Meeting, Poll
from veche.models.polls import PollKind
from veche.queries.sitting import meeting_polls


@dataclass(frozen=True)
class Election:
    """An election of the meeting, and why it cannot seat the presidium (None: it can)."""

    poll: Poll
    refusal: str | None


def presidium_elections(session: Session, meeting: Meeting) -> list[Election]:
    """The meeting's elections in the order made, each asked whether it can seat the
    presidium as seating it asks (``check_seats_presidium``): closed, and electing persons
    who take part in the meeting."""
    found = []
    for poll in meeting_polls(session, meeting):
        if poll.kind is not PollKind.ELECTION:
            continue
        try:
            check_seats_presidium(session, meeting, poll)
        except VecheError as refusal:
            found.append(Election(poll, refusal.message))
        else:
            found.append(Election(poll, None))
    return found
