"""What a reporting period's figures were when it was frozen, and the interim summing-up
that reads its history from them.

**The record.** Freezing a period (``actions/reporting.py``) records the period's roll-up —
every goal of the organization with its indicators' figures, at the whole organization and
at every unit of the tree, ``rollup_view``'s — as lines of canonical JSON, and writes the
SHA-256 of their text into the journal entry of the freeze, beside the hash of the values its
locked reports hold. It is a record, not a cache: it says what the figures were when the
period was made final, as the minutes say what a count was, and ``veche verify`` checks the
stored text against the journal without computing the roll-up again (the unit tree may since
have changed, as it may). Each line is one JSON value, keys sorted, no spaces, decimals as
their exact strings (``"12.5000"``), dates ISO, enums by value; the text is the lines joined
by line breaks:

1. the goals at the whole organization: ``format``, ``"veche frozen record 2"`` (``"… 1"`` in
   older databases: this line alone, still read), ``period_id``, and ``goals``, each a
   ``GoalRollup`` with its ``IndicatorFigures``;
2. the facts of the freeze: ``units``, every unit of the tree, by id: its ``parent`` (null: a
   top unit), the goals ``assigned`` to it, its ``report``'s state (null: none), the goals it
   ``reported_on`` (a value or a status: "3 of 4 units reported" is counted from these and
   the assignments, of every resolution or of one), and the ``digest`` of its line (the
   first 16 hex digits of its SHA-256: where verify finds which line changed); and
   ``statuses``, each status a counted report gave, ``[goal, unit, status, reason]``;
3. then a line a unit, by id: ``[unit, goals]``, its goals as rows — a goal's id, its figures
   there in the order of ``follow_up_rollup.GOAL_COLUMNS``, and its indicators' rows (an id
   and ``INDICATOR_COLUMNS``): what is the same at every unit (titles, paths, the
   indicators' headings) is read from the goal at the whole organization.

``frozen_record`` holds the first two lines of a period's record, ``frozen_unit_record`` each
unit's line in a row of its own (migration 0025): at 10,000 units and 100 indicators the
units' lines are some 100 MB, and a unit's report card reads its unit's line alone. The
freeze writes every unit's rows at once (``follow_up_units.unit_rows``), not unit by unit.

``follow_up_rollup.recorded_goals`` reads the goals back, ``FrozenUnits`` the facts, and the
units' lines as they are asked (``FrozenUnits.lines``).

**What reads it.** The record is the period's figures, final: ``load_cycle`` reads the record
of each frozen period it reads; the roll-up's goals are the recorded ones
(``follow_up_rollup.goals_at``) at the whole organization, and with a record of the second
format at every unit — in the roll-up, the report cards, the summing-up, the public page and
the desk alike; a period asked alone is read from it without reading its values. A view
at the whole organization reads the first line alone, one at a unit that unit's line, the
summing-up's map and league the lines of the units they show. The
summing-up's history — its charts' points for the periods before the one summed up, and the
previous period's goals it compares with — reads the record of each earlier period frozen
with one, without reading its values; a period not frozen, or frozen before records were
kept, is read and computed from the values as before. So the summing-up of the last of
twelve periods reads one period's values, not the cycle's. An edit of a record shows where
the record is read, and ``veche verify`` names it (``actions/verify_periods.py``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from itertools import takewhile

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import FrozenRecord, FrozenUnitRecord, ReportingPeriod
from veche.models.follow_up import PeriodState
from veche.queries.follow_up_arrays import collector_paused
from veche.queries.follow_up_cycle import (
    ORGANIZATION,
    CycleFigures,
    FiguresAsked,
    cycle_periods,
    load_cycle,
    record_heads,
)
from veche.queries.follow_up_rollup import (
    RECORD_FORMAT,
    GoalRollup,
    SummingUpRecord,
    default_period,
    goals_at,
    goals_recorded,
    rollup_view,
    summing_up_record,
)

# The record's reader, beside its writer.
from veche.queries.follow_up_rollup import recorded_goals as recorded_goals
from veche.queries.follow_up_units import unit_rows


@dataclass(frozen=True)
class RecordLines:
    """A record as its freeze stores it: its first two lines, the goals at the whole
    organization and the facts (``frozen_record``), and each unit's line by unit id, in unit
    order (``frozen_unit_record``, a row a unit)."""

    head: str
    units: dict[int, str]

    @property
    def text(self) -> str:
        """The record's canonical text, whose SHA-256 the journal entry of the freeze holds."""
        return "\n".join([self.head, *self.units.values()])

    @property
    def hash(self) -> str:
        """``record_hash`` of the text, hashed a line at a time rather than joined first."""
        whole = hashlib.sha256(self.head.encode("utf-8"))
        for line in self.units.values():
            whole.update(b"\n" + line.encode("utf-8"))
        return whole.hexdigest()


def frozen_record_text(figures: CycleFigures, period: ReportingPeriod) -> str:
    """The canonical text of a period's figures as its freeze keeps them (see above), from
    ``figures`` read for the period and the whole organization."""
    return frozen_record_lines(figures, period).text


