"""Drafts and their amendments on the pages: read a draft by the clauses its text numbers,
propose a change to a clause (previewed as words struck and inserted before it is sent), and
(the chair) decide it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from veche.actions._clauses import Clause, clause_at, clauses, find_clause
from veche.actions._text import check_target, paragraphs
from veche.actions.access import Caller, meeting_permissions, participant_of
from veche.actions.motions import (
    access_amendment,
    amendment_target,
    check_amendment,
    check_proposer,
    current_text,
)
from veche.errors import InvalidInput, NotFound, VecheError
from veche.i18n import _
from veche.models import Amendment, Motion
from veche.models.motions import MOTION_TRANSITIONS, AmendmentState, MotionState
from veche.queries import proceedings
from veche.queries.motion_page import motion_progress, panel_advice
from veche.queries.panel_work import panels_spoken_for
from veche.queries.papers import motion_list
from veche.text_diff import Piece, word_diff
from veche.web.inputs_debate import DecisionForm
from veche.web.inputs_motions import ClauseAmendmentForm
from veche.web.pages._majority import base_labels, rule_labels
from veche.web.pages._page import Page, PageDep, add_meeting_view
from veche.web.pages._posted import PostedForm, text_of
from veche.whole_numbers import whole_number

router = APIRouter()

#: The amendment form's fields, shown again as typed when the amendment is refused.
AMENDMENT_FIELDS = ("clause", "paragraph", "first_line", "last_line", "new_text", "reason")
#: The longest clause number a link or the form carries, as the API takes it.
CLAUSE_LENGTH = 40


@dataclass(frozen=True)
class NumberedLine:
    """A line of a motion's text with the numbers an amendment addresses it by."""

    number: int
    text: str
    #: The paragraph the line belongs to; None for the blank lines between paragraphs.
    paragraph: int | None
    starts_paragraph: bool
    #: The clause the text numbers on this line, if one starts here.
    clause: Clause | None = None


def numbered_lines(text: str) -> list[NumberedLine]:
    """Lines numbered from 1, paragraphs (blocks between blank lines) numbered from 1, and the
    clauses the text numbers where they start."""
    starting = {clause.first_line: clause for clause in clauses(text)}
    found, paragraph, after_blank = [], 0, True
    for number, line in enumerate(text.rstrip("\n").split("\n"), start=1):
        blank = not line.strip()
        starts = not blank and after_blank
        paragraph += 1 if starts else 0
        found.append(
            NumberedLine(number, line, None if blank else paragraph, starts, starting.get(number))
        )
        after_blank = blank
    return found


def clause_name(clause: Clause) -> str:
    """The clause as a sentence names it: "2" for "2.", "3. b)" as written."""
    return clause.label.rstrip(".")


def part_name(
    text: str, paragraph: int | None, first_line: int | None, last_line: int | None
) -> str:
    """What an amendment changes in ``text``, by its clause's number where it changes one
    whole clause: "clause 2", "paragraph 3", "lines 4–5"."""
    clause = clause_at(text, first_line, last_line)
    if clause is not None:
        return _("clause %(number)s") % {"number": clause_name(clause)}
    if paragraph is not None:
        return _("paragraph %(number)s") % {"number": paragraph}
    if last_line is None or first_line == last_line:
        return _("line %(number)s") % {"number": first_line}
    return _("lines %(first)s–%(last)s") % {"first": first_line, "last": last_line}


def amendment_change(amendment: Amendment) -> list[Piece]:
    """The change in words: what it proposed, or the wording agreed once merged."""
    wording = amendment.merged_text if amendment.merged_text is not None else amendment.new_text
    return word_diff(amendment.original_text, wording)


