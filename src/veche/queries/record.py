"""The record of a meeting, read in one piece for its documents: communiqué, minutes, motion book."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session, aliased, selectinload

from veche.actions.access import result_visible
from veche.collation import natural_key
from veche.models import (
    AgendaItem,
    Body,
    Contribution,
    Document,
    Meeting,
    Motion,
    Participant,
    Person,
    Poll,
    Proxy,
    Recommendation,
    Resolution,
    SummingUpPaper,
)
from veche.models.agenda import ItemState
from veche.models.motions import SponsorRole
from veche.models.polls import PollKind, PollState, Secrecy
from veche.models.presidium import PresidiumSource
from veche.queries import proceedings
from veche.queries.agenda import agenda_approval
from veche.queries.agenda_proposals import ProposalView, agenda_proposals
from veche.queries.attendance import AttendanceCount, attendance_count
from veche.queries.capacities import CapacityGroup, attendance_by_capacity
from veche.queries.org import term_label
from veche.queries.paper_lots import Correction, poll_corrections
from veche.queries.polls import roll_call
from veche.quorum import Quorum


@dataclass(frozen=True)
class DecisionVote:
    """A decision's figures and the rule they were counted by."""

    yes: int
    no: int
    abstain: int
    #: The counting engine's words for the rule: "simple majority of votes cast: more yes
    #: than no"; None when there was no quorum to count by it.
    rule: str | None

    @property
    def unanimous(self) -> bool:
        """Every vote cast was yes (an abstention is a vote cast, as in a resolution's words)."""
        return self.yes > 0 and self.no == 0 and self.abstain == 0


@dataclass(frozen=True)
class PollRecord:
    id: int
    title: str
    kind: str
    method: str
    secrecy: str
    day: date | None
    outcome: str | None
    ballots: int
    tallies: dict[str, str]  # option → votes in the first count
    elected: list[str]
    #: A named poll's votes: the voter, their choice, and who cast it if another did.
    roll_call: list[tuple[str, str, str | None]]
    agenda_item_id: int | None
    motion_id: int | None
    approves_agenda: bool
    vote: DecisionVote | None = None  # a decision's figures and rule
    #: "ballot", or how it was counted in the hall: "show_of_hands", "standing" (then
    #: ``ballots`` are the votes the tellers counted).
    vote_by: str = "ballot"
    #: False for a vote whose result the reader may not see yet (closed, not published): the
    #: record names it (the agenda approved, the presidium elected) without its figures.
    result_shown: bool = True
    #: The tellers' corrections of its paper lots or totals before the close, with why.
    corrections: list[Correction] = field(default_factory=list)


@dataclass(frozen=True)
class ContributionRecord:
    kind: str
    speaker: str | None  # none for a report a body gave with no presenter named
    on_behalf_of: str | None
    title: str
    summary: str
    seconds_used: int | None
    sitting: int | None
    attachments: list[str]


@dataclass(frozen=True)
class ItemRecord:
    id: int
    position: int
    title: str
    kind: str
    state: str
    rapporteur: str | None
    rapporteur_body: str | None
    time_budget_minutes: int
    contributions: list[ContributionRecord]
    documents: list[str]
    #: The interim summing-ups filed as papers on the item: each paper's title and the
    #: SHA-256 of its Markdown as filed.
    summing_ups: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class AmendmentRecord:
    number: int
    target: str
    proposed_by: str
    reason: str
    state: str
    original_text: str
    new_text: str
    merged_text: str | None
    diff: str


@dataclass(frozen=True)
class MotionRecord:
    id: int
    number: int
    title: str
    item_position: int | None
    state: str
    submitter_body: str | None
    submitters: list[str]
    supporters: list[str]
    first_text: str
    text: str
    versions: int
    amendments: list[AmendmentRecord]
    recommendations: list[tuple[str, str]]  # (panel, advice)
    panel_outcome: str


