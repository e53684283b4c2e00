"""Checking the stored check-ins, participants' weights, proxies and substitutions against
the journal (``veche verify``).

Who attended a meeting, and with what weight each right counts, decide its quorum, the rights
present in its minutes and the attendance its communiqué reports; a database administrator
can change either in the database (an attendance row deleted, a weight raised) without a
poll's ballots showing it. Every change veche makes to them is journalled, though: a check-in
(``check_in``), a check-out (``check_out``) and a check-in undone (``undo_check_in``), each
naming its meeting, person and day, and a right's weight at its invitation (``invite``) and at
each change (``update_participant``); a member seated by the meeting's creation has the
weight 1 until one is journalled; so are a proxy given and taken back (``grant_proxy``,
``revoke_proxy``) and an alternate standing in (``substitute``), which decide whose rights
are present too. Here every meeting whose creation the journal records is held against that
account: each day's check-ins and check-outs, each participant's weight, each proxy and each
substitution, with every difference named by its person (and day).

Where the journal cannot tell, the record is not held but counted: a check-in entry that names
no day leaves that person's attendance in that meeting unknown, one that names no meeting or
person leaves every meeting created before it unknown, and an invitation by name journalled
before invitations recorded their weight leaves that weight unknown until a change records
one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from veche.actions._findings import Findings, is_id
from veche.actions.journal_actions import JournalAction
from veche.actions.verify_rights import SEATED_WEIGHT, weight_given
from veche.models import Attendance, JournalEntry, Meeting, Participant, Proxy, Substitution

_READ = (
    JournalAction.CREATE_MEETING,
    JournalAction.INVITE,
    JournalAction.UPDATE_PARTICIPANT,
    JournalAction.CHECK_IN,
    JournalAction.CHECK_OUT,
    JournalAction.UNDO_CHECK_IN,
    JournalAction.GRANT_PROXY,
    JournalAction.REVOKE_PROXY,
    JournalAction.SUBSTITUTE,
)

_ATTENDANCE = (JournalAction.CHECK_IN, JournalAction.CHECK_OUT, JournalAction.UNDO_CHECK_IN)


class _Presence(Enum):
    """Where a participant stands on a day: checked in, or checked in and out again."""

    IN = "checked in"
    OUT = "checked out"


@dataclass
class AttendanceCheck(Findings[str]):
    """The outcome of holding the meetings' attendance, weights and stand-ins against the
    journal."""

    #: Meetings whose attendance, weights and stand-ins were held against the journal.
    meetings: int = 0
    #: Persons whose attendance in one of them the journal cannot tell.
    unknown_attendance: int = 0
    #: Of their participants, those whose weight the journal cannot tell.
    unknown_weights: int = 0
    #: Meetings the journal cannot tell of: created before an entry it cannot read, or
    #: whose creation it does not record.
    not_held: int = 0


@dataclass
class _Journal:
    """The meetings' attendance, weights and stand-ins as the journal gives them."""

    #: Meeting → the entry that created it.
    created: dict[int, int] = field(default_factory=dict)
    #: Meetings created before an entry that names no meeting or person.
    unknown: set[int] = field(default_factory=set)
    #: (meeting, person) → the weight given (None: not recorded) and the entry that gave it.
    weights: dict[tuple[int, int], tuple[int | None, int]] = field(default_factory=dict)
    #: (meeting, person, day) → where the last entry left them (None: undone), and its entry.
    days: dict[tuple[int, int, str], tuple[_Presence | None, int]] = field(default_factory=dict)
    #: (meeting, person) whose presence an entry that names no day leaves unknown.
    presence_unknown: set[tuple[int, int]] = field(default_factory=set)
    #: (meeting, grantor) → the holder of their proxy (None: taken back), and its entry.
    proxies: dict[tuple[int, int], tuple[int | None, int]] = field(default_factory=dict)
    #: (meeting, day, member) → the alternate standing in, and the entry.
    substitutions: dict[tuple[int, str, int], tuple[int, int]] = field(default_factory=dict)


