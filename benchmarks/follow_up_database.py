"""How fast veche reads a reporting cycle's figures out of a real database and turns them into
the roll-up, a unit's report card and the interim summing-up, at congress scale.

Run: .venv/bin/python -m benchmarks.follow_up_database [--backend sqlite|postgresql|both]
[--units N] [--indicators N] [--periods N] [--repeats N]

The issue's target size is 10,000 units × 100 indicators × 12 periods (12 million values):
the roll-up of the whole tree and the summing-up in under 2 s, a unit's report card in
under 200 ms. The defaults are far smaller, to run in about a minute.

The demo organization (its meeting and resolutions) gets a tree of districts and branches
below its regions, goals of ten indicators each (the rules taking turns) assigned to every
branch, a cycle of periods and an accepted report from every branch for every period, a
value for every indicator. The filling is bulk inserts, then on PostgreSQL ``ANALYZE`` (as
autovacuum does soon after such a load); then every period is closed and every one but the
last frozen through the freeze's action, as the API's ``POST /api/periods/{id}/state`` does
— its reports locked, their figures hashed and their roll-up at the whole organization and
at every unit recorded — each freeze in a transaction of its own and timed (the table gives the slowest).
What is timed after runs in this process through the functions the API's routes call, on
the last period (closed, not frozen): ``load_cycle`` for that period and ``rollup_view``
(``GET /api/periods/{id}/rollup``, the whole tree), ``load_cycle`` for that period and a
district's subtree and ``report_card`` (``GET …/units/{id}/card``), the same card on the first
period, frozen (read from the record of its freeze: its facts and the district's own line), and
``render_summing_up`` in Markdown and HTML (``GET /api/cycles/{id}/summing-up``: the last
period's values, and each earlier period's figures from the record of its freeze), each the
best of ``--repeats`` runs. The peer in the same run is ``load_cycle`` of the whole cycle
alone — reading every value of every period and rolling them up with the numpy engine, as
every view, the summing-up last, did before. The table is Markdown, for docs/benchmarks.md;
progress goes to standard error.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from benchmarks._bulk import add_units, assign_to_all
from benchmarks._machine import load, machine, progress
from benchmarks.follow_up import Size
from benchmarks.vote_spike import postgres
from veche import migrate
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.goals import GoalSpec, do_create_goal
from veche.actions.indicators import IndicatorSpec, do_create_indicator
from veche.actions.reporting import PeriodSpec, do_add_period, do_create_cycle, do_move_period
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo import load_demo
from veche.demo_meeting import load_demo_meeting
from veche.models import Organization, Term, Unit
from veche.models.follow_up import (
    Measure,
    PeriodState,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
    ReportState,
    ReportValue,
    RollupRule,
)
from veche.queries.follow_up_cycle import FiguresAsked
from veche.queries.follow_up_rollup import (
    CycleFigures,
    ReportCard,
    RollupView,
    load_cycle,
    report_card,
    rollup_view,
)
from veche.reports import render_summing_up

T = TypeVar("T")

ROLLUP_TARGET = 2.0
SUMMING_UP_TARGET = 2.0
CARD_TARGET = 0.2
UNITS = 1_000
INDICATORS = 20
PERIODS = 4
REPEATS = 3
#: Indicators a goal has: 100 indicators make ten goals.
PER_GOAL = 10
#: Branches under a district.
PER_DISTRICT = 50
#: The rules the indicators take in turn: all of them read every value as it is.
RULES = (RollupRule.SUM, RollupRule.MEAN, RollupRule.MAX, RollupRule.MIN, RollupRule.LATEST)
RESOLUTION = 2  # the demo's "On wages and agreements"
#: Rows a bulk insert sends at once.
CHUNK = 50_000


@dataclass(frozen=True)
class Filled:
    """What the filling made: the ids the timings ask about, and the sum of the values of
    the first indicator (a sum) in the last period, which the roll-up must find."""

    cycle_id: int
    values: int  # the branches report, the districts above them do not
    period_ids: list[int]
    district_id: int
    goal_ids: list[int]
    first_indicator_id: int
    first_indicator_total: int
    #: The slowest freeze of a period, in seconds (0 when none was frozen).
    freeze: float


@dataclass(frozen=True)
class Timings:
    """The best of the runs, in seconds, of each thing timed."""

    load: float
    rollup: float
    card: float
    #: A district's report card on a frozen period: read from the record of its freeze.
    frozen_card: float
    markdown: float
    html: float


def best_of(repeats: int, run: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _add_units(session: Session, organization_id: int, units: int) -> tuple[list[int], list[int]]:
    """``units`` units below the demo's regions: a district for every ``PER_DISTRICT``
    branches, the rest branches. The districts' and the branches' ids."""
    regions = session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))).all()
    districts = max(1, units // (PER_DISTRICT + 1))
    district_ids = add_units(
        session, organization_id, "district", "District {:04d}", regions, districts
    )
    branch_ids = add_units(
        session, organization_id, "branch", "Branch {:05d}", district_ids, units - districts
    )
    return district_ids, branch_ids


def _add_goals(
    session: Session, me: Caller, indicators: int, branches: list[int]
) -> tuple[list[int], list[int]]:
    """Goals of ``PER_GOAL`` indicators each, assigned to every branch: the goals' and the
    indicators' ids."""
    goal_ids, indicator_ids = [], []
    for number in range(0, indicators, PER_GOAL):
        goal = do_create_goal(
            session, me, GoalSpec(f"Goal {number // PER_GOAL + 1}"), resolution_id=RESOLUTION
        )
        goal_ids.append(goal.id)
        for place in range(number, min(indicators, number + PER_GOAL)):
            spec = IndicatorSpec(
                f"Indicator {place + 1}",
                Measure.COUNT,
                target_value=Decimal(50),
                rollup=RULES[place % len(RULES)],
            )
            indicator_ids.append(do_create_indicator(session, me, goal, spec).id)
        assign_to_all(session, goal.id, branches)
    return goal_ids, indicator_ids