@dataclass
class AmendmentDraft:
    """The amendment form as the delegate left it: the part picked and the wording typed."""

    clause: str = ""
    paragraph: str = ""
    first_line: str = ""
    last_line: str = ""
    new_text: str = ""
    reason: str = ""
    #: Put the cursor in the wording: the delegate just picked what to amend.
    focus: bool = False
    #: The panel a panel's chair proposes it for (its id as typed); none: in their own name.
    panel_id: str = ""

    @classmethod
    def sent(cls, form: FormData) -> AmendmentDraft:
        """The form as it was sent, to show again as typed."""
        typed = [text_of(form, name) for name in AMENDMENT_FIELDS]
        clause, paragraph, first_line, last_line, new_text, reason = typed
        panel_id = text_of(form, "panel_id")
        return cls(clause, paragraph, first_line, last_line, new_text, reason, panel_id=panel_id)


class PickedPart(BaseModel):
    """The part of a draft a link of its text or the amendment form's list picks: a clause by
    its number, or a paragraph."""

    clause: str = Field(default="", max_length=CLAUSE_LENGTH)
    paragraph: str = Field(default="", max_length=12)
    #: The panel the form proposes for, chosen already (the panel's page links it so).
    panel_id: str = Field(default="", max_length=12)

    def draft(self, text: str, *, focus: bool) -> AmendmentDraft:
        """The form with the part picked, its wording ready to edit in place (the cursor put
        there when ``focus``), for the panel chosen; an unknown part picks nothing."""
        draft = self._part(text, focus=focus)
        draft.panel_id = self.panel_id
        return draft

    def _part(self, text: str, *, focus: bool) -> AmendmentDraft:
        if self.clause:
            try:
                found = find_clause(text, self.clause)
            except InvalidInput:
                return AmendmentDraft()
            lines = text.rstrip("\n").split("\n")
            wording = "\n".join(lines[found.first_line - 1 : found.last_line])
            return AmendmentDraft(clause=found.label, new_text=wording, focus=focus)
        blocks = paragraphs(text)
        picked = whole_number(self.paragraph)
        if picked is not None and 1 <= picked <= len(blocks):
            wording = blocks[picked - 1]
            return AmendmentDraft(paragraph=self.paragraph, new_text=wording, focus=focus)
        return AmendmentDraft()


def in_form_words(problem: VecheError, form: ClauseAmendmentForm, text: str) -> VecheError:
    """The refusal of an amendment that names no part of the text, or two, in the form's own
    words: the action says it by the API's fields ("paragraph", "first_line"), which the form
    does not show. Any other refusal (asked first: who may propose) as it is."""
    try:
        target, _described = amendment_target(text, form.spec())
        check_target(text, target)
    except InvalidInput as about_the_part:
        if about_the_part.message != problem.message:
            return problem
    else:
        return problem
    chosen = _("Clause") if clauses(text) else _("Paragraph (¶)")
    if form.clause is None and form.paragraph is None and form.first_line is None:
        if form.last_line is not None:
            return InvalidInput(_("Give the first line of the range too, under “From line”."))
        return InvalidInput(
            _(
                "Say what to amend: choose it under “%(chosen)s”, or give its lines under “Or "
                "name a range of lines instead”."
            )
            % {"chosen": chosen}
        )
    if form.first_line is not None and (form.clause is not None or form.paragraph is not None):
        return InvalidInput(
            _(
                "Amend what is chosen under “%(chosen)s” or a range of lines, not both: clear "
                "one of them."
            )
            % {"chosen": chosen}
        )
    return problem


@dataclass(frozen=True)
class Preview:
    """What the amendment would change, shown before it is sent."""

    target: str
    change: list[Piece]
    new_text: str


@dataclass
class Problem:
    """What went wrong with a form of the page, shown beside the form it concerns."""

    message: str
    #: "amendment" (the form to propose one), "preview" (its preview), "amendment-7" (the
    #: decision on amendment 7), or a step of the motion ("final", "vote", "settle",
    #: "withdraw").
    about: str


@dataclass
class MotionView:
    """How the motion page is drawn beyond the motion itself: the amendment form as left,
    its preview, and a problem to show."""

    draft: AmendmentDraft = field(default_factory=AmendmentDraft)
    preview: Preview | None = None
    problem: Problem | None = None
    #: The decision on the vote, as the chair left it when it was refused.
    vote: dict[str, str] = field(default_factory=dict)


