"""Motions, amendments, panels and adoption through the API."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.motions import (
    access_amendment,
    do_finalize_motion,
    do_support_motion,
    do_withdraw_motion,
)
from veche.actions.panels import access_panel
from veche.actions.resolutions import do_settle_motion
from veche.models import Amendment, Motion, Recommendation
from veche.models.motions import AmendmentState, SponsorRole
from veche.queries import proceedings
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import MeetingDep, MotionDep, Transaction
from veche.web.api.types import FromAttributes, Id
from veche.web.deps import CallerDep, SessionDep
from veche.web.inputs_debate import AmendmentIn, DecisionIn
from veche.web.inputs_motions import MembersIn, MotionIn, PanelIn, RecommendationIn

router = APIRouter(tags=["motions"], responses=REFUSALS)


class VersionOut(FromAttributes):
    number: int
    text: str
    note: str


class AmendmentOut(FromAttributes):
    id: int
    motion_id: int
    number: int
    target: str
    base_version: int
    original_text: str
    new_text: str
    reason: str
    proposer_person_id: int | None
    panel_id: int | None
    state: AmendmentState
    merged_text: str | None
    result_version: int | None
    diff: str = Field(description="a unified diff: against the current version while proposed")


class RecommendationOut(FromAttributes):
    id: int
    panel_id: int
    text: str


class MotionOut(FromAttributes):
    id: int
    meeting_id: int
    number: int
    title: str
    agenda_item_id: int | None
    state: str
    submitter_body_id: int | None
    submitter_person_ids: list[int]
    supporter_person_ids: list[int]
    current_version: int
    text: str
    panel_outcome: str
    versions: list[VersionOut]
    amendments: list[AmendmentOut]
    recommendations: list[RecommendationOut]


def _amendment_out(a: Amendment, texts: dict[int, str], current: int) -> AmendmentOut:
    return AmendmentOut.read(
        a, target=proceedings.target_of(a), diff=proceedings.amendment_diff(texts, a, current)
    )


def _motion_out(session: Session, motion: Motion) -> MotionOut:
    versions = proceedings.versions(session, motion.id)
    texts = {v.number: v.text for v in versions}
    recommendations = session.scalars(
        select(Recommendation)
        .where(Recommendation.motion_id == motion.id)
        .order_by(Recommendation.id)
    )
    return MotionOut.read(
        motion,
        state=motion.state.value,
        submitter_person_ids=[
            s.person_id for s in motion.sponsors if s.role is SponsorRole.SUBMITTER
        ],
        supporter_person_ids=[
            s.person_id for s in motion.sponsors if s.role is SponsorRole.SUPPORTER
        ],
        text=texts[motion.current_version],
        versions=[VersionOut.model_validate(v) for v in versions],
        amendments=[
            _amendment_out(a, texts, motion.current_version)
            for a in proceedings.amendments(session, motion.id)
        ],
        recommendations=[RecommendationOut.model_validate(r) for r in recommendations],
    )


@router.post("/meetings/{meeting_id}/motions", status_code=201)
def submit_motion(
    meeting: MeetingDep, body: MotionIn, caller: CallerDep, session: Transaction
) -> MotionOut:
    """Submit a draft resolution or a proposal, by a body or by people, with supporters; on an
    item until its decision is taken."""
    motion = body.submit(session, caller, meeting)
    session.refresh(motion)
    return _motion_out(session, motion)


@router.get("/meetings/{meeting_id}/motions")
def list_motions(meeting: MeetingDep, session: Transaction) -> list[proceedings.MotionRow]:
    """The meeting's motions, without their text."""
    return proceedings.motions(session, meeting.id)


@router.get("/motions/{motion_id}")
def get_motion(motion: MotionDep, session: Transaction) -> MotionOut:
    """A motion with every version, its amendments as diffs, and the panels' recommendations."""
    return _motion_out(session, motion)


class SupporterIn(BaseModel):
    person_id: Id | None = Field(default=None, description="default: the caller")


@router.post("/motions/{motion_id}/supporters", status_code=201)
def support_motion(
    motion: MotionDep, caller: CallerDep, session: Transaction, body: SupporterIn | None = None
) -> MotionOut:
    body = body or SupporterIn()
    do_support_motion(session, caller, motion, body.person_id)
    session.refresh(motion)
    return _motion_out(session, motion)


@router.post("/motions/{motion_id}/amendments", status_code=201)
def propose_amendment(
    motion: MotionDep, body: AmendmentIn, caller: CallerDep, session: Transaction
) -> AmendmentOut:
    """Propose to replace a paragraph or a line range of the current version."""
    return _amendment_of(session, body.propose(session, caller, motion))


