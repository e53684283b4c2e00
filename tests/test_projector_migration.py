"""Migration 0021 on a database in use: the chair's choice for the projector goes with the
table going down (every meeting then follows itself, as before), and up again the table is
back, empty, and takes a choice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import ADMIN, general_council_term
from veche import migrate
from veche.actions.meetings import do_create_meeting
from veche.actions.projector import ProjectorChoice, do_show_on_projector, projector_of
from veche.db import transaction
from veche.models import Meeting
from veche.models.projector import ProjectorShows

#: It starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

WELCOME = ProjectorChoice(ProjectorShows.MESSAGE, message="Welcome")


def test_the_projector_goes_down_and_up_with_its_migration(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        term = general_council_term(session)
        meeting = do_create_meeting(session, ADMIN, term, "Plenary", starts_on=date.today())
        do_show_on_projector(session, ADMIN, meeting, WELCOME)
        meeting_id = meeting.id

    migrate.downgrade(engine, "0020")
    assert "projector" not in inspect(engine).get_table_names()

    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    with transaction(sessions) as session:
        assert projector_of(session, meeting_id) is None  # it follows the meeting again
        again = session.get(Meeting, meeting_id)
        assert again is not None
        do_show_on_projector(session, ADMIN, again, WELCOME)
    with sessions() as session:
        shown = projector_of(session, meeting_id)
        assert shown is not None and shown.message == "Welcome"
