"""The secretary's page for one meeting: invitations, offices, attendance, access cards, paper.

Built for a congress: the participants are found by name, role and presence and listed a
page at a time, each with one button that checks them in or out (and, once checked in, one
that undoes a check-in made by mistake) and the rest folded away; a person for a form (to
invite, to give or hold a proxy, to stand in) is chosen among the names a search finds,
never from a list of everyone. A form's outcome is said in the
desk's section it came from (``at``): a refusal shows the desk again with the message
there, a change done comes back to the section with its message. Once the meeting's report
is published the record no longer changes, and the desk says so and offers no form that
would change it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from veche.actions.access import meeting_permissions
from veche.actions.access_codes import IssuedCode
from veche.actions.meetings import do_change_meeting_state
from veche.actions.paper_entry import check_totals_poll, entered_as_totals
from veche.actions.participants import MAX_WEIGHT
from veche.actions.polls import ballot_options
from veche.actions.stand_ins import do_revoke_proxy, proxy_on_arrival
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting, Person
from veche.models.meetings import MeetingState, Office, ParticipantRole
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries.attendance import attendance_count
from veche.queries.desk import (
    Choice,
    DeskFilter,
    Presence,
    desk_participants,
    invitable,
    newest_card,
    participants_named,
    proxies,
    substitutions,
)
from veche.queries.sitting import QuorumStatus, meeting_day, meeting_polls
from veche.reports.exports import attendance_file, results_file, roll_calls_file
from veche.web.csv_answer import csv_answer
from veche.web.inputs_paper import PaperCountsForm
from veche.web.inputs_participants import (
    MOST_CODE_CHARACTERS,
    AccessCardsForm,
    AttendanceForm,
    CardsAlreadyPrinted,
    CheckInUndoIn,
    CodeCheckInIn,
    InviteForm,
    OfficeForm,
    ProxyForm,
    SubstitutionForm,
)
from veche.web.pages._page import Page, PageDep
from veche.web.pages._paging import numbered_page
from veche.web.sessions import read_flash
from veche.whole_numbers import whole_number

router = APIRouter()

#: Participants the desk lists on one page.
PAGE_SIZE = 50
#: Names a search for a form's choice offers at most; more, and the secretary types more.
CHOICES = 20
#: Refusals shown on the desk itself, in the section of the form that was sent.
SHOWN_ON_PAGE = (InvalidInput, Conflict, NotFound)
#: The desk's sections a form's outcome is said in (each is its heading's id).
SECTIONS = frozenset({"door", "attendance", "invite", "stand-ins", "paper", "report"})


@dataclass(frozen=True)
class Picker:
    """The choice of one person on a desk form, among the names a search finds."""

    name: str
    #: The form's field the choice fills.
    field: str
    #: What is chosen, and the search's label (English; translated when shown).
    legend: str
    search: str
    #: The participants it offers, by role; none: the people not invited yet.
    roles: tuple[ParticipantRole, ...] = ()

    @property
    def query(self) -> str:
        """The address's parameter that holds the words searched for."""
        return f"find_{self.name}"


PICKERS = {
    picker.name: picker
    for picker in (
        Picker("invite", "person_id", "Person to invite", "Find a person by name or e-mail"),
        Picker(
            "grantor",
            "grantor_person_id",
            "Member who gives their vote",
            "Find the member who gives their vote",
            (ParticipantRole.MEMBER,),
        ),
        Picker(
            "holder",
            "holder_person_id",
            "Member who holds it",
            "Find the member who holds it",
            (ParticipantRole.MEMBER,),
        ),
        Picker(
            "member",
            "member_person_id",
            "Absent member",
            "Find the absent member",
            (ParticipantRole.MEMBER,),
        ),
        Picker(
            "alternate",
            "alternate_person_id",
            "Alternate who stands in",
            "Find the alternate",
            (ParticipantRole.ALTERNATE,),
        ),
    )
}


