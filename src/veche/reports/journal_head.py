"""The journal head a report prints, so that a reader can later check the journal behind it."""

from __future__ import annotations

from veche.i18n import _
from veche.queries.journal_head import HeadMark
from veche.reports.document import Block, Command, Heading, Paragraph


def head_blocks(mark: HeadMark | None) -> list[Block]:
    """The report's last lines: the journal entry it stands on, and how to check it."""
    if mark is None:
        return []
    said = (
        _("Journal head at publication: entry {seq}, {hash}")
        if mark.at_publication
        else _(
            "Journal head when this report was rendered (the report is not published): "
            "entry {seq}, {hash}"
        )
    )
    return [
        Heading(_("Journal")),
        Paragraph(said.format(seq=mark.seq, hash=mark.hash)),
        # A command to paste, kept whole: in the PDF a justified line broke it at its hyphen.
        Command(_("Check with:"), f"veche verify --expect-head {mark.expected}"),
    ]
