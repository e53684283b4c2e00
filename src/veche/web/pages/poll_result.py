"""A poll's result as a participant reads it once they may see it: the outcome (a tie a lot
settled said with it), the tally, the count round by round, the tellers' corrections before
the close with why (as the minutes give them) and a named poll's roll-call —
what the console shows the chair and ``GET /api/polls/{id}/result`` and ``…/roll-call`` give,
where the meeting's page said only "adopted"."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from veche.actions.access import check_sees_result, meeting_permissions
from veche.method_names import majority_rule_name, method_name
from veche.models import Poll
from veche.models.polls import PollKind
from veche.queries.paper_lots import poll_corrections
from veche.queries.polls import roll_call
from veche.queries.result_summary import result_summary
from veche.queries.sitting import chart_rounds
from veche.web.pages._page import PageDep

router = APIRouter()


@router.get("/meetings/{meeting_id}/polls/{poll_id}/result", response_class=HTMLResponse)
def poll_result(meeting_id: int, poll_id: int, page: PageDep) -> HTMLResponse:
    """The result, by the result's own rule: to everyone once published, to the chair once
    closed (403 before, saying when it will be shown)."""
    poll = page.row(Poll, poll_id, meeting_id, "poll")
    check_sees_result(page.session, page.caller, poll, f"the result of “{poll.title}” is shown")
    votes = roll_call(page.session, poll)
    return page.render(
        "delegate/result.html",
        meeting=poll.meeting,
        poll=poll,
        summary=result_summary(poll),
        rounds=chart_rounds(poll.result),
        counted_by=(
            majority_rule_name(poll.method_options)
            if poll.kind is PollKind.DECISION
            else method_name(poll.method)
        ),
        corrections=poll_corrections(page.session, [poll.id]).get(poll.id, []),
        roll_call=votes,
        weighted=any(vote["weight"] != 1 for vote in votes),
        may=meeting_permissions(page.session, page.caller, poll.meeting_id),  # the tabs
    )