def verify_attendance(session: Session) -> AttendanceCheck:
    """Hold every journalled meeting's check-ins, participants' weights, proxies and
    substitutions against the journal's entries."""
    journal = _read_journal(session)
    check = AttendanceCheck()
    titles = {
        meeting_id: title
        for meeting_id, title in session.execute(select(Meeting.id, Meeting.title))
    }
    held = {
        meeting_id
        for meeting_id in titles
        if meeting_id in journal.created and meeting_id not in journal.unknown
    }
    check.meetings = len(held)
    check.not_held = len(titles) - len(held)
    problems: dict[int, list[str]] = {meeting_id: [] for meeting_id in sorted(held)}
    check.unknown_attendance = _check_attendance(session, journal, held, problems)
    check.unknown_weights = _check_weights(session, journal, held, problems)
    _check_proxies(session, journal, held, problems)
    _check_substitutions(session, journal, held, problems)
    check.problems = [
        f"meeting {meeting_id} ({titles[meeting_id]}): {problem}"
        for meeting_id, found in problems.items()
        for problem in found
    ]
    return check


def _check_attendance(
    session: Session, journal: _Journal, held: set[int], problems: dict[int, list[str]]
) -> int:
    """Each meeting's stored check-ins, person by person and day by day, against the
    journal's; how many persons' attendance in a meeting the journal cannot tell."""
    stored: dict[tuple[int, int, str], _Presence] = {}
    for meeting_id, person_id, stored_day, checked_out_at in session.execute(
        select(
            Participant.meeting_id, Participant.person_id, Attendance.day, Attendance.checked_out_at
        )
        .join(Participant, Participant.id == Attendance.participant_id)
        .order_by(Participant.meeting_id, Attendance.day, Participant.person_id)
        .execution_options(yield_per=2000)
    ):
        if meeting_id in held:
            presence = _Presence.IN if checked_out_at is None else _Presence.OUT
            stored[(meeting_id, person_id, _day(stored_day))] = presence
    unknown = {key for key in journal.presence_unknown if key[0] in held}
    for key in sorted(set(stored) | {key for key in journal.days if key[0] in held}):
        meeting_id, person_id, day = key
        if (meeting_id, person_id) in unknown:
            continue
        journalled, seq = journal.days.get(key, (None, None))
        problem = _attendance_problem(person_id, day, stored.get(key), journalled, seq)
        if problem is not None:
            problems[meeting_id].append(problem)
    return len(unknown)


def _check_weights(
    session: Session, journal: _Journal, held: set[int], problems: dict[int, list[str]]
) -> int:
    """Each meeting's participants' weights against the journal's; how many weights the
    journal does not record."""
    unknown = 0
    for meeting_id, person_id, weight in session.execute(
        select(Participant.meeting_id, Participant.person_id, Participant.weight)
        .order_by(Participant.meeting_id, Participant.person_id)
        .execution_options(yield_per=2000)
    ):
        if meeting_id not in held:
            continue
        given, seq = journal.weights.get(
            (meeting_id, person_id), (SEATED_WEIGHT, journal.created[meeting_id])
        )
        if given is None:
            unknown += 1
        elif weight != given:
            problems[meeting_id].append(
                f"person {person_id}'s weight is {weight:,} but the journal gives {given:,} "
                f"({_given_by(seq, journal.created[meeting_id])}): it was changed outside veche"
            )
    return unknown


def _read_journal(session: Session) -> _Journal:
    journal = _Journal()
    rows = session.execute(
        select(JournalEntry.seq, JournalEntry.action, JournalEntry.payload)
        .where(JournalEntry.action.in_([action.value for action in _READ]))
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=2000)
    )
    for seq, name, payload in rows:
        action = JournalAction(name)
        if action is JournalAction.CREATE_MEETING:
            meeting = _id(payload, "meeting_id")
            if meeting is not None:
                journal.created.setdefault(meeting, seq)
        elif not _read(journal, action, seq, payload):
            # Whose it is cannot be told: any meeting there is may be the one it changed.
            journal.unknown.update(journal.created)
    return journal


def _read(journal: _Journal, action: JournalAction, seq: int, payload: Any) -> bool:
    """Add what one entry says of a meeting's attendance, weights and stand-ins to the
    journal's account; False if it does not say whose meeting and person it changed."""
    meeting, person = _id(payload, "meeting_id"), _id(payload, "person_id")
    if meeting is None:
        return False
    if action in (JournalAction.GRANT_PROXY, JournalAction.REVOKE_PROXY):
        grantor, holder = _id(payload, "grantor_person_id"), _id(payload, "holder_person_id")
        if grantor is None or holder is None:
            return False
        granted = holder if action is JournalAction.GRANT_PROXY else None
        journal.proxies[(meeting, grantor)] = (granted, seq)
    elif action is JournalAction.SUBSTITUTE:
        member, alternate = _id(payload, "member_person_id"), _id(payload, "alternate_person_id")
        day = payload.get("day")
        if member is None or alternate is None or not isinstance(day, str):
            return False
        journal.substitutions[(meeting, day, member)] = (alternate, seq)
    elif person is None:
        return False
    elif action in _ATTENDANCE:
        day = payload.get("day")
        if not isinstance(day, str):
            journal.presence_unknown.add((meeting, person))
        else:
            journal.days[(meeting, person, day)] = (_left(action), seq)
    else:
        journal.weights[(meeting, person)] = (weight_given(action, payload), seq)
    return True


