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
strings (``"12.5000"``), dates ISO, enums by value.

**The summing-up's history.** The roll-up, a unit's card and the summing-up's own period are
computed from the values on every reading. Only the summing-up's history — its charts' points
for the periods before the one summed up, and the previous period's goals it compares with —
reads a record, for each earlier period frozen with one; a period not frozen, or frozen
before records were kept, is read and computed from the values as before. So the summing-up
of the last of twelve periods reads one period's values, not the cycle's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields, is_dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from itertools import takewhile
from types import NoneType, UnionType
from typing import Any, get_args, get_origin, get_type_hints

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import FrozenRecord, ReportingPeriod
from veche.models.follow_up import PeriodState
from veche.queries.follow_up_cycle import FiguresAsked, cycle_periods, load_cycle
from veche.queries.follow_up_rollup import (
    GoalRollup,
    RollupView,
    SummingUpRecord,
    default_period,
    summing_up_record,
)

#: The record's ``format``: which way of writing it this is. A field added to the views
#: later makes a new format, read with a default for the records written before it.
FORMAT = "veche frozen record 1"


def record_text(view: RollupView) -> str:
    """The canonical JSON of a period's goals at the whole organization (see above)."""
    record = {
        "format": FORMAT,
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


def recorded_goals(text: str, resolution_id: int | None = None) -> list[GoalRollup]:
    """The goals a record holds, as the roll-up gave them (of one resolution, or all)."""
    record = json.loads(text)
    if record["format"] != FORMAT:
        raise ValueError(f"a frozen record written as {record['format']!r}, not {FORMAT!r}")
    goals = [_typed(GoalRollup, goal) for goal in record["goals"]]
    return [goal for goal in goals if resolution_id in (None, goal.resolution_id)]


@cache
def _field_types(kind: type) -> dict[str, Any]:
    hints = get_type_hints(kind)
    return {field.name: hints[field.name] for field in fields(kind)}


def _typed(kind: Any, raw: Any) -> Any:
    """``raw``, read from JSON, as the ``kind`` the view declares for it."""
    if raw is None:
        return None
    if isinstance(kind, UnionType):  # ``X | None``
        (kind,) = (arg for arg in get_args(kind) if arg is not NoneType)
    if get_origin(kind) is list:
        (item,) = get_args(kind)
        return [_typed(item, one) for one in raw]
    if isinstance(kind, type) and is_dataclass(kind):
        types = _field_types(kind)
        return kind(**{name: _typed(types[name], value) for name, value in raw.items()})
    if kind is date:
        return date.fromisoformat(raw)
    return kind(raw)  # a decimal from its string, an enum from its value, a number, a word


def read_records(
    session: Session, periods: list[ReportingPeriod], resolution_id: int | None = None
) -> dict[int, list[GoalRollup]]:
    """The goals recorded at the freeze of each of ``periods`` frozen with a record, by
    period id."""
    frozen = [period.id for period in periods if period.state is PeriodState.FROZEN]
    if not frozen:
        return {}
    return {
        period_id: recorded_goals(text, resolution_id)
        for period_id, text in session.execute(
            select(FrozenRecord.period_id, FrozenRecord.figures).where(
                FrozenRecord.period_id.in_(frozen)
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
