"""Reported values from a follow-up file, by the hundred thousand: every line checked by the
reporting rules, then the draft reports and the values written in bulk (the import's own
journal entry records them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, select, update

from veche.actions.follow_up_csv.lines import (
    TOO_MANY_CELLS,
    CellProblem,
    Line,
    Table,
    parse_decimal,
)
from veche.actions.follow_up_csv.rows import Importer, NamedIndicator
from veche.actions.indicators import check_value
from veche.errors import VecheError
from veche.models import GoalAssignment, ProgressReport, ReportingPeriod, ReportValue, Unit
from veche.models.base import utcnow
from veche.models.follow_up import EDITABLE_REPORT_STATES, PeriodState, ReportState
from veche.sql import insert_rows

T = TypeVar("T")
#: Values go to the database in groups of this many rows.
_BATCH = 50_000


def _found(find: Callable[[Line], T], line: Line) -> T | CellProblem:
    """What ``find`` finds for the line, or the problem it names (kept for the lines that
    name the same)."""
    try:
        return find(line)
    except CellProblem as problem:
        return problem


@dataclass
class ValuesImport:
    """The values of a file, checked line by line, then stored together."""

    run: Importer
    table: Table
    #: (period, unit) → indicator → (value, line)
    wanted: dict[tuple[int, int], dict[int, tuple[Decimal, int]]] = field(default_factory=dict)

    def read(self) -> None:
        """Check every line, noting each problem, and keep its value by report."""
        run = self.run
        assigned = {
            (goal_id, unit_id)
            for goal_id, unit_id in run.session.execute(
                select(GoalAssignment.goal_id, GoalAssignment.unit_id)
                .join(Unit, Unit.id == GoalAssignment.unit_id)
                .where(Unit.organization_id == run.organization.id)
            )
        }
        # A file repeats a few names a million times: each is looked up once, by its cells.
        indicators: dict[tuple[str, str, str], NamedIndicator | CellProblem] = {}
        units: dict[str, int | CellProblem] = {}
        periods: dict[tuple[str, str], int | CellProblem] = {}
        columns = self.table.columns
        absent = len(columns)  # the empty cell after the last
        r, g, i, u, c, p, v = (
            columns.get(name, absent)
            for name in ("resolution", "goal", "indicator", "unit", "cycle", "period", "value")
        )
        for number, cells in self.table.rows():
            try:
                if cells is None:
                    raise CellProblem(None, TOO_MANY_CELLS)
                indicator = indicators.get(key := (cells[r], cells[g], cells[i]))
                if indicator is None:
                    indicator = indicators[key] = _found(run.named_indicator, Line(columns, cells))
                unit_id = units.get(cells[u])
                if unit_id is None:
                    unit_id = units[cells[u]] = _found(run.unit_of, Line(columns, cells))
                period_id = periods.get(names := (cells[c], cells[p]))
                if period_id is None:
                    period_id = periods[names] = _found(run.period, Line(columns, cells))
                if isinstance(indicator, CellProblem):
                    raise indicator
                if isinstance(unit_id, CellProblem):
                    raise unit_id
                if isinstance(period_id, CellProblem):
                    raise period_id
                text = cells[v].strip()
                if not text:
                    raise CellProblem("value", "is empty; it must be filled in")
                try:
                    value = check_value(indicator.row, parse_decimal(text), "the value")
                except VecheError as error:
                    raise CellProblem("value", error.message) from None
                if (indicator.goal_id, unit_id) not in assigned:
                    raise CellProblem(
                        "unit",
                        f"the goal indicator {indicator.row.number} measures is not assigned "
                        f"to {run.names.unit_names[unit_id]}: a unit reports on its own goals",
                    )
                report = self.wanted.setdefault((period_id, unit_id), {})
                earlier = report.get(indicator.id)
                if earlier is not None:
                    raise CellProblem(
                        None,
                        f"the same value (indicator, unit and period) is on line {earlier[1]} "
                        "already",
                    )
                report[indicator.id] = (value, number)
            except CellProblem as problem:
                run.problem(self.table, number, problem.column, problem.message)

    def store(self) -> None:
        """Check the reports the values go into, and store the values if nothing is wrong."""
        run, session = self.run, self.run.session
        period_ids = sorted({period for period, _unit in self.wanted})
        # Under a shared lock, as filing takes them: a freeze waits for the import, and it for
        # a freeze, so that no value lands in a period frozen meanwhile.
        periods = {
            period.id: period
            for period in session.scalars(
                select(ReportingPeriod)
                .where(ReportingPeriod.id.in_(period_ids))
                .with_for_update(read=True)
            )
        }
        reports = self._reports(period_ids, lock=True)
        stored = self._stored_values(period_ids)
        new_reports: list[tuple[int, int]] = []
        inserts: list[tuple[tuple[int, int], int, Decimal]] = []
        updates: list[dict[str, Any]] = []
        for (period_id, unit_id), values in self.wanted.items():
            report = reports.get((period_id, unit_id))
            refusal = self._refusal(periods[period_id], unit_id, report)
            for indicator_id, (value, number) in values.items():
                before = stored.get((report[0], indicator_id)) if report else None
                if before == value:
                    run.summary.unchanged += 1
                elif refusal is not None:
                    run.problem(self.table, number, None, refusal)
                elif before is None:
                    inserts.append(((period_id, unit_id), indicator_id, value))
                else:
                    assert report is not None
                    updates.append(
                        {"report_id": report[0], "indicator_id": indicator_id, "value": value}
                    )
            if report is None and refusal is None and values:
                new_reports.append((period_id, unit_id))
        if run.problems:
            return
        self._write(period_ids, new_reports, inserts, updates)

    def _refusal(
        self, period: ReportingPeriod, unit_id: int, report: tuple[int, ReportState] | None
    ) -> str | None:
        """Why values may not go into the unit's report for the period, if they may not: the
        reporting rules, as for a unit filing its own."""
        unit = self.run.names.unit_names[unit_id]
        if period.state is PeriodState.FROZEN:
            return f"period {period.name} is frozen, its reports are final"
        if report is not None and report[1] not in EDITABLE_REPORT_STATES:
            return (
                f"{unit}'s report for {period.name} is {report[1].value}: values go into draft "
                "and returned reports only"
            )
        if period.state is PeriodState.CLOSED and (
            report is None or report[1] is not ReportState.RETURNED
        ):
            return (
                f"the filing of reports for period {period.name} has ended; only a report "
                f"returned to {unit} for correction may still change"
            )
        return None

    def _reports(
        self, period_ids: list[int], *, lock: bool = False
    ) -> dict[tuple[int, int], tuple[int, ReportState]]:
        """The periods' reports by period and unit, with their state; ``lock``: for update,
        so that none is submitted or reviewed between being read here and written."""
        query = select(
            ProgressReport.id,
            ProgressReport.period_id,
            ProgressReport.unit_id,
            ProgressReport.state,
        ).where(ProgressReport.period_id.in_(period_ids))
        return {
            (period_id, unit_id): (report_id, state)
            for report_id, period_id, unit_id, state in self.run.session.execute(
                query.with_for_update() if lock else query
            )
        }

    def _stored_values(self, period_ids: list[int]) -> dict[tuple[int, int], Decimal]:
        return {
            (report_id, indicator_id): value
            for report_id, indicator_id, value in self.run.session.execute(
                select(ReportValue.report_id, ReportValue.indicator_id, ReportValue.value)
                .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
                .where(ProgressReport.period_id.in_(period_ids))
            )
        }

    def _write(
        self,
        period_ids: list[int],
        new_reports: list[tuple[int, int]],
        inserts: list[tuple[tuple[int, int], int, Decimal]],
        updates: list[dict[str, Any]],
    ) -> None:
        session = self.run.session
        connection = session.connection()
        now = utcnow()
        for start in range(0, len(new_reports), _BATCH):
            insert_rows(
                connection,
                ProgressReport,
                [
                    {
                        "period_id": period_id,
                        "unit_id": unit_id,
                        "created_at": now,
                        "state": ReportState.DRAFT,
                        "narrative": "",
                        "return_reason": "",
                    }
                    for period_id, unit_id in new_reports[start : start + _BATCH]
                ],
            )
        report_ids = {key: found[0] for key, found in self._reports(period_ids).items()}
        _insert_values(
            connection,
            [(report_ids[key], indicator_id, value) for key, indicator_id, value in inserts],
        )
        if updates:
            # By primary key, in one statement run for every row.
            session.execute(update(ReportValue), updates)
        self.run.summary.reports_created += len(new_reports)
        self.run.summary.values_set += len(inserts) + len(updates)


def _insert_values(connection: Connection, rows: Sequence[tuple[int, int, Decimal]]) -> None:
    """Insert report values (report, indicator, value) in bulk. PostgreSQL takes them as one
    ``COPY`` stream, which costs its server a fraction of inserting them; SQLite runs one
    prepared statement for each group of ``_BATCH`` straight through the driver, as
    SQLAlchemy's handling of every parameter set would take longer than the inserts."""
    table = ReportValue.__tablename__
    columns = "report_id, indicator_id, value"
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)  # a Decimal goes as its exact text
        return
    # SQLite stores a figure scaled to a whole number: the column's own type scales it.
    stored = ReportValue.__table__.c.value.type.bind_processor(connection.dialect)
    assert stored is not None
    statement = f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?)"
    for start in range(0, len(rows), _BATCH):
        group = rows[start : start + _BATCH]
        connection.exec_driver_sql(statement, [(r, i, stored(v)) for r, i, v in group])
