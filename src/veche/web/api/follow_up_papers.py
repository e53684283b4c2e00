"""A reporting cycle's interim summing-up filed as a paper on an agenda item of a later
meeting, frozen as it was filed (its Markdown and the SHA-256 of it)."""

from __future__ import annotations

from fastapi import APIRouter

from veche.models import SummingUpPaper
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import ItemDep, Transaction
from veche.web.api.types import FromAttributes
from veche.web.deps import CallerDep
from veche.web.inputs_summing_up import SummingUpPaperIn

router = APIRouter(tags=["follow-up"], responses=REFUSALS)


class SummingUpPaperOut(FromAttributes):
    document_id: int
    meeting_id: int
    agenda_item_id: int
    title: str
    cycle_id: int
    period_id: int
    sha256: str


@router.post("/agenda-items/{item_id}/summing-up", status_code=201)
def file_summing_up(
    item: ItemDep, body: SummingUpPaperIn, caller: CallerDep, session: Transaction
) -> SummingUpPaperOut:
    """File the cycle's interim summing-up at the end of a period as a paper on the item:
    the Markdown as it reads now, which later figures do not change (its SHA-256 is in the
    answer and the journal). The meeting must begin after the period ends."""
    return _paper_out(body.file(session, caller, item))


def _paper_out(filed: SummingUpPaper) -> SummingUpPaperOut:
    paper = filed.document
    return SummingUpPaperOut.read(
        filed,
        meeting_id=paper.meeting_id,
        agenda_item_id=paper.agenda_item_id,
        title=paper.title,
    )
