"""A summing-up paper's headline figures, quoted from its Markdown as filed, and a report's
page leading on from it: fit to a phone, its links escaped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from veche.reports.document import Bullets, Document, Heading, Paragraph
from veche.reports.paper_figures import paper_figures
from veche.reports.render import to_html, to_markdown

PAPER = Document(
    title="Interim summing-up of Reports: H1",
    subtitle="The *Federation*",
    blocks=[
        Paragraph("The figures of H1 [draft]: 3 of 4 units reported on their goals."),
        Paragraph("The period is closed."),
        Heading("Where the goals stand"),
        Bullets(["Fulfilled: 0", "On track: 1", "Lagging: 1"]),
        Heading("Fulfilled", 3),
        Paragraph("None."),
        Heading("On track", 3),
        Bullets(["Goal 1 “Grow *members*” — on track; progress 60 %; 3 of 4 units reported."]),
        Heading("Lagging", 3),
        Bullets(["Goal 2 “Train stewards” — at risk; progress 10 %; 2 of 4 units reported."]),
        Paragraph("Units that have not reported for H1: Mines (no report)."),
        Heading("Changes since H0"),
        Bullets(["Goal 1: progress 40 % → 60 %."]),
    ],
)


def test_the_headline_figures_are_the_papers_opening_and_where_its_goals_stand() -> None:
    assert paper_figures(to_markdown(PAPER)) == [
        Paragraph("The figures of H1 [draft]: 3 of 4 units reported on their goals."),
        Paragraph("The period is closed."),
        Paragraph("Where the goals stand — Fulfilled: 0; On track: 1; Lagging: 1."),
        Bullets(
            [
                "Goal 1 “Grow *members*” — on track; progress 60 %; 3 of 4 units reported.",
                "Goal 2 “Train stewards” — at risk; progress 10 %; 2 of 4 units reported.",
            ]
        ),
        Paragraph("Units that have not reported for H1: Mines (no report)."),
    ]


@given(st.text(max_size=300))
def test_any_text_gives_figures_or_nothing_never_an_error(text: str) -> None:
    for block in paper_figures(text):
        assert isinstance(block, Paragraph | Bullets)


def test_a_report_page_fits_a_phone_and_leads_back() -> None:
    page = to_html(PAPER, links=[("/meetings/3?a=1&b=2", "Back to <the> meeting")])
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<a href="/meetings/3?a=1&amp;b=2">Back to &lt;the&gt; meeting</a>' in page
    assert page.index("<nav") < page.index("<main>") < page.index("<h1>")
    assert "<nav" not in to_html(PAPER)
