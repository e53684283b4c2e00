"""An evidence document's input: the uploaded file, read once for the API and the pages."""

from __future__ import annotations

from fastapi import UploadFile

from veche.actions.evidence import MAX_EVIDENCE_BYTES, EvidenceFile
from veche.errors import InvalidInput


def read_evidence_file(file: UploadFile) -> EvidenceFile:
    """The file's name, declared type and bytes, reading no more than one byte past the
    largest file taken (``actions/evidence.py`` checks the rest)."""
    data = file.file.read(MAX_EVIDENCE_BYTES + 1)
    name = file.filename or ""
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            f"{name or 'the file'} is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB; give "
            "a smaller copy, or a link to it in the narrative"
        )
    return EvidenceFile(name, file.content_type or "", data)