def _add_cycle(session: Session, me: Caller, periods: int) -> tuple[int, list[int]]:
    term = session.scalars(select(Term).where(Term.number == 8).order_by(Term.id)).first()
    assert term is not None
    cycle = do_create_cycle(session, me, term.id, "Monthly reports")
    period_ids = []
    starts = date(2025, 5, 1)
    for number in range(periods):
        ends = starts + timedelta(days=27)
        spec = PeriodSpec(f"Month {number + 1}", starts, ends, ends)
        period_ids.append(do_add_period(session, me, cycle, spec).id)
        starts = ends + timedelta(days=1)
    return cycle.id, period_ids


def _add_reports(
    session: Session,
    branches: list[int],
    period_ids: list[int],
    indicator_ids: list[int],
    seed: int,
) -> int:
    """An accepted report from every branch for every period, a value for every indicator;
    the sum of the first indicator's values in the last period."""
    for chunk in _chunks(
        [
            {"period_id": period, "unit_id": unit, "state": ReportState.ACCEPTED}
            for period in period_ids
            for unit in branches
        ]
    ):
        session.execute(insert(ProgressReport), chunk)
    reports = session.execute(
        select(ProgressReport.id, ProgressReport.period_id).where(
            ProgressReport.period_id.in_(period_ids)
        )
    ).all()
    rng = random.Random(seed)
    total = 0
    rows: list[dict[str, Any]] = []
    for report_id, period_id in reports:
        numbers = [rng.randrange(100) for _ in indicator_ids]
        if period_id == period_ids[-1]:
            total += numbers[0]
        rows += [
            {"report_id": report_id, "indicator_id": indicator, "value": Decimal(number)}
            for indicator, number in zip(indicator_ids, numbers, strict=True)
        ]
        if len(rows) >= CHUNK:
            session.execute(insert(ReportValue), rows)
            rows = []
    if rows:
        session.execute(insert(ReportValue), rows)
    return total