def _amendment_of(session: Session, amendment: Amendment) -> AmendmentOut:
    texts = {v.number: v.text for v in proceedings.versions(session, amendment.motion_id)}
    return _amendment_out(amendment, texts, amendment.motion.current_version)


@router.get("/amendments/{amendment_id}")
def get_amendment(amendment_id: Id, caller: CallerDep, session: SessionDep) -> AmendmentOut:
    """An amendment, with its diff against the current version (or the change it made)."""
    return _amendment_of(session, access_amendment(session, caller, amendment_id))


@router.post("/amendments/{amendment_id}/decision")
def decide_amendment(
    amendment_id: Id, body: DecisionIn, caller: CallerDep, session: Transaction
) -> AmendmentOut:
    """The drafters accept, merge (with `merged_text`) or reject an amendment."""
    amendment = access_amendment(session, caller, amendment_id)
    return _amendment_of(session, body.decide(session, caller, amendment))


class FinalIn(BaseModel):
    panel_outcome: str = Field(default="", max_length=50_000)


@router.post("/motions/{motion_id}/final")
def finalize_motion(
    motion: MotionDep, caller: CallerDep, session: Transaction, body: FinalIn | None = None
) -> MotionOut:
    """The drafting body submits the final draft, recording what the panels made of it."""
    body = body or FinalIn()
    do_finalize_motion(session, caller, motion, panel_outcome=body.panel_outcome)
    return _motion_out(session, motion)


@router.post("/motions/{motion_id}/withdraw")
def withdraw_motion(motion: MotionDep, caller: CallerDep, session: Transaction) -> MotionOut:
    do_withdraw_motion(session, caller, motion)
    return _motion_out(session, motion)


class SettleIn(BaseModel):
    effective_on: date | None = Field(default=None, description="default: the meeting's last day")


class ResolutionOut(FromAttributes):
    id: int
    meeting_id: int
    motion_id: int
    poll_id: int
    number: int
    title: str
    text: str
    result: str
    votes_yes: int
    votes_no: int
    votes_abstain: int
    effective_on: date


class SettledOut(BaseModel):
    motion_id: int
    state: str
    resolution: ResolutionOut | None


@router.post("/motions/{motion_id}/settle")
def settle_motion(
    motion: MotionDep, caller: CallerDep, session: Transaction, body: SettleIn | None = None
) -> SettledOut:
    """After the vote on a final motion closes: adopted, it becomes a numbered resolution."""
    body = body or SettleIn()
    resolution = do_settle_motion(session, caller, motion, effective_on=body.effective_on)
    return SettledOut(
        motion_id=motion.id,
        state=motion.state.value,
        resolution=ResolutionOut.model_validate(resolution) if resolution else None,
    )


class PanelOut(BaseModel):
    id: int
    meeting_id: int
    name: str
    chair_person_ids: list[int] = Field(description="in the order the panel lists its chairs")
    agenda_item_ids: list[int]
    member_person_ids: list[int]

    @classmethod
    def of(cls, row: proceedings.PanelRow) -> PanelOut:
        return cls(
            id=row.panel.id,
            meeting_id=row.panel.meeting_id,
            name=row.panel.name,
            chair_person_ids=row.chair_ids,
            agenda_item_ids=row.agenda_item_ids,
            member_person_ids=row.member_ids,
        )


def _panel_out(session: Session, meeting_id: int, panel_id: int) -> PanelOut:
    return PanelOut.of(
        next(row for row in proceedings.panels(session, meeting_id) if row.panel.id == panel_id)
    )


@router.post("/meetings/{meeting_id}/panels", status_code=201)
def create_panel(
    meeting: MeetingDep, body: PanelIn, caller: CallerDep, session: Transaction
) -> PanelOut:
    """A panel for one or more items, with members and chairs; on items until their decision
    is taken."""
    panel = body.create(session, caller, meeting)
    return _panel_out(session, meeting.id, panel.id)


@router.get("/meetings/{meeting_id}/panels")
def list_panels(meeting: MeetingDep, session: Transaction) -> list[PanelOut]:
    return [PanelOut.of(row) for row in proceedings.panels(session, meeting.id)]


@router.post("/panels/{panel_id}/members", status_code=201)
def add_panel_members(
    panel_id: Id, body: MembersIn, caller: CallerDep, session: Transaction
) -> PanelOut:
    panel = access_panel(session, caller, panel_id)
    body.add(session, caller, panel)
    return _panel_out(session, panel.meeting_id, panel.id)


@router.post("/panels/{panel_id}/recommendations", status_code=201)
def recommend(
    panel_id: Id, body: RecommendationIn, caller: CallerDep, session: Transaction
) -> RecommendationOut:
    """The panel (by its chair) advises the drafters on a draft it examined."""
    panel = access_panel(session, caller, panel_id)
    return RecommendationOut.model_validate(body.recommend(session, caller, panel))
