"""Migration 0023 on a database in use, on both databases: going down drops the records of
the frozen periods' roll-up, and going up again brings the table back empty — a period
frozen with a record then has none, which ``veche verify`` names, as for any record
removed; a period's freeze that named none owes none."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from tests.web.follow_up_world import build_follow_up
from veche import migrate
from veche.actions.verify_periods import verify_periods
from veche.models import FrozenRecord

#: It starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_the_frozen_records_go_down_and_up_with_their_migration(
    database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    world = build_follow_up(database_url)
    with sessions() as session:
        assert session.scalars(select(FrozenRecord.period_id)).all() == [world.first_period]
        assert verify_periods(session).holds

    migrate.downgrade(engine, "0022")
    assert "frozen_record" not in inspect(engine).get_table_names()

    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    with sessions() as session:
        assert session.scalars(select(FrozenRecord)).all() == []
        (problem,) = verify_periods(session).problems
        assert problem.startswith(f"period {world.first_period} (Second half of 2025): the record")
        assert problem.endswith("is gone")
