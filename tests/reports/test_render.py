"""Rendering report documents: escaping in every format, and a PDF that Typst can build."""

from __future__ import annotations

from decimal import Decimal

from veche.actions.resolutions import vote_in_words
from veche.reports.charts import TargetChart, percent_text, target_chart_svg
from veche.reports.document import (
    Bullets,
    Chart,
    Diff,
    Document,
    Heading,
    MarkdownText,
    Paragraph,
    Table,
    Tone,
)
from veche.reports.render import to_html, to_markdown, to_pdf, to_typst

TRICKY = "Motion #2 on *wages* & <pay> [draft] — 50% by 1/2 = @all_ok"


def _document() -> Document:
    return Document(
        title=TRICKY,
        subtitle="Riverlands",
        blocks=[
            Heading("Item 1"),
            Paragraph(TRICKY),
            Bullets(["one", TRICKY], ordered=True),
            Table(["who", "what"], [["A | B", TRICKY]]),
            MarkdownText(
                "# Heading\n\nText with **strong** and `code`.\n\n- a\n- b\n\n<script>x</script>\n"
            ),
            Diff('--- version 1\n+++ version 2\n-old "quoted"\n+new \\ text\n'),
        ],
    )


def test_html_escapes_text_and_never_runs_html_from_a_motion() -> None:
    page = to_html(_document())
    assert "<script>" not in page
    assert "&lt;pay&gt;" in page and "&amp;" in page
    assert "<strong>strong</strong>" in page and "<code>code</code>" in page
    assert "<td>A | B</td>" in page


def test_markdown_escapes_markup_and_quotes_motion_texts() -> None:
    text = to_markdown(_document())
    assert text.startswith("# Motion \\#2 on \\*wages\\* & \\<pay\\> \\[draft\\]")
    assert "| A \\| B |" in text
    assert "> # Heading" in text
    assert "```diff\n--- version 1" in text


def test_typst_escapes_markup_and_compiles_to_a_pdf() -> None:
    source = to_typst(_document())
    assert (
        "Motion \\#2 on \\*wages\\* & \\<pay\\> \\[draft\\] — 50% by 1\\/2 \\= \\@all\\_ok"
        in source
    )
    assert "*strong*" in source and '#raw("code")' in source
    assert '-old \\"quoted\\"\\n+new \\\\ text' in source
    pdf = to_pdf(_document())
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def test_votes_in_words() -> None:
    assert vote_in_words(112, 0, 0) == "adopted unanimously"
    assert vote_in_words(112, 3, 5) == "adopted 112 to 3, 5 abstaining"
    assert vote_in_words(40, 2, 0) == "adopted 40 to 2"
    assert vote_in_words(40, 0, 2) == "adopted 40 to 0, 2 abstaining"


def _coloured() -> Document:
    table = Table(
        ["Unit", "Goal 1"],
        [["North <A>", "50 %, lagging"], ["South", "—"]],
        caption="Units & goals",
        row_headers=True,
        tones=[[None, Tone.POOR], [None, None]],
    )
    drawn = target_chart_svg(
        TargetChart("chart-1", TRICKY, ["H1 <&>", "H2"], [Decimal("625.5"), None], Decimal(1200))
    )
    figures = Table(["Period", "Actual"], [["H1 <&>", "625.5"], ["H2", "not reported"]])
    return Document("Figures", blocks=[table, Chart(drawn, "Members <paying>", figures)])


def test_a_coloured_table_and_a_chart_say_everything_in_words_too() -> None:
    page = to_html(_coloured())
    assert "<caption>Units &amp; goals</caption>" in page
    assert '<th scope="row">North &lt;A&gt;</th><td class="tone-poor">50 %, lagging</td>' in page
    assert ".tone-poor { background: #fbe0aa; }" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "<script" not in page
    assert '<title id="chart-1-title">Motion #2 on *wages* &amp; &lt;pay&gt;' in page
    assert "Actual: H1 &lt;&amp;&gt;: 625.5; H2: not reported. Target: 1,200.</desc>" in page
    assert "<figcaption>Members &lt;paying&gt;</figcaption>" in page
    text = to_markdown(_coloured())
    assert "*Units & goals*\n\n| Unit | Goal 1 |" in text
    assert "| North \\<A\\> | 50 %, lagging |" in text
    assert "*Members \\<paying\\>*\n\n| Period | Actual |\n| --- | --- |\n| H1" in text
    source = to_typst(_coloured())
    assert 'table.cell(fill: rgb("#fbe0aa"))[50 %, lagging]' in source
    assert '#figure(image(bytes("<svg' in source and 'format: "svg"' in source


def test_a_chart_writes_its_figures_as_its_table_does() -> None:
    """A share of units on target is drawn and described as a percentage, as the table beside
    the chart gives it, not as the bare fraction the roll-up computes."""
    shares = TargetChart(
        "chart-2",
        "Branches on target",
        ["H1", "H2"],
        [Decimal("0.6667"), Decimal("0.5")],
        Decimal("0.8"),
        figure=percent_text,
    )
    drawn = target_chart_svg(shares)
    assert ">66.67 %</text>" in drawn and ">50 %</text>" in drawn  # the bars' labels
    assert ">0 %</text>" in drawn  # the axis
    assert ">0.6667<" not in drawn and ">0.5<" not in drawn
    assert "Actual: H1: 66.67 %; H2: 50 %. Target: 80 %." in drawn
