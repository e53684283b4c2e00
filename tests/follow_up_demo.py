"""The demo's follow-up loaded into a test's database: its plenary meeting (whose resolutions
the goals come from) and two quarters reported. The template holds the demo without them,
which most tests want; the few that read the follow-up pay for it (about a second)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization
from veche.db import transaction
from veche.demo_follow_up import load_demo_follow_up
from veche.demo_meeting import load_demo_meeting


def load_demo_with_follow_up(sessions: sessionmaker[Session]) -> int:
    """Load the demo's meeting and follow-up; the id of the meeting."""
    with transaction(sessions) as session:
        meeting = load_demo_meeting(session, demo_organization(session))
        load_demo_follow_up(session, meeting)
        return meeting.id
