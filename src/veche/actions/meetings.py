"""Meetings: convening one, its dates and notice, and its states from draft to the published report."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

import veche
from veche.actions._days import check_span
from veche.actions._open_polls import open_poll
from veche.actions.access import Caller, authorize
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name, seat_role
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import (
    AgendaItem,
    Body,
    Meeting,
    Membership,
    Participant,
    Person,
    PublishedReport,
    Term,
)
from veche.models.agenda import ItemState
from veche.models.meetings import MEETING_TRANSITIONS, MeetingKind, MeetingState
from veche.models.states import said
from veche.permissions import Permission
from veche.queries.org import term_label
from veche.queries.waiting import what_waits


def do_create_meeting(
    session: Session,
    caller: Caller,
    term: Term,
    title: str,
    *,
    starts_on: date,
    ends_on: date | None = None,
    kind: MeetingKind = MeetingKind.ORDINARY,
    venue: str = "",
    convened_by: Body | None = None,
    notice: str = "",
    number: int | None = None,
) -> Meeting:
    """Create a meeting of ``term`` and invite every member and alternate in office then.

    It is numbered as the body numbers it (``number``), or as the next of the term."""
    authorize(session, caller, Permission.MEETING_CONVENE, term.body_id)
    title = check_name(title, "the meeting's title", max_length=300)
    ends_on = ends_on or starts_on
    check_meeting_days(starts_on, ends_on)
    check_within_term(term, starts_on, ends_on)
    number = check_meeting_number(session, term, number)
    meeting = Meeting(
        term_id=term.id,
        number=number,
        title=title,
        kind=kind,
        state=MeetingState.DRAFT,
        venue=venue,
        starts_on=starts_on,
        ends_on=ends_on,
        convened_by_body_id=convened_by.id if convened_by else None,
        notice=notice,
    )
    session.add(meeting)
    session.flush()
    seats = session.scalars(
        select(Membership).where(
            Membership.term_id == term.id,
            or_(Membership.from_date.is_(None), Membership.from_date <= ends_on),
            or_(Membership.to_date.is_(None), Membership.to_date >= starts_on),
        )
    ).all()
    for seat in seats:
        role = seat_role(seat.role)
        session.add(Participant(meeting_id=meeting.id, person_id=seat.person_id, role=role))
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_MEETING,
        {
            "meeting_id": meeting.id,
            "term_id": term.id,
            "number": number,
            "title": title,
            "kind": kind,
            "invited": len(seats),
            "convened_by_body_id": meeting.convened_by_body_id,
        },
    )
    return meeting


def check_meeting_number(session: Session, term: Term, number: int | None) -> int:
    """The number asked for, free in the term; the term's next (after its highest) if none.

    The database holds it unique too: of two meetings numbered at the same moment, the
    second is refused (409) however the check went."""
    highest = session.scalar(select(func.max(Meeting.number)).where(Meeting.term_id == term.id))
    if number is None:
        return (highest or 0) + 1
    if number < 1:
        raise InvalidInput(f"a meeting's number must be at least 1, not {number}")
    holder = session.scalar(
        select(Meeting).where(Meeting.term_id == term.id, Meeting.number == number)
    )
    if holder is not None:
        raise Conflict(
            f"the {term_label(term)} has a meeting numbered {number} already (meeting "
            f"{holder.id}, {holder.title!r} of {holder.starts_on}); give another number, or "
            f"none for the next ({(highest or 0) + 1})"
        )
    return number


def days_text(starts_on: date, ends_on: date) -> str:
    """A meeting's days as a refusal names them: "2022-11-18", "2022-11-18 to 2022-11-20"."""
    return f"{starts_on}" if starts_on == ends_on else f"{starts_on} to {ends_on}"


#: The most days a meeting may span: a congress lasts days, a session spread over a year
#: still ends within it. Its days are taken one by one (attendance, the record, the exports),
#: and a day past the year 9999 exists in no calendar Python keeps.
MEETING_DAYS_AT_MOST = 366


def check_meeting_days(starts_on: date, ends_on: date) -> None:
    """A meeting ends on or after the day it starts, and within ``MEETING_DAYS_AT_MOST``."""
    check_span("the meeting", starts_on, ends_on)
    days = (ends_on - starts_on).days + 1
    if days > MEETING_DAYS_AT_MOST:
        raise InvalidInput(
            f"a meeting lasts at most {MEETING_DAYS_AT_MOST} days; "
            f"{days_text(starts_on, ends_on)} is {days:,}: give the day it really ends"
        )


