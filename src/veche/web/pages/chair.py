"""The chair's console: the current poll with its live count, result and the quorum; the
meeting's polls, run from there (closing asks first); a new poll's form, by kind."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from veche.actions.closing import do_cancel_poll, do_close_poll
from veche.actions.polls import do_open_poll, do_publish_poll
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.method_names import majority_rule_name, method_name, poll_counting_name
from veche.models import AgendaItem, Meeting, Poll
from veche.models.motions import MotionState
from veche.models.polls import POLL_TRANSITIONS, PollKind
from veche.permissions import Permission
from veche.queries.agenda import agenda_approval, agenda_items
from veche.queries.floor import floor_view, item_under_discussion
from veche.queries.polls import live_count
from veche.queries.proceedings import MotionRow, motions
from veche.queries.result_summary import result_summary
from veche.queries.sitting import (
    chart_rounds,
    console_poll,
    meeting_day,
    meeting_polls,
    quorum_status,
)
from veche.queries.waiting import motions_to_record
from veche.tally import BallotShape, available_methods
from veche.web.inputs import AGENDA_KIND, PollForm
from veche.web.pages._majority import base_labels, rule_labels
from veche.web.pages._page import Page, PageDep, add_meeting_view
from veche.web.pages._render import context_of

router = APIRouter()

#: What the chair can do to a poll from the console, by the step's name in its address
#: (``POLL_TRANSITIONS`` says from which states).
POLL_STEPS = {
    "open": do_open_poll,
    "close": do_close_poll,
    "publish": do_publish_poll,
    "cancel": do_cancel_poll,
}

#: The method the new-poll form offers first for each kind that names one (a decision is
#: counted by majority): one choice marked for a choice, ranked ballots for an election.
DEFAULT_METHODS = {PollKind.CHOICE: "plurality", PollKind.ELECTION: "scottish-stv"}


def _step_done(step: str) -> str:
    return {
        "open": _("Voting is open."),
        "close": _("Voting is closed and counted."),
        "publish": _("The result is published."),
        "cancel": _("The poll is cancelled."),
    }[step]


def console_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    """The current poll, its count and result, the quorum, and the meeting's polls."""
    polls = meeting_polls(session, meeting)
    current = console_poll(polls)
    items = {item.id: item for item in agenda_items(session, meeting.id, withdrawn=True)}
    motions_by_id = {motion.id: motion for motion in motions(session, meeting.id)}
    return {
        "meeting": meeting,
        "polls": polls,
        "current": current,
        "count": live_count(session, current) if current is not None else None,
        "quorum": quorum_status(session, meeting, meeting_day(meeting, date.today())),
        "rounds": chart_rounds(current.result) if current is not None else [],
        "summary": result_summary(current) if current is not None else None,
        "poll_transitions": POLL_TRANSITIONS,  # which steps each poll's buttons offer
        "subjects": {poll.id: _subject(poll, items, motions_by_id) for poll in polls},
        # A motion's vote closed: its outcome waits to be recorded on its page.
        "to_record": motions_to_record(session, meeting.id),
        "method_name": method_name,
        "counting_name": poll_counting_name,
        "majority_rule_name": majority_rule_name,
    }


def _subject(poll: Poll, items: dict[int, AgendaItem], motions_by_id: dict[int, MotionRow]) -> str:
    """What a poll is on, in words: "item 2 · motion 3", "the agenda"; "" for nothing."""
    if poll.approves_agenda:
        return _("the agenda")
    parts = []
    if poll.agenda_item_id in items:
        parts.append(_("item %(position)s") % {"position": items[poll.agenda_item_id].position})
    if poll.motion_id in motions_by_id:
        parts.append(_("motion %(number)s") % {"number": motions_by_id[poll.motion_id].number})
    return " · ".join(parts)


