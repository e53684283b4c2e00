"""Evidence documents on a progress report: files a unit gives to show what it did (minutes,
a signed agreement, a photograph).

The unit's reporter (``follow_up.report`` in the unit) adds and removes them while the report
can still change — a draft, or a report returned for correction — as they change the report
itself; those who read the follow-up (``follow_up.read``) and the unit's reporters read them.
A file is checked to be what its type says (a PDF starts as PDFs do, a text is UTF-8), since a
browser opens what it is told it is. The journal records each file's name, type, size and
SHA-256, never its bytes.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, caller_organization
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.progress import UnitPeriod, unit_period
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import EvidenceDocument, ProgressReport, Unit
from veche.models.follow_up import EDITABLE_REPORT_STATES, PeriodState, ReportState

#: The largest file taken (the upload's route allows a little more, for the form's framing).
MAX_EVIDENCE_BYTES = 8 * 1024 * 1024
#: How many files one report may carry.
MAX_EVIDENCE_FILES = 20

_ZIP = (b"PK\x03\x04",)
#: The types taken, each with how its files begin (none: UTF-8 text).
ACCEPTED_TYPES: dict[str, tuple[bytes, ...] | None] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "text/plain": None,
    "text/csv": None,
    "text/markdown": None,
    "application/vnd.oasis.opendocument.text": _ZIP,
    "application/vnd.oasis.opendocument.spreadsheet": _ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
}


@dataclass(frozen=True)
class EvidenceFile:
    """A file as uploaded: its name, its declared type and its bytes."""

    filename: str
    content_type: str
    content: bytes


def check_filename(filename: str) -> str:
    """The file's own name, without any folder, control character or surrounding space."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if not name or name in (".", ".."):
        raise InvalidInput("give the file a name (such as minutes-march.pdf)")
    if len(name) > 255:
        raise InvalidInput(f"the file's name is longer than 255 characters: {name[:40]}…")
    return name


def check_evidence_file(file: EvidenceFile) -> EvidenceFile:
    """A file of a type taken, within the size allowed, whose bytes are of its type."""
    name = check_filename(file.filename)
    content_type = file.content_type.split(";", 1)[0].strip().lower()
    if content_type not in ACCEPTED_TYPES:
        raise InvalidInput(
            f"{name} is {content_type or 'of no declared type'}; evidence is a PDF, a PNG or "
            "JPEG image, a text, CSV or Markdown file, or an OpenDocument or Office document"
        )
    if not file.content:
        raise InvalidInput(f"{name} is empty")
    if len(file.content) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            f"{name} is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB; give a smaller "
            "copy, or a link to it in the narrative"
        )
    starts = ACCEPTED_TYPES[content_type]
    if starts is None:
        try:
            file.content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{name} is not UTF-8 text, as {content_type} must be") from None
    elif not file.content.startswith(starts):
        raise InvalidInput(f"{name} is not a {content_type} file, as its type says it is")
    return EvidenceFile(name, content_type, file.content)


def _changeable(found: UnitPeriod, doing: str) -> ProgressReport:
    """The unit's report, while its evidence may change: as the report itself may."""
    unit, period, report = found.unit, found.period, found.report
    if report is None:
        raise Conflict(
            f"{unit.name} has no report for {period.name} yet: save it as a draft before {doing}"
        )
    if report.state not in EDITABLE_REPORT_STATES:
        raise Conflict(
            f"{unit.name}'s report for {period.name} is {report.state.value}: evidence changes "
            "only while the report is a draft or returned for correction"
        )
    if period.state is PeriodState.FROZEN or (
        period.state is PeriodState.CLOSED and report.state is not ReportState.RETURNED
    ):
        raise Conflict(f"cannot {doing}: the filing of reports for period {period.name} has ended")
    return report


def do_add_evidence(
    session: Session, caller: Caller, period_id: int, unit_id: int, file: EvidenceFile
) -> EvidenceDocument:
    """Add a file to the unit's report for the period, as evidence."""
    found = unit_period(session, caller, period_id, unit_id)
    report = _changeable(found, "adding evidence")
    checked = check_evidence_file(file)
    held = session.scalars(
        select(EvidenceDocument.id).where(EvidenceDocument.report_id == report.id)
    ).all()
    if len(held) >= MAX_EVIDENCE_FILES:
        raise Conflict(
            f"{found.unit.name}'s report already carries {MAX_EVIDENCE_FILES} files; remove "
            "one before adding another"
        )
    evidence = EvidenceDocument(
        report_id=report.id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        content=checked.content,
    )
    session.add(evidence)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.ADD_EVIDENCE,
        {
            "evidence_id": evidence.id,
            "report_id": report.id,
            "filename": evidence.filename,
            "content_type": evidence.content_type,
            "size": evidence.size,
            "sha256": evidence.sha256,
        },
    )
    return evidence


def _evidence(session: Session, caller: Caller, evidence_id: int) -> EvidenceDocument:
    """An evidence document of the caller's organization; 404 for none, or another's."""
    organization = caller_organization(session, caller)
    evidence = session.get(EvidenceDocument, evidence_id)
    if evidence is None or (
        session.scalar(select(Unit.organization_id).where(Unit.id == evidence.report.unit_id))
        != organization.id
    ):
        raise NotFound(f"there is no evidence document {evidence_id}")
    return evidence


def readable_evidence(session: Session, caller: Caller, evidence_id: int) -> EvidenceDocument:
    """An evidence document, for one who reads the follow-up or reports for its unit."""
    evidence = _evidence(session, caller, evidence_id)
    report = evidence.report
    unit_period(session, caller, report.period_id, report.unit_id, reading=True)
    return evidence


def readable_evidence_list(
    session: Session, caller: Caller, period_id: int, unit_id: int
) -> list[EvidenceDocument]:
    """The evidence on the unit's report for the period (none without a report), for one who
    reads the follow-up or reports for the unit."""
    found = unit_period(session, caller, period_id, unit_id, reading=True)
    if found.report is None:
        return []
    return list(
        session.scalars(
            select(EvidenceDocument)
            .where(EvidenceDocument.report_id == found.report.id)
            .order_by(EvidenceDocument.id)
        )
    )


def do_remove_evidence(session: Session, caller: Caller, evidence_id: int) -> ProgressReport:
    """Take a file back from the unit's report, while the report can still change; the
    report it was taken from."""
    evidence = _evidence(session, caller, evidence_id)
    report = evidence.report
    found = unit_period(session, caller, report.period_id, report.unit_id)
    _changeable(found, "removing evidence")
    session.delete(evidence)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.REMOVE_EVIDENCE,
        {"evidence_id": evidence_id, "report_id": report.id, "sha256": evidence.sha256},
    )
    return report
