"""What a reporting period's figures were for the whole organization when it was frozen."""

from __future__ import annotations

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from veche.models.base import Entity
from veche.models.columns import PeriodId


class FrozenRecord(Entity):
    """A frozen period's goals at the whole organization, with their indicators' figures, as
    the roll-up gave them at the freeze (``queries/frozen_records.py``): canonical JSON, whose
    SHA-256 is in the journal entry of the freeze. Like the minutes' record of a count, it is
    what the figures were when the period was made final; the summing-up reads a period's
    history from it, every live view computes the figures again from the values."""

    period_id: Mapped[PeriodId] = mapped_column(unique=True)
    figures: Mapped[str] = mapped_column(Text)
