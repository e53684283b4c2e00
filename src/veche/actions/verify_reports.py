"""Checking published reports against the journal and the record (``veche verify``).

Publishing a meeting's report keeps the text of its communiqué and minutes
(``reports/published.py``) and journals their SHA-256 in the publication's entry
(``reports_sha256``). Here each kept text is hashed again against that entry, so a published
text edited in the database is named; and each is held against a rendering of the record as
it stands, so the record under a published report — a name, a title, an attendance — changed
since is named too, even where the kept text was left alone. Only the veche that rendered a
text is expected to render it alike: a text published by another version is hashed, and
listed as not re-rendered. Meetings published before texts were kept have no digest in their
entry and are listed as not checked.

A name or a title may also be changed through veche after a publication (a person's name
corrected): the report stays as published, and the record no longer renders it. A rendering
that differs only in lines each of which now reads a name or title such an entry since the
publication set is listed with those entries rather than failed: a body corrects a name in
its registers without its published reports failing verification. Any other difference — a
line that no entry's new value accounts for, a line gone or added — fails, with the entries
that may explain it named. The kept text is hashed all the same, and the version that kept
it is held against the one its publication recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import veche
from veche.actions._findings import Findings, listed
from veche.actions.journal_actions import JournalAction
from veche.actions.motions import text_sha256
from veche.models import JournalEntry, Meeting, PublishedReport
from veche.models.meetings import MeetingState
from veche.queries.waiting import what_waits
from veche.reports import compose_report
from veche.reports.published import PUBLISHED_KINDS, document_of, document_text
from veche.reports.render import to_markdown

#: How the problems name each document kept.
_NAMED = {"communique": "communiqué", "minutes": "minutes"}
#: How much of a line that changed a problem quotes.
_QUOTED = 100


@dataclass
class ReportsCheck(Findings[str]):
    """The outcome of checking the published reports against the journal and the record."""

    #: Meetings whose kept texts were hashed again and matched their publication.
    meetings: int = 0
    #: Texts kept by another version of veche: hashed, not rendered again ("communiqué of
    #: meeting 4 (published by veche 0.1.0)").
    not_rerendered: list[str] = field(default_factory=list)
    #: Meetings published before texts were kept: nothing to hold their reports against.
    not_kept: list[int] = field(default_factory=list)
    #: Published texts the record no longer renders alike, since veche changed what reports
    #: show after their publication (the entries named): the text stands as published.
    changed_through_veche: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Publication:
    seq: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class _Change:
    """An entry changing what reports show: the names and titles it set."""

    seq: int
    action: str
    texts: frozenset[str]


#: Shorter values an entry sets (a kind "a", a number) would account for any line.
_SHORTEST_TEXT = 3


def _texts_set(payload: object) -> list[str]:
    """The text values an entry's payload sets (a name, a title), wherever they stand in it."""
    if isinstance(payload, str):
        return [payload] if len(payload) >= _SHORTEST_TEXT else []
    if isinstance(payload, dict):
        return [text for value in payload.values() for text in _texts_set(value)]
    if isinstance(payload, list):
        return [text for value in payload for text in _texts_set(value)]
    return []


#: What veche may change after a report's publication that reports show: names, titles and
#: seats (the capacities in which people attended). A published report differing from the
#: record after one of these is listed with the entries, not failed.
_SHOWN_CHANGES = (
    JournalAction.UPDATE_ORGANIZATION,
    JournalAction.UPDATE_BODY,
    JournalAction.UPDATE_TERM,
    JournalAction.UPDATE_UNIT,
    JournalAction.UPDATE_PERSON,
    JournalAction.ADD_MEMBERSHIP,
    JournalAction.UPDATE_MEMBERSHIP,
)


def verify_reports(session: Session) -> ReportsCheck:
    """Hold every published meeting's kept texts against its publication and its record."""
    check = ReportsCheck()
    publications = _publications(session)
    changes = [
        _Change(int(seq), str(action), frozenset(_texts_set(payload)))
        for seq, action, payload in session.execute(
            select(JournalEntry.seq, JournalEntry.action, JournalEntry.payload)
            .where(JournalEntry.action.in_([action.value for action in _SHOWN_CHANGES]))
            .order_by(JournalEntry.seq)
        )
    ]
    kept: dict[int, dict[str, PublishedReport]] = {}
    for row in session.scalars(select(PublishedReport).order_by(PublishedReport.id)):
        kept.setdefault(row.meeting_id, {})[row.kind] = row
    published = set(
        session.scalars(select(Meeting.id).where(Meeting.state == MeetingState.REPORT_PUBLISHED))
    )
    for meeting_id in sorted(published | set(kept) | set(publications)):
        meeting = session.get(Meeting, meeting_id)
        _check_meeting(
            session,
            meeting_id,
            meeting,
            publications.get(meeting_id),
            kept.get(meeting_id, {}),
            changes,
            check,
        )
    return check


def _publications(session: Session) -> dict[int, _Publication]:
    """Each meeting's latest entry publishing its report, by the meeting's id."""
    found: dict[int, _Publication] = {}
    for seq, payload in session.execute(
        select(JournalEntry.seq, JournalEntry.payload)
        .where(
            JournalEntry.action == JournalAction.CHANGE_MEETING_STATE.value,
            JournalEntry.payload["state"].as_string() == MeetingState.REPORT_PUBLISHED.value,
        )
        .order_by(JournalEntry.seq)
    ):
        meeting_id = payload.get("meeting_id")
        if isinstance(meeting_id, int):
            found[meeting_id] = _Publication(seq, payload)
    return found