@dataclass(frozen=True)
class PanelRecord:
    name: str
    chairs: list[str]
    members: list[str]
    item_positions: list[int]


@dataclass(frozen=True)
class ResolutionRecord:
    number: int
    title: str
    text: str
    result: str
    effective_on: date
    motion_number: int
    poll_id: int


@dataclass(frozen=True)
class ProxyRecord:
    """A member's vote entrusted to another member for the meeting, as it stands on record."""

    member: str
    holder: str
    given_on: date


@dataclass
class MeetingRecord:
    """Everything the documents say, read from the database and nothing else."""

    name: str
    organization: str
    body: str
    term: str
    kind: str
    state: str
    venue: str
    starts_on: date
    ends_on: date
    convened_by: str | None
    notice: str
    invited: dict[str, int]
    capacities: list[CapacityGroup]  # anyone checked in on at least one day, once each
    days: list[AttendanceCount]
    quorum: Quorum
    presidium: list[str]
    presidium_elected_by: PollRecord | None
    presidium_formed_by: str | None
    sittings: list[tuple[int, date, str]]
    agenda_poll: PollRecord | None
    items: list[ItemRecord]
    withdrawn_items: list[str]
    notice_documents: list[str]
    panels: list[PanelRecord]
    resolutions: list[ResolutionRecord]
    motions: list[MotionRecord] = field(default_factory=list)
    polls: list[PollRecord] = field(default_factory=list)
    agenda_proposals: list[ProposalView] = field(default_factory=list)
    #: Read with the names of those attending (``polls``): the minutes name who held whose vote.
    proxies: list[ProxyRecord] = field(default_factory=list)


def meeting_days(meeting: Meeting) -> list[date]:
    return [
        meeting.starts_on + timedelta(days=n)
        for n in range((meeting.ends_on - meeting.starts_on).days + 1)
    ]


def read_record(
    session: Session,
    meeting: Meeting,
    *,
    motions: bool = True,
    polls: bool = True,
    sees_closed: bool = True,
) -> MeetingRecord:
    """The meeting's record; texts of motions and resolutions, the polls' roll-calls and
    everyone attending by name, only when a document needs them (else the polls without
    their roll-calls, and how many attended in each capacity). The results are those the
    reader may see (``actions.access.result_visible``): a closed poll's only if
    ``sees_closed`` (``results.see_closed``), else the published ones alone."""
    body = meeting.term.body
    seated = proceedings.presidium(session, meeting.id)
    elected_by = next((s.poll_id for s in seated if s.source is PresidiumSource.ELECTED), None)
    formed_by = next((s.formed_by_body_id for s in seated if s.formed_by_body_id), None)
    all_polls = _polls(session, meeting, every=polls, sees_closed=sees_closed)
    approval = agenda_approval(session, meeting.id)
    items = session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(selectinload(AgendaItem.rapporteur), selectinload(AgendaItem.rapporteur_body))
        .order_by(AgendaItem.position, AgendaItem.id)
    ).all()
    documents = session.scalars(
        select(Document).where(Document.meeting_id == meeting.id).order_by(Document.id)
    ).all()
    summing_ups = {
        filed.document_id: filed.sha256
        for filed in session.scalars(
            select(SummingUpPaper).where(
                SummingUpPaper.document_id.in_([document.id for document in documents])
            )
        )
    }
    sitting_rows = proceedings.sittings(session, meeting.id)
    sitting_numbers = {s.id: s.number for s in sitting_rows}
    item_positions = {item.id: item.position for item in items}
    # Who was invited is the same on every day: read with the first day's count, not again.
    counts = [attendance_count(session, meeting, day) for day in meeting_days(meeting)]
    return MeetingRecord(
        name=proceedings.meeting_name(meeting),
        organization=body.organization.name,
        body=body.name,
        term=term_label(meeting.term),
        kind=meeting.kind.value,
        state=meeting.state.value,
        venue=meeting.venue,
        starts_on=meeting.starts_on,
        ends_on=meeting.ends_on,
        convened_by=meeting.convened_by.name if meeting.convened_by else None,
        notice=meeting.notice,
        invited=counts[0].invited,
        capacities=attendance_by_capacity(session, meeting, names=polls),
        days=counts,
        quorum=body.quorum,
        presidium=[seat.person.full_name for seat in seated],
        presidium_elected_by=_optional_poll(session, elected_by, sees_closed),
        presidium_formed_by=_body_name(session, formed_by),
        sittings=[(s.number, s.day, s.chair.full_name) for s in sitting_rows],
        agenda_poll=_shown_record(session, approval, sees_closed) if approval else None,
        items=[
            _item_record(session, item, documents, sitting_numbers, summing_ups)
            for item in items
            if item.state is not ItemState.WITHDRAWN
        ],
        withdrawn_items=[item.title for item in items if item.state is ItemState.WITHDRAWN],
        notice_documents=[
            _document_title(d)
            for d in documents
            if d.agenda_item_id is None and d.contribution_id is None
        ],
        panels=_panels(session, meeting, item_positions),
        resolutions=_resolutions(session, meeting, texts=motions),
        motions=_motions(session, meeting, item_positions) if motions else [],
        polls=list(all_polls.values()),
        agenda_proposals=agenda_proposals(session, meeting.id) if motions else [],
        proxies=_proxies(session, meeting) if polls else [],
    )


