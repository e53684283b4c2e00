"""A meeting's documents for its participants: the communiqué, the minutes and the motion book.

The same documents the API and `veche report` give, so that the secretary can read the
communiqué before publishing it, and delegates can print the motion book.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from veche.reports import MEDIA_TYPES, render_report
from veche.web.pages._page import PageDep

router = APIRouter()


@router.get("/meetings/{meeting_id}/reports/{kind}")
def meeting_report(
    meeting_id: int,
    kind: Literal["communique", "minutes", "motions"],
    page: PageDep,
    format: Annotated[Literal["html", "pdf"], Query()] = "html",
) -> Response:
    """The document as a page, or as a PDF to print; for the meeting's participants."""
    meeting = page.meeting(meeting_id)
    body = render_report(page.session, meeting, kind, format)
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="meeting-{meeting_id}-{kind}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
