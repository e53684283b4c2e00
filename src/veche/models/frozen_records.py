"""What a reporting period's figures were when it was frozen."""

from __future__ import annotations

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from veche.models.base import Entity
from veche.models.columns import PeriodId


class FrozenRecord(Entity):
    """A frozen period's goals, with their indicators' figures, at the whole organization and
    at every unit, as the roll-up gave them at the freeze (``queries/frozen_records.py``):
    canonical JSON, whose SHA-256 is in the journal entry of the freeze. Like the minutes'
    record of a count, it is what the figures were when the period was made final; every view
    of the period reads them from it (records written before 5 December 2026 hold the whole
    organization's alone), and only the periods not frozen are computed from the values."""

    period_id: Mapped[PeriodId] = mapped_column(unique=True)
    figures: Mapped[str] = mapped_column(Text)
