"""A check-in that a closed decision's quorum counted cannot be undone: the close's figures
(members present) stand in the journal, and the minutes would then show fewer present."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import ADMIN, plenary_with_members_present
from veche.actions.attendance import do_check_in, do_check_out, do_undo_check_in
from veche.actions.closing import do_close_poll
from veche.actions.polls import do_create_poll, do_open_poll
from veche.db import transaction
from veche.errors import Conflict
from veche.models import Attendance, Meeting, Participant, Person
from veche.models.polls import PollKind

pytestmark = pytest.mark.demo


def _undo(sessions: sessionmaker[Session], meeting_id: int, person_id: int, day: date) -> None:
    with transaction(sessions) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        do_undo_check_in(session, ADMIN, meeting, person_id, day)


def _attends(sessions: sessionmaker[Session], meeting_id: int, person_id: int) -> bool:
    with sessions() as session:
        return (
            session.scalar(
                select(Attendance.day)
                .join(Participant, Participant.id == Attendance.participant_id)
                .where(Participant.meeting_id == meeting_id, Participant.person_id == person_id)
            )
            is not None
        )


def test_a_check_in_a_closed_decisions_quorum_counted_is_not_undone(
    sessions: sessionmaker[Session],
) -> None:
    day = date.today()
    with transaction(sessions) as session:
        meeting, members = plenary_with_members_present(session, day)
        counted, left, came_back, late = members[:4]
        # One left before the vote closed, another left and came back after it.
        for person_id in (left, came_back, late):
            do_check_out(session, ADMIN, meeting, person_id, day)
        do_undo_check_in(session, ADMIN, meeting, late, day)  # not there at all, by mistake
        # An election's count takes no quorum: its close counts no one present.
        election = do_create_poll(
            session,
            ADMIN,
            meeting,
            title="Elect the tellers",
            method="irv",
            kind=PollKind.ELECTION,
            options=["Ada", "Boris"],
        )
        do_open_poll(session, ADMIN, election.id, day)
        do_close_poll(session, ADMIN, election.id)
        decision = do_create_poll(
            session, ADMIN, meeting, title="Adopt the budget", kind=PollKind.DECISION
        )
        do_open_poll(session, ADMIN, decision.id, day)
        do_close_poll(session, ADMIN, decision.id)
        do_check_in(session, ADMIN, meeting, came_back, day)
        do_check_in(session, ADMIN, meeting, late, day)
        meeting_id = meeting.id
        name = session.get(Person, counted)
        assert name is not None
        counted_name = name.full_name

    with pytest.raises(Conflict) as refused:
        _undo(sessions, meeting_id, counted, day)
    assert refused.value.status_code == 409
    assert refused.value.message == (
        f"cannot undo the check-in of {counted_name} on {day}: the quorum of “Adopt the "
        "budget”, closed that day, counted them present; check them out instead if they left"
    )
    assert _attends(sessions, meeting_id, counted)
    # Checked out since: still counted at the close.
    with transaction(sessions) as session:
        meeting_now = session.get(Meeting, meeting_id)
        assert meeting_now is not None
        do_check_out(session, ADMIN, meeting_now, counted, day)
    with pytest.raises(Conflict):
        _undo(sessions, meeting_id, counted, day)
    # Absent at the close, whatever came before or after: their check-in may be undone.
    for person_id in (left, came_back, late):
        _undo(sessions, meeting_id, person_id, day)
        assert not _attends(sessions, meeting_id, person_id)
