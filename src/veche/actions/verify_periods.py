"""Checking every frozen period's figures against the journal entry of its freeze
(``veche verify``).

The freeze (``reporting.do_freeze_period``) writes into the hash-chained journal the SHA-256
of the figures its locked reports hold, and that of the record of their roll-up at the whole
organization and, since records of the second format, at every unit
(``queries/frozen_records.py``). Here each freeze entry is held against the period as stored:
its figures are read and hashed again, and a value or status changed, added or removed since,
a report unlocked, a period unfrozen or its stored hash rewritten is named as a problem of its
period; so is a record changed or gone, or one no freeze made. The record, of either format,
is hashed as stored, not computed again: the unit tree, the assignments and the verdicts may
have changed since the freeze, and the record is what the figures were then — and what the
roll-up, the report cards, the summing-up and the pages show of the period ever after (of a
record of the first format, at the whole organization alone), so a record edited in the
database is named here, a unit's figures as well as the whole organization's: each unit's
line is a row of its own, hashed in unit order after the first two lines, and a line changed,
gone or added is named by its unit (the record's facts keep each line's digest). The chain
itself is ``journal.verify_journal``'s to check.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings
from veche.actions.journal_actions import JournalAction
from veche.actions.reporting import frozen_figures
from veche.follow_up.figures import figures_hash
from veche.models import FrozenRecord, FrozenUnitRecord, JournalEntry, ReportingPeriod
from veche.models.follow_up import PeriodState
from veche.queries.frozen_records import line_digest

#: The units' lines of a record read from the database at once, hashed as they come.
_LINES_READ_AT_ONCE = 1_000
#: The units whose lines a problem names, at most.
_UNITS_NAMED = 5


@dataclass
class PeriodsCheck(Findings[str]):
    """The outcome of checking the frozen periods against the journal."""

    #: Periods whose figures were hashed again and found to match their freeze.
    checked: int = 0


@dataclass(frozen=True)
class _Freeze:
    """What the journal entry of a period's freeze says."""

    seq: int
    figures_hash: str
    #: None: frozen before freezes recorded the roll-up, so no record is owed.
    record_hash: str | None


def verify_periods(session: Session) -> PeriodsCheck:
    """Hash every frozen period's figures, and its record, again and compare with the entry
    of its freeze."""
    check = PeriodsCheck()
    frozen_in_journal: dict[int, _Freeze] = {}
    entries = session.execute(
        select(JournalEntry.seq, JournalEntry.payload)
        .where(JournalEntry.action == JournalAction.FREEZE_REPORTING_PERIOD.value)
        .order_by(JournalEntry.seq)
    )
    for seq, payload in entries:
        record_hash = payload.get("record_hash")
        frozen_in_journal[int(payload["period_id"])] = _Freeze(
            seq, str(payload["figures_hash"]), None if record_hash is None else str(record_hash)
        )
    records = {
        period_id: figures
        for period_id, figures in session.execute(
            select(FrozenRecord.period_id, FrozenRecord.figures)
        )
    }
    # A unit's line whose record is gone is a record too, to be named.
    lined = set(session.scalars(select(FrozenUnitRecord.period_id).distinct()))
    records.update((period_id, "") for period_id in lined - set(records))
    periods = {
        period.id: period
        for period in session.scalars(
            select(ReportingPeriod).where(
                (ReportingPeriod.state == PeriodState.FROZEN)
                | ReportingPeriod.id.in_(sorted(set(frozen_in_journal) | set(records)))
            )
        )
    }
    for period_id in sorted(set(periods) | set(frozen_in_journal)):
        period = periods.get(period_id)
        named = f"period {period_id}" + (f" ({period.name})" if period is not None else "")
        freeze = frozen_in_journal.get(period_id)
        record_problem = _record_problem(session, named, freeze, period_id, records.get(period_id))
        if record_problem is not None:
            check.problems.append(record_problem)
        if freeze is None:
            if period is not None and period.state is PeriodState.FROZEN:
                check.problems.append(f"{named} is frozen, but the journal records no freeze of it")
            continue
        if period is None:
            check.problems.append(f"{named} was frozen (entry {freeze.seq}) and is gone")
            continue
        if period.state is not PeriodState.FROZEN:
            check.problems.append(
                f"{named} was frozen (entry {freeze.seq}) and is {period.state.value} again"
            )
            continue
        _reports, values, statuses = frozen_figures(session, period.id)
        if figures_hash(period.id, values, statuses) != freeze.figures_hash:
            check.problems.append(
                f"{named}: its figures no longer match those frozen (entry {freeze.seq}): a "
                "value or status of a locked report was changed, added or removed"
            )
        elif period.figures_hash != freeze.figures_hash:
            check.problems.append(
                f"{named}: the hash stored with it differs from the one frozen (entry {freeze.seq})"
            )
        elif record_problem is None:
            check.checked += 1
    return check


def _record_problem(
    session: Session, named: str, freeze: _Freeze | None, period_id: int, record: str | None
) -> str | None:
    """What is wrong with a period's record of its roll-up at its freeze, if anything: only
    a freeze that named a record's hash made one, and the record — its first lines and each
    unit's line after them, in unit order — must still hash to it."""
    if freeze is None or freeze.record_hash is None:
        if record is None:
            return None  # no line of one either
        unmade = (
            "the journal records no freeze of it"
            if freeze is None
            else f"its freeze (entry {freeze.seq}) made none"
        )
        return f"{named} has a record of its frozen figures, but {unmade}"
    if not record:
        return f"{named}: the record of its figures made at its freeze (entry {freeze.seq}) is gone"
    whole = hashlib.sha256(record.encode("utf-8"))
    digests: dict[int, str] = {}
    for unit_id, line in session.execute(
        select(FrozenUnitRecord.unit_id, FrozenUnitRecord.figures)
        .where(FrozenUnitRecord.period_id == period_id)
        .order_by(FrozenUnitRecord.unit_id),
        execution_options={"yield_per": _LINES_READ_AT_ONCE},
    ):
        encoded = line.encode("utf-8")
        whole.update(b"\n" + encoded)
        digests[unit_id] = line_digest(line)
    if whole.hexdigest() == freeze.record_hash:
        return None
    return (
        f"{named}: its record of the figures no longer matches the one made at its freeze "
        f"(entry {freeze.seq}): {_what_changed(record, digests)}"
    )


def _what_changed(record: str, digests: dict[int, str]) -> str:
    """Which units' lines of a record differ from those its facts name (their digests), or
    else that its first lines were changed."""
    try:
        kept = {
            int(unit["id"]): str(unit["digest"])
            for unit in json.loads(record.split("\n")[1])["units"]
        }
    except (ValueError, KeyError, TypeError, IndexError):
        kept = {}
    found = [
        (f"unit {unit}", kind)
        for unit, kind in sorted(
            [(unit, "was added") for unit in digests.keys() - kept.keys()]
            + [(unit, "is gone") for unit in kept.keys() - digests.keys()]
            + [
                (unit, "was changed")
                for unit in digests.keys() & kept.keys()
                if digests[unit] != kept[unit]
            ]
        )
    ]
    if not kept or not found:
        return "it was changed"
    named = ", ".join(f"the line of {unit} {kind}" for unit, kind in found[:_UNITS_NAMED])
    more = len(found) - _UNITS_NAMED
    return f"{named}{f' and {more} more' if more > 0 else ''}"
