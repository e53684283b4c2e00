"""Checking every frozen period's figures against the journal entry of its freeze
(``veche verify``).

The freeze (``reporting.do_freeze_period``) writes into the hash-chained journal the SHA-256
of the figures its locked reports hold. Here each freeze entry is held against the period as
stored: its figures are read and hashed again, and a value or status changed, added or
removed since, a report unlocked, a period unfrozen or its stored hash rewritten is named as
a problem of its period. The chain itself is ``journal.verify_journal``'s to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.journal_actions import JournalAction
from veche.actions.reporting import frozen_figures
from veche.follow_up.figures import figures_hash
from veche.models import JournalEntry, ReportingPeriod
from veche.models.follow_up import PeriodState


@dataclass
class PeriodsCheck:
    """The outcome of checking the frozen periods against the journal."""

    #: Periods whose figures were hashed again and found to match their freeze.
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.problems


def verify_periods(session: Session) -> PeriodsCheck:
    """Hash every frozen period's figures again and compare with the entry of its freeze."""
    check = PeriodsCheck()
    frozen_in_journal: dict[int, tuple[int, str]] = {}
    entries = session.execute(
        select(JournalEntry.seq, JournalEntry.payload)
        .where(JournalEntry.action == JournalAction.FREEZE_REPORTING_PERIOD.value)
        .order_by(JournalEntry.seq)
    )
    for seq, payload in entries:
        frozen_in_journal[int(payload["period_id"])] = (seq, str(payload["figures_hash"]))
    periods = {
        period.id: period
        for period in session.scalars(
            select(ReportingPeriod).where(
                (ReportingPeriod.state == PeriodState.FROZEN)
                | ReportingPeriod.id.in_(sorted(frozen_in_journal))
            )
        )
    }
    for period_id in sorted(set(periods) | set(frozen_in_journal)):
        period = periods.get(period_id)
        named = f"period {period_id}" + (f" ({period.name})" if period is not None else "")
        if period_id not in frozen_in_journal:
            check.problems.append(f"{named} is frozen, but the journal records no freeze of it")
            continue
        seq, recorded = frozen_in_journal[period_id]
        if period is None:
            check.problems.append(f"{named} was frozen (entry {seq}) and is gone")
            continue
        if period.state is not PeriodState.FROZEN:
            check.problems.append(
                f"{named} was frozen (entry {seq}) and is {period.state.value} again"
            )
            continue
        _reports, values, statuses = frozen_figures(session, period.id)
        if figures_hash(period.id, values, statuses) != recorded:
            check.problems.append(
                f"{named}: its figures no longer match those frozen (entry {seq}): a value or "
                "status of a locked report was changed, added or removed"
            )
        elif period.figures_hash != recorded:
            check.problems.append(
                f"{named}: the hash stored with it differs from the one frozen (entry {seq})"
            )
        else:
            check.checked += 1
    return check
