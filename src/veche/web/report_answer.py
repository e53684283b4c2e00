"""A meeting's document (communiqué, minutes, motion book) as an answer: the same for the
API and the pages, which differ only in the formats they offer."""

from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.models import Meeting
from veche.reports import MEDIA_TYPES, render_report


def report_answer(
    session: Session, meeting: Meeting, kind: str, format: str, reader: Caller
) -> Response:
    """The document in ``format`` as ``reader`` may read it; a PDF is shown in the browser,
    named for saving."""
    body = render_report(session, meeting, kind, format, reader=reader)
    headers = {}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="meeting-{meeting.id}-{kind}.pdf"'
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
