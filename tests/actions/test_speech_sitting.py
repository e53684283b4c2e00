"""A speech given from the speakers list is placed in the sitting in session that day."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web.page_client import SYSTEM
from tests.web.sitting import DELEGATE, PreparedSitting
from veche.actions.contributions import ContributionSpec, do_end_speech, do_record_contribution
from veche.actions.presidium import do_add_sitting, do_form_presidium
from veche.actions.speakers import do_give_floor, do_request_floor
from veche.models import AgendaItem, Contribution, Meeting, Sitting
from veche.models.debate import ContributionKind
from veche.queries.record import read_record
from veche.reports.document import Table
from veche.reports.minutes import minutes

pytestmark = pytest.mark.demo

#: Two members present in the prepared sitting, who chair its sittings.
CHAIRS = [1, 2]


def _open_sittings(sessions: sessionmaker[Session], prepared: PreparedSitting, days: int) -> None:
    """Seat the presidium and open ``days`` sittings on the meeting's day, as the presidium
    page does."""
    with sessions.begin() as session:
        meeting = session.get_one(Meeting, prepared.meeting_id)
        do_form_presidium(session, SYSTEM, meeting, CHAIRS)
        for n in range(days):
            do_add_sitting(
                session, SYSTEM, meeting, day=prepared.sitting.day, chair_person_id=CHAIRS[n % 2]
            )


def _speech_from_the_list(sessions: sessionmaker[Session], prepared: PreparedSitting) -> int:
    """The delegate asks for the floor, is given it, and the chair ends the speech."""
    with sessions.begin() as session:
        item = session.get_one(AgendaItem, prepared.sitting.item_id)
        do_request_floor(session, SYSTEM, item, person_id=DELEGATE)
        speech = do_give_floor(session, SYSTEM, item)
        do_end_speech(session, SYSTEM, item)
        return speech.id


def _sitting_column(sessions: sessionmaker[Session], prepared: PreparedSitting) -> list[str]:
    """The Sitting column of the minutes' table of what was said on the item, speech by
    speech."""
    with sessions() as session:
        meeting = session.get_one(Meeting, prepared.meeting_id)
        document = minutes(read_record(session, meeting))
    (said,) = [b for b in document.blocks if isinstance(b, Table) and "Speaker" in b.header]
    column = said.header.index("Sitting")
    return [row[column] for row in said.rows if row[1] == "speech"]


def test_a_speech_from_the_list_is_in_the_sitting_opened_that_day(
    sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    assert sitting.sitting.day == date.today()
    _open_sittings(sessions, sitting, days=1)
    speech_id = _speech_from_the_list(sessions, sitting)
    with sessions() as session:
        speech = session.get_one(Contribution, speech_id)
        opened = session.scalars(select(Sitting).where(Sitting.meeting_id == sitting.meeting_id))
        assert speech.sitting_id == next(iter(opened)).id
    assert _sitting_column(sessions, sitting) == ["1"]


def test_the_latest_sitting_of_the_day_is_in_session_and_one_named_is_kept(
    sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    _open_sittings(sessions, sitting, days=2)
    _speech_from_the_list(sessions, sitting)
    with sessions.begin() as session:
        item = session.get_one(AgendaItem, sitting.sitting.item_id)
        first = session.scalar(
            select(Sitting.id).where(Sitting.meeting_id == sitting.meeting_id, Sitting.number == 1)
        )
        report = ContributionSpec(ContributionKind.REPORT, speaker_person_id=5, sitting_id=first)
        do_record_contribution(session, SYSTEM, item, report)
    with sessions() as session:
        said = session.scalars(
            select(Contribution.sitting_id)
            .where(Contribution.agenda_item_id == sitting.sitting.item_id)
            .order_by(Contribution.position)
        )
        numbers = {s.id: s.number for s in session.scalars(select(Sitting))}
        assert [numbers.get(sitting_id or 0) for sitting_id in said] == [2, 1]
    assert _sitting_column(sessions, sitting) == ["2"]


def test_without_a_sitting_opened_that_day_a_speech_has_none(
    sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    speech_id = _speech_from_the_list(sessions, sitting)
    with sessions() as session:
        assert session.get_one(Contribution, speech_id).sitting_id is None
    assert _sitting_column(sessions, sitting) == ["—"]
