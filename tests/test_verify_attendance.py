"""`veche verify` holds every meeting's check-ins and participants' weights against the
journal: an attendance deleted, added or changed in the database, or a weight changed, makes
it exit 1 naming the meeting, the person (and the day); check-ins journalled without their day
are not checked, and counted. On both databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.helpers import ADMIN, plenary_with_members_present
from tests.verifying import Verified, rehash_from
from veche.actions.attendance import do_check_out, do_undo_check_in
from veche.actions.journal_actions import JournalAction
from veche.actions.participants import do_update_participant
from veche.db import transaction
from veche.models import Attendance, JournalEntry, Meeting, Participant

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()
TODAY = date.today().isoformat()


@dataclass(frozen=True)
class Plenary(Verified):
    """A meeting with every member checked in today, one checked out again, one check-in
    undone and one weight changed, all through veche."""

    url: str
    sessions: sessionmaker[Session]
    meeting_id: int
    members: list[int]
    #: The members checked out, undone and weighed, and the entries that did it.
    left: int
    undone: int
    weighed: int
    left_entry: int
    undone_entry: int
    weighed_entry: int
    created_entry: int

    def participant(self, session: Session, person_id: int) -> int:
        return session.scalars(
            select(Participant.id).where(
                Participant.meeting_id == self.meeting_id, Participant.person_id == person_id
            )
        ).one()

    def named(self, person_id: int) -> str:
        return f"meeting {self.meeting_id} (Plenary): person {person_id}"


def _newest(session: Session) -> int:
    session.flush()
    seq = session.scalar(select(JournalEntry.seq).order_by(JournalEntry.seq.desc()).limit(1))
    assert seq is not None
    return seq


@pytest.fixture
def plenary(database_url: str, sessions: sessionmaker[Session]) -> Plenary:
    today = date.today()
    with transaction(sessions) as session:
        meeting, members = plenary_with_members_present(session, today)
        created = session.scalars(
            select(JournalEntry.seq)
            .where(JournalEntry.action == JournalAction.CREATE_MEETING.value)
            .order_by(JournalEntry.seq.desc())
            .limit(1)
        ).one()
        left, undone, weighed = members[:3]
        do_check_out(session, ADMIN, meeting, left, today)
        left_entry = _newest(session)
        do_undo_check_in(session, ADMIN, meeting, undone, today)
        undone_entry = _newest(session)
        do_update_participant(session, ADMIN, meeting, weighed, weight=3)
        weighed_entry = _newest(session)
        meeting_id = meeting.id
    return Plenary(
        database_url,
        sessions,
        meeting_id,
        members,
        left,
        undone,
        weighed,
        left_entry,
        undone_entry,
        weighed_entry,
        created,
    )


def test_attendance_and_weights_kept_through_veche_hold(plenary: Plenary) -> None:
    with plenary.sessions() as session:
        assert session.scalars(select(Meeting.id)).all() == [plenary.meeting_id]
    result = plenary.verify()
    assert result.exit_code == 0, result.output
    assert (
        "Held the check-ins, participants' weights, proxies and substitutions of 1 meeting "
        "against the journal: each matches."
    ) in result.output
    assert "Not checked: the attendance" not in result.output


def test_an_attendance_deleted_is_found(plenary: Plenary) -> None:
    """The communiqué would report one attendant fewer, and the quorum one right less."""
    gone = plenary.members[-1]
    with transaction(plenary.sessions) as session:
        check_in = session.scalars(
            select(JournalEntry.seq).where(JournalEntry.action == JournalAction.CHECK_IN.value)
        ).all()
        session.execute(
            delete(Attendance).where(
                Attendance.participant_id == plenary.participant(session, gone)
            )
        )
    (problem,) = plenary.problems()
    assert problem.startswith(
        f"{plenary.named(gone)} is not checked in on {TODAY} but the journal's last entry of "
        "it (entry "
    )
    assert problem.endswith("left them checked in: their attendance was deleted outside veche")
    assert int(problem.split("(entry ")[1].split(")")[0]) in check_in


def test_attendance_added_or_changed_is_found(plenary: Plenary) -> None:
    """A check-out cleared, an undone check-in put back, and an absent member checked in."""
    with transaction(plenary.sessions) as session:
        session.execute(
            update(Attendance)
            .where(Attendance.participant_id == plenary.participant(session, plenary.left))
            .values(checked_out_at=None)
        )
        session.add(
            Attendance(
                participant_id=plenary.participant(session, plenary.undone),
                day=date.today(),
                checked_in_at=session.scalars(select(Attendance.checked_in_at)).first(),
            )
        )
    assert plenary.problems() == [
        f"{plenary.named(plenary.left)} is checked in on {TODAY} but the journal's last entry "
        f"of it (entry {plenary.left_entry}) left them checked out: their attendance was "
        "changed outside veche",
        f"{plenary.named(plenary.undone)} is checked in on {TODAY} but the journal's last "
        f"entry of it (entry {plenary.undone_entry}) left them not checked in: their "
        "attendance was added outside veche",
    ]


def test_an_attendance_never_journalled_is_found(plenary: Plenary) -> None:
    with transaction(plenary.sessions) as session:
        other_day = session.scalars(
            select(Attendance).where(
                Attendance.participant_id == plenary.participant(session, plenary.weighed)
            )
        ).one()
        other_day.day = date(2000, 1, 3)
    assert plenary.problems() == [
        f"{plenary.named(plenary.weighed)} is checked in on 2000-01-03 but the journal records "
        "no check-in of theirs: it was added outside veche",
        f"{plenary.named(plenary.weighed)} is not checked in on {TODAY} but the journal's last "
        "entry of it (entry "
        + str(_check_in_of(plenary, plenary.weighed))
        + ") left them checked in: their attendance was deleted outside veche",
    ]


def _check_in_of(plenary: Plenary, person_id: int) -> int:
    with plenary.sessions() as session:
        entries = session.scalars(
            select(JournalEntry).where(JournalEntry.action == JournalAction.CHECK_IN.value)
        )
        (seq,) = (
            entry.seq
            for entry in entries
            if entry.payload["meeting_id"] == plenary.meeting_id
            and entry.payload["person_id"] == person_id
        )
        return seq


def test_weights_changed_are_found(plenary: Plenary) -> None:
    """One given by veche and changed, one seated at the meeting's creation and raised."""
    seated = plenary.members[-1]
    with transaction(plenary.sessions) as session:
        for person_id, weight in ((plenary.weighed, 5), (seated, 2)):
            session.execute(
                update(Participant)
                .where(Participant.id == plenary.participant(session, person_id))
                .values(weight=weight)
            )
    assert sorted(plenary.problems()) == sorted(
        [
            f"{plenary.named(plenary.weighed)}'s weight is 5 but the journal gives 3 (entry "
            f"{plenary.weighed_entry}): it was changed outside veche",
            f"{plenary.named(seated)}'s weight is 2 but the journal gives 1 (as seated at the "
            f"meeting's creation, entry {plenary.created_entry}): it was changed outside veche",
        ]
    )


def test_check_ins_journalled_without_their_day_are_not_checked(plenary: Plenary) -> None:
    """As an older version journalled them: that person's attendance there cannot be told."""
    seq = _check_in_of(plenary, plenary.weighed)
    with transaction(plenary.sessions) as session:
        entry = session.get_one(JournalEntry, seq)
        entry.payload = {key: value for key, value in entry.payload.items() if key != "day"}
        rehash_from(session, seq)
        session.execute(
            delete(Attendance).where(
                Attendance.participant_id == plenary.participant(session, plenary.weighed)
            )
        )
    result = plenary.verify()
    assert result.exit_code == 0, result.output
    assert (
        "Not checked: the attendance of 1 participant, whose check-ins the journal records "
        "without their day."
    ) in result.output
