"""A reporting cycle's interim summing-up filed as a paper on an agenda item of a later
meeting: the Markdown as rendered at the filing, frozen with its SHA-256, so that the paper
the meeting heard does not change when the figures later do.

Filing reads the figures (``follow_up.read`` in the organization) and files a paper on the
item (``floor.run`` in its meeting, as any paper); both are asked before any row named is
read. The journal records the paper, the cycle and period it sums up, and the digest.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, holds, meeting_row
from veche.actions.contributions import do_add_document
from veche.actions.follow_up_access import meeting_organization
from veche.actions.follow_up_figures import readable_figures
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict, InvalidInput
from veche.models import AgendaItem, Document, Meeting, SummingUpPaper
from veche.models.follow_up import PeriodState
from veche.permissions import Permission
from veche.queries.follow_up_cycle import FiguresAsked
from veche.queries.follow_up_rollup import default_period
from veche.reports import build_summing_up
from veche.reports.render import to_markdown


def may_file_summing_up(session: Session, caller: Caller, meeting: Meeting) -> bool:
    """Whether the caller may file a summing-up in the meeting, as ``do_file_summing_up``
    asks: papers in the meeting, and the figures of its organization (the page shows its
    form to them alone)."""
    return holds(session, caller, Permission.FLOOR_RUN, meeting.id) and holds(
        session, caller, Permission.FOLLOW_UP_READ, meeting_organization(session, meeting).id
    )


def check_summing_up_item(
    session: Session, caller: Caller, meeting: Meeting, item_id: int
) -> AgendaItem:
    """The item of the meeting a summing-up is to be filed on, for one who may file papers
    there: the permission is asked before the item is looked up (403 whatever id is named)."""
    authorize(session, caller, Permission.FLOOR_RUN, meeting.id)
    return meeting_row(session, AgendaItem, item_id, meeting.id, "agenda item")


def do_file_summing_up(
    session: Session,
    caller: Caller,
    item: AgendaItem,
    cycle_id: int,
    period_id: int | None = None,
) -> SummingUpPaper:
    """File the cycle's summing-up at the end of a period (default: the latest no longer
    open) as a paper on ``item``, whose meeting must begin after the period has ended."""
    meeting = item.meeting
    authorize(session, caller, Permission.FLOOR_RUN, meeting.id)
    asked = readable_figures(session, caller, cycle_id=cycle_id, period_id=period_id)
    cycle = asked.cycle
    if not cycle.periods:
        raise InvalidInput(f"reporting cycle {cycle.name} has no periods yet: nothing to sum up")
    period = asked.period or default_period(cycle.periods)
    if period.state is PeriodState.OPEN:
        raise Conflict(
            f"period {period.name} is still open, its reports still coming in: close it "
            "before filing its summing-up"
        )
    if meeting.starts_on <= period.ends_on:
        raise InvalidInput(
            f"the summing-up of {period.name} (to {period.ends_on}) goes to a later meeting: "
            f"meeting {meeting.id} begins on {meeting.starts_on}"
        )
    filed = session.scalar(
        select(Document.id)
        .join(SummingUpPaper, SummingUpPaper.document_id == Document.id)
        .where(Document.agenda_item_id == item.id, SummingUpPaper.period_id == period.id)
    )
    if filed is not None:
        raise Conflict(
            f"the summing-up of {period.name} is already filed on this item (paper {filed})"
        )
    document = build_summing_up(session, FiguresAsked(asked.organization, cycle, period))
    paper = do_add_document(
        session,
        caller,
        meeting,
        title=document.title,
        text=to_markdown(document),
        agenda_item_id=item.id,
    )
    digest = hashlib.sha256(paper.text.encode("utf-8")).hexdigest()
    filing = SummingUpPaper(
        document_id=paper.id, cycle_id=cycle.id, period_id=period.id, sha256=digest
    )
    session.add(filing)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.FILE_SUMMING_UP,
        {
            "document_id": paper.id,
            "meeting_id": meeting.id,
            "agenda_item_id": item.id,
            "cycle_id": cycle.id,
            "period_id": period.id,
            "sha256": digest,
        },
    )
    return filing