def check_within_term(term: Term, starts_on: date, ends_on: date) -> None:
    """A meeting is held within its term's dates: a body meets in the term it sits for, and a
    meeting recorded in the wrong term would be numbered and reported in it."""
    if starts_on >= term.starts_on and (term.ends_on is None or ends_on <= term.ends_on):
        return
    term_days = f"{term.starts_on} to {term.ends_on}" if term.ends_on else f"from {term.starts_on}"
    raise InvalidInput(
        f"the meeting's days ({days_text(starts_on, ends_on)}) are not within the term of the {term_label(term)} "
        f"({term_days}); choose days within the term, or the term they belong to"
    )


#: States in which the meeting's business may still be recorded.
RECORDING_STATES = frozenset({MeetingState.DRAFT, MeetingState.CONVENED, MeetingState.IN_SESSION})


def check_in_session(meeting: Meeting, doing: str) -> None:
    if meeting.state is not MeetingState.IN_SESSION:
        raise Conflict(
            f"cannot {doing}: meeting {meeting.id} is {meeting.state.value.replace('_', ' ')}, "
            "not in session"
        )


def check_record_open(meeting: Meeting, doing: str) -> None:
    """Once its report is published, a meeting's record is what the report says: who
    attended, stood in and held proxies, who took part with what weight, and the resolutions
    it adopted no longer change. Until then the secretary may still correct them."""
    if meeting.state is MeetingState.REPORT_PUBLISHED:
        raise Conflict(
            f"cannot {doing}: the report of meeting {meeting.id} is published, and the record "
            "it states no longer changes"
        )


def check_not_closed(meeting: Meeting, doing: str) -> None:
    if meeting.state not in RECORDING_STATES:
        state = (
            "closed, and its report published"
            if meeting.state is MeetingState.REPORT_PUBLISHED
            else said(meeting.state)
        )
        raise Conflict(f"cannot {doing}: meeting {meeting.id} is {state}")


_OfOrganization = TypeVar("_OfOrganization", Body, Person)


def _of_organization(
    session: Session, meeting: Meeting, model: type[_OfOrganization], row_id: int, what: str
) -> _OfOrganization:
    """A body or person of the meeting's organization by id, or NotFound."""
    row = session.get(model, row_id)
    if row is None or row.organization_id != meeting.term.body.organization_id:
        raise NotFound(f"there is no {what} {row_id} in this organization")
    return row


def check_body_of(session: Session, meeting: Meeting, body_id: int | None) -> Body | None:
    """A body of the meeting's organization (none for none), or NotFound."""
    return None if body_id is None else _of_organization(session, meeting, Body, body_id, "body")


def check_person_of(session: Session, meeting: Meeting, person_id: int) -> Person:
    """A person of the meeting's organization, or NotFound."""
    return _of_organization(session, meeting, Person, person_id, "person")


#: States in which the convocation (title, days, venue, notice) may still change.
CONVOCATION_STATES = frozenset({MeetingState.DRAFT, MeetingState.CONVENED})


