"""Motions and draft resolutions: versioned text, submitters, supporters, amendments, the final draft."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._clauses import find_clause
from veche.actions._numbering import next_number
from veche.actions._text import Target, apply_change, check_target, normalize
from veche.actions.access import (
    Caller,
    access_row,
    authorize,
    holds,
    meeting_row,
    participant_of,
    person_holds,
    refusal,
    with_article,
)
from veche.actions.agenda import check_item_takes_drafts
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_body_of, check_not_closed
from veche.actions.org import check_name
from veche.actions.panels import check_panel_examines, require_panel_chair
from veche.actions.participants import participant_in
from veche.errors import Conflict, Forbidden, InvalidInput, NotFound
from veche.models import AgendaItem, Amendment, Meeting, Motion, MotionSponsor, MotionVersion, Panel
from veche.models.motions import MOTION_TRANSITIONS, AmendmentState, MotionState, SponsorRole
from veche.permissions import Permission
from veche.queries.proceedings import part_amended

MAX_TEXT = 200_000


def access_motion(session: Session, caller: Caller, motion_id: int) -> Motion:
    return access_row(session, caller, Motion, motion_id, "motion")


def access_amendment(session: Session, caller: Caller, amendment_id: int) -> Amendment:
    amendment = session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(f"there is no amendment {amendment_id}")
    access_motion(session, caller, amendment.motion_id)
    return amendment


def current_text(session: Session, motion: Motion) -> str:
    version = session.scalar(
        select(MotionVersion.text).where(
            MotionVersion.motion_id == motion.id, MotionVersion.number == motion.current_version
        )
    )
    return version or ""


def text_sha256(text: str) -> str:
    """What the journal keeps of a motion's or a resolution's text, so that ``veche verify``
    finds it rewritten (``verify_texts``): its SHA-256, never the text itself."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_text(text: str) -> str:
    if not text.strip():
        raise InvalidInput("the motion's text must not be empty")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"the motion's text is longer than {MAX_TEXT} characters")
    return normalize(text)


def _check_draft(motion: Motion, doing: str) -> None:
    if motion.state is not MotionState.DRAFT:
        raise Conflict(
            f"cannot {doing} motion {motion.number}: it is {motion.state.value}, not a draft"
        )


@dataclass(frozen=True)
class MotionSpec:
    """A motion as submitted: its title, text, item, and who submits and supports it."""

    title: str
    text: str
    agenda_item_id: int | None = None
    submitter_body_id: int | None = None
    submitter_person_ids: tuple[int, ...] = ()
    supporter_person_ids: tuple[int, ...] = ()


def _check_own_motion(session: Session, caller: Caller, meeting: Meeting, spec: MotionSpec) -> None:
    """One who does not manage the meeting's motions submits one in their own name alone, with
    the right a delegate's proposals need (``amendment.propose``): others add their names as
    supporters themselves (``do_support_motion``), and a body's motion, or a paper one signed
    by several, is recorded by the chair or the secretary."""
    if caller.person_id is None or list(spec.submitter_person_ids) != [caller.person_id]:
        raise Forbidden(
            "submit a motion in your own name alone, or through the chair or secretary, who "
            "record a motion of a body or of several people"
        )
    if spec.supporter_person_ids:
        raise Forbidden(
            "name no supporters: each supporter adds their own name to the draft once it is "
            "submitted; the chair or secretary records those of a motion on paper"
        )
    if spec.submitter_body_id is not None:
        raise Forbidden("a body's motion is submitted through the chair or secretary")
    if not holds(session, caller, Permission.AMENDMENT_PROPOSE, meeting.id):
        raise Forbidden(
            "a motion in one's own name needs the right to propose amendments: "
            + refusal(session, Permission.AMENDMENT_PROPOSE, meeting.id)
        )


#: The refusal of a motion that names no one who submits it (the drafts page says it in the
#: words of its form).
NO_SUBMITTER = "a motion is submitted by a body or by people; name one"