def _check_meeting(
    session: Session,
    meeting_id: int,
    meeting: Meeting | None,
    publication: _Publication | None,
    kept: dict[str, PublishedReport],
    changes: list[_Change],
    check: ReportsCheck,
) -> None:
    named = f"meeting {meeting_id}" + (f" ({meeting.title})" if meeting is not None else "")
    if publication is None:
        check.problems.append(
            f"{named}: its report is published, but the journal records no publication of it: "
            "published outside veche"
        )
        return
    entry = f"journal entry {publication.seq}"
    if meeting is None or meeting.state is not MeetingState.REPORT_PUBLISHED:
        now = "gone" if meeting is None else f"now {meeting.state.value.replace('_', ' ')}"
        check.problems.append(
            f"{named}: {entry} publishes its report, but the meeting is {now}: changed "
            "outside veche"
        )
        return
    digests = publication.payload.get("reports_sha256")
    if not isinstance(digests, dict):
        if kept:
            check.problems.append(
                f"{named}: its published {_kinds(kept)} kept, but its publication ({entry}) "
                "records no text: written outside veche"
            )
        else:
            check.not_kept.append(meeting_id)
        return
    problems = len(check.problems)
    waiting = what_waits(session, meeting_id).results
    if waiting:
        check.problems.append(
            f"{named}: its report is published, but the result of "
            f"{listed(f'poll {poll.poll_id}' for poll in waiting)} is not: a report is "
            "published only once every result is, so the poll was set back outside veche"
        )
    later = [change for change in changes if change.seq > publication.seq]
    since = [f"{change.seq} ({change.action})" for change in later]
    set_since = frozenset().union(*(change.texts for change in later))
    kept_by = publication.payload.get("reports_version")
    for kind in sorted(set(digests) | set(kept), key=_order):
        row = kept.get(kind)
        said = _NAMED.get(kind, kind)
        if row is None:
            check.problems.append(
                f"{named}: its published {said} {_is(kind)} gone, though its publication "
                f"({entry}) recorded it: deleted outside veche"
            )
        elif kind not in digests:
            check.problems.append(
                f"{named}: its published {said} {_is(kind)} kept, but its publication "
                f"({entry}) did not record it: written outside veche"
            )
        elif text_sha256(row.text) != digests[kind]:
            check.problems.append(
                f"{named}: its published {said} {_is(kind)} not the text its publication "
                f"recorded ({entry}): edited since"
            )
        elif kept_by is not None and row.veche_version != kept_by:
            check.problems.append(
                f"{named}: its published {said} {_is(kind)} marked as kept by veche "
                f"{row.veche_version}, but its publication ({entry}) recorded veche {kept_by}: "
                "changed since"
            )
        elif row.veche_version != veche.__version__:
            check.not_rerendered.append(
                f"the {said} of meeting {meeting_id} (published by veche {row.veche_version})"
            )
        else:
            now = document_text(compose_report(session, meeting, kind))
            changed = _changed(row.text, now)
            entries = f"journal {'entry' if len(since) == 1 else 'entries'} {listed(since)}"
            if changed is None:
                pass
            elif set_since and _accounted_for(row.text, now, set_since):
                check.changed_through_veche.append(f"the {said} of {named}{changed} ({entries})")
            else:
                why = (
                    f"; since its publication, {entries} changed what reports show, but not "
                    "all of this"
                    if since
                    else ", and nothing in the journal changed it"
                )
                check.problems.append(
                    f"{named}: its {said}, rendered from the record as it stands, {_is(kind)} not "
                    f"the one published ({entry}){changed}: the record under the published "
                    f"report changed since{why}"
                )
    if len(check.problems) == problems:
        check.meetings += 1


def _order(kind: str) -> int:
    return PUBLISHED_KINDS.index(kind) if kind in PUBLISHED_KINDS else len(PUBLISHED_KINDS)


def _is(kind: str) -> str:
    return "are" if kind == "minutes" else "is"


def _kinds(kept: dict[str, PublishedReport]) -> str:
    kinds = sorted(kept, key=_order)
    said = " and ".join(_NAMED.get(kind, kind) for kind in kinds)
    return f"{said} {_is(kinds[0]) if len(kinds) == 1 else 'are'}"


def _accounted_for(published: str, now: str, set_since: frozenset[str]) -> bool:
    """Whether every line that differs between the texts (as a reader sees them) is one that
    replaced another and now reads a name or title an entry since the publication set."""
    was = to_markdown(document_of(published)).splitlines()
    is_now = to_markdown(document_of(now)).splitlines()
    for tag, was_from, was_to, now_from, now_to in SequenceMatcher(
        a=was, b=is_now, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace" or was_to - was_from != now_to - now_from:
            return False  # a line gone or added: no name or title does that
        if not all(any(text in line for text in set_since) for line in is_now[now_from:now_to]):
            return False
    return True


def _changed(published: str, now: str) -> str | None:
    """None when the texts are one; else where they first part, as a reader sees them (their
    Markdown), or nothing more where only what Markdown does not show differs."""
    if published == now:
        return None
    was = to_markdown(document_of(published)).splitlines()
    is_now = to_markdown(document_of(now)).splitlines()
    for number, (before, after) in enumerate(zip(was, is_now, strict=False), start=1):
        if before != after:
            return f", from its line {number}: “{_quoted(before)}” now reads “{_quoted(after)}”"
    if len(was) != len(is_now):
        return f", from its line {min(len(was), len(is_now)) + 1}"
    return ""


def _quoted(line: str) -> str:
    return line if len(line) <= _QUOTED else line[: _QUOTED - 1] + "…"