def _analyze(sessions: sessionmaker[Session]) -> None:
    """On PostgreSQL, ``ANALYZE``, as autovacuum does within a minute or so of a load: until
    then the planner's statistics describe empty tables, and it reads a district's values by
    scanning all 12 million (0.4 s) rather than through the reports' index (2 ms)."""
    with transaction(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))


def _caller(session: Session) -> Caller:
    """The system, allowed everything in the organization."""
    organization = session.scalars(select(Organization)).one()
    return Caller(Actor.system("benchmark"), None, True, organization.id)


def freeze_all_but_the_last(sessions: sessionmaker[Session], period_ids: list[int]) -> float:
    """Close every period and freeze every one but the last, each freeze through the action
    in a transaction of its own, as the API makes it: the slowest freeze, in seconds."""
    with transaction(sessions) as session:
        me = _caller(session)
        for period_id in period_ids:
            do_move_period(
                session, me, session.get_one(ReportingPeriod, period_id), PeriodState.CLOSED
            )
    slowest = 0.0
    for number, period_id in enumerate(period_ids[:-1], start=1):
        progress(f"freezing period {number} of {len(period_ids)}")
        start = time.perf_counter()
        with transaction(sessions) as session:
            period = session.get_one(ReportingPeriod, period_id)
            do_move_period(session, me, period, PeriodState.FROZEN)
        slowest = max(slowest, time.perf_counter() - start)
    return slowest


def fill(sessions: sessionmaker[Session], size: Size, seed: int, *, freeze: bool = True) -> Filled:
    """The world of the benchmark, every period but the last frozen (all left open, their
    reports accepted, when not ``freeze``)."""
    with transaction(sessions) as session:
        organization = load_demo(session)
        load_demo_meeting(session, organization)
        me = _caller(session)
        districts, branches = _add_units(session, organization.id, size.units)
        goal_ids, indicator_ids = _add_goals(session, me, size.indicators, branches)
        cycle_id, period_ids = _add_cycle(session, me, size.periods)
        total = _add_reports(session, branches, period_ids, indicator_ids, seed)
    _analyze(sessions)
    slowest = freeze_all_but_the_last(sessions, period_ids) if freeze else 0.0
    values = len(branches) * len(indicator_ids) * len(period_ids)
    return Filled(
        cycle_id, values, period_ids, districts[0], goal_ids, indicator_ids[0], total, slowest
    )


def _figures(
    session: Session,
    filled: Filled,
    period: ReportingPeriod | None = None,
    unit_id: int | None = None,
) -> CycleFigures:
    organization = session.scalars(select(Organization)).one()
    cycle = session.get_one(ReportingCycle, filled.cycle_id)
    return load_cycle(session, organization, cycle, period=period, unit_id=unit_id)


def time_views(
    sessions: sessionmaker[Session], filled: Filled, repeats: int
) -> tuple[Timings, RollupView, ReportCard, str]:
    """The timings, with the roll-up, the report card and the Markdown summing-up made."""
    with sessions() as session:
        organization = session.scalars(select(Organization)).one()
        cycle = session.get_one(ReportingCycle, filled.cycle_id)
        last = session.get_one(ReportingPeriod, filled.period_ids[-1])
        progress("timing load_cycle of the whole cycle (the peer)")
        loaded, _ = best_of(repeats, lambda: _figures(session, filled))
        progress("timing the roll-up of the whole tree")
        rollup, view = best_of(
            repeats, lambda: rollup_view(_figures(session, filled, last), last, None)
        )
        progress("timing a district's report card")
        district = filled.district_id
        card_seconds, card = best_of(
            repeats,
            lambda: report_card(_figures(session, filled, last, district), last, district),
        )
        progress("timing a district's report card on a frozen period")
        frozen = session.get_one(ReportingPeriod, filled.period_ids[0])
        assert frozen.state is PeriodState.FROZEN or len(filled.period_ids) == 1
        frozen_card, card_then = best_of(
            repeats,
            lambda: report_card(_figures(session, filled, frozen, district), frozen, district),
        )
        assert card_then.goals
        progress("timing the summing-up in Markdown")
        summed_up = FiguresAsked(organization, cycle, last)
        markdown, document = best_of(repeats, lambda: render_summing_up(session, summed_up, "md"))
        progress("timing the summing-up in HTML")
        html, _ = best_of(repeats, lambda: render_summing_up(session, summed_up, "html"))
    timings = Timings(loaded, rollup, card_seconds, frozen_card, markdown, html)
    return timings, view, card, document.decode()