def _shape_words() -> dict[BallotShape, str]:
    return {
        BallotShape.SINGLE: _("One mark per ballot"),
        BallotShape.APPROVAL: _("A mark for each acceptable option"),
        BallotShape.RANKING: _("Ranked ballots: 1, 2, 3 … in order of preference"),
        BallotShape.SCORE: _("A score for each option"),
    }


def _method_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The methods a choice or an election may be counted by, under their names in the hall,
    grouped by the ballot their voters fill in."""
    groups: dict[BallotShape, list[tuple[str, str]]] = {shape: [] for shape in BallotShape}
    for name, counting in available_methods().items():
        if not counting.decision:
            groups[counting.ballot].append((name, method_name(name)))
    return [
        (words, sorted(groups[shape], key=lambda method: method[1]))
        for shape, words in _shape_words().items()
        if groups[shape]
    ]


def _kinds(session: Session, meeting: Meeting) -> list[tuple[str, str]]:
    """The kinds of poll the form offers; approving the agenda while it is not approved."""
    kinds = [(PollKind.DECISION.value, _("Decision: yes, no, abstain"))]
    if agenda_approval(session, meeting.id) is None:
        kinds.append((AGENDA_KIND, _("Approval of the agenda: yes, no, abstain")))
    kinds += [
        (PollKind.CHOICE.value, _("Choice among options")),
        (PollKind.ELECTION.value, _("Election of candidates")),
    ]
    return kinds


def new_poll_defaults(session: Session, meeting: Meeting) -> dict[str, str]:
    """The new-poll form as it first shows: a decision (by simple majority of the votes cast,
    the rule and base listed first), on the item under discussion, by secret ballot."""
    item = item_under_discussion(session, meeting.id)
    return {
        "kind": PollKind.DECISION.value,
        "agenda_item_id": str(item.id) if item is not None else "",
        "method": DEFAULT_METHODS[PollKind.CHOICE],
        "seats": "1",
        "vote_by": "ballot",
        "secrecy": "secret",
        "board_shows_choices": "true",
    }


def _motion_groups(
    items: list[AgendaItem], open_motions: list[MotionRow]
) -> list[tuple[str, list[MotionRow]]]:
    """The motions a vote may decide, under the agenda item each is on."""
    groups = [
        (
            _("Item %(position)s. %(title)s") % {"position": item.position, "title": item.title},
            [motion for motion in open_motions if motion.agenda_item_id == item.id],
        )
        for item in items
    ]
    on_no_item = [m for m in open_motions if m.agenda_item_id not in {i.id for i in items}]
    groups.append((_("On no agenda item"), on_no_item))
    return [(label, group) for label, group in groups if group]


def new_poll_context(
    session: Session, meeting: Meeting, posted: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the new-poll form offers, filled in with ``posted`` (the form sent back with
    what was wrong) or its defaults."""
    items = agenda_items(session, meeting.id)
    # A vote decides a motion's final text; a draft may still become final before it opens.
    open_motions = [
        motion
        for motion in motions(session, meeting.id)
        if motion.state in (MotionState.DRAFT.value, MotionState.FINAL.value)
    ]
    return {
        "kinds": _kinds(session, meeting),
        "method_groups": _method_groups(),
        "default_methods": {kind.value: method for kind, method in DEFAULT_METHODS.items()},
        "majority_rules": rule_labels(),
        "majority_bases": base_labels(),
        "items": items,
        "motion_groups": _motion_groups(items, open_motions),
        "posted": posted if posted is not None else new_poll_defaults(session, meeting),
    }