def motion_context(
    session: Session, caller: Caller, motion: Motion, view: MotionView
) -> dict[str, Any]:
    meeting = motion.meeting
    texts = {v.number: v.text for v in proceedings.versions(session, motion.id)}
    current = texts[motion.current_version]
    participant = participant_of(session, meeting.id, caller.person_id)
    try:
        check_proposer(session, caller, meeting, caller.person_id)
        may_not_propose = None
    except VecheError as refusal:
        may_not_propose = refusal.message
    lines = numbered_lines(current)
    numbered = [line.clause for line in lines if line.clause is not None]
    item_id = motion.agenda_item_id
    advice = panel_advice(session, motion)
    return {
        "meeting": meeting,
        "motion": motion,
        "lines": lines,
        "clauses": numbered,
        "paragraphs": [(line.paragraph, line.text) for line in lines if line.starts_paragraph],
        "amendments": [
            {
                "amendment": a,
                "target": part_name(texts[a.base_version], a.paragraph, a.first_line, a.last_line),
                "change": amendment_change(a),
                # The panels' advice that names it, beside the chair's decision: each advice
                # with its lines about this amendment.
                "advice": [
                    (given, given.on_amendments[a.number])
                    for given in advice
                    if a.number in given.on_amendments
                ],
            }
            for a in proceedings.amendments(session, motion.id)
        ],
        "draft": motion.state is MotionState.DRAFT,
        "participant": participant,
        # Why the viewer may not propose an amendment, if they may not.
        "may_not_propose": may_not_propose,
        # The panels on the draft's item the viewer may propose for, as their chair.
        "for_panels": []
        if item_id is None
        else panels_spoken_for(session, caller, meeting.id, item_id=item_id),
        "may": meeting_permissions(session, caller, meeting.id),
        "progress": motion_progress(session, motion),
        "advice": advice,
        "motion_transitions": MOTION_TRANSITIONS,
        "majority_rules": rule_labels(),
        "majority_bases": base_labels(),
        "form": view.draft,
        "preview": view.preview,
        "problem": view.problem,
        "vote": view.vote,
        "clause_name": clause_name,
    }


def render_motion(
    page: Page, motion: Motion, view: MotionView | None = None, *, status: int = 200
) -> HTMLResponse:
    """The motion's page, with the forms as left and a problem beside its form, if any."""
    view = view or MotionView()
    context = motion_context(page.session, page.caller, motion, view)
    return page.render("meeting/motion.html", status=status, **context)


