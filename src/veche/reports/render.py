"""Rendering a report document as Markdown, HTML, or PDF (through Typst)."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.token import Token

from veche.i18n import _
from veche.reports.document import (
    Block,
    Bullets,
    Chart,
    Command,
    Document,
    Heading,
    MarkdownText,
    Paragraph,
    Table,
    Tone,
)

if TYPE_CHECKING:
    import typst

FORMATS = ("md", "html", "pdf")

#: Where the PDF's fonts come from, beside the ones Typst carries (Libertinus Serif, DejaVu Sans
#: Mono), and nowhere else, so that a report looks the same on every machine: Debian's Noto
#: fonts, which ``make install`` installs (fonts-noto-core, fonts-noto-cjk,
#: fonts-noto-color-emoji).
FONT_DIRECTORIES = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto"))
#: The text's typefaces, in the order Typst tries them for each character: Typst's own serif
#: for the Latin, Cyrillic and Greek scripts, then Noto for every other script a name may be
#: written in, and last the colour emoji. (Han characters shared by Chinese and Japanese take
#: the Chinese forms.)
TEXT_FONTS = (
    "Libertinus Serif",
    "Noto Serif",
    "Noto Serif Hebrew",
    "Noto Naskh Arabic",
    "Noto Serif CJK SC",
    "Noto Serif CJK TC",
    "Noto Serif CJK JP",
    "Noto Serif CJK KR",
    "Noto Color Emoji",
)
#: The typefaces of diffs and code, in the same way.
MONO_FONTS = (
    "DejaVu Sans Mono",
    "Noto Sans Hebrew",
    "Noto Sans Arabic",
    "Noto Sans Mono CJK SC",
    "Noto Sans Mono CJK TC",
    "Noto Sans Mono CJK JP",
    "Noto Sans Mono CJK KR",
    "Noto Color Emoji",
)

# Motions are written by delegates: raw HTML in them is shown as text, never run.
_markdown = MarkdownIt("commonmark", {"html": False})
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_TYPST_SPECIAL = re.compile(r"([\\#*_`$<>@\[\]~/\-+=])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(document: Document) -> str:
    parts = [f"# {_md_escape(document.title)}"]
    if document.subtitle:
        parts.append(f"*{_md_escape(document.subtitle)}*")
    for block in document.blocks:
        parts.append(_md_block(block))
    return "\n\n".join(parts) + "\n"


def _md_block(block: Block) -> str:
    if isinstance(block, Heading):
        return "#" * min(block.level, 6) + " " + _md_escape(block.text)
    if isinstance(block, Paragraph):
        return _md_escape(block.text)
    if isinstance(block, Bullets):
        return "\n".join(
            (f"{n}. " if block.ordered else "- ") + _md_escape(item)
            for n, item in enumerate(block.items, start=1)
        )
    if isinstance(block, Table):
        lines = [f"*{_md_escape(block.caption)}*", ""] if block.caption else []
        lines.append("| " + " | ".join(_md_escape(h) for h in block.header) + " |")
        lines.append("|" + " --- |" * len(block.header))
        for row in block.rows:
            cells = (_md_escape(cell).replace("\n", " ") for cell in row)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)
    if isinstance(block, Chart):
        # Markdown has no drawing: the figures it is drawn from, under its caption.
        return _md_block(Table(block.table.header, block.table.rows, caption=block.caption))
    if isinstance(block, Command):
        return _md_escape(f"{block.lead} {block.command}")
    if isinstance(block, MarkdownText):
        # Quoted, so that the motion's own headings stay inside it.
        return "\n".join(f"> {line}".rstrip() for line in block.text.rstrip("\n").split("\n"))
    fence = "````" if "```" in block.text else "```"
    return f"{fence}diff\n{block.text.rstrip()}\n{fence}"


#: The colour of each tone of a table's cell: light, so that the words on it stay legible.
TONE_COLOURS = {
    Tone.GOOD: "#cce8cf",
    Tone.FAIR: "#e6efc4",
    Tone.POOR: "#fbe0aa",
    Tone.BAD: "#f3c0ba",
    Tone.MUTED: "#e4e4e4",
}

#: Inline, so that a saved HTML report is one file; the pages' Content-Security-Policy
#: allows exactly this stylesheet, by its hash (``veche.web.headers``).
STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1b1b1b; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; } h3 { font-size: 1.1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
.table { overflow-x: auto; } .table table { margin: 0; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
blockquote { border-left: 3px solid #999; margin: 1rem 0; padding: 0 1rem; }
pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; }
.subtitle { font-style: italic; }
caption { text-align: left; font-style: italic; padding: 0.25rem 0; }
nav ul { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap;
         gap: 0 1.5rem; }
nav a { display: inline-block; padding: 0.6rem 0; color: #0645ad; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
""" + "".join(
    f".tone-{tone} {{ background: {colour}; }}\n" for tone, colour in TONE_COLOURS.items()
)


