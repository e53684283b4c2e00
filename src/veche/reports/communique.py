"""The communiqué: the public report of a meeting, from its record alone."""

from __future__ import annotations

from veche.i18n import _
from veche.queries.record import ItemRecord, MeetingRecord
from veche.reports._words import day, days, names
from veche.reports.document import Bullets, Document, Heading, Paragraph

ROLE_WORDS = (("member", "members"), ("alternate", "alternate members"))


def communique(record: MeetingRecord) -> Document:
    document = Document(
        title=_("Report on the {meeting}").format(meeting=record.name),
        subtitle=record.organization,
    )
    held = _("The {meeting} was held {days}").format(
        meeting=record.name, days=days(record.starts_on, record.ends_on)
    )
    if record.venue:
        held += " " + _("in {venue}").format(venue=record.venue)
    held += "."
    if record.convened_by:
        held += " " + _("It was convened by the {body}.").format(body=record.convened_by)
    document.add(Paragraph(held))
    document.add(*_attendance(record))
    document.add(*_presidium(record))
    if record.agenda_poll is not None:
        document.add(
            Paragraph(_("The meeting approved the following agenda:")),
            Bullets([item.title for item in record.items], ordered=True),
        )
    for item in record.items:
        document.add(*_item(item))
    if record.panels:
        document.add(Heading(_("Panels")))
        document.add(
            Bullets(
                [
                    _("{panel}, on item(s) {items}").format(
                        panel=panel.name, items=", ".join(str(p) for p in panel.item_positions)
                    )
                    + (
                        "; " + _("chaired by {chair}").format(chair=panel.chair)
                        if panel.chair
                        else ""
                    )
                    for panel in record.panels
                ]
            )
        )
    if record.resolutions:
        document.add(Heading(_("Resolutions adopted")))
        document.add(
            Bullets(
                [
                    _("Resolution No. {number} “{title}” — {result}.").format(
                        number=r.number, title=r.title, result=_(r.result)
                    )
                    for r in record.resolutions
                ]
            )
        )
    return document


def _attendance(record: MeetingRecord) -> list[Paragraph]:
    counted = [
        f"{record.attended[role]} {_(words)}"
        for role, words in ROLE_WORDS
        if record.attended.get(role)
    ]
    paragraphs = []
    if counted:
        paragraphs.append(
            Paragraph(
                _("Attending were {counts} of the {term}.").format(
                    counts=names(counted), term=record.term
                )
            )
        )
    if record.observer_categories:
        categories = [f"{category} ({n})" for category, n in record.observer_categories.items()]
        paragraphs.append(
            Paragraph(
                _("Observers attending: {categories}.").format(categories="; ".join(categories))
            )
        )
    return paragraphs


def _presidium(record: MeetingRecord) -> list[Paragraph]:
    blocks = []
    if record.presidium:
        who = names(record.presidium)
        if record.presidium_elected_by is not None:
            text = _("The meeting elected its presidium: {names}.").format(names=who)
        elif record.presidium_formed_by:
            text = _("The presidium, formed by the {body}: {names}.").format(
                body=record.presidium_formed_by, names=who
            )
        else:
            text = _("The presidium: {names}.").format(names=who)
        blocks.append(Paragraph(text))
    if record.sittings:
        chairs = [
            _("sitting {number} ({day}) by {chair}").format(
                number=number, day=day(sitting_day), chair=chair
            )
            for number, sitting_day, chair in record.sittings
        ]
        blocks.append(Paragraph(_("Sittings chaired: {chairs}.").format(chairs="; ".join(chairs))))
    return blocks


def _item(item: ItemRecord) -> list[Heading | Paragraph]:
    blocks: list[Heading | Paragraph] = [
        Heading(_("Item {position}. {title}").format(position=item.position, title=item.title))
    ]
    for c in item.contributions:
        if c.kind not in ("report", "co_report"):
            continue
        text = (
            _("{speaker} delivered the report")
            if c.kind == "report"
            else _("{speaker} delivered a co-report")
        ).format(speaker=c.speaker)
        if c.on_behalf_of:
            text += " " + _("on behalf of the {body}").format(body=c.on_behalf_of)
        if c.title:
            text += f": “{c.title}”"
        blocks.append(Paragraph(text + "."))
    speakers: list[str] = []
    for c in item.contributions:
        if c.kind == "speech" and c.speaker not in speakers:
            speakers.append(c.speaker)
    if speakers:
        blocks.append(
            Paragraph(_("Taking part in the discussion: {names}.").format(names=names(speakers)))
        )
    return blocks
