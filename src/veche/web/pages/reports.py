"""A meeting's documents for its participants: the communiqué, the minutes and the motion book.

The same documents the API and `veche report` give, so that the secretary can read the
communiqué before publishing it, and delegates can print the motion book.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from veche.i18n import _
from veche.queries.summing_up_papers import summing_ups_filed
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
    links = [(f"/meetings/{meeting.id}", _("Back to the meeting"))]
    if kind == "communique":
        links += [
            (f"/meetings/{meeting.id}/documents/{paper.document_id}", paper.title)
            for paper in summing_ups_filed(page.session, meeting.id)
        ]
    links.append((f"/meetings/{meeting.id}/reports/{kind}?format=pdf", _("As a PDF to print")))
    body = render_report(page.session, meeting, kind, format, links, reader=page.caller)
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="meeting-{meeting_id}-{kind}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
