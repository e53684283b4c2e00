"""The secretary's page for one meeting: invitations, offices, attendance, access cards, paper."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import meeting_permissions
from veche.actions.access_codes import IssuedCode
from veche.actions.meetings import do_change_meeting_state
from veche.actions.paper_entry import check_totals_poll, entered_as_totals
from veche.actions.polls import ballot_options
from veche.errors import InvalidInput
from veche.i18n import _
from veche.models import Meeting
from veche.models.meetings import MeetingState, Office, ParticipantRole
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries.attendance import attendance_count
from veche.queries.presence import present_among
from veche.queries.proceedings import participants
from veche.queries.roster import people as roster_people
from veche.queries.sitting import meeting_day, meeting_polls, quorum_status
from veche.web.csrf import require_csrf
from veche.web.inputs_paper import PaperCountsForm
from veche.web.inputs_participants import (
    AccessCardsForm,
    AttendanceForm,
    CodeCheckInIn,
    InviteIn,
    OfficeForm,
)
from veche.web.pages._page import PageDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _day(meeting: Meeting, value: str) -> date:
    """The day the desk shows: the one asked for, or today kept within the meeting's days.
    Read from the address by hand, so that a cleared date field shows today, not a 422."""
    if not value.strip():
        return meeting_day(meeting, date.today())
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"the day must be a date such as 2026-06-16, not {value!r}") from None


def _back(meeting_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}"


@router.get("/secretary/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_desk(meeting_id: int, page: PageDep, day: str = "") -> HTMLResponse:
    """Participants with their attendance on a day, and the meeting's open polls for paper."""
    # The desk needs attendance.record; each of its forms' actions checks its own permission.
    meeting = page.meeting(meeting_id, needs=Permission.ATTENDANCE_RECORD)
    on = _day(meeting, day)
    people = participants(page.session, meeting.id)
    invited = {p.person_id for p in people}
    everyone = roster_people(page.session, meeting.term.body.organization)
    open_polls = [p for p in meeting_polls(page.session, meeting) if p.state is PollState.OPEN]
    context: dict[str, Any] = {
        "meeting": meeting,
        "may": meeting_permissions(page.session, page.caller, meeting.id),
        "day": on,
        "participants": people,
        "present": present_among(page.session, [p.id for p in people], on),
        "attendance": attendance_count(page.session, meeting, on),
        "quorum": quorum_status(page.session, meeting, on),
        "paper_polls": [
            (poll, ballot_options(poll)) for poll in open_polls if entered_as_totals(poll)
        ],
        "invitable": [p for p in everyone if p.id not in invited],
        "roles": list(ParticipantRole),
        "offices": list(Office),
        "closed": meeting.state is MeetingState.CLOSED,
        "published": meeting.state is MeetingState.REPORT_PUBLISHED,
        "public_reports": meeting.term.body.organization.publishes_reports,
        # One key per page shown: its paper counts, sent twice, are added once.
        "lot_key": secrets.token_urlsafe(24),
    }
    return page.render("secretary/meeting_desk.html", **context)


@router.post("/secretary/meetings/{meeting_id}/participants")
def invite(meeting_id: int, page: PageDep, form: Annotated[InviteIn, Form()]) -> Response:
    """Invite a person: an observer (with a category for the report) or a delegate."""
    with page.session.begin():
        invited = form.invite(page.session, page.caller, page.meeting(meeting_id))
        message = _("%(name)s is invited") % {"name": invited.person.full_name}
    return page.redirect(_back(meeting_id), message)


