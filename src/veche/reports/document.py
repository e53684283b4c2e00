"""A document as a list of simple blocks, so one report renders alike in Markdown, HTML and PDF."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    ordered: bool = False


class Tone(enum.StrEnum):
    """How good a table's cell is, shown as a colour beside its words (never instead)."""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    BAD = "bad"
    MUTED = "muted"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    #: The first column names each row (a unit, a goal): the row's header.
    row_headers: bool = False
    #: A tone per cell of each row (None: none), coloured in HTML (class ``tone-…``) and PDF.
    tones: list[list[Tone | None]] | None = None


@dataclass(frozen=True)
class Chart:
    """A drawing (SVG, made by ``veche.reports.charts``) with its caption and its figures as a
    table: HTML and PDF show the drawing, and every format the table."""

    svg: str
    caption: str
    table: Table


@dataclass(frozen=True)
class MarkdownText:
    """A text written in Markdown (a motion's wording), shown as written."""

    text: str


@dataclass(frozen=True)
class Diff:
    """A unified diff, shown in a fixed-width font."""

    text: str


@dataclass(frozen=True)
class Command:
    """A command for the reader to type, after the words that lead to it ("Check with:"):
    the PDF keeps it whole on a line of its own, since a command broken across lines pastes
    into a terminal as two."""

    lead: str
    command: str


Block = Heading | Paragraph | Bullets | Table | Chart | MarkdownText | Diff | Command


@dataclass
class Document:
    """A titled report: its blocks in reading order."""

    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    #: What it was made from, as its HTML's last line says (default: the meeting's record).
    source: str = ""

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