def run(url: str, size: Size, seed: int, repeats: int) -> tuple[Timings, int, float, float]:
    """The timings, the values reported, the seconds the filling took (its freezes
    included) and the slowest freeze of a period."""
    engine: Engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    try:
        progress(
            f"filling {url.split(':')[0]}: {size.units:,} units, {size.indicators} "
            f"indicators, {size.periods} periods"
        )
        start = time.perf_counter()
        filled = fill(sessions, size, seed)
        _analyze(sessions)  # again: the freezes locked most reports
        filling = time.perf_counter() - start
        timings, view, _card, _document = time_views(sessions, filled, repeats)
        first = next(
            shown
            for goal in view.goals
            for shown in goal.indicators
            if shown.id == filled.first_indicator_id
        )
        assert first.value == filled.first_indicator_total, (first.value, filled)
        return timings, filled.values, filling, filled.freeze
    finally:
        engine.dispose()


def _met(seconds: float, target: float) -> str:
    return "yes" if seconds < target else "no"


def table(size: Size, results: list[tuple[str, Timings, int, float, float]]) -> list[str]:
    lines = [
        "| database | units × indicators × periods | values | filled in "
        "| freeze of one period | whole cycle read (peer) | roll-up (< 2 s) "
        "| report card (< 200 ms) | frozen period's card (< 200 ms) | summing-up .md (< 2 s) "
        "| summing-up .html |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, timings, values, filling, freeze in results:
        lines.append(
            f"| {name} | {size.units:,} × {size.indicators} × {size.periods} | {values:,} "
            f"| {filling:.0f} s | {freeze:.2f} s | {timings.load:.2f} s "
            f"| {timings.rollup:.2f} s ({_met(timings.rollup, ROLLUP_TARGET)}) "
            f"| {timings.card * 1000:,.0f} ms ({_met(timings.card, CARD_TARGET)}) "
            f"| {timings.frozen_card * 1000:,.0f} ms ({_met(timings.frozen_card, CARD_TARGET)}) "
            f"| {timings.markdown:.2f} s ({_met(timings.markdown, SUMMING_UP_TARGET)}) "
            f"| {timings.html:.2f} s |"
        )
    return lines


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)


def main() -> None:
    # `timeout` and CI stop a run with SIGTERM: as an exit, it runs the `finally` blocks that
    # stop the embedded PostgreSQL and remove the SQLite file.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--units", type=int, default=UNITS)
    parser.add_argument("--indicators", type=int, default=INDICATORS)
    parser.add_argument("--periods", type=int, default=PERIODS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    size = Size(arguments.units, arguments.indicators, arguments.periods)
    load_before = load()
    results = []
    if arguments.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="veche-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'veche.sqlite3'}"
            results.append(("SQLite", *run(url, size, arguments.seed, arguments.repeats)))
    if arguments.backend in ("postgresql", "both"):
        with postgres() as url:
            results.append(("PostgreSQL", *run(url, size, arguments.seed, arguments.repeats)))
    print(f"Machine: {machine()}.")
    print(f"Load average (1, 5, 15 min): {load_before} before, {load()} after.")
    print()
    print("\n".join(table(size, results)))


if __name__ == "__main__":
    main()