def _proxies(session: Session, meeting: Meeting) -> list[ProxyRecord]:
    """The proxies given for the meeting and not taken back, by the giver's name."""
    grantor, holder = aliased(Participant), aliased(Participant)
    giver, keeper = aliased(Person), aliased(Person)
    rows = session.execute(
        select(giver.full_name, keeper.full_name, Proxy.created_at)
        .select_from(Proxy)
        .join(grantor, grantor.id == Proxy.grantor_id)
        .join(giver, giver.id == grantor.person_id)
        .join(holder, holder.id == Proxy.holder_id)
        .join(keeper, keeper.id == holder.person_id)
        .where(Proxy.meeting_id == meeting.id)
    ).all()
    found = [ProxyRecord(member, held_by, given.date()) for member, held_by, given in rows]
    return sorted(found, key=lambda proxy: (natural_key(proxy.member), proxy.holder))


def _body_name(session: Session, body_id: int | None) -> str | None:
    body = session.get(Body, body_id) if body_id else None
    return body.name if body else None


def _polls(
    session: Session, meeting: Meeting, *, every: bool, sees_closed: bool
) -> dict[int, PollRecord]:
    """The polls whose result the reader may see: published, and closed if ``sees_closed``;
    each with its roll-call if ``every`` (the communiqué states every result, decisions,
    elections and choices alike, but no single vote)."""
    shown = (PollState.CLOSED, PollState.PUBLISHED) if sees_closed else (PollState.PUBLISHED,)
    query = select(Poll).where(Poll.meeting_id == meeting.id, Poll.state.in_(shown))
    found = session.scalars(
        query.options(selectinload(Poll.options)).order_by(Poll.closed_at, Poll.id)
    ).all()
    corrections = poll_corrections(session, [poll.id for poll in found])
    return {
        poll.id: _poll_record(
            session, poll, roll_calls=every, corrections=corrections.get(poll.id, [])
        )
        for poll in found
    }


def _optional_poll(session: Session, poll_id: int | None, sees_closed: bool) -> PollRecord | None:
    poll = session.get(Poll, poll_id) if poll_id is not None else None
    return _shown_record(session, poll, sees_closed) if poll is not None else None


def _shown_record(session: Session, poll: Poll, sees_closed: bool) -> PollRecord:
    """A vote the record tells of in any case (the agenda's approval, the presidium's
    election): with its result if the reader may see it, else without a figure, a name
    chosen or a single vote — how it was taken alone."""
    record = _poll_record(session, poll)
    if result_visible(poll.state, sees_closed):
        return record
    return replace(
        record,
        outcome=None,
        ballots=0,
        tallies={},
        elected=[],
        roll_call=[],
        vote=None,
        result_shown=False,
        corrections=[],
    )


