"""The desk seats the meeting's presidium — formed of the people a body named, or the elected
of an election — and opens its sittings, each chaired by a member of the presidium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting
from veche.models.meetings import MeetingState
from veche.models.polls import PollKind, PollState
from veche.permissions import Permission
from veche.queries.proceedings import participants, presidium, sittings
from veche.queries.roster import bodies_with_terms
from veche.queries.sitting import meeting_day, meeting_polls
from veche.web.inputs_agenda import rapporteur_names
from veche.web.inputs_presidium import PresidiumForm, SittingForm
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, as_typed

router = APIRouter()

#: Refusals shown on the page, at the form that was sent, with what was typed.
SHOWN_ON_PAGE = (InvalidInput, Conflict, NotFound)
#: The places the form offers for the presidium's members, in order.
PRESIDIUM_PLACES = 12
#: The meeting's states in which the presidium and its sittings no longer change.
ENDED = (MeetingState.CLOSED, MeetingState.REPORT_PUBLISHED)
#: What the page's template reads of a refusal when there is none (``records_forms.html``).
NOT_REFUSED: dict[str, Any] = {"refused": "", "typed": {}, "problem": ""}


def _page(meeting_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}/presidium"


def presidium_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    seated = presidium(session, meeting.id)
    elections = [
        poll
        for poll in meeting_polls(session, meeting)
        if poll.kind is PollKind.ELECTION and poll.state in (PollState.CLOSED, PollState.PUBLISHED)
    ]
    bodies = bodies_with_terms(session, meeting.term.body.organization)
    return {
        "meeting": meeting,
        "seated": seated,
        "sittings": sittings(session, meeting.id),
        "elections": elections,
        "bodies": bodies,
        "body_choices": [(body.id, body.name) for body in bodies],
        "election_choices": [(poll.id, poll.title) for poll in elections],
        "chair_choices": [(seat.person_id, seat.person.full_name) for seat in seated],
        "names": rapporteur_names(participants(session, meeting.id)),
        "places": PRESIDIUM_PLACES,
        "ended": meeting.state in ENDED,
        "next_day": meeting_day(meeting, date.today()),
    }


def _presidium_page(
    page: Page, meeting_id: int, refusal: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    return page.render_meeting(
        meeting_id,
        "secretary/presidium.html",
        lambda session, meeting: presidium_context(session, meeting) | NOT_REFUSED | refusal,
        needs=Permission.MEETING_RUN,
        status=status,
    )


@router.get("/secretary/meetings/{meeting_id}/presidium", response_class=HTMLResponse)
def presidium_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The presidium in order and the sittings with their chairs, and the forms to seat the
    presidium and to open the next sitting."""
    return _presidium_page(page, meeting_id, {})


def _change(
    page: Page,
    meeting_id: int,
    form: str,
    typed: dict[str, Any],
    change: Callable[[Meeting], str],
) -> Response:
    """Make one change; refused, the page again with the ``form`` as typed and why."""
    try:
        with page.session.begin():
            # Asked first, as the actions ask it: one who may not run the meeting is refused
            # before the names they typed are looked for.
            message = change(page.meeting(meeting_id, needs=Permission.MEETING_RUN))
    except SHOWN_ON_PAGE as error:
        shown = {"refused": form, "typed": typed, "problem": error.message}
        return _presidium_page(page, meeting_id, shown, status=error.status_code)
    return page.redirect(f"{_page(meeting_id)}#{form}", message)


@router.post("/secretary/meetings/{meeting_id}/presidium")
def seat_presidium_page(
    meeting_id: int, page: PageDep, form: Annotated[PresidiumForm, Form()], sent: PostedForm
) -> Response:
    """Seat the presidium: the members typed, formed by the body chosen, or the elected of
    the election chosen — as ``POST /api/meetings/{id}/presidium`` (``PresidiumIn``)."""

    def seat(meeting: Meeting) -> str:
        seated = form.seat(page.session, page.caller, meeting)
        return _("The presidium is seated: %(names)s") % {
            "names": ", ".join(seat.person.full_name for seat in seated)
        }

    by_election = form.poll_id is not None
    typed: dict[str, Any] = as_typed(sent, ["formed_by_body_id", "poll_id"])
    typed["members"] = [name for name in sent.getlist("members") if isinstance(name, str)]
    return _change(page, meeting_id, "elected" if by_election else "formed", typed, seat)


@router.post("/secretary/meetings/{meeting_id}/sittings")
def add_sitting_page(
    meeting_id: int, page: PageDep, form: Annotated[SittingForm, Form()], sent: PostedForm
) -> Response:
    """Open the next sitting on a day of the meeting, chaired by a member of the presidium —
    as ``POST /api/meetings/{id}/sittings`` (``SittingIn``)."""

    def add(meeting: Meeting) -> str:
        sitting = form.add(page.session, page.caller, meeting)
        return _("Sitting %(number)s on %(day)s, chaired by %(chair)s") % {
            "number": sitting.number,
            "day": sitting.day.isoformat(),
            "chair": sitting.chair.full_name,
        }

    typed = as_typed(sent, ["day", "chair_person_id"])
    return _change(page, meeting_id, "sitting", typed, add)
