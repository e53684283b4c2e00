"""The motion book: every draft with its amendments, for the delegates."""

from __future__ import annotations

from veche.i18n import _
from veche.queries.record import MeetingRecord
from veche.reports._words import capitalized, names, submitted_by
from veche.reports.document import Diff, Document, Heading, MarkdownText, Paragraph


def motion_book(record: MeetingRecord) -> Document:
    document = Document(
        title=_("Motion book of the {meeting}").format(meeting=record.name),
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
                        number=a.number, target=a.target, who=a.proposed_by, state=_(a.state)
                    ),
                    3,
                )
            )
            if a.reason:
                document.add(Paragraph(_("Reason: {reason}").format(reason=a.reason)))
            document.add(Diff(a.diff))
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