def refused(
    page: Page, motion: Motion, problem: VecheError, about: str, **view: Any
) -> HTMLResponse:
    """The motion's page again, saying why the form about ``about`` was refused."""
    return render_motion(
        page,
        motion,
        MotionView(problem=Problem(problem.message, about), **view),
        status=problem.status_code,
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
def motion_page(
    meeting_id: int,
    motion_id: int,
    page: PageDep,
    picked: Annotated[PickedPart, Query()],
) -> HTMLResponse:
    """A draft's current text by its clauses (or paragraphs) and lines, its amendments as words
    struck and inserted, and the steps it is at; ``clause`` (or ``paragraph``) opens the
    amendment form on that part, its wording ready to edit."""
    motion = page.row(Motion, motion_id, meeting_id, "motion")
    draft = picked.draft(current_text(page.session, motion), focus=True)
    return render_motion(page, motion, MotionView(draft=draft))


@router.get(
    "/meetings/{meeting_id}/motions/{motion_id}/amendment-form", response_class=HTMLResponse
)
def amendment_form(
    meeting_id: int,
    motion_id: int,
    page: PageDep,
    picked: Annotated[PickedPart, Query()],
    reason: Annotated[str, Query(max_length=20_000)] = "",
    focus: bool = False,
) -> HTMLResponse:
    """The amendment form alone, the part picked and its wording in the box: htmx swaps it in
    when a clause is picked from the text (``focus``: the cursor goes to the wording) or from
    the form's list (it stays there)."""
    motion = page.row(Motion, motion_id, meeting_id, "motion")
    draft = picked.draft(current_text(page.session, motion), focus=focus)
    draft.reason = reason
    context = motion_context(page.session, page.caller, motion, MotionView(draft=draft))
    return page.render("meeting/_amendment_form.html", **context)


@router.post(
    "/meetings/{meeting_id}/motions/{motion_id}/amendments/preview",
    response_class=HTMLResponse,
)
def preview_amendment(
    meeting_id: int,
    motion_id: int,
    page: PageDep,
    form: Annotated[ClauseAmendmentForm, Form()],
    sent: PostedForm,
) -> HTMLResponse:
    """What the amendment would change, as words struck and inserted, before it is sent:
    changing nothing. htmx puts it under the form; without scripts the page comes again
    with it."""
    motion = page.row(Motion, motion_id, meeting_id, "motion")
    fragment = page.request.headers.get("hx-request") == "true"
    draft = AmendmentDraft.sent(sent)
    try:
        checked = check_amendment(page.session, page.caller, motion, form.spec())
    except VecheError as refusal:
        problem = in_form_words(refusal, form, current_text(page.session, motion))
        if fragment:
            # What would be refused is the preview's answer, said where the preview goes.
            return page.render(
                "meeting/_amendment_preview.html",
                preview=None,
                problem=Problem(problem.message, "preview"),
            )
        return refused(page, motion, problem, "preview", draft=draft)
    target = checked.target
    shown = Preview(
        part_name(
            current_text(page.session, motion),
            target.paragraph,
            target.first_line,
            target.last_line,
        ),
        word_diff(checked.original_text, checked.new_text),
        checked.new_text,
    )
    if fragment:
        return page.render("meeting/_amendment_preview.html", preview=shown, problem=None)
    return render_motion(page, motion, MotionView(draft=draft, preview=shown))


@router.post("/meetings/{meeting_id}/motions/{motion_id}/amendments")
def propose_amendment(
    meeting_id: int,
    motion_id: int,
    page: PageDep,
    form: Annotated[ClauseAmendmentForm, Form()],
    sent: PostedForm,
) -> Response:
    """Propose new wording for a clause, a paragraph or a range of lines (empty wording strikes
    them out); refused, the page comes again with the wording as typed."""
    try:
        with page.session.begin():
            motion = page.row(Motion, motion_id, meeting_id, "motion")
            number = form.propose(page.session, page.caller, motion).number
    except VecheError as refusal:
        motion = page.row(Motion, motion_id, meeting_id, "motion")
        problem = in_form_words(refusal, form, current_text(page.session, motion))
        return refused(page, motion, problem, "amendment", draft=AmendmentDraft.sent(sent))
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
    try:
        with page.session.begin():
            motion = page.row(Motion, motion_id, meeting_id, "motion")
            amendment = access_amendment(page.session, page.caller, amendment_id)
            if amendment.motion_id != motion.id:
                raise NotFound(f"motion {motion.number} has no amendment {amendment_id}")
            number = form.decide(page.session, page.caller, amendment).number
    except NotFound:
        raise
    except VecheError as refusal:
        motion = page.row(Motion, motion_id, meeting_id, "motion")
        problem = refusal
        if (
            isinstance(refusal, InvalidInput)
            and form.decision is AmendmentState.MERGED
            and form.merged_text is None
        ):
            # The action names the API's field, merged_text; the form has a box for it.
            problem = InvalidInput(
                _("Type the wording agreed with the drafters in the box, then merge.")
            )
        return refused(page, motion, problem, f"amendment-{amendment_id}")
    done = {
        AmendmentState.ACCEPTED: _("Amendment %(number)s is accepted into the text."),
        AmendmentState.MERGED: _("Amendment %(number)s is merged in the agreed wording."),
        AmendmentState.REJECTED: _("Amendment %(number)s is rejected."),
    }
    return page.redirect(
        f"/meetings/{meeting_id}/motions/{motion_id}#amendment-{number}",
        done[form.decision] % {"number": number},
    )