def to_html(document: Document, language: str = "en", links: Sequence[tuple[str, str]] = ()) -> str:
    """The document as a page of its own; ``links`` (address, words) lead on from it — back
    to the meeting, to the papers it cites — in a menu above its title."""
    title = html.escape(document.title)
    body = [f"<h1>{title}</h1>"]
    menu = ""
    if links:
        shown = "".join(
            f'<li><a href="{html.escape(href)}">{html.escape(words)}</a></li>'
            for href, words in links
        )
        label = html.escape(_("Where to go from this document"))
        menu = f'<nav aria-label="{label}"><ul>{shown}</ul></nav>\n'
    if document.subtitle:
        body.append(f'<p class="subtitle">{html.escape(document.subtitle)}</p>')
    body += [_html_block(block) for block in document.blocks]
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{menu}<main>\n"
        + "\n".join(body)
        + f"\n</main>\n<footer><p>{html.escape(document.source or _('Generated by veche from the meeting record.'))}</p>"
        "</footer>\n</body>\n</html>\n"
    )


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(block.level, 6)
        return f"<h{level}>{html.escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Bullets):
        tag = "ol" if block.ordered else "ul"
        items = "".join(f"<li>{html.escape(item)}</li>" for item in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        return _html_table(block)
    if isinstance(block, Chart):
        # The drawing is veche's own (``veche.reports.charts``), every word in it escaped.
        caption = html.escape(block.caption)
        return f"<figure>{block.svg}<figcaption>{caption}</figcaption></figure>\n" + _html_table(
            block.table
        )
    if isinstance(block, MarkdownText):
        return f"<blockquote>{_markdown.render(block.text)}</blockquote>"
    if isinstance(block, Command):
        # A browser wraps a line without breaking its text: copied, the command stays whole.
        return f"<p>{html.escape(f'{block.lead} {block.command}')}</p>"
    return f"<pre><code>{html.escape(block.text)}</code></pre>"


def _html_table(table: Table) -> str:
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    head = "".join(f'<th scope="col"{_html_dir(h)}>{html.escape(h)}</th>' for h in table.header)
    rows = []
    for number, row in enumerate(table.rows):
        tones = table.tones[number] if table.tones else [None] * len(row)
        cells = []
        for column, (cell, tone) in enumerate(zip(row, tones, strict=True)):
            tag = "th" if table.row_headers and column == 0 else "td"
            scope = ' scope="row"' if tag == "th" else ""
            tone_class = f' class="tone-{tone}"' if tone else ""
            cells.append(f"<{tag}{scope}{tone_class}{_html_dir(cell)}>{html.escape(cell)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    # In a box of its own that scrolls on a phone, where a wide table would widen the page.
    table_html = (
        f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return f'<div class="table">{table_html}</div>'


def _html_dir(text: str) -> str:
    return ' dir="rtl"' if right_to_left(text) else ""


def right_to_left(text: str) -> bool:
    """The text reads from right to left: its first letter is Arabic, Hebrew or of another
    right-to-left script (the rule a browser follows for ``dir="auto"``), so that a table's
    cell holding a name in Arabic starts on the right, its brackets and figures in place."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


def _ty(text: str) -> str:
    """Plain text as Typst markup: every markup character escaped, line breaks kept as spaces."""
    return _TYPST_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _ty_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _ty_names(names: tuple[str, ...]) -> str:
    """Names as a Typst array: ("a", "b")."""
    return "(" + ", ".join(_ty_string(name) for name in names) + ")"


def to_typst(document: Document) -> str:
    parts = [
        f"#set document(title: {_ty_string(document.title)})",
        '#set page(paper: "a4", margin: 2.2cm, numbering: "1")',
        f'#set text(font: {_ty_names(TEXT_FONTS)}, size: 10.5pt, lang: "en")',
        f"#show raw: set text(font: {_ty_names(MONO_FONTS)})",
        "#set par(justify: true)",
        "#show table.cell: set par(justify: false)",
        "#show heading: set block(above: 1.4em, below: 0.8em)",
        f'#align(center, text(size: 16pt, weight: "bold")[{_ty(document.title)}])',
    ]
    if document.subtitle:
        parts.append(f"#align(center, emph[{_ty(document.subtitle)}])")
    parts += [_typst_block(block) for block in document.blocks]
    return "\n\n".join(parts) + "\n"


def _typst_block(block: Block) -> str:
    if isinstance(block, Heading):
        return "=" * min(max(block.level - 1, 1), 6) + " " + _ty(block.text)
    if isinstance(block, Paragraph):
        return _ty(block.text)
    if isinstance(block, Bullets):
        mark = "+" if block.ordered else "-"
        return "\n".join(f"{mark} {_ty(item)}" for item in block.items)
    if isinstance(block, Table):
        return _typst_table(block)
    if isinstance(block, Chart):
        drawing = f'image(bytes({_ty_string(block.svg)}), format: "svg", width: 100%)'
        return f"#figure({drawing}, caption: [{_ty(block.caption)}])\n\n" + _typst_table(
            block.table
        )
    if isinstance(block, Command):
        return f"{_ty(block.lead)}\n\n{_TYPST_COMMAND % _ty_string(block.command)}"
    if isinstance(block, MarkdownText):
        inner = _typst_from_markdown(block.text)
        return f"#block(inset: (left: 1em), stroke: (left: 0.5pt + gray))[\n{inner}\n]"
    return f'#text(size: 8.5pt, raw(block: true, lang: "diff", {_ty_string(block.text)}))'


#: A command on a line of its own, in one box that no line break enters, made smaller when
#: it is wider than the page (a journal head is some 100 characters).
_TYPST_COMMAND = """#layout(region => {
  let command = box(raw(%s))
  let wide = measure(command).width
  if wide <= region.width { command } else { text(size: 0.98em * (region.width / wide), command) }
})"""


def _typst_table(table: Table) -> str:
    cells = [f"[{_ty_cell(h, strong=True)}]" for h in table.header]
    for number, row in enumerate(table.rows):
        tones = table.tones[number] if table.tones else [None] * len(row)
        for column, (cell, tone) in enumerate(zip(row, tones, strict=True)):
            text = _ty_cell(cell, strong=table.row_headers and column == 0)
            if tone:
                cells.append(f'table.cell(fill: rgb("{TONE_COLOURS[tone]}"))[{text}]')
            else:
                cells.append(f"[{text}]")
    drawn = f"#table(columns: {len(table.header)}, {', '.join(cells)})"
    return f"#emph[{_ty(table.caption)}]\n\n{drawn}" if table.caption else drawn


def _ty_cell(text: str, *, strong: bool) -> str:
    """A table cell's text as Typst markup, set right to left when it reads so."""
    markup = f"*{_ty(text)}*" if strong and text.strip() else _ty(text)
    return f"#set text(dir: rtl); {markup}" if right_to_left(text) else markup


def _typst_from_markdown(text: str) -> str:
    """Markdown's common blocks and inlines as Typst markup; anything else as plain text."""
    out: list[str] = []
    lists: list[str] = []
    heading, prefix = False, ""
    for token in _markdown.parse(text):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append("-")
        elif kind == "ordered_list_open":
            lists.append("+")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                out.append("")
        elif kind == "heading_open":
            heading = True
        elif kind == "list_item_open":
            prefix = "  " * (len(lists) - 1) + lists[-1] + " "
        elif kind == "inline":
            line = _typst_inline(token.children or [])
            out.append(prefix + (f"*{line}*" if heading else line))
            heading, prefix = False, ""
        elif kind in ("paragraph_close", "heading_close") and not lists:
            out.append("")
        elif kind in ("fence", "code_block"):
            out += [f"#raw(block: true, {_ty_string(token.content)})", ""]
    return "\n".join(out).strip()


def _typst_inline(tokens: list[Token]) -> str:
    marks = {"strong_open": "*", "strong_close": "*", "em_open": "_", "em_close": "_"}
    parts = []
    for token in tokens:
        if token.type == "text":
            parts.append(_TYPST_SPECIAL.sub(r"\\\1", token.content.replace("\n", " ")))
        elif token.type in marks:
            parts.append(marks[token.type])
        elif token.type == "code_inline":
            parts.append(f"#raw({_ty_string(token.content)})")
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.children:
            parts.append(_typst_inline(token.children))
    return "".join(parts)


def to_pdf(document: Document) -> bytes:
    import typst

    compiled = typst.compile(to_typst(document).encode("utf-8"), font_paths=pdf_fonts())
    if not isinstance(compiled, bytes):
        raise RuntimeError("Typst returned no PDF")
    return compiled


@functools.cache
def pdf_fonts() -> typst.Fonts:
    """The fonts the PDF is set in: Typst's own and those in ``FONT_DIRECTORIES``, never the
    machine's others. Read once a process: Typst then loads each file once, when first used."""
    import typst

    fonts = typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=True,
        font_paths=[str(directory) for directory in FONT_DIRECTORIES],
    )
    missing = sorted(set(TEXT_FONTS + MONO_FONTS) - set(fonts.families()))
    if missing:
        raise RuntimeError(
            f"a PDF report needs the fonts {', '.join(missing)}, which are not in "
            f"{' or '.join(str(d) for d in FONT_DIRECTORIES)}: `make install` installs them "
            "(Debian's packages fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji)"
        )
    return fonts