def _poll_record(
    session: Session,
    poll: Poll,
    *,
    roll_calls: bool = True,
    corrections: list[Correction] | None = None,
) -> PollRecord:
    """A poll as the record gives it; its ``corrections`` when read with others' already."""
    if corrections is None:
        corrections = poll_corrections(session, [poll.id]).get(poll.id, [])
    result: dict[str, Any] = poll.result or {}
    rounds = result.get("rounds") or []
    tallies = {
        name: str(votes) for name, votes in (rounds[0].get("tallies", {}) if rounds else {}).items()
    }
    vote = None
    if poll.kind is PollKind.DECISION:
        details = result.get("details", {})
        tallies = {choice: str(details.get(choice, 0)) for choice in ("yes", "no", "abstain")}
        if details:
            vote = DecisionVote(
                yes=int(details.get("yes", 0)),
                no=int(details.get("no", 0)),
                abstain=int(details.get("abstain", 0)),
                # Without a quorum the engine names the quorum as its rule, and counted nothing.
                rule=None if details.get("rule") in (None, "quorum") else str(details["rule"]),
            )
    by_source = result.get("ballots_by_source", {})
    calls = []
    if roll_calls and poll.secrecy is Secrecy.NAMED:
        calls = [
            (row["voter"], choice_words(row["choice"]), row["cast_by"])
            for row in roll_call(session, poll)
        ]
    return PollRecord(
        id=poll.id,
        title=poll.title,
        kind=poll.kind.value,
        method=poll.method,
        secrecy=poll.secrecy.value,
        day=poll.day,
        outcome=poll.outcome,
        ballots=sum(int(n) for n in by_source.values()),
        tallies=tallies,
        elected=list(result.get("elected", [])),
        roll_call=calls,
        agenda_item_id=poll.agenda_item_id,
        motion_id=poll.motion_id,
        approves_agenda=poll.approves_agenda,
        vote=vote,
        vote_by=poll.vote_by.value,
        corrections=corrections,
    )


def choice_words(choice: Any) -> str:
    if isinstance(choice, list):
        return ", ".join(str(c) for c in choice)
    if isinstance(choice, dict):
        return ", ".join(f"{k}: {v}" for k, v in choice.items())
    return str(choice)


def _document_title(document: Document) -> str:
    return f"{document.title} ({document.url})" if document.url else document.title


def _item_record(
    session: Session,
    item: AgendaItem,
    documents: list[Document] | Any,
    sitting_numbers: dict[int, int],
    summing_ups: dict[int, str],
) -> ItemRecord:
    said = proceedings.contributions(session, item.id)
    attachments: dict[int, list[str]] = {}
    for d in documents:
        if d.contribution_id is not None:
            attachments.setdefault(d.contribution_id, []).append(_document_title(d))
    return ItemRecord(
        id=item.id,
        position=item.position,
        title=item.title,
        kind=item.kind.value,
        state=item.state.value,
        rapporteur=item.rapporteur.full_name if item.rapporteur else None,
        rapporteur_body=item.rapporteur_body.name if item.rapporteur_body else None,
        time_budget_minutes=item.time_budget_minutes,
        contributions=[_contribution(c, attachments, sitting_numbers) for c in said],
        documents=[
            _document_title(d)
            for d in documents
            if d.agenda_item_id == item.id and d.contribution_id is None
        ],
        summing_ups=[
            (d.title, summing_ups[d.id])
            for d in documents
            if d.agenda_item_id == item.id and d.id in summing_ups
        ],
    )


