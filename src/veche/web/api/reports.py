"""A meeting's documents through the API: communiqué, minutes and motion book."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from veche.actions.access import access_meeting
from veche.reports import MEDIA_TYPES
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import Id
from veche.web.deps import CallerDep
from veche.web.report_answer import report_answer

router = APIRouter(tags=["reports"], responses=REFUSALS)


@router.get(
    "/meetings/{meeting_id}/reports/{kind}",
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def report(
    meeting_id: Id,
    kind: Literal["communique", "minutes", "motions"],
    caller: CallerDep,
    session: Transaction,
    format: Annotated[Literal["md", "html", "pdf"], Query()] = "md",
) -> Response:
    """The communiqué, the minutes or the motion book, as Markdown, HTML or PDF."""
    meeting = access_meeting(session, caller, meeting_id)
    return report_answer(session, meeting, kind, format, caller)
