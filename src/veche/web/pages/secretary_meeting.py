"""The secretary's page for one meeting: invitations, offices, attendance, access cards, paper."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import access_meeting, access_meeting_row, meeting_permissions
from veche.actions.access_codes import IssuedCode, do_issue_access_codes
from veche.actions.attendance import do_check_in, do_check_in_by_code, do_check_out
from veche.actions.choices import BLANK, shape_of
from veche.actions.meetings import do_change_meeting_state
from veche.actions.participants import do_invite, do_update_participant
from veche.actions.polls import (
    MAX_PAPER_COUNT,
    PaperLot,
    ballot_options,
    do_enter_paper_ballots,
)
from veche.errors import InvalidInput
from veche.i18n import _
from veche.models import Meeting, Poll
from veche.models.meetings import MeetingState, Office, ParticipantRole
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries.attendance import attendance_count
from veche.queries.presence import present_among
from veche.queries.proceedings import participants
from veche.queries.roster import people as roster_people
from veche.queries.sitting import meeting_day, meeting_polls, quorum_status
from veche.tally import BallotShape
from veche.web.csrf import require_csrf
from veche.web.deps import PageCallerDep, SessionDep
from veche.web.pages._render import redirect, render
from veche.web.pages.secretary import optional_date, optional_id

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _day(meeting: Meeting, value: str = "") -> date:
    return optional_date(value, "the day") or meeting_day(meeting, date.today())


def _back(meeting_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}"


@router.get("/secretary/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_desk(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep, day: str = ""
) -> HTMLResponse:
    """Participants with their attendance on a day, and the meeting's open polls for paper."""
    # The desk needs attendance.record; each of its forms' actions checks its own permission.
    meeting = access_meeting(session, caller, meeting_id, needs=Permission.ATTENDANCE_RECORD)
    on = _day(meeting, day)
    people = participants(session, meeting.id)
    invited = {p.person_id for p in people}
    everyone = roster_people(session, meeting.term.body.organization)
    open_polls = [p for p in meeting_polls(session, meeting) if p.state is PollState.OPEN]
    context: dict[str, Any] = {
        "meeting": meeting,
        "may": meeting_permissions(session, caller, meeting.id),
        "day": on,
        "participants": people,
        "present": present_among(session, [p.id for p in people], on),
        "attendance": attendance_count(session, meeting, on),
        "quorum": quorum_status(session, meeting, on),
        "paper_polls": [
            (poll, ballot_options(poll))
            for poll in open_polls
            if shape_of(poll.method) is BallotShape.SINGLE
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
    return render(request, "secretary/meeting_desk.html", context, viewer=caller)


@router.post("/secretary/meetings/{meeting_id}/participants")
def invite(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    person_id: Annotated[int, Form()],
    role: Annotated[ParticipantRole, Form()] = ParticipantRole.OBSERVER,
    category: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Invite a person: an observer (with a category for the report) or a delegate."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        invited = do_invite(session, caller, meeting, person_id, role=role, category=category)
        message = _("%(name)s is invited") % {"name": invited.person.full_name}
    return redirect(request, _back(meeting_id), message)


@router.post("/secretary/meetings/{meeting_id}/offices")
def set_office(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    person_id: Annotated[int, Form()],
    office: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Make a participant chair, secretary or teller of the meeting (or none)."""
    try:
        chosen = Office(office) if office else None
    except ValueError:
        raise InvalidInput(f"an office is chair, secretary or teller, not {office!r}") from None
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        participant = do_update_participant(session, caller, meeting, person_id, office=chosen)
        message = _("Office of %(name)s updated") % {"name": participant.person.full_name}
    return redirect(request, _back(meeting_id), message)


@router.post("/secretary/meetings/{meeting_id}/attendance")
def check_in(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    person_id: Annotated[int, Form()],
    present: Annotated[str, Form(max_length=3)] = "yes",
    day: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Check a participant in (or out) for a day of the meeting."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        on = _day(meeting, day)
        if present == "no":
            do_check_out(session, caller, meeting, person_id, on)
        else:
            do_check_in(session, caller, meeting, person_id, on)
        message = _("Checked in.") if present != "no" else _("Checked out.")
    return redirect(request, f"{_back(meeting_id)}?day={on.isoformat()}#attendance", message)


@router.post("/secretary/meetings/{meeting_id}/attendance/code")
def check_in_by_code(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    code: Annotated[str, Form(max_length=40)],
    day: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """At the door: check in the holder of the access card whose code was typed or scanned."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        found = do_check_in_by_code(session, caller, meeting, code, optional_date(day, "the day"))
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
    return redirect(request, f"{_back(meeting_id)}?day={on.isoformat()}#door", message)


@router.post("/secretary/meetings/{meeting_id}/publish-report")
def publish_report(
    meeting_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> Response:
    """Publish the report of a closed meeting: its communiqué becomes public, if the
    organization publishes its reports."""
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        do_change_meeting_state(session, caller, meeting, MeetingState.REPORT_PUBLISHED)
        public = meeting.term.body.organization.publishes_reports
    message = (
        _("The report is published; its communiqué is on the public page.")
        if public
        else _("The report is published. The organization does not publish reports publicly.")
    )
    return redirect(request, f"{_back(meeting_id)}#report", message)


def qr_data_uri(url: str) -> str:
    """A QR code for a card, as an SVG data URI (quiet zone included, dark on white)."""
    uri: str = segno.make(url, error="m").svg_data_uri(scale=4, dark="#000", light="#fff")
    return uri


@router.post("/secretary/meetings/{meeting_id}/access-codes", response_class=HTMLResponse)
def issue_codes(
    meeting_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCallerDep,
    person_id: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    """Print a sheet of cards, one per participant (or one person's new card).

    The codes are shown this once: only their hashes are kept. Printing again issues new
    codes and the earlier unused ones stop working.
    """
    chosen = optional_id(person_id)
    with session.begin():
        meeting = access_meeting(session, caller, meeting_id)
        issued = do_issue_access_codes(
            session, caller, meeting, [chosen] if chosen is not None else None
        )
        title = meeting.title
    base = str(request.base_url).rstrip("/")
    cards = [_card(base, code) for code in issued]
    return render(
        request,
        "secretary/access_cards.html",
        {"meeting": meeting, "title": title, "cards": cards},
        viewer=caller,
    )


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
async def enter_paper(
    meeting_id: int, poll_id: int, request: Request, session: SessionDep, caller: PageCallerDep
) -> Response:
    """Add the tellers' counts of paper ballots: a number per option, and blank ones."""
    form = await request.form()
    with session.begin():
        poll = access_meeting_row(session, caller, Poll, poll_id, meeting_id, "poll", lock=True)
        if shape_of(poll.method) is not BallotShape.SINGLE:
            raise InvalidInput(
                "paper ballots of this method are entered one by one through the API"
            )
        lots = []
        for option in ballot_options(poll):
            number = _count(form.get(f"count_{option.id}"), option.label)
            if number:
                lots.append(PaperLot({"option": option.id}, number))
        blank = _count(form.get("count_blank"), _("blank"))
        if blank:
            lots.append(PaperLot(dict(BLANK), blank))
        # The form's key makes a second sending of the same counts (a double click) harmless.
        key = form.get("lot_key")
        lot_key = key if isinstance(key, str) and 16 <= len(key) <= 128 else None
        added = do_enter_paper_ballots(session, caller, poll, lots, lot_key=lot_key)
    return redirect(
        request, _back(meeting_id), _("%(count)s paper ballots added") % {"count": added}
    )


def _count(value: object, label: str) -> int:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return 0
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"the count for {label} must be a whole number, not {text!r}")
    if len(text.lstrip("0")) > len(str(MAX_PAPER_COUNT)):
        raise InvalidInput(
            f"the count for {label} must be at most {MAX_PAPER_COUNT:,}; "
            "enter a larger count in several lots"
        )
    return int(text)
