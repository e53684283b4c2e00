"""The minutes: everything on record — attendance, tallies, roll-calls, speakers' times, amendments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from veche.i18n import _
from veche.method_names import method_name
from veche.queries.count_rounds import CountFacts
from veche.queries.record import ContributionRecord, MeetingRecord, MotionRecord, PollRecord
from veche.reports._words import (
    amendment_part,
    capacity,
    capitalized,
    counted,
    day,
    days,
    decision,
    duration,
    item_kind,
    kind,
    meeting_heading,
    meeting_kind,
    names,
    submitted_by,
    taken_by,
    with_vote,
)
from veche.reports.document import Block, Bullets, Document, Heading, MarkdownText, Paragraph, Table
from veche.reports.rounds import rounds_blocks
from veche.tally import Result


def minutes(
    record: MeetingRecord,
    counts: Mapping[int, Result] | None = None,
    poll_facts: Mapping[int, CountFacts] | None = None,
) -> Document:
    """The minutes of the meeting; ``counts`` are its counts in rounds, by poll id
    (``queries.count_rounds``), each given round by round; ``poll_facts`` its polls' ballots
    beside their votes, ties settled by lot and roll-calls' weights (``count_facts``)."""
    counts = counts or {}
    poll_facts = poll_facts or {}
    document = Document(
        title=_("Minutes of the {meeting}").format(meeting=meeting_heading(record)),
        subtitle=record.organization,
    )
    facts = [
        _("Held {days}").format(days=days(record.starts_on, record.ends_on)),
        meeting_kind(record.kind),
    ]
    if record.venue:
        facts.append(_("Venue: {venue}").format(venue=record.venue))
    if record.convened_by:
        facts.append(_("Convened by the {body}").format(body=record.convened_by))
    document.add(Bullets(facts))
    if record.notice:
        document.add(Heading(_("Notice")), MarkdownText(record.notice))
    document.add(*_documents(_("Documents sent with the notice:"), record.notice_documents))
    document.add(*_attendance(record))
    document.add(*_presidium(record, counts, poll_facts))
    document.add(*_agenda(record, poll_facts))
    motions_by_item: dict[int | None, list[MotionRecord]] = {}
    for motion in record.motions:
        motions_by_item.setdefault(motion.item_position, []).append(motion)
    for item in record.items:
        document.add(
            Heading(_("Item {position}. {title}").format(position=item.position, title=item.title))
        )
        about = [_("Kind: {kind}").format(kind=item_kind(item.kind))]
        if item.rapporteur or item.rapporteur_body:
            about.append(
                _("Rapporteur: {who}").format(
                    who=", ".join(x for x in (item.rapporteur, item.rapporteur_body) if x)
                )
            )
        if item.time_budget_minutes:
            about.append(_("Time budget: {n} minutes").format(n=item.time_budget_minutes))
        document.add(Bullets(about))
        document.add(*_documents(_("Documents:"), item.documents))
        if item.contributions:
            document.add(
                Table(
                    [_("No."), _("Kind"), _("Speaker"), _("Title"), _("Time used"), _("Sitting")],
                    [
                        [
                            str(n),
                            kind(c.kind),
                            _given_by(c),
                            c.title,
                            duration(c.seconds_used),
                            str(c.sitting) if c.sitting else "—",
                        ]
                        for n, c in enumerate(item.contributions, start=1)
                    ],
                )
            )
            for n, c in enumerate(item.contributions, start=1):
                if c.summary:
                    document.add(Paragraph(f"{n}. {_given_by(c)}: {c.summary}"))
                if c.attachments:
                    document.add(
                        Paragraph(
                            _("Attached to contribution {n}: {documents}.").format(
                                n=n, documents="; ".join(c.attachments)
                            )
                        )
                    )
        for poll in record.polls:
            if poll.agenda_item_id == item.id and poll.motion_id is None:
                document.add(*poll_blocks(poll, counts.get(poll.id), poll_facts.get(poll.id)))
        for motion in motions_by_item.get(item.position, []):
            document.add(*_motion(record, motion, counts, poll_facts))
    loose = motions_by_item.get(None, [])
    if loose:
        document.add(Heading(_("Motions on no agenda item")))
        for motion in loose:
            document.add(*_motion(record, motion, counts, poll_facts))
    document.add(*_panels(record))
    document.add(*_resolutions(record))
    others = [
        p
        for p in record.polls
        if p.agenda_item_id is None
        and p.motion_id is None
        and not p.approves_agenda
        and (record.presidium_elected_by is None or p.id != record.presidium_elected_by.id)
    ]
    if others:
        document.add(Heading(_("Other votes")))
        for poll in others:
            document.add(*poll_blocks(poll, counts.get(poll.id), poll_facts.get(poll.id)))
    return document


