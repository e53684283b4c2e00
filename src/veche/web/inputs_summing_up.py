"""The input of filing a cycle's interim summing-up as a paper on an agenda item."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.summing_up_papers import do_file_summing_up
from veche.models import AgendaItem, SummingUpPaper
from veche.web.api.types import Id


class SummingUpPaperIn(BaseModel):
    """Which cycle's summing-up, at the end of which period, goes on the item."""

    cycle_id: Id
    period_id: Id | None = Field(
        default=None, description="default: the cycle's latest period no longer open"
    )

    def file(self, session: Session, caller: Caller, item: AgendaItem) -> SummingUpPaper:
        return do_file_summing_up(session, caller, item, self.cycle_id, self.period_id)
