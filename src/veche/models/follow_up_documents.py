"""The follow-up's documents: the evidence a unit files with its progress report, and the
interim summing-up filed as a paper of a later meeting, frozen as it was filed."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, Entity, Timestamped
from veche.models.columns import CycleId, PeriodId, ReportId
from veche.models.debate import Document
from veche.models.follow_up import ProgressReport


class EvidenceDocument(Entity):
    """A file a unit gives with its report to show what it did: minutes, a signed agreement,
    a photograph. Its bytes are stored in the row (they are small: see the upload's limit);
    the journal holds their SHA-256, never the bytes."""

    report_id: Mapped[ReportId] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: Read only when the file is downloaded, not with every listing.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    report: Mapped[ProgressReport] = relationship()


class SummingUpPaper(Timestamped, Base):
    """A cycle's interim summing-up filed as a paper on an agenda item: the paper
    (``Document``) holds the Markdown as it was rendered then, and this row says what it
    sums up, with the SHA-256 of that Markdown, so later figures never change it unseen."""

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), primary_key=True)
    cycle_id: Mapped[CycleId] = mapped_column(index=True)
    period_id: Mapped[PeriodId] = mapped_column(index=True)
    sha256: Mapped[str] = mapped_column(String(64))

    document: Mapped[Document] = relationship()
