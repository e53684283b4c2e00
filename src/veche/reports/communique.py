"""The communiqué: the public report of a meeting, from its record alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from veche.i18n import _
from veche.queries.capacities import CapacityGroup
from veche.queries.count_rounds import CountFacts
from veche.queries.record import ItemRecord, MeetingRecord
from veche.reports._words import (
    counted,
    day,
    days,
    decision,
    meeting_heading,
    names,
    taken_by,
    with_vote,
)
from veche.reports.document import Block, Bullets, Document, Heading, Paragraph

#: The headline figures of each summing-up paper, by the SHA-256 of its Markdown as filed.
PaperFigures = Mapping[str, Sequence[Block]]


def communique(
    record: MeetingRecord,
    facts: Mapping[int, CountFacts] | None = None,
    papers: PaperFigures | None = None,
) -> Document:
    """The communiqué of the meeting; ``facts`` (``queries.count_rounds.count_facts``) give
    its polls' outcomes with the ties a lot settled, ``papers``
    (``veche.reports.paper_figures``) the figures of the summing-ups filed on its items."""
    if facts:
        polls = [
            replace(poll, outcome=facts[poll.id].outcome) if poll.id in facts else poll
            for poll in record.polls
        ]
        record = replace(record, polls=polls)
    document = Document(
        title=_("Report on the {meeting}").format(meeting=meeting_heading(record)),
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
        approved = with_vote(
            record.agenda_poll,
            _("The meeting approved the following agenda {vote}:"),
            _("The meeting approved the following agenda:"),
        )
        document.add(
            Paragraph(approved), Bullets([item.title for item in record.items], ordered=True)
        )
    on_item, closing = _results(record)
    for item in record.items:
        document.add(*_item(item, papers or {}))
        if item.id in on_item:
            document.add(Bullets(on_item[item.id]))
    if record.panels:
        document.add(Heading(_("Panels")))
        document.add(
            Bullets(
                [
                    (
                        _("{panel}, on item {items}")
                        if len(panel.item_positions) == 1
                        else _("{panel}, on items {items}")
                    ).format(
                        panel=panel.name, items=", ".join(str(p) for p in panel.item_positions)
                    )
                    + (
                        "; " + _("chaired by {chairs}").format(chairs=names(panel.chairs))
                        if panel.chairs
                        else ""
                    )
                    for panel in record.panels
                ]
            )
        )
    document.add(*closing)
    return document


def _results(record: MeetingRecord) -> tuple[dict[int, list[str]], list[Heading | Bullets]]:
    """Every result with its vote and rule: those on an agenda item by the item's id, to be
    stated under it; the rest as closing sections (the resolutions, then other decisions).
    The agenda's approval and the presidium's election are stated where they are told."""
    polls = {poll.id: poll for poll in record.polls}
    items = {item.id for item in record.items}
    on_item: dict[int, list[str]] = {}
    resolutions: list[str] = []
    others: list[str] = []

    def state(poll_id: int | None, words: str, rest: list[str]) -> None:
        poll = polls.get(poll_id) if poll_id is not None else None
        if poll is not None and poll.agenda_item_id in items:
            on_item.setdefault(poll.agenda_item_id, []).append(words)
        else:
            rest.append(words)

    for r in record.resolutions:
        result = decision(polls[r.poll_id]) if r.poll_id in polls else _(r.result)
        words = _("Resolution No. {number} “{title}” — {result}.").format(
            number=r.number, title=r.title, result=result
        )
        state(r.poll_id, words, resolutions)
    told = {r.poll_id for r in record.resolutions}
    if record.presidium_elected_by is not None:
        told.add(record.presidium_elected_by.id)
    for poll in record.polls:
        if poll.approves_agenda or poll.id in told:
            continue
        if poll.kind != "decision" and not poll.outcome:
            continue  # an election or a choice that chose no one has no result to state
        words = _("“{title}” — {decision}.").format(title=poll.title, decision=decision(poll))
        state(poll.id, words, others)
    blocks: list[Heading | Bullets] = []
    if resolutions:
        blocks += [Heading(_("Resolutions adopted")), Bullets(resolutions)]
    if others:
        blocks += [Heading(_("Other decisions")), Bullets(others)]
    return on_item, blocks


def _attendance(record: MeetingRecord) -> list[Paragraph]:
    """Who attended, each person once in their first capacity: the seats of the meeting's
    body and the bodies below it, innermost first; those invited without a seat; observers."""
    seated: dict[str, dict[str, int]] = {}  # body → role → how many, in the groups' order
    invited: list[str] = []
    observers: list[str] = []
    for group in record.capacities:
        number = group.number
        if group.role == "observer":
            category = group.category or _("other observers")
            observers.append(f"{category} ({number})")
        elif group.body is None:
            invited.append(_invited(group, number))
        else:
            seated.setdefault(group.body, {})[group.role] = number
    attending = [_seats(body, roles) for body, roles in seated.items()] + invited
    paragraphs = []
    if attending:
        paragraphs.append(
            Paragraph(_("Attending were {groups}.").format(groups="; ".join(attending)))
        )
    if observers:
        paragraphs.append(
            Paragraph(
                _("Observers attending: {categories}.").format(categories="; ".join(observers))
            )
        )
    return paragraphs


def _seats(body: str, roles: dict[str, int]) -> str:
    """ "3 members and 2 alternate members of the Executive Bureau"."""
    numbers = []
    if "member" in roles:
        numbers.append(counted(roles["member"], "member", "members"))
    if "alternate" in roles:
        numbers.append(counted(roles["alternate"], "alternate member", "alternate members"))
    return _("{numbers} of the {body}").format(numbers=names(numbers), body=body)


def _invited(group: CapacityGroup, number: int) -> str:
    if group.role == "member":
        return counted(number, "participant invited as a member", "participants invited as members")
    return counted(
        number,
        "participant invited as an alternate member",
        "participants invited as alternate members",
    )


def _presidium(record: MeetingRecord) -> list[Paragraph]:
    blocks = []
    if record.presidium:
        who = names(record.presidium)
        hall = taken_by(record.presidium_elected_by) if record.presidium_elected_by else ""
        if hall:
            text = _("The meeting elected its presidium {taken_by}: {names}.").format(
                taken_by=hall, names=who
            )
        elif record.presidium_elected_by is not None:
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


def _delivered(kind: str, speaker: str | None, body: str | None) -> str:
    """Who gave a report: a person, a person for a body, or a body with no presenter named."""
    report = kind == "report"
    if speaker is None:
        return (
            _("The meeting heard the report of the {body}")
            if report
            else _("The meeting heard a co-report of the {body}")
        ).format(body=body)
    text = (
        _("{speaker} delivered the report") if report else _("{speaker} delivered a co-report")
    ).format(speaker=speaker)
    if body:
        text += " " + _("on behalf of the {body}").format(body=body)
    return text


def _item(item: ItemRecord, papers: PaperFigures) -> list[Block]:
    blocks: list[Block] = [
        Heading(_("Item {position}. {title}").format(position=item.position, title=item.title))
    ]
    reports = [c for c in item.contributions if c.kind in ("report", "co_report")]
    for c in reports:
        text = _delivered(c.kind, c.speaker, c.on_behalf_of)
        if c.title:
            text += f": “{c.title}”"
        blocks.append(Paragraph(text + "."))
    taken_up = item.state in ("open", "closed")
    if not reports and taken_up and (item.rapporteur or item.rapporteur_body):
        # No report was recorded on its own: the agenda's rapporteur still says who reported.
        blocks.append(Paragraph(_delivered("report", item.rapporteur, item.rapporteur_body) + "."))
    speakers: list[str] = []
    for c in item.contributions:
        if c.kind == "speech" and c.speaker and c.speaker not in speakers:
            speakers.append(c.speaker)
    if speakers:
        blocks.append(
            Paragraph(_("Taking part in the discussion: {names}.").format(names=names(speakers)))
        )
    for title, digest in item.summing_ups:
        blocks.append(
            Paragraph(
                _("The meeting had before it the paper “{title}” (SHA-256 {digest}).").format(
                    title=title, digest=digest
                )
            )
        )
        blocks += papers.get(digest, [])
    return blocks
