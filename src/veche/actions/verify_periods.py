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
database is named here, a unit's figures as well as the whole organization's. The chain
itself is ``journal.verify_journal``'s to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings
from veche.actions.journal_actions import JournalAction
from veche.actions.reporting import frozen_figures
from veche.follow_up.figures import figures_hash
from veche.models import FrozenRecord, JournalEntry, ReportingPeriod
from veche.models.follow_up import PeriodState
from veche.queries.frozen_records import record_hash


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
        record_problem = _record_problem(named, freeze, records.get(period_id))
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


def _record_problem(named: str, freeze: _Freeze | None, record: str | None) -> str | None:
    """What is wrong with a period's record of its roll-up at its freeze, if anything: only
    a freeze that named a record's hash made one, and the record must still hash to it."""
    if freeze is None or freeze.record_hash is None:
        if record is None:
            return None
        unmade = (
            "the journal records no freeze of it"
            if freeze is None
            else f"its freeze (entry {freeze.seq}) made none"
        )
        return f"{named} has a record of its frozen figures, but {unmade}"
    if record is None:
        return f"{named}: the record of its figures made at its freeze (entry {freeze.seq}) is gone"
    if record_hash(record) != freeze.record_hash:
        return (
            f"{named}: its record of the figures no longer matches the one made at its freeze "
            f"(entry {freeze.seq}): it was changed"
        )
    return None
