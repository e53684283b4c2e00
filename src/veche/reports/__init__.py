"""The documents veche publishes — a meeting's communiqué, minutes and motion book, and a
reporting cycle's interim summing-up — in Markdown, HTML, PDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from veche.actions.access import Caller, holds
from veche.errors import InvalidInput
from veche.models import Meeting
from veche.permissions import Permission
from veche.queries.count_rounds import count_facts, counts_in_rounds
from veche.queries.follow_up_cycle import FiguresAsked
from veche.queries.frozen_records import read_summing_up
from veche.queries.journal_head import report_head
from veche.queries.record import MeetingRecord, read_record
from veche.queries.summing_up_papers import summing_ups_filed
from veche.reports.communique import communique
from veche.reports.document import Document
from veche.reports.journal_head import head_blocks
from veche.reports.minutes import minutes
from veche.reports.motion_book import motion_book
from veche.reports.paper_figures import paper_figures
from veche.reports.published import document_of, published_text
from veche.reports.render import FORMATS, to_html, to_markdown, to_pdf
from veche.reports.summing_up import summing_up

KINDS: dict[str, Callable[[MeetingRecord], Document]] = {
    "communique": communique,
    "minutes": minutes,
    "motions": motion_book,
}
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def build_report(
    session: Session, meeting: Meeting, kind: str, *, reader: Caller | None = None
) -> Document:
    """The document of ``kind`` for ``meeting`` with the journal head it stands on: as it was
    published, once the meeting's report is (``reports.published``), else built from its
    record (``compose_report``)."""
    kept = published_text(session, meeting, kind)
    document = (
        document_of(kept.text)
        if kept is not None
        else compose_report(session, meeting, kind, reader=reader)
    )
    # The journal entry it stands on: `veche verify --expect-head` checks it is still there.
    document.add(*head_blocks(report_head(session, meeting)))
    return document


def compose_report(
    session: Session, meeting: Meeting, kind: str, *, reader: Caller | None = None
) -> Document:
    """The document of ``kind`` for ``meeting``, built from its record as it stands, without
    the journal head, with the results its ``reader`` may see (``check_sees_result``'s rule):
    the published ones, and the closed ones too for a reader holding ``results.see_closed``.
    No reader: whoever runs the server (`veche report`), or the public reading a published
    report, whose results all are."""
    if kind not in KINDS:
        raise InvalidInput(f"a report is one of {', '.join(KINDS)}, not {kind!r}")
    # The communiqué names no motion texts and no single votes: it reads less.
    full = kind != "communique"
    sees_closed = reader is None or holds(
        session, reader, Permission.RESULTS_SEE_CLOSED, meeting.id
    )
    record = read_record(session, meeting, motions=full, polls=full, sees_closed=sees_closed)
    if kind == "minutes":
        # The minutes alone give every round of a count; the others its outcome.
        counts = counts_in_rounds(session, meeting.id)
        document = minutes(record, counts, count_facts(session, meeting.id))
    elif kind == "communique":
        papers = {
            paper.sha256: paper_figures(paper.text)
            for paper in summing_ups_filed(session, meeting.id)
        }
        document = communique(record, count_facts(session, meeting.id), papers)
    else:
        document = KINDS[kind](record)
    return document


#: Where a page leads on from a document: (address, words) — back to the meeting, to a paper.
Links = Sequence[tuple[str, str]]


def render_report(
    session: Session,
    meeting: Meeting,
    kind: str,
    format: str,
    links: Links = (),
    *,
    reader: Caller | None = None,
) -> bytes:
    """The report as bytes in ``format``: md, html or pdf; as HTML, with ``links``; with the
    results its ``reader`` may see (``build_report``)."""
    _check_format(format)
    return rendered(build_report(session, meeting, kind, reader=reader), format, links)


def build_summing_up(session: Session, asked: FiguresAsked) -> Document:
    """The interim summing-up of the cycle asked at the end of its period (default: the
    latest period no longer open, else the first), of the resolution's goals or of every
    one."""
    return summing_up(read_summing_up(session, asked))


def render_summing_up(
    session: Session, asked: FiguresAsked, format: str, links: Links = ()
) -> bytes:
    """The interim summing-up as bytes in ``format``: md, html or pdf; as HTML, with
    ``links``."""
    _check_format(format)
    return rendered(build_summing_up(session, asked), format, links)


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise InvalidInput(f"a report's format is one of {', '.join(FORMATS)}, not {format!r}")


def rendered(document: Document, format: str, links: Links = ()) -> bytes:
    """The document as bytes in ``format`` (one of ``FORMATS``); as HTML, with ``links``."""
    if format == "pdf":
        return to_pdf(document)
    text = to_markdown(document) if format == "md" else to_html(document, links=links)
    return text.encode("utf-8")
