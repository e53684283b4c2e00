"""What a reporting period's figures were when it was frozen, and the interim summing-up
that reads its history from them.

**The record.** Freezing a period (``actions/reporting.py``) records the period's roll-up —
every goal of the organization with its indicators' figures, at the whole organization and
at every unit of the tree, ``rollup_view``'s — as canonical JSON in ``frozen_record``, and
writes the SHA-256 of that text into the journal entry of the freeze, beside the hash of the
values its locked reports hold. It is a record, not a cache: it says what the figures were
when the period was made final, as the minutes say what a count was, and ``veche verify``
checks the stored text against the journal without computing the roll-up again (the unit
tree may since have changed, as it may). The text is one JSON object, keys sorted, no
spaces, decimals as their exact strings (``"12.5000"``), dates ISO, enums by value:

- ``format``: ``"veche frozen record 2"`` (``"… 1"`` in older databases: the first three
  keys alone, still read), ``period_id``;
- ``goals``: the goals at the whole organization, each a ``GoalRollup`` with its
  ``IndicatorFigures``;
- ``units``: every unit of the tree, by id: its ``parent`` (null: a top unit), the goals
  ``assigned`` to it, its ``report``'s state (null: none), the goals it ``reported_on`` (a
  value or a status: "3 of 4 units reported" is counted from these and the assignments, of
  every resolution or of one), and its ``goals`` as rows — a goal's id, its figures there in
  the order of ``follow_up_rollup.GOAL_COLUMNS``, and its indicators' rows (an id and
  ``INDICATOR_COLUMNS``): what is the same at every unit (titles, paths, the indicators'
  headings) is read from the goal at the whole organization;
- ``statuses``: each status a counted report gave, ``[goal, unit, status, reason]``.

``follow_up_rollup.recorded_goals`` reads the goals back, ``FrozenUnits`` the rest.

**What reads it.** The record is the period's figures, final: ``load_cycle`` reads the record
of each frozen period it reads; the roll-up's goals are the recorded ones
(``follow_up_rollup.goals_at``) at the whole organization, and with a record of the second
format at every unit — in the roll-up, the report cards, the summing-up, the public page and
the desk alike; a period asked alone is read from it without reading its values. The
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
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from itertools import takewhile

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import FrozenRecord, ReportingPeriod
from veche.models.follow_up import PeriodState
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
    goal_row,
    goals_at,
    goals_recorded,
    rollup_view,
    summing_up_record,
)

# The record's reader, beside its writer.
from veche.queries.follow_up_rollup import recorded_goals as recorded_goals


def frozen_record_text(figures: CycleFigures, period: ReportingPeriod) -> str:
    """The canonical text of a period's figures as its freeze keeps them (see above), from
    ``figures`` read for the period and the whole organization."""
    number = figures.index(period)
    view = rollup_view(figures, period, None)
    reporting = figures.reporting[number]
    head = {
        "format": RECORD_FORMAT,
        "period_id": view.period_id,
        "goals": [asdict(goal) for goal in view.goals],
    }
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
                "assigned": sorted(
                    goal_id for goal_id, given in figures.assigned.items() if unit in given
                ),
                "report": figures.reports.get((unit, number)),
                "reported_on": sorted(
                    goal_id for goal_id, units in reporting.items() if unit in units
                ),
            }
            for unit, parent in sorted(figures.unit_parents.items())
        ],
    }
    units = (
        [unit, [goal_row(goal) for goal in goals_at(figures, unit, number)]]
        for unit in sorted(figures.unit_parents)
    )
    return "\n".join([record_text(head), record_text(facts), *map(record_text, units)])


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