@router.post("/secretary/meetings/{meeting_id}/offices")
def set_office(meeting_id: int, page: PageDep, form: Annotated[OfficeForm, Form()]) -> Response:
    """Make a participant chair, secretary or teller of the meeting (or none)."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        participant = form.update(page.session, page.caller, meeting, form.person_id)
        message = _("Office of %(name)s updated") % {"name": participant.person.full_name}
    return page.redirect(_back(meeting_id), message)


@router.post("/secretary/meetings/{meeting_id}/attendance")
def check_in(meeting_id: int, page: PageDep, form: Annotated[AttendanceForm, Form()]) -> Response:
    """Check a participant in (or out) for a day of the meeting."""
    with page.session.begin():
        on = form.record(page.session, page.caller, page.meeting(meeting_id))
    message = _("Checked in.") if form.present else _("Checked out.")
    return page.redirect(f"{_back(meeting_id)}?day={on.isoformat()}#attendance", message)


@router.post("/secretary/meetings/{meeting_id}/attendance/code")
def check_in_by_code(
    meeting_id: int, page: PageDep, form: Annotated[CodeCheckInIn, Form()]
) -> Response:
    """At the door: check in the holder of the access card whose code was typed or scanned."""
    with page.session.begin():
        found = form.check_in(page.session, page.caller, page.meeting(meeting_id))
        words = {
            "name": found.participant.person.full_name,
            "day": found.attendance.day.isoformat(),
        }
        message = (
            _("%(name)s was already checked in on %(day)s.") % words
            if found.already_present
            else _("%(name)s is checked in on %(day)s.") % words
        )
        on = found.attendance.day
    return page.redirect(f"{_back(meeting_id)}?day={on.isoformat()}#door", message)


@router.post("/secretary/meetings/{meeting_id}/publish-report")
def publish_report(meeting_id: int, page: PageDep) -> Response:
    """Publish the report of a closed meeting: its communiqué becomes public, if the
    organization publishes its reports."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        do_change_meeting_state(page.session, page.caller, meeting, MeetingState.REPORT_PUBLISHED)
        public = meeting.term.body.organization.publishes_reports
    message = (
        _("The report is published; its communiqué is on the public page.")
        if public
        else _("The report is published. The organization does not publish reports publicly.")
    )
    return page.redirect(f"{_back(meeting_id)}#report", message)


def qr_data_uri(url: str) -> str:
    """A QR code for a card, as an SVG data URI (quiet zone included, dark on white)."""
    uri: str = segno.make(url, error="m").svg_data_uri(scale=4, dark="#000", light="#fff")
    return uri


@router.post("/secretary/meetings/{meeting_id}/access-codes", response_class=HTMLResponse)
def issue_codes(
    meeting_id: int, page: PageDep, form: Annotated[AccessCardsForm, Form()]
) -> HTMLResponse:
    """Print a sheet of cards, one per participant (or one person's new card).

    The codes are shown this once: only their hashes are kept. Printing again issues new
    codes and the earlier unused ones stop working.
    """
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        issued = form.issue(page.session, page.caller, meeting)
        title = meeting.title
    base = str(page.request.base_url).rstrip("/")
    cards = [_card(base, code) for code in issued]
    return page.render("secretary/access_cards.html", meeting=meeting, title=title, cards=cards)


def _card(base: str, issued: IssuedCode) -> dict[str, str]:
    # The code follows '#', which browsers never send: it stays out of server logs.
    url = f"{base}/login/code#{issued.code}"
    return {
        "name": issued.full_name,
        "role": issued.role,
        "code": issued.code,
        "url": f"{base}/login/code",
        "qr": qr_data_uri(url),
    }


@router.post("/secretary/meetings/{meeting_id}/polls/{poll_id}/paper")
def enter_paper(
    meeting_id: int, poll_id: int, page: PageDep, form: Annotated[PaperCountsForm, Form()]
) -> Response:
    """Add the tellers' counts of paper ballots: a number per option, and blank ones. The
    form's key makes a second sending of the same counts (a double click) harmless."""
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        added = form.enter(
            page.session,
            page.caller,
            check_totals_poll(page.session, page.caller, meeting, poll_id),
        )
    return page.redirect(_back(meeting_id), _("%(count)s paper ballots added") % {"count": added})
