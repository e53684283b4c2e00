"""The record a freeze makes of its period's roll-up at the whole organization: journaled by
its hash, checked by ``veche verify``, and read by the summing-up as the history of the
period — the very figures computed from the values while nothing changed, and what they were
at the freeze once the units, assignments or verdicts change after it. On both databases."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from decimal import Decimal
from typing import Any

import pytest
from benchmarks.follow_up_database import Filled, freeze_all_but_the_last
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.follow_up.reading_world import twisted
from tests.helpers import count_queries
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.goal_assignments import do_assign_goal
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import do_create_unit
from veche.actions.reporting import do_freeze_period, do_move_period, frozen_figures
from veche.actions.verify_periods import verify_periods
from veche.cli import app
from veche.db import transaction
from veche.follow_up.figures import figures_hash
from veche.models import (
    FrozenRecord,
    FrozenUnitRecord,
    Goal,
    Indicator,
    JournalEntry,
    Organization,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
    ReportValue,
    Unit,
)
from veche.models.follow_up import PeriodState, ReportState
from veche.queries import follow_up_rollup, frozen_records
from veche.queries.follow_up_cycle import FiguresAsked
from veche.queries.follow_up_rollup import (
    CycleFigures,
    SummingUpRecord,
    load_cycle,
    report_card,
    rollup_view,
    summing_up_record,
)
from veche.queries.frozen_records import (
    frozen_record_text,
    read_summing_up,
    record_text,
    recorded_goals,
    stored_record_text,
)
from veche.reports import render_summing_up

#: What the unit added after the freezes reports on every indicator.
LATE_VALUE = 1000
#: A record put beside a period that no freeze with a record made: a copy of the first's.
RECORD_OF_THE_FIRST_FOR_THE_LAST = (
    "INSERT INTO frozen_record (period_id, figures, created_at) "
    "SELECT :last, figures, created_at FROM frozen_record WHERE period_id = :first"
)


def _frozen(sessions: sessionmaker[Session]) -> tuple[Filled, dict[str, int]]:
    """The twisted world with its first two periods frozen through the action, the last
    closed."""
    filled, units = twisted(sessions)
    freeze_all_but_the_last(sessions, filled.period_ids)
    return filled, units


def _cycle(session: Session, filled: Filled) -> tuple[Organization, ReportingCycle]:
    return session.scalars(select(Organization)).one(), session.get_one(
        ReportingCycle, filled.cycle_id
    )


def _caller(session: Session) -> Caller:
    return Caller(Actor.system("tests"), None, True, session.scalars(select(Organization.id)).one())


def _freezes(session: Session) -> dict[int, dict[str, Any]]:
    """The payload of each period's freeze in the journal, by period id."""
    return {
        int(payload["period_id"]): payload
        for payload in session.scalars(
            select(JournalEntry.payload).where(
                JournalEntry.action == JournalAction.FREEZE_REPORTING_PERIOD.value
            )
        )
    }


