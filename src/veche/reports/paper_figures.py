"""The headline figures of an interim summing-up filed as a paper, quoted from the paper as
filed: its opening (how many units reported), how many goals stand where, and each goal's
line (its status, progress and coverage). The communiqué states them under the item the
paper was before, so that its readers learn what the meeting heard, and not the figures as
they stand later."""

from __future__ import annotations

from markdown_it.token import Token

from veche.i18n import _
from veche.reports.document import Block, Bullets, Paragraph
from veche.reports.render import _markdown


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _emphasis_only(token: Token) -> bool:
    """The paper's subtitle (its organization): a paragraph in italics alone."""
    children = token.children or []
    return len(children) >= 2 and children[0].type == "em_open" and children[-1].type == "em_close"


def _stated(section: int, token: Token, text: str) -> bool:
    """A paragraph the communiqué states: the opening's, but for the subtitle; the first
    section's, but for the "None." of a standing without goals."""
    if section == 0:
        return not _emphasis_only(token)
    return text != _("None.")


def paper_figures(markdown: str) -> list[Block]:
    """The headline figures of a summing-up's Markdown (``veche.reports.summing_up`` as
    ``to_markdown`` wrote it): the paragraphs before its first section, and its first
    section — where the goals stand — with the count of goals by standing as one sentence
    and every goal's line; the sections after it (changes, tables, charts) are left to the
    paper. A text of another shape gives what it has of these, or nothing."""
    blocks: list[Block] = []
    section = 0  # 0: the opening; 1: where the goals stand; then the rest
    heading = ""
    in_heading = in_list = False
    items: list[str] = []
    lists = 0
    for token in _markdown.parse(markdown):
        if token.type == "heading_open":
            in_heading = True
            if token.tag == "h2":
                section += 1
                if section > 1:
                    break
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "bullet_list_open":
            in_list, items = True, []
        elif token.type == "bullet_list_close":
            in_list = False
            lists += 1
            if section == 1 and lists == 1:
                counts = "; ".join(items)
                blocks.append(Paragraph(f"{heading} — {counts}." if heading else counts + "."))
            elif section == 1 and blocks and isinstance(blocks[-1], Bullets):
                blocks[-1].items.extend(items)
            elif section == 1:
                blocks.append(Bullets(list(items)))
        elif token.type == "inline":
            text = _inline_text(token)
            if in_heading:
                if section == 1 and not heading:
                    heading = text
            elif in_list:
                items.append(text)
            elif text and _stated(section, token, text):
                blocks.append(Paragraph(text))
    return blocks