def _given_by(c: ContributionRecord) -> str:
    """The speaker, with the body they spoke for; or the body alone, for its report."""
    if c.speaker is None:
        return c.on_behalf_of or ""
    return c.speaker + (f" ({c.on_behalf_of})" if c.on_behalf_of else "")


def poll_blocks(
    poll: PollRecord, count: Result | None = None, facts: CountFacts | None = None
) -> list[Block]:
    """A vote as the minutes give it: question, method, its ballots (and votes, when weights
    made them differ), the tally (every round of a ``count`` in rounds), the outcome with any
    tie a lot settled, the tellers' corrections before the close with why, the roll-call
    (with each voter's weight when one is not 1); ``facts`` as
    ``queries.count_rounds.count_facts`` reads them."""
    if facts is not None:
        poll = replace(poll, outcome=facts.outcome)
    on = (" " + _("on {day}").format(day=day(poll.day))) if poll.day else ""
    if taken_by(poll):
        # No ballots: the tellers' totals, which the table below gives option by option.
        head = _("Vote {id}: {title} — {method}, {taken_by}, {votes}{on}.").format(
            id=poll.id,
            title=poll.title,
            method=method_name(poll.method),
            taken_by=taken_by(poll),
            votes=counted(poll.ballots, "vote", "votes"),
            on=on,
        )
    else:
        # ``poll.ballots`` are votes, by weight: a right held with a weight of 3 is 3 of them.
        ballots = counted(facts.ballots if facts else poll.ballots, "ballot", "ballots")
        if facts is not None and facts.ballots != poll.ballots:
            ballots = _("{ballots} carrying {votes}").format(
                ballots=ballots, votes=counted(poll.ballots, "vote", "votes")
            )
        head = _("Vote {id}: {title} — {method}, {secrecy}, {ballots}{on}.").format(
            id=poll.id,
            title=poll.title,
            method=method_name(poll.method),
            secrecy=_(poll.secrecy),
            ballots=ballots,
            on=on,
        )
    blocks: list[Block] = [Paragraph(head)]
    if count is not None:
        blocks += rounds_blocks(count)
    elif poll.tallies:
        rows = [[k, v] for k, v in poll.tallies.items()]
        if poll.vote is not None and not taken_by(poll):
            # A decision's ballot is yes, no, abstain or blank: those not among the first
            # three were blank, and are counted and shown like them.
            cast = poll.vote.yes + poll.vote.no + poll.vote.abstain
            rows.append([_("blank"), str(max(poll.ballots - cast, 0))])
        elif facts is not None and facts.blank:
            rows.append([_("blank"), str(facts.blank)])
        blocks.append(Table([_("Choice"), _("Votes")], rows))
    if poll.outcome:
        blocks.append(Paragraph(_("Outcome: {outcome}.").format(outcome=decision(poll))))
    if poll.corrections:
        # The tellers' figures corrected before the close: the minutes say why.
        blocks.append(Bullets([correction.said for correction in poll.corrections]))
    if poll.roll_call:
        blocks.append(Paragraph(_("Roll-call:")))
        blocks.append(_roll_call(poll, facts.weights if facts else []))
    return blocks


def _roll_call(poll: PollRecord, weights: list[int]) -> Table:
    """The named votes; with each voter's weight (``weights``, in the roll-call's order) when
    one is not 1, so that the votes add up to the tally above."""
    rows = [[_voter(v, by), c] for v, c, by in poll.roll_call]
    if all(weight == 1 for weight in weights):
        return Table([_("Voter"), _("Vote")], rows)
    weighed = [[*row, str(weight)] for row, weight in zip(rows, weights, strict=True)]
    return Table([_("Voter"), _("Vote"), _("Weight")], weighed)