def _check_proxies(
    session: Session, journal: _Journal, held: set[int], problems: dict[int, list[str]]
) -> None:
    """Each meeting's stored proxies against the journal's."""
    grantor, holder = aliased(Participant), aliased(Participant)
    proxies = {
        (meeting_id, grantor_id): holder_id
        for meeting_id, grantor_id, holder_id in session.execute(
            select(Proxy.meeting_id, grantor.person_id, holder.person_id)
            .join(grantor, grantor.id == Proxy.grantor_id)
            .join(holder, holder.id == Proxy.holder_id)
        )
        if meeting_id in held
    }
    given = {key: value for key, value in journal.proxies.items() if key[0] in held}
    for key in sorted(set(proxies) | set(given)):
        meeting_id, grantor_id = key
        stored = proxies.get(key)
        journalled, seq = given.get(key, (None, None))
        if stored == journalled:
            continue
        said = f"person {grantor_id}'s proxy is " + (
            f"held by person {stored}" if stored is not None else "held by no one"
        )
        if seq is None:
            recorded = "records no proxy of theirs"
        elif journalled is None:
            recorded = f"took it back (entry {seq})"
        else:
            recorded = f"last gave it to person {journalled} (entry {seq})"
        problems[meeting_id].append(
            f"{said} but the journal {recorded}: a proxy was changed outside veche"
        )


def _check_substitutions(
    session: Session, journal: _Journal, held: set[int], problems: dict[int, list[str]]
) -> None:
    """Each meeting's stored substitutions against the journal's."""
    member, alternate = aliased(Participant), aliased(Participant)
    substitutions = {
        (meeting_id, _day(day), member_id): alternate_id
        for meeting_id, day, member_id, alternate_id in session.execute(
            select(Substitution.meeting_id, Substitution.day, member.person_id, alternate.person_id)
            .join(member, member.id == Substitution.member_id)
            .join(alternate, alternate.id == Substitution.alternate_id)
        )
        if meeting_id in held
    }
    made = {key: value for key, value in journal.substitutions.items() if key[0] in held}
    for place in sorted(set(substitutions) | set(made)):
        meeting_id, day, member_id = place
        standing = substitutions.get(place)
        found = made.get(place)
        by, seq = found if found is not None else (None, None)
        if standing == by:
            continue
        said = f"person {member_id} is stood in for on {day} by " + (
            f"person {standing}" if standing is not None else "no one"
        )
        recorded = (
            "records no substitution for them"
            if seq is None
            else f"records person {by} standing in (entry {seq})"
        )
        problems[meeting_id].append(
            f"{said} but the journal {recorded}: a substitution was changed outside veche"
        )


def _left(action: JournalAction) -> _Presence | None:
    if action is JournalAction.CHECK_IN:
        return _Presence.IN
    return _Presence.OUT if action is JournalAction.CHECK_OUT else None


def _attendance_problem(
    person_id: int,
    day: str,
    stored: _Presence | None,
    journalled: _Presence | None,
    seq: int | None,
) -> str | None:
    """How a person's stored attendance on a day differs from the journal's, if it does."""
    if stored == journalled:
        return None
    said = f"person {person_id} is {_said(stored)} on {day}"
    if seq is None:
        return f"{said} but the journal records no check-in of theirs: it was added outside veche"
    how = "deleted" if stored is None else "added" if journalled is None else "changed"
    return (
        f"{said} but the journal's last entry of it (entry {seq}) left them "
        f"{_said(journalled)}: their attendance was {how} outside veche"
    )


def _said(presence: _Presence | None) -> str:
    return "not checked in" if presence is None else presence.value


def _given_by(seq: int, created: int) -> str:
    if seq == created:
        return f"as seated at the meeting's creation, entry {seq}"
    return f"entry {seq}"


def _id(payload: Any, key: str) -> int | None:
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, int) and is_id(value) else None


def _day(day: date) -> str:
    return day.isoformat()