def do_update_meeting(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    title: str | None = None,
    venue: str | None = None,
    notice: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    convened_by_body_id: int | None = None,
) -> Meeting:
    """Change the convocation — title, days, venue, notice, convening body — until the session opens."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    if meeting.state not in CONVOCATION_STATES:
        raise Conflict(
            f"the meeting is {said(meeting.state)}; "
            "its convocation can change only before the session opens"
        )
    new_starts = starts_on or meeting.starts_on
    new_ends = ends_on or (
        meeting.ends_on if starts_on is None else max(new_starts, meeting.ends_on)
    )
    check_meeting_days(new_starts, new_ends)
    check_within_term(meeting.term, new_starts, new_ends)
    body = check_body_of(session, meeting, convened_by_body_id)
    if title is not None:
        meeting.title = check_name(title, "the meeting's title", max_length=300)
    if venue is not None:
        meeting.venue = " ".join(venue.split())
    if notice is not None:
        meeting.notice = notice.strip()
    if body is not None:
        meeting.convened_by_body_id = body.id
    meeting.starts_on, meeting.ends_on = new_starts, new_ends
    record(
        session,
        caller.actor,
        JournalAction.UPDATE_MEETING,
        {
            "meeting_id": meeting.id,
            "title": meeting.title,
            "venue": meeting.venue,
            "notice": meeting.notice,
            "starts_on": meeting.starts_on,
            "ends_on": meeting.ends_on,
            "convened_by_body_id": meeting.convened_by_body_id,
        },
    )
    queue_event(session, meeting.id, LiveEventType.MEETING_CHANGED)
    return meeting


def do_change_meeting_state(
    session: Session, caller: Caller, meeting: Meeting, state: MeetingState
) -> Meeting:
    """Move the meeting one step on: convene it, open the session, close it, publish the
    report. Asked to stay where it is (a form sent twice), it does nothing."""
    check_meeting_move(session, caller, meeting, state)
    if state is meeting.state:
        return meeting
    meeting.state = state
    payload: dict[str, object] = {"meeting_id": meeting.id, "state": state}
    if state is MeetingState.REPORT_PUBLISHED:
        payload["reports_sha256"] = _keep_published_reports(session, meeting)
        # Which veche rendered them: only it is held to render them alike (verify_reports).
        payload["reports_version"] = veche.__version__
    record(session, caller.actor, JournalAction.CHANGE_MEETING_STATE, payload)
    queue_event(session, meeting.id, LiveEventType.MEETING_STATE_CHANGED)
    return meeting


def _keep_published_reports(session: Session, meeting: Meeting) -> dict[str, str]:
    """Render the documents the publication fixes and keep their text, so that the report
    stays as published whatever becomes of the record under it; their SHA-256 by kind, for
    the publication's entry (which ``veche verify`` holds them against: ``verify_reports``)."""
    # Each imports this module, through the queries the documents are built from.
    from veche.actions.motions import text_sha256
    from veche.reports import compose_report
    from veche.reports.published import PUBLISHED_KINDS, document_text

    session.flush()  # the record read is the published meeting's
    digests = {}
    for kind in PUBLISHED_KINDS:
        text = document_text(compose_report(session, meeting, kind))
        session.add(
            PublishedReport(
                meeting_id=meeting.id, kind=kind, text=text, veche_version=veche.__version__
            )
        )
        digests[kind] = text_sha256(text)
    return digests


def check_meeting_move(
    session: Session, caller: Caller, meeting: Meeting, state: MeetingState
) -> None:
    """Refuse a move of the meeting to ``state`` that the caller may not make (403) or that
    cannot be made now (409): only the next step, with the notice written before convening and
    nothing left open before closing. Staying where it is passes."""
    authorize(session, caller, Permission.MEETING_RUN, meeting.id)
    if state is meeting.state:
        return
    MEETING_TRANSITIONS.check_move(meeting.state, state, "the meeting")
    if state is MeetingState.CONVENED and not meeting.notice:
        raise Conflict(
            "write the meeting's notice (what it is called for, when and where) before convening it"
        )
    if state is MeetingState.CLOSED:
        _check_nothing_open(session, meeting)
    if state is MeetingState.REPORT_PUBLISHED:
        _check_nothing_unsaid(session, meeting)


def _check_nothing_open(session: Session, meeting: Meeting) -> None:
    open_item = session.scalar(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.state == ItemState.OPEN
        )
    )
    if open_item is not None:
        raise Conflict(
            f"cannot close the meeting: agenda item {open_item.position} ({open_item.title!r}) "
            "is still under discussion; close it first"
        )
    still_open = open_poll(session, meeting.id)
    if still_open is not None:
        raise Conflict(
            f"cannot close the meeting: the poll {still_open.title!r} is still open; "
            "close or cancel it first"
        )


def _check_nothing_unsaid(session: Session, meeting: Meeting) -> None:
    """The report states every result and every resolution: a result counted but never
    announced, or a motion voted on whose outcome was never recorded, would be published by
    the report without the chair's word, or left out of the record for good."""
    waiting = what_waits(session, meeting.id)  # what the console, desk and close step list
    if waiting.results:
        titles = ", ".join(f"“{result.title}”" for result in waiting.results)
        one = len(waiting.results) == 1
        raise Conflict(
            f"cannot publish the report: {'the result of' if one else 'the results of'} {titles} "
            f"{'is' if one else 'are'} counted but not published; publish "
            f"{'it' if one else 'them'} from the console first"
        )
    if waiting.motions:
        raise Conflict(
            f"cannot publish the report: motion {waiting.motions[0].number} was voted on, but "
            "its outcome is not recorded; record it on the motion's page first"
        )


def check_meeting_day(meeting: Meeting, day: date) -> date:
    if not meeting.starts_on <= day <= meeting.ends_on:
        raise InvalidInput(
            f"{day} is not a day of meeting {meeting.id} ({meeting.starts_on} to {meeting.ends_on})"
        )
    return day
