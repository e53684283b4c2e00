"""The command that checks a report's journal head comes out of the PDF whole, on one line,
as a reader copies it into a terminal."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from veche.queries.journal_head import HeadMark
from veche.reports.document import Document, Paragraph
from veche.reports.journal_head import head_blocks
from veche.reports.render import to_html, to_markdown, to_pdf

HASH = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"


def _report(seq: int) -> Document:
    document = Document("Minutes of the Plenary Meeting")
    # A justified paragraph before it, as in a report: its lines are stretched to the margin.
    document.add(Paragraph("The meeting adopted the budget and elected its tellers. " * 12))
    document.add(*head_blocks(HeadMark(seq, HASH, at_publication=True)))
    return document


@pytest.mark.parametrize("seq", [7, 120_455, 123_456_789_012_345_678])
def test_the_pdf_prints_the_check_command_whole_on_one_line(seq: int) -> None:
    command = f"veche verify --expect-head {seq}:{HASH}"
    reader = PdfReader(io.BytesIO(to_pdf(_report(seq))))
    lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]
    assert command in lines, lines
    assert lines[lines.index(command) - 1] == "Check with:"


def test_markdown_and_html_print_the_same_command() -> None:
    command = f"veche verify --expect-head 42:{HASH}"
    assert f"Check with: {command}\n" in to_markdown(_report(42))
    assert f"<p>Check with: {command}</p>" in to_html(_report(42))
    assert re.search(r"--expect-head (\d+:[0-9a-f]{64})", to_markdown(_report(42)))
