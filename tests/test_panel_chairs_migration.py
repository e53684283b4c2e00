"""Migration 0011 with rows in the tables it changes: a panel's one chair becomes its first of
several and back, and going down refuses while a body's report has no speaker to keep."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import ADMIN
from tests.web.sitting import PreparedSitting
from veche import migrate
from veche.actions.contributions import ContributionSpec, do_record_contribution
from veche.actions.panels import do_create_panel
from veche.db import transaction
from veche.models import AgendaItem, Body, Meeting
from veche.models.debate import ContributionKind

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = pytest.mark.demo


def _panel(session: Session, meeting: Meeting, item_id: int, name: str, chairs: list[int]) -> int:
    panel = do_create_panel(
        session,
        ADMIN,
        meeting,
        name=name,
        agenda_item_ids=[item_id],
        chair_person_ids=chairs,
        member_person_ids=[7],
    )
    return panel.id


def test_panel_chairs_go_down_to_the_first_and_up_again(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    item_id = sitting.sitting.item_ids[0]
    with transaction(sessions) as session:
        meeting = session.get(Meeting, sitting.meeting_id)
        assert meeting is not None
        guided = _panel(session, meeting, item_id, "Guided by two", [3, 1])
        unchaired = _panel(session, meeting, item_id, "Unchaired", [])

    migrate.downgrade(engine, "0010")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, chair_person_id FROM panel"))
        chairs: dict[int, int | None] = {panel_id: chair for panel_id, chair in rows}
    assert chairs == {guided: 3, unchaired: None}

    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT panel_id, person_id, position FROM panel_chair"))
        assert kept.all() == [(guided, 3, 1)]


def test_going_down_refuses_while_a_body_gave_a_report_alone(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    with transaction(sessions) as session:
        item = session.get(AgendaItem, sitting.sitting.item_ids[0])
        bureau = session.get(Body, sitting.bodies["Executive Bureau"])
        assert item is not None and bureau is not None
        spec = ContributionSpec(ContributionKind.REPORT, None, on_behalf_of_body_id=bureau.id)
        report = do_record_contribution(session, ADMIN, item, spec).id

    with pytest.raises(RuntimeError, match=f"contribution {report} has no speaker"):
        migrate.downgrade(engine, "0010")
    assert migrate.is_up_to_date(engine)
