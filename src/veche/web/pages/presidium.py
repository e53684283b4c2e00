"""The desk seats the meeting's presidium — formed of the people a body named, or the elected
of an election — and opens its sittings, each chaired by a member of the presidium."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.i18n import _
from veche.models import Meeting
from veche.models.meetings import MeetingState
from veche.permissions import Permission
from veche.queries.presidium_elections import presidium_elections
from veche.queries.proceedings import participants, presidium, sittings
from veche.queries.roster import bodies_with_terms
from veche.queries.sitting import meeting_day
from veche.web.inputs_agenda import rapporteur_names
from veche.web.inputs_presidium import PresidiumForm, SittingForm
from veche.web.pages._forms import MeetingForms
from veche.web.pages._page import PageDep
from veche.web.pages._posted import PostedForm, as_typed, as_typed_lists

router = APIRouter()

#: The places the form offers for the presidium's members, in order.
PRESIDIUM_PLACES = 12
#: The meeting's states in which the presidium and its sittings no longer change.
ENDED = (MeetingState.CLOSED, MeetingState.REPORT_PUBLISHED)


def presidium_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    seated = presidium(session, meeting.id)
    elections = presidium_elections(session, meeting)
    bodies = bodies_with_terms(session, meeting.term.body.organization)
    return {
        "meeting": meeting,
        "seated": seated,
        "sittings": sittings(session, meeting.id),
        "elections": [election.poll for election in elections],
        # The elections that cannot seat it, each with the reason seating would give.
        "refused_elections": [election for election in elections if election.refusal],
        "bodies": bodies,
        "body_choices": [(body.id, body.name) for body in bodies],
        "election_choices": [
            (election.poll.id, election.poll.title)
            for election in elections
            if election.refusal is None
        ],
        "chair_choices": [(seat.person_id, seat.person.full_name) for seat in seated],
        "names": rapporteur_names(participants(session, meeting.id)),
        "places": PRESIDIUM_PLACES,
        "ended": meeting.state in ENDED,
        "next_day": meeting_day(meeting, date.today()),
    }


_FORMS = MeetingForms(
    "secretary/presidium.html",
    presidium_context,
    Permission.MEETING_RUN,
    "/secretary/meetings/{meeting_id}/presidium",
)


@router.get("/secretary/meetings/{meeting_id}/presidium", response_class=HTMLResponse)
def presidium_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The presidium in order and the sittings with their chairs, and the forms to seat the
    presidium and to open the next sitting."""
    return _FORMS.show(page, meeting_id)


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
    typed = as_typed(sent, ["formed_by_body_id", "poll_id"]) | as_typed_lists(sent, ["members"])
    return _FORMS.change(page, meeting_id, "elected" if by_election else "formed", typed, seat)


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
    return _FORMS.change(page, meeting_id, "sitting", typed, add)