def frozen_record_lines(figures: CycleFigures, period: ReportingPeriod) -> RecordLines:
    """A period's record (see above), from ``figures`` read for the period and the whole
    organization, as its freeze stores it."""
    number = figures.index(period)
    view = rollup_view(figures, period, None)
    reporting = figures.reporting[number]
    # Every unit's rows, a million small lists at the size, are written before the
    # collector may walk them.
    with collector_paused():
        units = {
            unit: record_text([unit, rows]) for unit, rows in unit_rows(figures, number).items()
        }
    head = {
        "format": RECORD_FORMAT,
        "period_id": view.period_id,
        "goals": [asdict(goal) for goal in view.goals],
    }
    given: dict[int, list[int]] = {}
    for goal_id, assigned in sorted(figures.assigned.items()):
        for unit in assigned:
            given.setdefault(unit, []).append(goal_id)
    reported: dict[int, list[int]] = {}
    for goal_id, reporters in sorted(reporting.items()):
        for unit in reporters:
            reported.setdefault(unit, []).append(goal_id)
    facts = {
        "statuses": sorted(
            [goal_id, unit, status.value, figures.reasons[goal_id, unit, at]]
            for (goal_id, unit, at), status in figures.statuses.items()
            if at == number
        ),
        "units": [
            {
                "id": unit,
                "parent": None if parent == ORGANIZATION else parent,
                "assigned": given.get(unit, []),
                "report": figures.reports.get((unit, number)),
                "reported_on": reported.get(unit, []),
                # Where verify finds which unit's line was changed.
                "digest": line_digest(units[unit]),
            }
            for unit, parent in sorted(figures.unit_parents.items())
        ],
    }
    return RecordLines(f"{record_text(head)}\n{record_text(facts)}", units)


def line_digest(line: str) -> str:
    """The short digest of a unit's line that the record's facts hold: enough to tell which
    line differs, the record's hash in the journal being what proves it."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()[:16]


def stored_record_text(session: Session, period_id: int) -> str | None:
    """A period's record as stored, its lines joined again in unit order (None: none)."""
    head = session.scalar(select(FrozenRecord.figures).where(FrozenRecord.period_id == period_id))
    if head is None:
        return None
    lines = session.scalars(
        select(FrozenUnitRecord.figures)
        .where(FrozenUnitRecord.period_id == period_id)
        .order_by(FrozenUnitRecord.unit_id)
    )
    return "\n".join([head, *lines])


def record_text(record: object) -> str:
    """A record's line as canonical JSON: keys sorted, no spaces (so no line break either),
    decimals and dates as strings."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), default=_plain)


def record_hash(text: str) -> str:
    """The SHA-256 (hex) of a record's text, as the journal entry of the freeze holds it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: object) -> str:
    """A decimal or a date as JSON holds it (enums are strings already)."""
    if isinstance(value, Decimal):
        return str(value)  # exact, and read back with the same places
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"a frozen record holds no {type(value).__name__}")


def read_records(
    session: Session, periods: list[ReportingPeriod], resolution_id: int | None = None
) -> dict[int, list[GoalRollup]]:
    """The goals recorded at the freeze of each of ``periods`` frozen with a record, by
    period id."""
    frozen = {period.id: period for period in periods if period.state is PeriodState.FROZEN}
    if not frozen:
        return {}
    return {
        period_id: goals_recorded(frozen[period_id], text, resolution_id)
        for period_id, text in session.execute(
            # The first line alone: every unit's lines are not read.
            select(FrozenRecord.period_id, record_heads(FrozenRecord.figures)).where(
                FrozenRecord.period_id.in_(list(frozen))
            )
        )
    }


def read_summing_up(session: Session, asked: FiguresAsked) -> SummingUpRecord:
    """The interim summing-up of the cycle asked at the end of its period (default: the
    latest period no longer open, else the first), of the resolution's goals or of every
    one: the period's values read and rolled up — or, frozen with a record of every unit,
    read from it —, and its history from the records of the periods frozen with one, the
    values of the others."""
    periods = cycle_periods(session, asked.cycle)
    chosen = default_period(periods) if asked.period is None else asked.period
    resolution_id = asked.resolution_id
    # A period of another cycle is never met: every period is taken, and load_cycle refuses.
    earlier = list(takewhile(lambda one: one.id != chosen.id, periods))
    records = read_records(session, earlier, resolution_id)
    unrecorded = [one for one in earlier if one.id not in records]
    if chosen.state is PeriodState.FROZEN and (
        not unrecorded
        or session.scalar(select(FrozenRecord.id).where(FrozenRecord.period_id == chosen.id))
    ):
        kept = load_cycle(
            session, asked.organization, asked.cycle, resolution_id=resolution_id, period=chosen
        )
        if kept.frozen or not unrecorded:
            # Frozen with every unit's figures, the period is read from its record alone,
            # never rolled up again; its history apart, from the values where unrecorded.
            return summing_up_record(
                session, kept, chosen, records | _computed(session, asked, unrecorded)
            )
    figures = load_cycle(
        session,
        asked.organization,
        asked.cycle,
        resolution_id=resolution_id,
        period=[*unrecorded, chosen],
    )
    return summing_up_record(session, figures, chosen, records)


def _computed(
    session: Session, asked: FiguresAsked, periods: list[ReportingPeriod]
) -> dict[int, list[GoalRollup]]:
    """The goals at the whole organization of ``periods``, computed from their values."""
    if not periods:
        return {}
    figures = load_cycle(
        session,
        asked.organization,
        asked.cycle,
        resolution_id=asked.resolution_id,
        period=periods,
    )
    return {one.id: goals_at(figures, ORGANIZATION, figures.index(one)) for one in periods}