def test_a_freeze_records_the_roll_up_everywhere_and_journals_its_hash(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    filled, named = _frozen(sessions)
    frozen = filled.period_ids[:-1]
    with sessions() as session:
        organization, cycle = _cycle(session, filled)
        heads = dict(session.execute(select(FrozenRecord.period_id, FrozenRecord.figures)).all())
        assert sorted(heads) == frozen
        records = {period_id: stored_record_text(session, period_id) for period_id in frozen}
        freezes = _freezes(session)
        kept = {}
        for period_id in frozen:
            period = session.get_one(ReportingPeriod, period_id)
            stored = records[period_id]
            assert stored is not None
            # The first two lines in frozen_record, each unit's line in a row of its own.
            assert heads[period_id] == "\n".join(stored.split("\n")[:2])
            assert dict(
                session.execute(
                    select(FrozenUnitRecord.unit_id, FrozenUnitRecord.figures).where(
                        FrozenUnitRecord.period_id == period_id
                    )
                ).all()
            ) == {json.loads(line)[0]: line for line in stored.split("\n")[2:]}
            assert freezes[period_id]["record_hash"] == hashlib.sha256(stored.encode()).hexdigest()
            # Lines of canonical JSON: keys sorted, no spaces, decimals as their exact strings.
            lines = stored.split("\n")
            for line in lines:
                assert line == json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"))
            as_read = json.loads(lines[0])
            assert set(as_read) == {"format", "period_id", "goals"}
            assert as_read["period_id"] == period_id
            assert as_read["format"] == "veche frozen record 2"
            first = as_read["goals"][0]["indicators"][0]
            assert isinstance(first["value"], str) and first["value"].endswith(".0000")
            assert [goal.id for goal in recorded_goals(stored)] == filled.goal_ids
            # Every unit of the tree, with its goals' figures, a line each.
            units = session.scalars(select(Unit.id).order_by(Unit.id)).all()
            assert [unit["id"] for unit in json.loads(lines[1])["units"]] == units
            assert [json.loads(line)[0] for line in lines[2:]] == units
            # Read back, the record is the period: it writes itself again exactly.
            figures = load_cycle(session, organization, cycle, period=period)
            assert figures.frozen and frozen_record_text(figures, period) == stored
            kept[period_id] = _views(session, figures, period)
        check = verify_periods(session)
        assert check.holds, check.problems
        assert check.checked == len(frozen)
        # A map of a few units: the levels of the tree down to the districts.
        monkeypatch.setattr(follow_up_rollup, "UNIT_ROWS", 5)
        _a_card_reads_its_units_line_alone(engine, session, filled, named["district"])
        monkeypatch.undo()

        # What the roll-up gives from the values, at the whole organization and every unit.
        session.execute(delete(FrozenRecord))
        for period_id in frozen:
            period = session.get_one(ReportingPeriod, period_id)
            figures = load_cycle(session, organization, cycle, period=period)
            assert not figures.frozen and not figures.records
            assert frozen_record_text(figures, period) == records[period_id]
            assert _views(session, figures, period) == kept[period_id]
        session.rollback()


def _a_card_reads_its_units_line_alone(
    engine: Engine, session: Session, filled: Filled, district: int
) -> None:
    """Each unit's line in a row of its own: a frozen period's card reads its unit's, the
    roll-up at the whole organization none, the summing-up those of the units it shows."""
    organization, cycle = _cycle(session, filled)
    period = session.get_one(ReportingPeriod, filled.period_ids[0])
    every_line = session.scalar(select(func.count()).where(FrozenUnitRecord.period_id == period.id))
    assert every_line is not None and every_line > 10
    with count_queries(engine) as statements:
        figures = load_cycle(session, organization, cycle, period=period, unit_id=district)
        card = report_card(figures, period, district)
    assert card.goals and all(goal.indicators for goal in card.goals)
    assert len([one for one in statements if "frozen_unit_record" in one]) == 1
    assert list(figures.frozen[0].units) == [district]
    with count_queries(engine) as statements:
        figures = load_cycle(session, organization, cycle, period=period)
        whole = rollup_view(figures, period, None)
    assert whole.goals and not any("frozen_unit_record" in one for one in statements)
    assert not figures.frozen[0].units
    # The summing-up's map and league: the lines of the units the map shows, at once.
    with count_queries(engine) as statements:
        summed_up = summing_up_record(session, figures, period, {})
    assert len([one for one in statements if "frozen_unit_record" in one]) == 1
    shown = {row.unit_id for row in summed_up.heat_map}
    assert set(figures.frozen[0].units) == shown and 1 < len(shown) < every_line


def _views(session: Session, figures: CycleFigures, period: ReportingPeriod) -> list[Any]:
    """Every view of the period: the roll-up at the whole organization and at each unit, each
    unit's report card, and the summing-up's map, league, units not reported and reasons."""
    # Every unit's roll-up is in the record's text, compared whole: a tenth of the units here.
    units = sorted(session.scalars(select(Unit.id)))[::10]
    # The history is not compared here: none read.
    history: dict[int, list[Any]] = {
        one.id: [] for one in figures.cycle_periods if one.starts_on < period.starts_on
    }
    summed_up = summing_up_record(session, figures, period, history)
    return [
        rollup_view(figures, period, None),
        *(rollup_view(figures, period, unit) for unit in units),
        *(report_card(figures, period, unit) for unit in units),
        summed_up.heat_map,
        summed_up.league,
        summed_up.not_reported,
        summed_up.reasons,
        summed_up.now,
        summed_up.resolutions,
    ]


def _asked_periods(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The ids of the periods each summing-up asks ``load_cycle`` to read, call by call."""
    asked: list[list[int]] = []

    def spied(*arguments: Any, **options: Any) -> Any:
        period = options["period"]
        asked.append(
            [one.id for one in ([period] if isinstance(period, ReportingPeriod) else period)]
        )
        return load_cycle(*arguments, **options)

    monkeypatch.setattr(frozen_records, "load_cycle", spied)
    return asked


def test_the_summing_up_reads_the_history_a_freeze_recorded_as_the_values_give_it(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing changed since the freezes: the summing-up from the records is the one computed
    from the values (the records deleted), and the one of the whole cycle read."""
    filled, _ = _frozen(sessions)
    first, second, last = filled.period_ids
    asked = _asked_periods(monkeypatch)
    with sessions() as session:
        organization, cycle = _cycle(session, filled)
        resolution = session.get_one(Goal, filled.goal_ids[0]).resolution
        periods = [session.get_one(ReportingPeriod, one) for one in (second, last)]
        summed_up = [FiguresAsked(organization, cycle, period) for period in periods]
        of_one = replace(summed_up[-1], resolution=resolution)
        recorded = [read_summing_up(session, one) for one in summed_up]
        of_one_resolution = read_summing_up(session, of_one)
        documents = {
            format: render_summing_up(session, summed_up[-1], format) for format in ("md", "html")
        }
        # The history of the last period is read from the records: its values alone.
        assert asked[:3] == [[second], [last], [last]]
        assert recorded[-1].charts and all(len(one.values) == 3 for one in recorded[-1].charts)
        assert recorded[-1].before and recorded[-1].previous_period == "Month 2"

        session.execute(delete(FrozenRecord))
        asked.clear()
        assert [read_summing_up(session, one) for one in summed_up] == recorded
        assert asked == [[first, second], [first, second, last]]
        assert read_summing_up(session, of_one) == of_one_resolution
        for format, document in documents.items():
            assert render_summing_up(session, summed_up[-1], format) == document
        whole = load_cycle(session, organization, cycle)
        assert summing_up_record(session, whole, periods[-1]) == recorded[-1]
        session.rollback()


def _history(found: SummingUpRecord) -> list[tuple[list[Any], list[int]]]:
    """The charts' points before the period summed up."""
    return [(series.values[:-1], series.reported[:-1]) for series in found.charts]


def test_a_unit_added_after_a_freeze_changes_the_period_summed_up_not_the_frozen_history(
    sessions: sessionmaker[Session],
) -> None:
    filled, units = _frozen(sessions)
    last = filled.period_ids[-1]
    with sessions() as session:
        organization, cycle = _cycle(session, filled)
        earlier = read_summing_up(
            session, FiguresAsked(organization, cycle, session.get_one(ReportingPeriod, last))
        )

    with transaction(sessions) as session:
        me = _caller(session)
        organization = session.scalars(select(Organization)).one()
        district = session.get_one(Unit, units["district"])
        late = do_create_unit(
            session, me, organization, "Late Branch", kind="branch", parent=district
        )
        for goal_id in filled.goal_ids:
            do_assign_goal(session, me, session.get_one(Goal, goal_id), late.id)
        # The period summed up is closed: its report is written as the benchmark writes them.
        report = ProgressReport(period_id=last, unit_id=late.id, state=ReportState.ACCEPTED)
        session.add(report)
        session.flush()
        session.add_all(
            ReportValue(report_id=report.id, indicator_id=indicator, value=Decimal(LATE_VALUE))
            for indicator in session.scalars(select(Indicator.id))
        )

    with sessions() as session:
        organization, cycle = _cycle(session, filled)
        period = session.get_one(ReportingPeriod, last)
        now = read_summing_up(session, FiguresAsked(organization, cycle, period))
        # The frozen history stands as it was at the freezes.
        assert _history(now) == _history(earlier)
        assert now.before == earlier.before
        # The period summed up counts the unit: one more expected and reporting, its value in.
        assert (now.now.expected, now.now.reported) == (
            earlier.now.expected + 1,
            earlier.now.reported + 1,
        )
        total_now, total_then = (
            next(
                shown
                for goal in found.now.goals
                for shown in goal.indicators
                if shown.id == filled.first_indicator_id
            )
            for found in (now, earlier)
        )
        assert total_now.rollup == "sum" and total_then.value is not None
        assert total_now.value == total_then.value + LATE_VALUE
        # Computed from the values instead, the previous period would expect the unit too.
        session.execute(delete(FrozenRecord))
        computed = read_summing_up(session, FiguresAsked(organization, cycle, period))
        assert {goal_id: goal.expected for goal_id, goal in computed.before.items()} == {
            goal_id: goal.expected + 1 for goal_id, goal in earlier.before.items()
        }
        session.rollback()


def _freeze_as_before_records(
    session: Session, period_id: int, *, goals_record: bool = False
) -> int:
    """Freeze a closed period as freezes were made before they recorded the roll-up: its
    reports locked and their figures hashed into the journal, no record — or, with
    ``goals_record``, as they were made before they recorded every unit's figures: a record of
    the first format, of the goals at the whole organization alone. The entry's seq."""
    period = session.get_one(ReportingPeriod, period_id)
    session.execute(
        update(ProgressReport)
        .where(ProgressReport.period_id == period_id, ProgressReport.state == ReportState.ACCEPTED)
        .values(state=ReportState.LOCKED)
    )
    period.state = PeriodState.FROZEN
    reports, values, statuses = frozen_figures(session, period_id)
    period.figures_hash = figures_hash(period_id, values, statuses)
    payload: dict[str, Any] = {
        "period_id": period_id,
        "reports": reports,
        "values": len(values),
        "statuses": len(statuses),
        "figures_hash": period.figures_hash,
    }
    if goals_record:
        session.flush()
        organization = session.scalars(select(Organization)).one()
        view = rollup_view(
            load_cycle(session, organization, period.cycle, period=period), period, None
        )
        written = record_text(
            {
                "format": "veche frozen record 1",
                "period_id": period_id,
                "goals": [asdict(goal) for goal in view.goals],
            }
        )
        session.add(FrozenRecord(period_id=period_id, figures=written))
        payload["record_hash"] = hashlib.sha256(written.encode()).hexdigest()
    record(session, Actor.system("tests"), JournalAction.FREEZE_REPORTING_PERIOD, payload)
    session.flush()
    seq = session.scalar(select(JournalEntry.seq).order_by(JournalEntry.seq.desc()).limit(1))
    assert seq is not None
    return seq


def test_a_period_frozen_before_records_is_computed_from_its_values(
    sessions: sessionmaker[Session],
) -> None:
    """A history of both kinds: the first period from its record, the second, frozen the old
    way, from its values, as the whole cycle read gives them."""
    filled, _ = twisted(sessions)
    first, second, last = filled.period_ids
    with transaction(sessions) as session:
        me = _caller(session)
        for period_id in filled.period_ids:
            do_move_period(
                session, me, session.get_one(ReportingPeriod, period_id), PeriodState.CLOSED
            )
        do_freeze_period(session, me, session.get_one(ReportingPeriod, first))
        _freeze_as_before_records(session, second)
    with sessions() as session:
        organization, cycle = _cycle(session, filled)
        assert session.scalars(select(FrozenRecord.period_id)).all() == [first]
        assert "record_hash" not in _freezes(session)[second]
        check = verify_periods(session)
        assert check.holds and check.checked == 2, check.problems
        period = session.get_one(ReportingPeriod, last)
        whole = load_cycle(session, organization, cycle)
        assert read_summing_up(
            session, FiguresAsked(organization, cycle, period)
        ) == summing_up_record(session, whole, period)


def test_a_record_of_the_first_format_still_holds_the_goals_at_the_whole_organization(
    sessions: sessionmaker[Session],
) -> None:
    """A period frozen before records kept every unit (an older database): its goals at the
    whole organization are its record's, its units' figures computed from its values as
    before; ``veche verify`` checks it as it checks a record of the second format."""
    filled, units = twisted(sessions)
    first, second, last = filled.period_ids
    with transaction(sessions) as session:
        me = _caller(session)
        for period_id in filled.period_ids:
            do_move_period(
                session, me, session.get_one(ReportingPeriod, period_id), PeriodState.CLOSED
            )
        _freeze_as_before_records(session, first, goals_record=True)
        do_freeze_period(session, me, session.get_one(ReportingPeriod, second))
    with sessions() as session:
        organization, cycle = _cycle(session, filled)
        formats = {
            period_id: json.loads(figures.partition("\n")[0])["format"]
            for period_id, figures in session.execute(
                select(FrozenRecord.period_id, FrozenRecord.figures)
            )
        }
        assert formats == {first: "veche frozen record 1", second: "veche frozen record 2"}
        check = verify_periods(session)
        assert check.holds and check.checked == 2, check.problems
        period = session.get_one(ReportingPeriod, first)
        figures = load_cycle(session, organization, cycle, period=period)
        assert not figures.frozen and figures.records
        recorded = rollup_view(figures, period, None)
        at_district = rollup_view(figures, period, units["district"])
        summed_up = [
            read_summing_up(session, FiguresAsked(organization, cycle, one))
            for one in session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.id))
        ]
        # As computed from the values (the record read as before, its goals the same).
        session.execute(delete(FrozenRecord).where(FrozenRecord.period_id == first))
        computed = load_cycle(session, organization, cycle, period=period)
        assert rollup_view(computed, period, None) == recorded
        assert rollup_view(computed, period, units["district"]) == at_district
        assert [
            read_summing_up(session, FiguresAsked(organization, cycle, one))
            for one in session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.id))
        ] == summed_up
        session.rollback()
    assert last not in formats