@dataclass(frozen=True)
class Picked:
    """What a picker offers now: the names found for the words typed."""

    picker: Picker
    words: str
    total: int
    #: The names offered: those found, or none while too many match and nothing is typed.
    choices: list[Choice]


def _pick(page: Page, meeting: Meeting, picker: Picker, words: str) -> Picked:
    words = words.strip()
    if picker.roles:
        total, found = participants_named(
            page.session, meeting.id, words, picker.roles, limit=CHOICES
        )
    else:
        total, found = invitable(page.session, meeting, words, limit=CHOICES)
    # Nothing typed: everyone, if few enough to choose from; else the secretary types a name.
    shown = found if words or total <= CHOICES else []
    return Picked(picker, words, total, shown)


@dataclass(frozen=True)
class Listing:
    """What the desk shows, as its address gives it: the day, the list's search and page,
    and the words each picker searched for. Forms carry it in their address, so that the
    desk they come back to shows the same."""

    day: date
    wanted: DeskFilter = field(default_factory=DeskFilter)
    number: int = 1
    finds: Mapping[str, str] = field(default_factory=dict)

    def fields(self, *but: str, **changes: object) -> list[tuple[str, str]]:
        """The listing as an address's parameters, but the words of the pickers named in
        ``but`` (``changes`` made: ``page=2``)."""
        values: dict[str, object] = {
            "day": self.day.isoformat(),
            "q": self.wanted.words,
            "role": self.wanted.role.value if self.wanted.role else "",
            "presence": self.wanted.presence.value if self.wanted.presence else "",
            "page": self.number if self.number > 1 else "",
            **{PICKERS[name].query: words for name, words in self.finds.items() if name not in but},
        }
        values |= changes
        return [(key, str(value)) for key, value in values.items() if value not in ("", 1)]

    def query(self, **changes: object) -> str:
        """The address's query for this listing (``changes`` made: ``page=2``)."""
        return urlencode(self.fields(**changes))


def _listing(meeting: Meeting, given: Mapping[str, str]) -> Listing:
    """The listing an address asks for; what it gives wrong is read as left out, but the
    day, which says so."""
    role = given.get("role", "")
    presence = given.get("presence", "")
    number = given.get("page", "")
    return Listing(
        day=_day(meeting, given.get("day", "")),
        wanted=DeskFilter(
            words=given.get("q", "")[:200],
            role=ParticipantRole(role) if role in set(ParticipantRole) else None,
            presence=Presence(presence) if presence in set(Presence) else None,
        ),
        number=min(whole_number(number) or 1, 10**6),
        finds={
            name: given[picker.query][:200]
            for name, picker in PICKERS.items()
            if given.get(picker.query)
        },
    )


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


def _desk(
    page: Page, meeting: Meeting, listing: Listing, *, status: int = 200, **said: Any
) -> HTMLResponse:
    """The desk for ``listing``; ``said``: what a form's outcome adds (its message, where)."""
    wanted, on = listing.wanted, listing.day
    listed = numbered_page(
        lambda offset: desk_participants(
            page.session, meeting.id, on, wanted, limit=PAGE_SIZE, offset=offset
        ),
        listing.number,
        PAGE_SIZE,
    )
    listing = replace(listing, number=listed.number)
    open_polls = [p for p in meeting_polls(page.session, meeting) if p.state is PollState.OPEN]
    body = meeting.term.body
    # Counted once: the rights in the hall are the costliest read of a congress's desk.
    counted = attendance_count(page.session, meeting, on)
    context: dict[str, Any] = {
        "meeting": meeting,
        "may": meeting_permissions(page.session, page.caller, meeting.id),
        "day": on,
        "listing": listing,
        "rows": listed.rows,
        "total": listed.total,
        "pages": listed.pages,
        "attendance": counted,
        "quorum": QuorumStatus(
            counted.rights_present,
            counted.rights_total,
            body.quorum.required(counted.rights_total),
        ),
        "paper_polls": [
            (poll, ballot_options(poll)) for poll in open_polls if entered_as_totals(poll)
        ],
        "picked": {
            name: _pick(page, meeting, picker, listing.finds.get(name, ""))
            for name, picker in PICKERS.items()
        },
        "proxies": proxies(page.session, meeting.id),
        "substitutions": substitutions(page.session, meeting.id, on),
        "alternates_vote": body.alternates_vote_for_absent,
        "most_proxies": body.max_proxies_per_member,
        "roles": list(ParticipantRole),
        "presences": list(Presence),
        "offices": list(Office),
        "max_weight": MAX_WEIGHT,
        "closed": meeting.state is MeetingState.CLOSED,
        "published": meeting.state is MeetingState.REPORT_PUBLISHED,
        "public_reports": body.organization.publishes_reports,
        # One key per page shown: its paper counts, sent twice, are added once.
        "lot_key": secrets.token_urlsafe(24),
        # The cards as they stand now: a card form sent again prints nothing more.
        "printed_up_to": newest_card(page.session, meeting.id),
        "most_code_characters": MOST_CODE_CHARACTERS,
    }
    return page.render("secretary/meeting_desk.html", status=status, **context, **said)


