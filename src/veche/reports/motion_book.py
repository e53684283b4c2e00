"""The motion book: every draft with its amendments, for the delegates."""

from __future__ import annotations

from veche.i18n import _
from veche.queries.record import AmendmentRecord, MeetingRecord
from veche.reports._words import amendment_part, capitalized, meeting_heading, names, submitted_by
from veche.reports.document import Block, Document, Heading, MarkdownText, Paragraph
from veche.text_diff import Edit, edits


def motion_book(record: MeetingRecord) -> Document:
    document = Document(
        title=_("Motion book of the {meeting}").format(meeting=meeting_heading(record)),
        subtitle=record.organization,
    )
    if not record.motions:
        document.add(Paragraph(_("No motions were submitted.")))
    for motion in record.motions:
        document.add(
            Heading(_("Motion {number}: {title}").format(number=motion.number, title=motion.title))
        )
        about = []
        submitters = submitted_by(motion.submitter_body, motion.submitters)
        if submitters:
            about.append(_("Submitted by {submitters}").format(submitters=submitters))
        if motion.item_position is not None:
            about.append(_("on agenda item {position}").format(position=motion.item_position))
        about.append(_(motion.state))
        document.add(Paragraph(capitalized("; ".join(about)) + "."))
        if motion.supporters:
            document.add(
                Paragraph(_("Supported by {names}.").format(names=names(motion.supporters)))
            )
        if motion.versions > 1:
            document.add(Heading(_("As submitted"), 3), MarkdownText(motion.first_text))
            document.add(
                Heading(_("Current text (version {n})").format(n=motion.versions), 3),
                MarkdownText(motion.text),
            )
        else:
            document.add(Heading(_("Text"), 3), MarkdownText(motion.text))
        for a in motion.amendments:
            document.add(
                Heading(
                    _("Amendment {number} to {target}, by {who} — {state}").format(
                        number=a.number,
                        target=amendment_part(a),
                        who=a.proposed_by,
                        state=_(a.state),
                    ),
                    3,
                )
            )
            if a.reason:
                document.add(Paragraph(_("Reason: {reason}").format(reason=a.reason)))
            document.add(*_change(a))
        for panel, advice in motion.recommendations:
            document.add(
                Paragraph(
                    _("Recommendation of {panel}: {advice}").format(panel=panel, advice=advice)
                )
            )
        if motion.panel_outcome:
            document.add(
                Paragraph(_("Panels' outcome: {outcome}").format(outcome=motion.panel_outcome))
            )
    return document


def _edit_words(edit: Edit) -> str:
    if edit.struck and edit.inserted:
        return _("strike out “{struck}” and insert “{inserted}”").format(
            struck=edit.struck, inserted=edit.inserted
        )
    if edit.struck:
        return _("strike out “{struck}”").format(struck=edit.struck)
    if edit.after:
        return _("insert “{inserted}” after “{after}”").format(
            inserted=edit.inserted, after=edit.after
        )
    return _("insert “{inserted}” at the start").format(inserted=edit.inserted)


def _change(amendment: AmendmentRecord) -> list[Block]:
    """The change in words a delegate reads aloud, "strike out “a year” and insert “six
    months”", or the new wording whole where it rewrites most of the text."""
    wording = amendment.merged_text if amendment.merged_text is not None else amendment.new_text
    blocks: list[Block] = []
    if amendment.merged_text is not None:
        blocks.append(Paragraph(_("Merged in the wording agreed with the drafters.")))
    if not wording.strip():
        return [*blocks, Paragraph(_("Strike it out:")), MarkdownText(amendment.original_text)]
    found = edits(amendment.original_text, wording)
    if found is None:
        return [*blocks, Paragraph(_("Replace it by:")), MarkdownText(wording)]
    said = "; ".join(_edit_words(edit) for edit in found)
    return [*blocks, Paragraph(capitalized(said) + ".")]