def test_verify_names_a_record_changed_gone_or_never_made(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    filled, units = _frozen(sessions)
    first, second, last = filled.period_ids
    with sessions() as session:
        freezes = {
            int(payload["period_id"]): seq
            for seq, payload in session.execute(
                select(JournalEntry.seq, JournalEntry.payload).where(
                    JournalEntry.action == JournalAction.FREEZE_REPORTING_PERIOD.value
                )
            )
        }

    def problems(*tampering: str, **values: Any) -> list[str]:
        """What verify finds with the tampering done (and then undone)."""
        with sessions() as session:
            for statement in tampering:
                session.execute(text(statement), values)
            found = verify_periods(session)
            session.rollback()
        return found.problems

    assert problems() == []
    assert problems(
        "UPDATE frozen_record SET figures = replace(figures, '\"reported\":', '\"reported\": ')"
        " WHERE period_id = :first",
        first=first,
    ) == [
        f"period {first} (Month 1): its record of the figures no longer matches the one made "
        f"at its freeze (entry {freezes[first]}): it was changed"
    ]
    # A unit's figures in a record that keeps every unit's.
    assert problems(
        'UPDATE frozen_record SET figures = replace(figures, \'"report"\\:"locked"\', '
        "'\"report\"\\:null') WHERE period_id = :second",
        second=second,
    ) == [
        f"period {second} (Month 2): its record of the figures no longer matches the one made "
        f"at its freeze (entry {freezes[second]}): it was changed"
    ]
    # A unit's line, in its own row: changed, gone, or one added, each named.
    unit = units["district"]
    mismatch = (
        f"period {first} (Month 1): its record of the figures no longer matches the one made "
        f"at its freeze (entry {freezes[first]}): "
    )
    assert problems(
        "UPDATE frozen_unit_record SET figures = replace(figures, ',', ', ') "
        "WHERE period_id = :first AND unit_id = :unit",
        first=first,
        unit=unit,
    ) == [f"{mismatch}the line of unit {unit} was changed"]
    assert problems(
        "DELETE FROM frozen_unit_record WHERE period_id = :first AND unit_id = :unit",
        first=first,
        unit=unit,
    ) == [f"{mismatch}the line of unit {unit} is gone"]
    assert problems(
        "INSERT INTO frozen_unit_record (period_id, unit_id, figures, created_at) "
        "SELECT period_id, 999999, figures, created_at FROM frozen_unit_record "
        "WHERE period_id = :first AND unit_id = :unit",
        first=first,
        unit=unit,
    ) == [f"{mismatch}the line of unit 999999 was added"]
    # A line put in another unit's place is named too, and the record's lines stay in order.
    assert problems(
        "UPDATE frozen_unit_record SET figures = (SELECT figures FROM frozen_unit_record "
        "WHERE period_id = :second AND unit_id = :unit) WHERE period_id = :first AND unit_id = :unit",
        first=first,
        second=second,
        unit=unit,
    ) == [f"{mismatch}the line of unit {unit} was changed"]
    assert problems("DELETE FROM frozen_record WHERE period_id = :second", second=second) == [
        f"period {second} (Month 2): the record of its figures made at its freeze (entry "
        f"{freezes[second]}) is gone"
    ]
    # A record of a period not frozen: no freeze made it.
    assert problems(RECORD_OF_THE_FIRST_FOR_THE_LAST, first=first, last=last) == [
        f"period {last} (Month 3) has a record of its frozen figures, but the journal records "
        "no freeze of it"
    ]

    # A period frozen as before records were kept owes none; one put beside it is named.
    with transaction(sessions) as session:
        old_freeze = _freeze_as_before_records(session, last)
    assert problems() == []
    assert problems(RECORD_OF_THE_FIRST_FOR_THE_LAST, first=first, last=last) == [
        f"period {last} (Month 3) has a record of its frozen figures, but its freeze (entry "
        f"{old_freeze}) made none"
    ]

    # `veche verify` says so, naming the period, and fails.
    with transaction(sessions) as session:
        session.execute(delete(FrozenRecord).where(FrozenRecord.period_id == first))
    verified = CliRunner().invoke(app, ["verify", "--db", database_url])
    assert verified.exit_code == 1
    assert (
        f"period {first} (Month 1): the record of its figures made at its freeze (entry "
        f"{freezes[first]}) is gone"
    ) in verified.output