@router.get("/secretary/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_desk(meeting_id: int, page: PageDep, at: str = "") -> HTMLResponse:
    """Participants with their attendance on a day, found by name, role and presence a page
    at a time; the door, the cards, invitations, stand-ins, paper ballots and the report."""
    # The desk needs attendance.record; each of its forms' actions checks its own permission.
    meeting = page.meeting(meeting_id, needs=Permission.ATTENDANCE_RECORD)
    listing = _listing(meeting, page.request.query_params)
    said: dict[str, Any] = {}
    if at in SECTIONS:
        # The message of the form just sent, beside the form rather than above the page.
        said = {"notice": read_flash(page.request), "notice_at": at, "flash": None}
    return _desk(page, meeting, listing, **said)


@router.get("/secretary/meetings/{meeting_id}/pick/{picker}", response_class=HTMLResponse)
def pick_people(meeting_id: int, picker: str, page: PageDep) -> HTMLResponse:
    """The names a desk form offers for the words typed in its search (a fragment)."""
    meeting = page.meeting(meeting_id, needs=Permission.ATTENDANCE_RECORD)
    if picker not in PICKERS:
        raise NotFound(_("the desk has no such list of names"))
    chosen = PICKERS[picker]
    words = page.request.query_params.get(chosen.query, "")[:200]
    return page.render("secretary/_pick.html", view=_pick(page, meeting, chosen, words))


def _change(page: Page, meeting_id: int, at: str, change: Callable[[Meeting], str]) -> Response:
    """Make one change from a desk form; back to its section with the change's message, or
    the desk again with the refusal there."""
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            listing = _listing(meeting, page.request.query_params)
            message = change(meeting)
    except SHOWN_ON_PAGE as error:
        meeting = page.meeting(meeting_id, needs=Permission.ATTENDANCE_RECORD)
        listing = _listing(meeting, page.request.query_params)
        refusal = {"at": at, "message": error.message}
        return _desk(page, meeting, listing, status=error.status_code, refusal=refusal)
    return page.redirect(f"{_back(meeting_id)}?{listing.query(at=at)}#{at}", message)


def _name(page: Page, person_id: int) -> str:
    person = page.session.get(Person, person_id)
    return person.full_name if person is not None else ""


@router.post("/secretary/meetings/{meeting_id}/participants")
def invite(meeting_id: int, page: PageDep, form: Annotated[InviteForm, Form()]) -> Response:
    """Invite a person: an observer (with a category for the report) or a delegate."""

    def invite_one(meeting: Meeting) -> str:
        invited = form.invite(page.session, page.caller, meeting)
        return _("%(name)s is invited") % {"name": invited.person.full_name}

    return _change(page, meeting_id, "invite", invite_one)


@router.post("/secretary/meetings/{meeting_id}/offices")
def set_office(meeting_id: int, page: PageDep, form: Annotated[OfficeForm, Form()]) -> Response:
    """Make a participant chair, secretary or teller of the meeting (or none), and set the
    votes a voter carries (``ParticipantUpdate``, as the API's PATCH takes it)."""

    def update(meeting: Meeting) -> str:
        participant = form.update(page.session, page.caller, meeting, form.person_id)
        return _("Office and votes of %(name)s updated") % {"name": participant.person.full_name}

    return _change(page, meeting_id, "attendance", update)


@router.post("/secretary/meetings/{meeting_id}/attendance")
def check_in(meeting_id: int, page: PageDep, form: Annotated[AttendanceForm, Form()]) -> Response:
    """Check a participant in (or out) for a day of the meeting."""

    def record(meeting: Meeting) -> str:
        day = form.record(page.session, page.caller, meeting)
        if len(form.person_ids) > 1:
            return _("Checked in.") if form.present else _("Checked out.")
        words = {"name": _name(page, form.person_ids[0]), "day": day.isoformat()}
        if form.present:
            said = _("%(name)s is checked in on %(day)s.") % words
            proxy = proxy_on_arrival(page.session, meeting, form.person_ids[0], day)
            return said if proxy is None else f"{said} {proxy}"
        return _("%(name)s is checked out on %(day)s.") % words

    return _change(page, meeting_id, "attendance", record)


@router.post("/secretary/meetings/{meeting_id}/attendance/undo")
def undo_check_in(
    meeting_id: int, page: PageDep, form: Annotated[CheckInUndoIn, Form()]
) -> Response:
    """Undo a check-in made by mistake, as ``POST /api/meetings/{id}/attendance/undo`` does."""

    def undo(meeting: Meeting) -> str:
        on = form.undo(page.session, page.caller, meeting).isoformat()
        words = {"name": _name(page, form.person_id), "day": on}
        return _("The check-in of %(name)s on %(day)s is undone.") % words

    return _change(page, meeting_id, "attendance", undo)


@router.post("/secretary/meetings/{meeting_id}/attendance/code")
def check_in_by_code(
    meeting_id: int, page: PageDep, form: Annotated[CodeCheckInIn, Form()]
) -> Response:
    """At the door: check in the holder of the access card whose code was typed or scanned
    (the code, or the whole address its QR code holds). Back at the door, with the field
    ready for the next card."""
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            listing = _listing(meeting, page.request.query_params)
            found = form.check_in(page.session, page.caller, meeting)
            words = {
                "name": found.participant.person.full_name,
                "day": found.attendance.day.isoformat(),
            }
            message = (
                _("%(name)s was already checked in on %(day)s.") % words
                if found.already_present
                else _("%(name)s is checked in on %(day)s.") % words
            )
            proxy = proxy_on_arrival(
                page.session, meeting, found.participant.person_id, found.attendance.day
            )
            if proxy is not None:
                message = f"{message} {proxy}"
            listing = replace(listing, day=found.attendance.day)
    except SHOWN_ON_PAGE as error:
        meeting = page.meeting(meeting_id, needs=Permission.ATTENDANCE_RECORD)
        listing = _listing(meeting, page.request.query_params)
        refusal = {"at": "door", "message": error.message}
        return _desk(page, meeting, listing, status=error.status_code, refusal=refusal)
    return page.redirect(f"{_back(meeting_id)}?{listing.query(at='door')}#door", message)


@router.post("/secretary/meetings/{meeting_id}/proxies")
def grant_proxy(meeting_id: int, page: PageDep, form: Annotated[ProxyForm, Form()]) -> Response:
    """A member entrusts their vote to another member."""

    def grant(meeting: Meeting) -> str:
        granted = form.grant(page.session, page.caller, meeting)
        return _("%(grantor)s's vote is entrusted to %(holder)s.") % {
            "grantor": _name(page, granted.grantor_person_id),
            "holder": _name(page, granted.holder_person_id),
        }

    return _change(page, meeting_id, "stand-ins", grant)


@router.post("/secretary/meetings/{meeting_id}/proxies/{grantor_person_id}/revoke")
def revoke_proxy(meeting_id: int, grantor_person_id: int, page: PageDep) -> Response:
    """Take back a member's proxy, as ``DELETE /api/meetings/{id}/proxies/{person}`` does."""

    def revoke(meeting: Meeting) -> str:
        do_revoke_proxy(page.session, page.caller, meeting, grantor_person_id=grantor_person_id)
        return _("%(grantor)s's vote is theirs again.") % {
            "grantor": _name(page, grantor_person_id)
        }

    return _change(page, meeting_id, "stand-ins", revoke)


@router.post("/secretary/meetings/{meeting_id}/substitutions")
def substitute(
    meeting_id: int, page: PageDep, form: Annotated[SubstitutionForm, Form()]
) -> Response:
    """An alternate stands in for an absent member on the desk's day."""

    def stand_in(meeting: Meeting) -> str:
        made = form.substitute(page.session, page.caller, meeting)
        return _("%(alternate)s stands in for %(member)s on %(day)s.") % {
            "alternate": _name(page, made.alternate_person_id),
            "member": _name(page, made.member_person_id),
            "day": made.day.isoformat(),
        }

    return _change(page, meeting_id, "stand-ins", stand_in)


@router.post("/secretary/meetings/{meeting_id}/publish-report")
def publish_report(meeting_id: int, page: PageDep) -> Response:
    """Publish the report of a closed meeting: its communiqué becomes public, if the
    organization publishes its reports."""

    def publish(meeting: Meeting) -> str:
        do_change_meeting_state(page.session, page.caller, meeting, MeetingState.REPORT_PUBLISHED)
        if meeting.term.body.organization.publishes_reports:
            return _("The report is published; its communiqué is on the public page.")
        return _("The report is published. The organization does not publish reports publicly.")

    return _change(page, meeting_id, "report", publish)


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
    codes and the earlier unused ones stop working; so the same form sent again (the sheet
    reloaded) prints nothing, and says so, offering to print new cards on purpose.
    """
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            issued = form.issue(page.session, page.caller, meeting)
            title = meeting.title
    except CardsAlreadyPrinted as printed:
        meeting = page.meeting(meeting_id, needs=Permission.ATTENDANCE_RECORD)
        return page.render(
            "secretary/access_cards.html",
            status=printed.status_code,
            meeting=meeting,
            title=meeting.title,
            cards=[],
            already_printed=printed.printed,
            person_ids=form.person_ids or [],
            holders=[_name(page, person_id) for person_id in (form.person_ids or [])][:10],
            printed_up_to=newest_card(page.session, meeting.id),
        )
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

    def enter(meeting: Meeting) -> str:
        poll = check_totals_poll(page.session, page.caller, meeting, poll_id)
        added = form.enter(page.session, page.caller, poll)
        return _("%(count)s paper ballots added") % {"count": added}

    return _change(page, meeting_id, "paper", enter)


# --- The registers, as CSV files -----------------------------------------------------------


@router.get("/secretary/meetings/{meeting_id}/attendance.csv")
def attendance_csv(meeting_id: int, page: PageDep, day: date | None = None) -> Response:
    """Everyone invited with their capacity, and whether present each day (or on ``day``)."""
    return csv_answer(attendance_file(page.session, page.caller, meeting_id, day))


@router.get("/secretary/meetings/{meeting_id}/roll-calls.csv")
def roll_calls_csv(meeting_id: int, page: PageDep) -> Response:
    """The named votes of the polls whose result the secretary may see."""
    return csv_answer(roll_calls_file(page.session, page.caller, meeting_id))


@router.get("/secretary/meetings/{meeting_id}/results.csv")
def results_csv(meeting_id: int, page: PageDep) -> Response:
    """The results of the polls the secretary may see, a row per option."""
    return csv_answer(results_file(page.session, page.caller, meeting_id))