def _console_page(
    page: Page,
    meeting_id: int,
    *,
    posted: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The console; with ``error``, the console again saying what was refused, and the new
    poll's form as ``posted`` when that was what was wrong."""
    return page.render_meeting(
        meeting_id,
        "chair/console.html",
        lambda session, meeting: {
            **context_of(floor_view(session, meeting, page.caller.person_id)),
            **console_context(session, meeting),
            **new_poll_context(session, meeting, posted),
            "error": error,
            "form_sent_back": posted is not None,
        },
        needs=Permission.POLLS_RUN,
        with_permissions=True,
        status=status,
    )


@router.get("/meetings/{meeting_id}/console", response_class=HTMLResponse)
def console(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The chair's console for the sitting: the current poll and the speakers list."""
    return _console_page(page, meeting_id)


add_meeting_view(
    router,
    "/meetings/{meeting_id}/console/current",
    "console_current",
    "chair/_console_current.html",
    console_context,
    about="The current poll's panel and the meeting's polls, re-fetched on every live event "
    "of the meeting.",
    needs=Permission.POLLS_RUN,
)


async def _form(request: Request) -> FormData:
    """The form as sent (read once: FastAPI's own reading of it keeps it), to fill the
    new-poll form in again when the poll is refused."""
    return await request.form()


@router.post("/meetings/{meeting_id}/console/polls")
def create_poll(
    meeting_id: int,
    page: PageDep,
    form: Annotated[PollForm, Form()],
    sent: Annotated[FormData, Depends(_form)],
) -> Response:
    """A new poll in draft; an election's candidates stand on the chair's word that they accept.

    A decision carries the majority it needs: a named rule, or a share of the votes cast,
    the members present or all members (abstentions counted as cast or not). A poll refused
    shows the console again, saying why, above the form as it was filled in.
    """
    try:
        with page.session.begin():
            meeting = page.meeting(meeting_id)
            title = form.create(page.session, page.caller, meeting).title
    except (InvalidInput, Conflict) as refusal:
        posted = {name: value for name, value in sent.items() if isinstance(value, str)}
        return _console_page(
            page, meeting_id, posted=posted, error=refusal.message, status=refusal.status_code
        )
    return page.redirect(
        f"/meetings/{meeting_id}/console", _("Poll created: %(title)s") % {"title": title}
    )


@router.get("/meetings/{meeting_id}/console/polls/{poll_id}/close", response_class=HTMLResponse)
def confirm_close(meeting_id: int, poll_id: int, page: PageDep) -> Response:
    """Before voting closes and the ballots are counted, the chair confirms: the count shown
    so far, the quorum; nothing can be undone after."""
    page.meeting(meeting_id, needs=Permission.POLLS_RUN)
    poll = page.row(Poll, poll_id, meeting_id, "poll")
    if not POLL_TRANSITIONS.may_take(poll.state, "close"):
        return page.redirect(
            f"/meetings/{meeting_id}/console",
            _("Voting on “%(title)s” is not open: there is nothing to close.")
            % {"title": poll.title},
        )
    return page.render_meeting(
        meeting_id,
        "chair/confirm_close.html",
        lambda session, meeting: {
            "meeting": meeting,
            "poll": poll,
            "count": live_count(session, poll),
            "quorum": quorum_status(session, meeting, meeting_day(meeting, date.today())),
            "method_name": method_name,
            "majority_rule_name": majority_rule_name,
        },
        needs=Permission.POLLS_RUN,
        with_permissions=True,
    )


@router.post("/meetings/{meeting_id}/console/polls/{poll_id}/{step}")
def poll_step(meeting_id: int, poll_id: int, step: str, page: PageDep) -> Response:
    """Open, close (and count), publish or cancel a poll; a step refused shows on the console."""
    if step not in POLL_STEPS:
        raise NotFound(f"a poll's steps are {', '.join(POLL_STEPS)}; there is no {step!r}")
    try:
        with page.session.begin():
            page.row(Poll, poll_id, meeting_id, "poll")
            POLL_STEPS[step](page.session, page.caller, poll_id)
    except (InvalidInput, Conflict) as refusal:
        return _console_page(page, meeting_id, error=refusal.message, status=refusal.status_code)
    return page.redirect(f"/meetings/{meeting_id}/console", _step_done(step))
