"""What a reporting period's figures were when it was frozen."""

from __future__ import annotations

from sqlalchemy import Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from veche.models.base import Entity
from veche.models.columns import PeriodId


class FrozenRecord(Entity):
    """A frozen period's goals, with their indicators' figures, at the whole organization, and
    the facts of its freeze (its units, their tree, assignments, reports and statuses), as the
    roll-up gave them at the freeze (``queries/frozen_records.py``): canonical JSON, whose
    SHA-256 — with every unit's line (``FrozenUnitRecord``) after it — is in the journal entry
    of the freeze. Like the minutes' record of a count, it is what the figures were when the
    period was made final; every view of the period reads them from it (records written
    before 5 December 2026 hold the whole organization's alone), and only the periods not
    frozen are computed from the values."""

    period_id: Mapped[PeriodId] = mapped_column(unique=True)
    figures: Mapped[str] = mapped_column(Text)


class FrozenUnitRecord(Entity):
    """One unit's line of a frozen period's record: its goals with their indicators' figures
    at the freeze, over its subtree, as canonical JSON. A row a unit, so that a report card
    reads its unit's figures, not the whole tree's. ``unit_id`` names the unit as the record
    does, not as a reference: a record outlives a unit deleted since."""

    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    period_id: Mapped[PeriodId]
    unit_id: Mapped[int]
    figures: Mapped[str] = mapped_column(Text)