def do_submit_motion(
    session: Session, caller: Caller, meeting: Meeting, spec: MotionSpec
) -> Motion:
    """Submit a draft on an item: by a body (through the secretary) or by participants themselves."""
    check_not_closed(meeting, "submit a motion")
    if not holds(session, caller, Permission.MOTIONS_MANAGE, meeting.id):
        _check_own_motion(session, caller, meeting, spec)
    title = check_name(spec.title, "the motion's title", max_length=500)
    text = _check_text(spec.text)
    body = check_body_of(session, meeting, spec.submitter_body_id)
    if body is None and not spec.submitter_person_ids:
        raise InvalidInput(NO_SUBMITTER)
    people = list(spec.submitter_person_ids) + list(spec.supporter_person_ids)
    if len(set(people)) != len(people):
        raise InvalidInput("a person is named twice among submitters and supporters")
    for person_id in people:
        participant_in(session, meeting, person_id)
    if spec.agenda_item_id is not None:
        item = meeting_row(session, AgendaItem, spec.agenda_item_id, meeting.id, "agenda item")
        check_item_takes_drafts(
            session,
            item,
            "submit a motion",
            "drafts come before the item's vote: submit this one on another item, or on none",
        )
    number = next_number(session, Motion.number, Motion.meeting_id == meeting.id)
    motion = Motion(
        meeting_id=meeting.id,
        agenda_item_id=spec.agenda_item_id,
        number=number,
        title=title,
        submitter_body_id=body.id if body else None,
        state=MotionState.DRAFT,
        current_version=1,
    )
    session.add(motion)
    session.flush()
    session.add(MotionVersion(motion_id=motion.id, number=1, text=text, note="as submitted"))
    for position, person_id in enumerate(people, start=1):
        role = (
            SponsorRole.SUBMITTER
            if position <= len(spec.submitter_person_ids)
            else SponsorRole.SUPPORTER
        )
        session.add(
            MotionSponsor(motion_id=motion.id, person_id=person_id, role=role, position=position)
        )
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SUBMIT_MOTION,
        {
            "meeting_id": meeting.id,
            "motion_id": motion.id,
            "number": number,
            "title": title,
            "agenda_item_id": spec.agenda_item_id,
            "submitter_body_id": motion.submitter_body_id,
            "submitter_person_ids": list(spec.submitter_person_ids),
            "supporter_person_ids": list(spec.supporter_person_ids),
            "text_sha256": text_sha256(text),
        },
    )
    queue_event(session, meeting.id, LiveEventType.MOTION_SUBMITTED, motion_id=motion.id)
    return motion


def do_support_motion(
    session: Session, caller: Caller, motion: Motion, person_id: int | None = None
) -> MotionSponsor:
    """Add one's name (or, for the secretary, someone's) to a draft's supporters."""
    supporter = person_id if person_id is not None else caller.person_id
    if supporter is None:
        raise InvalidInput("say who supports the motion with person_id")
    if supporter != caller.person_id:
        authorize(session, caller, Permission.MOTIONS_MANAGE, motion.meeting_id)
    _check_draft(motion, "support")
    participant_in(session, motion.meeting, supporter)
    if session.get(MotionSponsor, (motion.id, supporter)) is not None:
        raise Conflict(f"person {supporter} already submits or supports motion {motion.number}")
    position = len(motion.sponsors) + 1
    sponsor = MotionSponsor(
        motion_id=motion.id, person_id=supporter, role=SponsorRole.SUPPORTER, position=position
    )
    session.add(sponsor)
    session.flush()
    journal_motion_change(
        session, caller, motion, JournalAction.SUPPORT_MOTION, person_id=supporter
    )
    return sponsor


def journal_motion_change(
    session: Session, caller: Caller, motion: Motion, action: JournalAction, **details: object
) -> None:
    """Journal a change to a motion (its id, then ``details``) and tell the pages it changed."""
    record(session, caller.actor, action, {"motion_id": motion.id, **details})
    queue_event(session, motion.meeting_id, LiveEventType.MOTION_CHANGED, motion_id=motion.id)


@dataclass(frozen=True)
class AmendmentSpec:
    """An amendment: which part of the current text (a paragraph, lines, or a clause by the
    number the text gives it), the new wording, who proposes it and why."""

    target: Target
    new_text: str
    reason: str = ""
    proposer_person_id: int | None = None
    panel_id: int | None = None
    clause: str | None = None


def amendment_target(text: str, spec: AmendmentSpec) -> tuple[Target, str]:
    """The part of ``text`` the amendment names, and its name: a clause named by its number
    is the lines it spans now."""
    if spec.clause is None:
        return spec.target, spec.target.describe()
    if spec.target.paragraph is not None or spec.target.first_line is not None:
        raise InvalidInput("name a clause, a paragraph or lines to amend: one of them, not more")
    clause = find_clause(text, spec.clause)
    return Target(first_line=clause.first_line, last_line=clause.last_line), (
        f"clause {clause.label}"
    )


