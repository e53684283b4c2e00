"""Names in every script a delegate's may be written in print in every format, the PDF
included: each character drawn with a glyph of the project's own fonts, never an empty box,
and a right-to-left name set from the right of its table cell."""

from __future__ import annotations

from pathlib import Path

from tests.reports.pdf_glyphs import drawn
from veche.reports.document import Bullets, Diff, Document, Heading, MarkdownText, Paragraph, Table
from veche.reports.render import (
    FONT_DIRECTORIES,
    MONO_FONTS,
    TEXT_FONTS,
    pdf_fonts,
    right_to_left,
    to_html,
    to_markdown,
    to_pdf,
    to_typst,
)

#: A fictional delegate's name in each script.
NAMES = {
    "Latin": "Zoë Nørgaard-Łęcka",
    "Cyrillic": "Анна Ковалёва",
    "Greek": "Ελένη Παπαδοπούλου",
    "Arabic": "ليلى حداد",
    "Hebrew": "נועה לוי",
    "Chinese": "张伟",
    "Japanese": "山田 さくら",
    "Korean": "김민준",
}
RIGHT_TO_LEFT = {"Arabic", "Hebrew"}
#: Emoji as a motion's title or a speaker's note may carry them.
EMOJI = "🌳✅🎉🤝"


def _document() -> Document:
    everyone = list(NAMES.values())
    return Document(
        title="Minutes: " + everyone[0],
        subtitle=everyone[1],
        blocks=[
            Heading("Presidium"),
            Paragraph("Elected: " + ", ".join(everyone) + "."),
            Bullets(everyone, ordered=True),
            # Row headers are set in bold: the bold faces have the glyphs too.
            Table(
                ["Name", "Script", "Votes"],
                [[name, script, "12.5"] for script, name in NAMES.items()],
                row_headers=True,
            ),
            MarkdownText("Moved by **" + everyone[5] + "** and " + everyone[3] + "."),
            Paragraph(f"Carried {EMOJI[2]}: the park stays green {EMOJI[0]} {EMOJI[1]} {EMOJI[3]}"),
            # Diffs are set in a fixed-width face, with its own fallbacks.
            Diff("--- version 1\n+++ version 2\n" + "".join(f"+{n}\n" for n in everyone)),
        ],
    )


def test_every_script_prints_in_the_pdf_with_a_glyph_for_each_character() -> None:
    pdf = drawn(to_pdf(_document()))
    assert pdf.boxes == 0
    assert {script: pdf.missing(name) for script, name in NAMES.items()} == {
        script: [] for script in NAMES
    }


def test_emoji_print_in_the_pdf_in_colour() -> None:
    pdf = drawn(to_pdf(_document()))
    assert pdf.missing(EMOJI) == []
    assert "Type3" in pdf.fonts  # Noto Color Emoji's pictures, not a font's outlines


def test_the_pdf_is_set_in_the_projects_own_fonts_alone() -> None:
    """Typst's own fonts and those the project installs, never the machine's others: the same
    PDF on every machine."""
    fonts = pdf_fonts()
    assert {font.family for font in fonts.fonts()} >= {*TEXT_FONTS, *MONO_FONTS}
    places = {
        "Typst" if font.path is None else str(Path(font.path).parent) for font in fonts.fonts()
    }
    assert places <= {"Typst", *(str(d) for d in FONT_DIRECTORIES)}
    typst_own = {"LibertinusSerif", "DejaVuSansMono", "NewCM", "NewComputerModern"}
    # The colour emoji are drawn as a Type 3 font, which has no name: Noto Color Emoji's.
    used = {name.split("-")[0] for name in drawn(to_pdf(_document())).fonts} - {"Type3"}
    assert used and all(
        name.startswith("Noto") or any(name.startswith(own) for own in typst_own) for name in used
    ), used


def test_a_right_to_left_name_starts_on_the_right_of_its_cell() -> None:
    assert right_to_left(NAMES["Arabic"]) and right_to_left(NAMES["Hebrew"])
    assert right_to_left("(2) " + NAMES["Hebrew"])  # the first letter decides, as dir="auto"
    assert not right_to_left(NAMES["Latin"] + " " + NAMES["Arabic"])
    assert not right_to_left("12.5") and not right_to_left(NAMES["Chinese"])

    page = to_html(_document())
    for script, name in NAMES.items():
        cell = f'<th scope="row" dir="rtl">{name}</th>'
        assert (cell in page) is (script in RIGHT_TO_LEFT), script
        assert f'<th scope="row">{name}</th>' in page or script in RIGHT_TO_LEFT
    assert "<td>Arabic</td>" in page  # the cells beside it keep the page's direction

    source = to_typst(_document())
    assert f"[#set text(dir: rtl); *{NAMES['Hebrew']}*]" in source
    assert f"[*{NAMES['Chinese']}*]" in source

    text = to_markdown(_document())
    assert all(f"| {name} |" in text for name in NAMES.values())