def _attendance(record: MeetingRecord) -> list[Block]:
    roles = ("member", "alternate", "observer")
    rows = [
        [
            day(d.day),
            *(str(d.attended.get(role, 0)) for role in roles),
            str(d.substitutes),
            f"{d.rights_present} / {d.rights_total}",
        ]
        for d in record.days
    ]
    blocks: list[Block] = [
        Heading(_("Attendance")),
        Paragraph(
            _("Invited: {members}, {alternates}, {observers}.").format(
                members=counted(record.invited.get("member", 0), "member", "members"),
                alternates=counted(
                    record.invited.get("alternate", 0), "alternate member", "alternate members"
                ),
                observers=counted(record.invited.get("observer", 0), "observer", "observers"),
            )
        ),
        Paragraph(
            _(
                "Attended on each day: everyone checked in that day, whether or not they checked "
                "out before its end. Standing in and voting rights: as at the day's end."
            )
        ),
        Table(
            [
                _("Day"),
                _("Members attended"),
                _("Alternates attended"),
                _("Observers attended"),
                _("Standing in at the day's end"),
                _("Voting rights present at the day's end ({quorum} required)").format(
                    quorum=record.quorum
                ),
            ],
            rows,
        ),
    ]
    if record.capacities:
        blocks.append(
            Paragraph(
                _(
                    "Attended, by capacity (everyone checked in on at least one day, each "
                    "person once, in the first capacity that applies: the innermost body "
                    "first, members before alternate members):"
                )
            )
        )
        blocks.append(
            Bullets(
                [
                    _("{capacity} ({number}): {names}.").format(
                        capacity=capitalized(capacity(group)),
                        number=group.number,
                        names=names(group.people),
                    )
                    for group in record.capacities
                ]
            )
        )
    if record.proxies:
        blocks.append(
            Paragraph(
                _(
                    "Proxies (each given for the whole meeting, and used only while the member "
                    "who gave it was absent):"
                )
            )
        )
        blocks.append(
            Table(
                [_("Member"), _("Vote held by"), _("Given on")],
                [[proxy.member, proxy.holder, day(proxy.given_on)] for proxy in record.proxies],
            )
        )
    return blocks


def _presidium(
    record: MeetingRecord, counts: Mapping[int, Result], facts: Mapping[int, CountFacts]
) -> list[Block]:
    blocks: list[Block] = []
    if record.presidium:
        blocks.append(Heading(_("Presidium")))
        if record.presidium_elected_by is not None:
            elected_by = record.presidium_elected_by
            if elected_by.result_shown:
                blocks.append(Paragraph(_("Elected by the meeting:")))
                blocks += poll_blocks(
                    elected_by, counts.get(elected_by.id), facts.get(elected_by.id)
                )
            else:
                blocks.append(Paragraph(_("Elected by the meeting.")))
        elif record.presidium_formed_by:
            blocks.append(
                Paragraph(_("Formed by the {body}.").format(body=record.presidium_formed_by))
            )
        blocks.append(Bullets(record.presidium, ordered=True))
    if record.sittings:
        blocks.append(Heading(_("Sittings")))
        blocks.append(
            Table(
                [_("Sitting"), _("Day"), _("Chair")],
                [[str(n), day(d), chair] for n, d, chair in record.sittings],
            )
        )
    return blocks


def _documents(label: str, titles: list[str]) -> list[Block]:
    """The documents' titles under ``label``; nothing where there are none."""
    return [Paragraph(label), Bullets(titles)] if titles else []


def _agenda(record: MeetingRecord, facts: Mapping[int, CountFacts]) -> list[Block]:
    blocks: list[Block] = [Heading(_("Agenda"))]
    if record.agenda_poll is not None:
        approved = with_vote(
            record.agenda_poll, _("The agenda was approved {vote}:"), _("The agenda was approved:")
        )
        blocks.append(Paragraph(approved))
        blocks.append(Bullets([item.title for item in record.items], ordered=True))
        if record.agenda_poll.result_shown:
            blocks += poll_blocks(record.agenda_poll, facts=facts.get(record.agenda_poll.id))
    else:
        blocks.append(Paragraph(_("The agenda was not approved.")))
        blocks.append(Bullets([item.title for item in record.items], ordered=True))
    if record.withdrawn_items:
        blocks.append(
            Paragraph(
                _("Withdrawn before approval: {items}.").format(
                    items="; ".join(record.withdrawn_items)
                )
            )
        )
    if record.agenda_proposals:
        blocks.append(Paragraph(_("Changes to the agenda proposed by delegates:")))
        blocks.append(
            Table(
                [_("Proposal"), _("Change"), _("Proposed by"), _("Rationale"), _("Fate")],
                [
                    [str(p.number), p.change, p.proposer, p.rationale or "—", p.fate]
                    for p in record.agenda_proposals
                ],
            )
        )
    return blocks