def check_proposer(
    session: Session, caller: Caller, meeting: Meeting, person_id: int | None
) -> None:
    """Amendments are proposed in one's own name by the meeting's members and alternates.

    A caller proposing in their own name holds what their account is granted too, and is
    refused (403) without the permission before being told they take no part; a person named
    by someone else holds what they are granted themselves."""
    participant = participant_of(session, meeting.id, person_id)
    not_taking_part = InvalidInput(
        f"person {person_id} is not a participant of meeting {meeting.id}"
    )
    if caller.person_id == person_id:
        proposes = holds(session, caller, Permission.AMENDMENT_PROPOSE, meeting.id)
    elif participant is None:
        raise not_taking_part
    else:
        proposes = person_holds(
            session, participant.person_id, Permission.AMENDMENT_PROPOSE, meeting.id
        )
    if not proposes:
        seat = (
            f"person {person_id} attends meeting {meeting.id} as "
            f"{with_article(participant.role.value)}: "
            if participant is not None
            else ""
        )
        raise Forbidden(seat + refusal(session, Permission.AMENDMENT_PROPOSE, meeting.id))
    if participant is None:
        raise not_taking_part


@dataclass(frozen=True)
class CheckedAmendment:
    """An amendment that may be proposed: the part it changes, by its name, and the wording."""

    target: Target
    #: "clause 2.", "paragraph 3", "lines 4–5".
    described: str
    original_text: str
    new_text: str
    proposer_person_id: int | None


def check_amendment(
    session: Session, caller: Caller, motion: Motion, spec: AmendmentSpec
) -> CheckedAmendment:
    """Whether the amendment may be proposed, as it stands (a preview asks, changing nothing)."""
    meeting = motion.meeting
    proposer = spec.proposer_person_id
    if spec.panel_id is not None:
        panel = meeting_row(session, Panel, spec.panel_id, meeting.id, "panel")
        require_panel_chair(session, caller, panel)
        check_panel_examines(session, panel, motion)
    else:
        proposer = proposer if proposer is not None else caller.person_id
        if proposer != caller.person_id or proposer is None:
            # Only those who manage motions name another proposer (an account without a
            # person of its own always names one): the others are refused before being asked.
            authorize(session, caller, Permission.MOTIONS_MANAGE, meeting.id)
        if proposer is None:
            raise InvalidInput("say who proposes the amendment with proposer_person_id or panel_id")
        check_proposer(session, caller, meeting, proposer)
    check_not_closed(meeting, "propose an amendment")
    _check_draft(motion, "amend")
    text = current_text(session, motion)
    target, described = amendment_target(text, spec)
    original = check_target(text, target)
    new_text = _wording(spec.new_text)
    if len(new_text) > MAX_TEXT:
        raise InvalidInput(f"the new text is longer than {MAX_TEXT} characters")
    if normalize(new_text) == normalize(original):
        # A clause's name ends as its number does ("clause 2."), which ends no sentence here.
        raise InvalidInput(
            f"the new text is the same as {described.rstrip('.')}; it changes nothing"
        )
    return CheckedAmendment(target, described, original, new_text, proposer)


def _wording(text: str) -> str:
    """An amendment's wording as proposed or merged, without the blank lines around it; one
    of nothing but white space is empty: it strikes the part out."""
    return text.strip("\n") if text.strip() else ""


def do_propose_amendment(
    session: Session, caller: Caller, motion: Motion, spec: AmendmentSpec
) -> Amendment:
    """Propose replacing a clause, a paragraph or a line range of the draft (an empty text
    deletes it)."""
    checked = check_amendment(session, caller, motion, spec)
    target = checked.target
    number = next_number(session, Amendment.number, Amendment.motion_id == motion.id)
    amendment = Amendment(
        motion_id=motion.id,
        number=number,
        base_version=motion.current_version,
        paragraph=target.paragraph,
        first_line=target.first_line,
        last_line=target.last_line if target.last_line is not None else target.first_line,
        original_text=checked.original_text,
        new_text=checked.new_text,
        reason=spec.reason.strip(),
        proposer_person_id=checked.proposer_person_id,
        panel_id=spec.panel_id,
        state=AmendmentState.PROPOSED,
    )
    session.add(amendment)
    session.flush()
    journal_motion_change(
        session,
        caller,
        motion,
        JournalAction.PROPOSE_AMENDMENT,
        amendment_id=amendment.id,
        number=number,
        target=checked.described,
        base_version=amendment.base_version,
        proposer_person_id=checked.proposer_person_id,
        panel_id=spec.panel_id,
    )
    return amendment


