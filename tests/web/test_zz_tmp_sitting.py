from sqlalchemy.orm import Session, sessionmaker
from tests.web.sitting import PreparedSitting, journal_length
from veche.models import Meeting


def test_sitting_on_both(sitting: PreparedSitting, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        meeting = session.get(Meeting, sitting.meeting_id)
        assert meeting is not None and meeting.title == "Plenary Meeting"
    assert journal_length(sessions) > 100


def test_sitting_again(sitting: PreparedSitting, sessions: sessionmaker[Session]) -> None:
    assert journal_length(sessions) > 100
