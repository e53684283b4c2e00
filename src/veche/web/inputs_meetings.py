"""A meeting's convocation and stages, as the API and the secretary's desk ask for them:
``MeetingUpdate`` (``PATCH /api/meetings/{id}``), ``StateIn`` (``POST …/state``) and the
desk's ``StageForm``, which is the two together with what a page adds."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.meetings import check_meeting_move, do_change_meeting_state, do_update_meeting
from veche.errors import InvalidInput
from veche.i18n import _
from veche.models import Meeting
from veche.models.meetings import MeetingState
from veche.web.api.types import Id


class MeetingUpdate(BaseModel):
    """The convocation's fields to change; a field left out is left as it is."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    venue: str | None = Field(default=None, max_length=300)
    notice: str | None = Field(default=None, max_length=100_000)
    starts_on: date | None = None
    ends_on: date | None = None
    convened_by_body_id: Id | None = None

    def apply(self, session: Session, caller: Caller, meeting: Meeting) -> Meeting:
        return do_update_meeting(session, caller, meeting, **self.model_dump(exclude_unset=True))


class StateIn(BaseModel):
    """The stage to move the meeting to."""

    state: MeetingState

    def take(self, session: Session, caller: Caller, meeting: Meeting) -> Meeting:
        return do_change_meeting_state(session, caller, meeting, self.state)


class StageForm(StateIn):
    """The desk's step to ``state``: the notice written with it (to convene, or to change it
    until the session opens; the state the meeting is in keeps it there), and closing
    confirmed, since it ends the voting."""

    notice: str | None = Field(default=None, max_length=100_000)
    confirmed: bool = False

    def take(self, session: Session, caller: Caller, meeting: Meeting) -> Meeting:
        """The notice changed if it was (``PATCH /api/meetings/{id}``), then the meeting
        moved (``POST …/state``), in one transaction: a refusal of either changes nothing."""
        if self.notice is not None and self.notice.strip() != meeting.notice:
            MeetingUpdate(notice=self.notice).apply(session, caller, meeting)
        if self.state is MeetingState.CLOSED and not self.confirmed:
            # Asked after the action's own refusals, so that one who may not close the
            # meeting (or cannot yet) is told that first.
            check_meeting_move(session, caller, meeting, self.state)
            if meeting.state is not MeetingState.CLOSED:
                raise InvalidInput(
                    _(
                        "Closing the meeting ends its voting: tick the box to confirm it, "
                        "then close it."
                    )
                )
        return super().take(session, caller, meeting)
