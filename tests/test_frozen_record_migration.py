"""Migrations 0023 and 0025 on a database in use, on both databases: 0025 going down puts
each unit's line back into its record and going up moves it out again, the record the same;
0023 going down drops the records of the frozen periods' roll-up, and going up again brings
the table back empty — a period frozen with a record then has none, which ``veche verify``
names, as for any record removed; a period's freeze that named none owes none."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.web.follow_up_world import build_follow_up
from veche import migrate
from veche.actions.verify_periods import verify_periods
from veche.models import FrozenRecord, FrozenUnitRecord
from veche.queries.frozen_records import stored_record_text

#: It starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_the_frozen_records_go_down_and_up_with_their_migration(
    database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    world = build_follow_up(database_url)
    with sessions() as session:
        assert session.scalars(select(FrozenRecord.period_id)).all() == [world.first_period]
        assert verify_periods(session).holds
        stored = stored_record_text(session, world.first_period)
        assert stored is not None
        lines = session.scalars(select(FrozenUnitRecord.unit_id)).all()
        assert len(lines) == len(stored.split("\n")) - 2 > 0

    # 0025 down puts each unit's line back into the record after its first two lines, and
    # up moves them out again: the record is the one its freeze wrote either way.
    migrate.downgrade(engine, "0024")
    assert "frozen_unit_record" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT figures FROM frozen_record")) == stored
    migrate.upgrade(engine)
    with sessions() as session:
        assert session.scalars(select(FrozenRecord.figures)).one().count("\n") == 1
        assert stored_record_text(session, world.first_period) == stored
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