def _motion(
    record: MeetingRecord,
    motion: MotionRecord,
    counts: Mapping[int, Result],
    facts: Mapping[int, CountFacts],
) -> list[Block]:
    about = [_(motion.state), counted(motion.versions, "version", "versions")]
    submitters = submitted_by(motion.submitter_body, motion.submitters)
    if submitters:
        about.insert(0, _("Submitted by {submitters}").format(submitters=submitters))
    blocks: list[Block] = [
        Heading(_("Motion {number}: {title}").format(number=motion.number, title=motion.title), 3),
        Paragraph(capitalized("; ".join(about)) + "."),
    ]
    if motion.supporters:
        blocks.append(Paragraph(_("Supported by {names}.").format(names=names(motion.supporters))))
    if motion.amendments:
        blocks.append(
            Table(
                [_("Amendment"), _("Part"), _("Proposed by"), _("Fate")],
                [
                    [str(a.number), amendment_part(a), a.proposed_by, _(a.state)]
                    for a in motion.amendments
                ],
            )
        )
    for panel, advice in motion.recommendations:
        blocks.append(
            Paragraph(_("Recommendation of {panel}: {advice}").format(panel=panel, advice=advice))
        )
    if motion.panel_outcome:
        blocks.append(
            Paragraph(_("Panels' outcome: {outcome}").format(outcome=motion.panel_outcome))
        )
    for poll in record.polls:
        if poll.motion_id == motion.id:
            blocks += poll_blocks(poll, counts.get(poll.id), facts.get(poll.id))
    return blocks


def _section(title: str, body: list[Block]) -> list[Block]:
    """``body`` under a heading ``title``; nothing at all, not even the heading, without it."""
    return [Heading(title), *body] if body else []


def _panels(record: MeetingRecord) -> list[Block]:
    lines = []
    for panel in record.panels:
        # A part the record does not hold is left out, not printed empty ("members: .").
        parts = []
        if panel.item_positions:
            items = ", ".join(str(p) for p in panel.item_positions)
            one = len(panel.item_positions) == 1
            parts.append((_("item {items}") if one else _("items {items}")).format(items=items))
        if panel.chairs:
            parts.append(
                (_("chairs: {names}") if len(panel.chairs) > 1 else _("chair: {names}")).format(
                    names=names(panel.chairs)
                )
            )
        if panel.members:
            parts.append(_("members: {members}").format(members=names(panel.members)))
        lines.append(f"{panel.name} — {'; '.join(parts)}." if parts else f"{panel.name}.")
    return _section(_("Panels"), [Paragraph(line) for line in lines])


def _resolutions(record: MeetingRecord) -> list[Block]:
    blocks: list[Block] = []
    polls = {poll.id: poll for poll in record.polls}
    for r in record.resolutions:
        blocks.append(
            Heading(_("Resolution No. {number}: {title}").format(number=r.number, title=r.title), 3)
        )
        blocks.append(
            Paragraph(
                _("From motion {motion}, vote {poll}: {result}; in force from {day}.").format(
                    motion=r.motion_number,
                    result=decision(polls[r.poll_id]) if r.poll_id in polls else _(r.result),
                    poll=r.poll_id,
                    day=day(r.effective_on),
                )
            )
        )
        blocks.append(MarkdownText(r.text))
    return _section(_("Resolutions"), blocks)


def _voter(voter: str, cast_by: str | None) -> str:
    """A roll-call's voter, with who cast the vote if another did: the holder of their proxy,
    or the alternate who stood in for them while they were away."""
    if cast_by is None:
        return voter
    return _("{voter} (cast by {cast_by})").format(voter=voter, cast_by=cast_by)