def do_decide_amendment(
    session: Session,
    caller: Caller,
    amendment: Amendment,
    decision: AmendmentState,
    *,
    merged_text: str | None = None,
) -> Amendment:
    """The drafters accept an amendment, merge it in an agreed wording, or reject it.

    Accepting or merging makes a new version of the motion's text.
    """
    motion = amendment.motion
    authorize(session, caller, Permission.MOTIONS_MANAGE, motion.meeting_id)
    check_not_closed(motion.meeting, "decide an amendment")
    if decision is AmendmentState.PROPOSED:
        raise InvalidInput("decide an amendment as accepted, merged or rejected")
    if amendment.state is not AmendmentState.PROPOSED:
        raise Conflict(f"amendment {amendment.number} was {amendment.state.value} already")
    _check_draft(motion, "amend")
    if decision is AmendmentState.MERGED and merged_text is None:
        raise InvalidInput("a merged amendment needs merged_text: the wording agreed")
    if decision is not AmendmentState.MERGED and merged_text is not None:
        raise InvalidInput("merged_text belongs to a merged amendment only")
    amendment.state = decision
    if decision is not AmendmentState.REJECTED:
        wording = amendment.new_text if merged_text is None else _wording(merged_text)
        on_its_version = amendment.base_version == motion.current_version
        new_text = apply_change(
            current_text(session, motion),
            amendment.original_text,
            wording,
            at=part_amended(amendment) if on_its_version else None,
        )
        motion.current_version += 1
        session.add(
            MotionVersion(
                motion_id=motion.id,
                number=motion.current_version,
                text=new_text,
                note=f"amendment {amendment.number} {decision.value}",
            )
        )
        amendment.merged_text = _wording(merged_text) if merged_text is not None else None
        amendment.result_version = motion.current_version
        made = {"text_sha256": text_sha256(new_text)}
    else:
        made = {}
    session.flush()
    journal_motion_change(
        session,
        caller,
        motion,
        JournalAction.DECIDE_AMENDMENT,
        amendment_id=amendment.id,
        decision=decision,
        result_version=amendment.result_version,
        **made,
    )
    return amendment


def do_finalize_motion(
    session: Session, caller: Caller, motion: Motion, *, panel_outcome: str = ""
) -> Motion:
    """The drafting body submits the final draft, with what the panels made of it; the text freezes."""
    authorize(session, caller, Permission.MOTIONS_MANAGE, motion.meeting_id)
    check_not_closed(motion.meeting, "submit a final draft")
    MOTION_TRANSITIONS.check_step(motion.state, MotionState.FINAL, f"motion {motion.number}")
    pending = session.scalars(
        select(Amendment.number).where(
            Amendment.motion_id == motion.id, Amendment.state == AmendmentState.PROPOSED
        )
    ).all()
    if pending:
        raise Conflict(
            f"decide amendment(s) {', '.join(str(n) for n in pending)} "
            f"of motion {motion.number} before submitting the final draft"
        )
    text = current_text(session, motion)
    if not text.strip():
        # As a motion is never submitted without a text, none is put to the vote without one.
        raise Conflict(
            f"motion {motion.number} has no text left after its amendments: amend it to a "
            "text, or withdraw it"
        )
    motion.state = MotionState.FINAL
    motion.panel_outcome = panel_outcome.strip()
    journal_motion_change(
        session,
        caller,
        motion,
        JournalAction.FINALIZE_MOTION,
        version=motion.current_version,
        panel_outcome=motion.panel_outcome,
        text_sha256=text_sha256(text),
    )
    return motion


def do_withdraw_motion(session: Session, caller: Caller, motion: Motion) -> Motion:
    """Its submitters (through the secretary) withdraw a motion not yet voted on, while the
    meeting may still record it: a closed meeting's record is its minutes'."""
    authorize(session, caller, Permission.MOTIONS_MANAGE, motion.meeting_id)
    check_not_closed(motion.meeting, f"withdraw motion {motion.number}")
    MOTION_TRANSITIONS.check_step(motion.state, MotionState.WITHDRAWN, f"motion {motion.number}")
    motion.state = MotionState.WITHDRAWN
    journal_motion_change(session, caller, motion, JournalAction.WITHDRAW_MOTION)
    return motion
