"""Which polls the tellers enter paper ballots in, and how: as totals per option (a single
choice), or ballot by ballot, typed as the candidates' numbers (a ranking or an approval).

Each check asks for ``paper.enter`` before it reads the poll named, so that one who may not
enter paper ballots is refused (403) whatever poll they name. The ballots themselves are
checked and stored by ``actions.polls.do_enter_paper_ballots``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, meeting_row
from veche.actions.choices import shape_of
from veche.actions.polls import check_has_paper
from veche.errors import InvalidInput
from veche.i18n import _
from veche.models import Meeting, Poll
from veche.models.polls import VoteBy
from veche.permissions import Permission
from veche.tally import BallotShape

#: Ballot shapes a teller types as a line of candidate numbers.
TYPED_SHAPES = (BallotShape.RANKING, BallotShape.APPROVAL)


def entered_as_totals(poll: Poll) -> bool:
    """Whether the poll's paper ballots are counted as totals per option (a single choice);
    others are entered one by one. A poll counted in the hall has none."""
    return poll.vote_by is VoteBy.BALLOT and shape_of(poll.method) is BallotShape.SINGLE


def entered_typed(poll: Poll) -> bool:
    """Whether the poll's paper ballots are typed as the candidates' numbers."""
    return poll.vote_by is VoteBy.BALLOT and shape_of(poll.method) in TYPED_SHAPES


def check_paper_poll(
    session: Session, caller: Caller, meeting: Meeting, poll_id: int, *, lock: bool = False
) -> Poll:
    """A poll of the meeting, for one who may enter its paper ballots; ``lock`` takes the row
    for the ballots about to be added."""
    authorize(session, caller, Permission.PAPER_ENTER, meeting.id)
    poll = meeting_row(session, Poll, poll_id, meeting.id, "poll", lock=lock)
    check_has_paper(poll)
    return poll


def check_totals_poll(session: Session, caller: Caller, meeting: Meeting, poll_id: int) -> Poll:
    """A poll whose paper ballots are counted as totals per option: one of a single choice."""
    poll = check_paper_poll(session, caller, meeting, poll_id, lock=True)
    if not entered_as_totals(poll):
        raise InvalidInput("paper ballots of this method are entered one by one through the API")
    return poll


def check_typed_poll(session: Session, caller: Caller, meeting: Meeting, poll_id: int) -> Poll:
    """A poll whose paper ballots are typed as the candidates' numbers, ballot by ballot."""
    poll = check_paper_poll(session, caller, meeting, poll_id)
    if not entered_typed(poll):
        raise InvalidInput(
            _(
                "poll %(poll)s is counted by %(method)s: its paper ballots are entered as "
                "totals, on the paper ballots page or the secretary's desk"
            )
            % {"poll": poll.id, "method": poll.method}
        )
    return poll
