"""Nominations for an election from the pages: the chair or the secretary finds people of the
organization by name and nominates them (or a name), each candidate accepts or declines (or
the chair answers on their word), and until voting opens a candidate withdraws or the chair
withdraws them — through the API's nomination model and actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import field_validator
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_poll, meeting_permissions
from veche.actions.polls import do_answer_nomination, do_nominate, do_withdraw_candidate
from veche.errors import NotFound, VecheError
from veche.i18n import _
from veche.models import Organization, Poll, PollOption
from veche.models.polls import PollKind, PollState
from veche.permissions import Permission
from veche.queries.records import find_people
from veche.web.api.polls import NominationIn
from veche.web.form_fields import typed_numbers
from veche.web.pages._page import Page, PageDep
from veche.web.pages._posted import PostedForm, text_of

router = APIRouter()

#: The most people one search shows: a name narrows it further.
FOUND_AT_MOST = 20

SearchQuery = Annotated[str, Query(max_length=200)]


class NominationForm(NominationIn):
    """``NominationIn`` as the candidates page posts it: a person found by the search, or a
    name typed in (a field left empty is not given)."""

    _numbers = typed_numbers({"person_id": "the person must be chosen from those found"})

    @field_validator("label", mode="before")
    @classmethod
    def _typed(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value


def _poll(page: Page, meeting_id: int, poll_id: int, *, lock: bool = False) -> Poll:
    poll = access_poll(page.session, page.caller, poll_id, lock=lock)
    if poll.meeting_id != meeting_id:
        raise NotFound("this meeting has no such vote: open it from the meeting's own pages")
    return poll


def _found(session: Session, caller: Caller, poll: Poll, q: str) -> tuple[int, list[Any]]:
    """The people of the organization whose name holds every word of ``q``, for those who
    nominate (nobody else is shown the organization's people)."""
    may = meeting_permissions(session, caller, poll.meeting_id)
    if not q.strip() or Permission.POLLS_RUN.value not in may:
        return 0, []
    organization = session.get(Organization, poll.meeting.term.body.organization_id)
    assert organization is not None  # a meeting's body belongs to its organization
    return find_people(session, organization, q, limit=FOUND_AT_MOST, offset=0)


def _context(page: Page, poll: Poll, q: str) -> dict[str, Any]:
    total, found = _found(page.session, page.caller, poll, q)
    standing = {option.person_id for option in poll.options if option.person_id is not None}
    return {
        "meeting": poll.meeting,
        "poll": poll,
        "election": poll.kind is PollKind.ELECTION,
        "nominating": poll.kind is PollKind.ELECTION and poll.state is PollState.DRAFT,
        "may": meeting_permissions(page.session, page.caller, poll.meeting_id),
        "q": q,
        "found": found,
        "total": total,
        "shown_at_most": FOUND_AT_MOST,
        "nominated": standing,
        "problem": None,
        "label": "",
    }


@router.get("/meetings/{meeting_id}/polls/{poll_id}/candidates", response_class=HTMLResponse)
def candidates(meeting_id: int, poll_id: int, page: PageDep, q: SearchQuery = "") -> HTMLResponse:
    """An election's candidates and their answers; the chair nominates people found by name
    (``q``) while it is in draft, and each candidate answers their nomination."""
    poll = _poll(page, meeting_id, poll_id)
    return page.render("meeting/candidates.html", **_context(page, poll, q))


@router.get("/meetings/{meeting_id}/polls/{poll_id}/candidates/search", response_class=HTMLResponse)
def candidate_search(
    meeting_id: int, poll_id: int, page: PageDep, q: SearchQuery = ""
) -> HTMLResponse:
    """The people found by name, each with a button to nominate them: htmx puts the list under
    the search field as it is typed."""
    poll = _poll(page, meeting_id, poll_id)
    page.meeting(meeting_id, needs=Permission.POLLS_RUN)
    return page.render("meeting/_candidate_search.html", **_context(page, poll, q))


@router.post("/meetings/{meeting_id}/polls/{poll_id}/candidates")
def nominate_candidate(
    meeting_id: int,
    poll_id: int,
    page: PageDep,
    form: Annotated[NominationForm, Form()],
    sent: PostedForm,
) -> Response:
    """Nominate a person found by name, or a name: they stand once they accept."""
    try:
        with page.session.begin():
            poll = _poll(page, meeting_id, poll_id, lock=True)
            candidate = do_nominate(
                page.session, page.caller, poll, person_id=form.person_id, label=form.label
            )
            name = candidate.label
    except NotFound:
        raise
    except VecheError as problem:
        poll = _poll(page, meeting_id, poll_id)
        context = _context(page, poll, text_of(sent, "q"))
        context.update(problem=problem.message, label=text_of(sent, "label"))
        return page.render("meeting/candidates.html", status=problem.status_code, **context)
    # Back to the same search, to nominate the next one found.
    q = text_of(sent, "q").strip()
    return page.redirect(
        f"/meetings/{meeting_id}/polls/{poll_id}/candidates" + (f"?q={quote(q)}" if q else ""),
        _("%(name)s is nominated, and stands once they accept.") % {"name": name},
    )


# Before the answers' route, whose {answer} would take "withdraw" for a word it refuses.
@router.post("/meetings/{meeting_id}/polls/{poll_id}/candidates/{option_id}/withdraw")
def withdraw_candidate(meeting_id: int, poll_id: int, option_id: int, page: PageDep) -> Response:
    """The candidate withdraws, or the chair withdraws them (a name mistyped), until voting
    opens."""
    return _change_candidate(
        page,
        meeting_id,
        poll_id,
        lambda poll: do_withdraw_candidate(page.session, page.caller, poll, option_id),
        _("%(name)s is withdrawn and does not stand."),
    )


@router.post("/meetings/{meeting_id}/polls/{poll_id}/candidates/{option_id}/{answer}")
def answer_nomination(
    meeting_id: int, poll_id: int, option_id: int, answer: str, page: PageDep
) -> Response:
    """The candidate accepts or declines (``accept``, ``decline``); the chair may answer on
    their word."""
    if answer not in ("accept", "decline"):
        raise NotFound(f"a nomination is answered accept or decline, not {answer[:20]!r}")
    return _change_candidate(
        page,
        meeting_id,
        poll_id,
        lambda poll: do_answer_nomination(
            page.session, page.caller, poll, option_id, accept=answer == "accept"
        ),
        _("%(name)s stands as a candidate.")
        if answer == "accept"
        else _("%(name)s does not stand."),
    )


def _change_candidate(
    page: Page,
    meeting_id: int,
    poll_id: int,
    change: Callable[[Poll], PollOption],
    said: str,
) -> Response:
    """Make a change to a candidate and go back to the candidates, saying ``said`` of them; a
    refusal shows on the candidates page, under its status."""
    try:
        with page.session.begin():
            name = change(_poll(page, meeting_id, poll_id, lock=True)).label
    except NotFound:
        raise
    except VecheError as problem:
        poll = _poll(page, meeting_id, poll_id)
        context = _context(page, poll, "")
        context["problem"] = problem.message
        return page.render("meeting/candidates.html", status=problem.status_code, **context)
    return page.redirect(
        f"/meetings/{meeting_id}/polls/{poll_id}/candidates", said % {"name": name}
    )