def _contribution(
    c: Contribution, attachments: dict[int, list[str]], sitting_numbers: dict[int, int]
) -> ContributionRecord:
    return ContributionRecord(
        kind=c.kind.value,
        speaker=c.speaker.full_name if c.speaker else None,
        on_behalf_of=c.on_behalf_of.name if c.on_behalf_of else None,
        title=c.title,
        summary=c.summary,
        seconds_used=c.seconds_used,
        sitting=sitting_numbers.get(c.sitting_id) if c.sitting_id else None,
        attachments=attachments.get(c.id, []),
    )


def _panels(
    session: Session, meeting: Meeting, item_positions: dict[int, int]
) -> list[PanelRecord]:
    rows = proceedings.panels(session, meeting.id)
    people = _names(session, {pid for row in rows for pid in row.member_ids + row.chair_ids})
    return [
        PanelRecord(
            name=row.panel.name,
            chairs=[people[pid] for pid in row.chair_ids],
            members=[people[pid] for pid in row.member_ids],
            item_positions=sorted(item_positions[i] for i in row.agenda_item_ids),
        )
        for row in rows
    ]


def _names(session: Session, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    rows = session.execute(select(Person.id, Person.full_name).where(Person.id.in_(person_ids)))
    return {person_id: name for person_id, name in rows}


def _resolutions(session: Session, meeting: Meeting, *, texts: bool) -> list[ResolutionRecord]:
    rows = session.execute(
        select(
            Resolution.number,
            Resolution.title,
            Resolution.text if texts else literal(""),
            Resolution.result,
            Resolution.effective_on,
            Motion.number,
            Resolution.poll_id,
        )
        .join(Motion, Motion.id == Resolution.motion_id)
        .where(Resolution.meeting_id == meeting.id)
        .order_by(Resolution.number)
    )
    return [ResolutionRecord(*row) for row in rows]


def _motions(
    session: Session, meeting: Meeting, item_positions: dict[int, int]
) -> list[MotionRecord]:
    found = session.scalars(
        select(Motion)
        .where(Motion.meeting_id == meeting.id)
        .options(
            selectinload(Motion.versions),
            selectinload(Motion.sponsors),
            selectinload(Motion.submitter_body),
        )
        .order_by(Motion.number)
    ).all()
    people = _names(session, {s.person_id for m in found for s in m.sponsors})
    panel_names = {row.panel.id: row.panel.name for row in proceedings.panels(session, meeting.id)}
    advice: dict[int, list[tuple[str, str]]] = {}
    for r in session.scalars(
        select(Recommendation)
        .join(Motion, Motion.id == Recommendation.motion_id)
        .where(Motion.meeting_id == meeting.id)
        .order_by(Recommendation.id)
    ):
        advice.setdefault(r.motion_id, []).append((panel_names[r.panel_id], r.text))
    records = []
    for motion in found:
        texts = {v.number: v.text for v in motion.versions}
        amendments = [
            AmendmentRecord(
                number=a.number,
                target=proceedings.target_of(a),
                proposed_by=(
                    a.panel.name if a.panel else (a.proposer.full_name if a.proposer else "")
                ),
                reason=a.reason,
                state=a.state.value,
                original_text=a.original_text,
                new_text=a.new_text,
                merged_text=a.merged_text,
                diff=proceedings.amendment_diff(texts, a, motion.current_version),
            )
            for a in proceedings.amendments(session, motion.id)
        ]
        records.append(
            MotionRecord(
                id=motion.id,
                number=motion.number,
                title=motion.title,
                item_position=item_positions.get(motion.agenda_item_id)
                if motion.agenda_item_id
                else None,
                state=motion.state.value,
                submitter_body=motion.submitter_body.name if motion.submitter_body else None,
                submitters=[
                    people[s.person_id] for s in motion.sponsors if s.role is SponsorRole.SUBMITTER
                ],
                supporters=[
                    people[s.person_id] for s in motion.sponsors if s.role is SponsorRole.SUPPORTER
                ],
                first_text=texts[1],
                text=texts[motion.current_version],
                versions=len(texts),
                amendments=amendments,
                recommendations=advice.get(motion.id, []),
                panel_outcome=motion.panel_outcome,
            )
        )
    return records
