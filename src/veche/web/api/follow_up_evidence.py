"""Evidence documents on a unit's progress report through the API: the unit's reporter
uploads and removes them while the report is a draft (or returned for correction); those who
read the follow-up, and the unit's reporters, list and download them."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Response, UploadFile

from veche.actions.evidence import (
    do_add_evidence,
    do_remove_evidence,
    readable_evidence,
    readable_evidence_list,
)
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_evidence import read_evidence_file

router = APIRouter(tags=["follow-up"], responses=REFUSALS)


class EvidenceOut(FromAttributes):
    id: int
    report_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


@router.post("/periods/{period_id}/units/{unit_id}/report/evidence", status_code=201)
def add_evidence(
    period_id: Id, unit_id: Id, file: UploadFile, caller: CallerDep, session: Transaction
) -> EvidenceOut:
    """Add a file (multipart, field ``file``) to the unit's report as evidence: a PDF, a PNG
    or JPEG image, a text, CSV or Markdown file, or an OpenDocument or Office document, of
    at most 8 MB; while the report is a draft or returned."""
    evidence = do_add_evidence(session, caller, period_id, unit_id, read_evidence_file(file))
    return EvidenceOut.model_validate(evidence)


@router.get("/periods/{period_id}/units/{unit_id}/report/evidence")
def list_evidence(
    period_id: Id, unit_id: Id, caller: CallerDep, session: SessionDep
) -> list[EvidenceOut]:
    """The files on the unit's report for the period, in the order they were added."""
    return [
        EvidenceOut.model_validate(one)
        for one in readable_evidence_list(session, caller, period_id, unit_id)
    ]


@router.get(
    "/evidence/{evidence_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_evidence(evidence_id: Id, caller: CallerDep, session: SessionDep) -> Response:
    """The file as it was uploaded, to download (never shown inline: it is the unit's file)."""
    evidence = readable_evidence(session, caller, evidence_id)
    return Response(
        evidence.content,
        media_type=evidence.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(evidence.filename)}"},
    )


@router.delete("/evidence/{evidence_id}", status_code=204)
def remove_evidence(evidence_id: Id, caller: CallerDep, session: Transaction) -> Response:
    """Take a file back from the report, while the report is a draft or returned."""
    do_remove_evidence(session, caller, evidence_id)
    return Response(status_code=204)
