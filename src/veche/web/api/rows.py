"""What the API's routes take as dependencies beyond the session and the caller: the
request's one transaction, and the row of a meeting the path names, read in it.

A route that changes something takes ``Transaction``: its change and its answer are made in
one transaction, committed when the route returns and before the answer is sent (an error
of the commit is answered like any other), rolled back if it raises. A route given a
meeting, an agenda item or a motion by its path takes that row (``MeetingDep``, ``ItemDep``,
``MotionDep``): read in the request's transaction, or refused (404, 403) as the actions'
``access_*`` refuse it, after the caller is known and before the route runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from veche.actions.access import access_meeting
from veche.actions.agenda import access_item
from veche.actions.motions import access_motion
from veche.models import AgendaItem, Meeting, Motion
from veche.web.api.types import Id
from veche.web.deps import CallerDep, SessionDep


def _transaction(session: SessionDep) -> Iterator[Session]:
    with session.begin():
        yield session


#: The request's session in its one transaction (``scope="function"``: it ends when the
#: route returns, not after the answer is sent).
Transaction = Annotated[Session, Depends(_transaction, scope="function")]


def _meeting(meeting_id: Id, caller: CallerDep, session: Transaction) -> Meeting:
    return access_meeting(session, caller, meeting_id)


def _item(item_id: Id, caller: CallerDep, session: Transaction) -> AgendaItem:
    return access_item(session, caller, item_id)


def _motion(motion_id: Id, caller: CallerDep, session: Transaction) -> Motion:
    return access_motion(session, caller, motion_id)


#: The meeting of ``{meeting_id}``, if the caller may see it.
MeetingDep = Annotated[Meeting, Depends(_meeting)]
#: The agenda item of ``{item_id}``, if the caller may see its meeting.
ItemDep = Annotated[AgendaItem, Depends(_item)]
#: The motion of ``{motion_id}``, if the caller may see its meeting.
MotionDep = Annotated[Motion, Depends(_motion)]
