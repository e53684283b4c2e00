"""A document as a list of simple blocks, so one report renders alike in Markdown, HTML and PDF."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class MarkdownText:
    """A text written in Markdown (a motion's wording), shown as written."""

    text: str


@dataclass(frozen=True)
class Diff:
    """A unified diff, shown in a fixed-width font."""

    text: str


Block = Heading | Paragraph | Bullets | Table | MarkdownText | Diff


@dataclass
class Document:
    """A titled report: its blocks in reading order."""

    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
