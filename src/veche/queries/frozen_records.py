"""A frozen period's figures at the whole organization as they were at its freeze, and the
interim summing-up that reads its history from them.

**The record.** Freezing a period (``actions/reporting.py``) records the period's roll-up at
the whole organization — every goal of the organization, with its indicators' figures,
``rollup_view``'s goals — as canonical JSON in ``frozen_record``, and writes the SHA-256 of
that text into the journal entry of the freeze, beside the hash of the values its locked
reports hold. It is a record, not a cache: it says what the figures were when the period was
made final, as the minutes say what a count was, and ``veche verify`` checks the stored text
against the journal without computing the roll-up again (the unit tree may since have changed,
as it may). The text is one JSON object, keys sorted, no spaces: ``format``, ``period_id`` and
``goals``, each goal a ``GoalRollup`` with its ``IndicatorFigures``; decimals as their exact
strings (``"12.5000"``), dates ISO, enums by value; ``follow_up_rollup.recorded_goals`` reads
it back, beside the views it holds.

**What reads it.** The record is the whole organization's figures of the period, final:
``load_cycle`` reads the record of each frozen period it reads, and the roll-up's goals at the
whole organization are the recorded ones (``follow_up_rollup.goals_at``), in the roll-up, the
summing-up, the public page and the desk alike. The summing-up's history — its charts' points
for the periods before the one summed up, and the previous period's goals it compares with —
reads the record of each earlier period frozen with one, without reading its values; a period
not frozen, or frozen before records were kept, is read and computed from the values as
before. So the summing-up of the last of twelve periods reads one period's values, not the
cycle's. An edit of a record shows where the record is read, and ``veche verify`` names it
(``actions/verify_periods.py``).
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
from veche.queries.follow_up_cycle import FiguresAsked, cycle_periods, load_cycle
from veche.queries.follow_up_rollup import (
    RECORD_FORMAT,
    GoalRollup,
    RollupView,
    SummingUpRecord,
    default_period,
    goals_recorded,
    summing_up_record,
)

# The record's reader, beside its writer.
from veche.queries.follow_up_rollup import recorded_goals as recorded_goals


def record_text(view: RollupView) -> str:
    """The canonical JSON of a period's goals at the whole organization (see above)."""
    record = {
        "format": RECORD_FORMAT,
        "period_id": view.period_id,
        "goals": [asdict(goal) for goal in view.goals],
    }
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
            select(FrozenRecord.period_id, FrozenRecord.figures).where(
                FrozenRecord.period_id.in_(list(frozen))
            )
        )
    }


def read_summing_up(session: Session, asked: FiguresAsked) -> SummingUpRecord:
    """The interim summing-up of the cycle asked at the end of its period (default: the
    latest period no longer open, else the first), of the resolution's goals or of every
    one: the period's values read and rolled up, and its history from the records of the
    periods frozen with one, the values of the others."""
    periods = cycle_periods(session, asked.cycle)
    chosen = default_period(periods) if asked.period is None else asked.period
    resolution_id = asked.resolution_id
    # A period of another cycle is never met: every period is taken, and load_cycle refuses.
    earlier = list(takewhile(lambda one: one.id != chosen.id, periods))
    records = read_records(session, earlier, resolution_id)
    figures = load_cycle(
        session,
        asked.organization,
        asked.cycle,
        resolution_id=resolution_id,
        period=[*(one for one in earlier if one.id not in records), chosen],
    )
    return summing_up_record(session, figures, chosen, records)
