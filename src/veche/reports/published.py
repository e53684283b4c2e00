"""A meeting's report as it was published: its documents as canonical text, kept and read back.

At publication the communiqué and the minutes are rendered once and kept, each as the
canonical text of its document (one line of JSON for its title, then one a block, keys
sorted), whose SHA-256 the publication's journal entry records. The text is the document
model itself, not one of its renderings: Markdown drops the charts and the tones, and a
PDF's bytes vary with Typst; from the text the document is read back whole, and rendered in
every format as a rendering of the record would be.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import Meeting, PublishedReport
from veche.models.meetings import MeetingState
from veche.reports.document import (
    Block,
    Bullets,
    Chart,
    Command,
    Diff,
    Document,
    Heading,
    MarkdownText,
    Paragraph,
    Table,
    Tone,
)

#: The documents of a meeting that its publication fixes: the public's and the record's.
PUBLISHED_KINDS = ("communique", "minutes")

_BLOCKS: dict[str, type[Block]] = {
    kind.__name__: kind
    for kind in (Heading, Paragraph, Bullets, Table, Chart, MarkdownText, Diff, Command)
}


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def document_text(document: Document) -> str:
    """The document as canonical text: the same document always gives the same text."""
    head = {"title": document.title, "subtitle": document.subtitle, "source": document.source}
    lines = [_line(head)]
    lines += [_line({"block": type(block).__name__, **asdict(block)}) for block in document.blocks]
    return "\n".join(lines) + "\n"


def _table(data: dict[str, Any]) -> Table:
    tones = data.pop("tones")
    if tones is not None:
        tones = [[Tone(tone) if tone else None for tone in row] for row in tones]
    return Table(**data, tones=tones)


def _block(data: dict[str, Any]) -> Block:
    kind = _BLOCKS[data.pop("block")]
    if kind is Table:
        return _table(data)
    if kind is Chart:
        return Chart(svg=data["svg"], caption=data["caption"], table=_table(data["table"]))
    return kind(**data)


def document_of(text: str) -> Document:
    """The document that ``document_text`` wrote as ``text``."""
    head, *blocks = text.splitlines()
    document = Document(**json.loads(head))
    document.add(*(_block(json.loads(line)) for line in blocks))
    return document


def published_text(session: Session, meeting: Meeting, kind: str) -> PublishedReport | None:
    """The text of ``kind`` kept when the meeting's report was published, if it is published
    and was published with its texts kept (not before they were)."""
    if meeting.state is not MeetingState.REPORT_PUBLISHED or kind not in PUBLISHED_KINDS:
        return None
    return session.scalar(
        select(PublishedReport).where(
            PublishedReport.meeting_id == meeting.id, PublishedReport.kind == kind
        )
    )
