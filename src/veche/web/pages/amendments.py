"""Drafts and their amendments on the pages: read, propose a change, and (the chair) decide it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import (
    Caller,
    meeting_permissions,
    participant_of,
)
from veche.actions.motions import access_amendment, check_proposer
from veche.errors import NotFound, VecheError
from veche.i18n import _
from veche.models import Motion
from veche.models.motions import AmendmentState, MotionState
from veche.queries import proceedings
from veche.queries.papers import motion_list
from veche.web.csrf import require_csrf
from veche.web.inputs_debate import AmendmentForm, DecisionForm
from veche.web.pages._page import PageDep, add_meeting_view

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@dataclass(frozen=True)
class NumberedLine:
    """A line of a motion's text with the numbers an amendment addresses it by."""

    number: int
    text: str
    #: The paragraph the line belongs to; None for the blank lines between paragraphs.
    paragraph: int | None
    starts_paragraph: bool


def numbered_lines(text: str) -> list[NumberedLine]:
    """Lines numbered from 1, and paragraphs (blocks between blank lines) numbered from 1."""
    found, paragraph, after_blank = [], 0, True
    for number, line in enumerate(text.rstrip("\n").split("\n"), start=1):
        blank = not line.strip()
        starts = not blank and after_blank
        paragraph += 1 if starts else 0
        found.append(NumberedLine(number, line, None if blank else paragraph, starts))
        after_blank = blank
    return found


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "hunk" or "same"
    text: str


def diff_lines(diff: str) -> list[DiffLine]:
    """A unified diff's lines by kind, for colouring; the two file headers are left out."""
    lines = []
    for line in diff.splitlines():
        if line.startswith(("--- ", "+++ ")):
            continue
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        lines.append(DiffLine(kind, line))
    return lines


def _motion_context(session: Session, caller: Caller, motion: Motion) -> dict[str, Any]:
    meeting = motion.meeting
    texts = {v.number: v.text for v in proceedings.versions(session, motion.id)}
    amendments = proceedings.amendments(session, motion.id)
    participant = participant_of(session, meeting.id, caller.person_id)
    try:
        check_proposer(session, caller, meeting, caller.person_id)
        may_not_propose = None
    except VecheError as refusal:
        may_not_propose = refusal.message
    return {
        "meeting": meeting,
        "motion": motion,
        "lines": numbered_lines(texts[motion.current_version]),
        "amendments": [
            {
                "amendment": a,
                "target": proceedings.target_of(a),
                "diff": diff_lines(proceedings.amendment_diff(texts, a, motion.current_version)),
            }
            for a in amendments
        ],
        "draft": motion.state is MotionState.DRAFT,
        "participant": participant,
        # Why the viewer may not propose an amendment, if they may not.
        "may_not_propose": may_not_propose,
        "may": meeting_permissions(session, caller, meeting.id),
    }


add_meeting_view(
    router,
    "/meetings/{meeting_id}/motions",
    "motions",
    "meeting/motions.html",
    motion_list,
    about="The meeting's drafts and motions, with how far each has come.",
    with_permissions=True,
)
add_meeting_view(
    router,
    "/meetings/{meeting_id}/motions/list",
    "motions_fragment",
    "meeting/_motions_list.html",
    motion_list,
    about="The list of drafts on the meeting page, re-fetched when a draft changes.",
)


@router.get("/meetings/{meeting_id}/motions/{motion_id}", response_class=HTMLResponse)
def motion_page(meeting_id: int, motion_id: int, page: PageDep) -> HTMLResponse:
    """A draft's current text with numbered paragraphs and lines, and its amendments as diffs."""
    motion = page.row(Motion, motion_id, meeting_id, "motion")
    return page.render("meeting/motion.html", **_motion_context(page.session, page.caller, motion))


@router.post("/meetings/{meeting_id}/motions/{motion_id}/amendments")
def propose_amendment(
    meeting_id: int, motion_id: int, page: PageDep, form: Annotated[AmendmentForm, Form()]
) -> Response:
    """Propose new wording for a paragraph or a range of lines (empty wording deletes them)."""
    with page.session.begin():
        motion = page.row(Motion, motion_id, meeting_id, "motion")
        number = form.propose(page.session, page.caller, motion).number
    return page.redirect(
        f"/meetings/{meeting_id}/motions/{motion_id}#amendment-{number}",
        _("Your amendment is number %(number)s.") % {"number": number},
    )


@router.post("/meetings/{meeting_id}/motions/{motion_id}/amendments/{amendment_id}/decision")
def decide_amendment(
    meeting_id: int,
    motion_id: int,
    amendment_id: int,
    page: PageDep,
    form: Annotated[DecisionForm, Form()],
) -> Response:
    """Accept, reject, or merge an amendment in an agreed wording."""
    with page.session.begin():
        motion = page.row(Motion, motion_id, meeting_id, "motion")
        amendment = access_amendment(page.session, page.caller, amendment_id)
        if amendment.motion_id != motion.id:
            raise NotFound(
                f"motion {motion_id} of meeting {meeting_id} has no amendment {amendment_id}"
            )
        number = form.decide(page.session, page.caller, amendment).number
    done = {
        AmendmentState.ACCEPTED: _("Amendment %(number)s is accepted into the text."),
        AmendmentState.MERGED: _("Amendment %(number)s is merged in the agreed wording."),
        AmendmentState.REJECTED: _("Amendment %(number)s is rejected."),
    }
    return page.redirect(
        f"/meetings/{meeting_id}/motions/{motion_id}#amendment-{number}",
        done[form.decision] % {"number": number},
    )
