"""Adoption: the vote on a final motion makes it a numbered resolution, or rejects it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._numbering import next_number
from veche.actions.access import Caller, authorize
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_record_open
from veche.actions.motions import current_text, journal_motion_change, text_sha256
from veche.actions.polls import VOTE_BY_WORDS
from veche.errors import Conflict, InvalidInput
from veche.models import Motion, Poll, Resolution
from veche.models.motions import MOTION_TRANSITIONS, MotionState
from veche.models.polls import PollState, VoteBy
from veche.permissions import Permission
from veche.queries.agenda import ADOPTED


def vote_in_words(yes: int, no: int, abstain: int, vote_by: VoteBy = VoteBy.BALLOT) -> str:
    """ "adopted unanimously", "adopted 112 to 3, 5 abstaining", "adopted 40 to 2, by show of
    hands" — as a communiqué says it."""
    hall = "" if vote_by is VoteBy.BALLOT else f", by {VOTE_BY_WORDS[vote_by]}"
    if no == 0 and abstain == 0:
        return "adopted unanimously" + hall
    words = f"adopted {yes} to {no}"
    return words + (f", {abstain} abstaining" if abstain else "") + hall


def decisive_poll(session: Session, motion: Motion) -> Poll | None:
    """The newest closed vote on the motion."""
    return session.scalar(
        select(Poll)
        .where(
            Poll.motion_id == motion.id,
            Poll.state.in_((PollState.CLOSED, PollState.PUBLISHED)),
        )
        .order_by(Poll.closed_at.desc(), Poll.id.desc())
        .limit(1)
    )


def do_settle_motion(
    session: Session, caller: Caller, motion: Motion, *, effective_on: date | None = None
) -> Resolution | None:
    """Carry out the vote on a final motion: adopted, it becomes the next numbered resolution
    with its final text; otherwise it is rejected. Returns the resolution, if any."""
    meeting = motion.meeting
    authorize(session, caller, Permission.MOTIONS_MANAGE, motion.meeting_id)
    check_record_open(meeting, f"record the outcome of motion {motion.number}")
    # Adopted or rejected: both come from the same state, the final draft.
    if not MOTION_TRANSITIONS.may_become(motion.state, MotionState.ADOPTED):
        raise Conflict(
            f"motion {motion.number} is {motion.state.value}; only a final draft that was "
            "voted on is adopted or rejected"
        )
    poll = decisive_poll(session, motion)
    if poll is None:
        raise Conflict(f"motion {motion.number} has no closed vote; hold and close its poll first")
    if poll.state is not PollState.PUBLISHED:
        # Adopted or rejected shows everywhere the motion is listed: recorded before the
        # result is published, it would tell the outcome to those the result is still kept from.
        raise Conflict(
            f"the vote on motion {motion.number} is counted but its result not yet published: "
            "publish it from the console first, then record the outcome"
        )
    effective = effective_on or meeting.ends_on
    if effective < meeting.starts_on:
        raise InvalidInput(
            f"a resolution takes effect on the meeting's first day ({meeting.starts_on}) at the "
            f"earliest, not {effective}: give that day or a later one"
        )
    if poll.outcome != ADOPTED:
        motion.state = MotionState.REJECTED
        journal_motion_change(
            session,
            caller,
            motion,
            JournalAction.REJECT_MOTION,
            poll_id=poll.id,
            outcome=poll.outcome,
        )
        return None
    details = (poll.result or {}).get("details", {})
    yes, no, abstain = (int(details.get(k, 0)) for k in ("yes", "no", "abstain"))
    number = next_number(session, Resolution.number, Resolution.meeting_id == meeting.id)
    resolution = Resolution(
        meeting_id=meeting.id,
        motion_id=motion.id,
        poll_id=poll.id,
        number=number,
        title=motion.title,
        text=current_text(session, motion),
        result=vote_in_words(yes, no, abstain, poll.vote_by),
        votes_yes=yes,
        votes_no=no,
        votes_abstain=abstain,
        effective_on=effective,
    )
    session.add(resolution)
    motion.state = MotionState.ADOPTED
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ADOPT_RESOLUTION,
        {
            "motion_id": motion.id,
            "poll_id": poll.id,
            "resolution_id": resolution.id,
            "number": number,
            "result": resolution.result,
            "effective_on": effective,
            "title": resolution.title,
            "votes": {"yes": yes, "no": no, "abstain": abstain},
            "text_sha256": text_sha256(resolution.text),
        },
    )
    queue_event(session, meeting.id, LiveEventType.RESOLUTION_ADOPTED, resolution_id=resolution.id)
    return resolution
