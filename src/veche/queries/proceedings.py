"""Reads about a meeting's proceedings: its name, participants, presidium, speakers, motions, panels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field
from sqlalchemy import Select, String, func, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from veche.actions._text import Target, apply_change, diff
from veche.errors import VecheError
from veche.models import (
    Amendment,
    Body,
    Contribution,
    Document,
    FloorRequest,
    Meeting,
    Motion,
    MotionVersion,
    Panel,
    PanelChair,
    PanelItem,
    PanelMember,
    Participant,
    Person,
    PresidiumMember,
    Sitting,
)
from veche.models.debate import FloorKind, FloorState
from veche.models.motions import AmendmentState
from veche.queries._listing import rows_of
from veche.queries.meeting_names import named_meeting
from veche.queries.org import term_label


def meeting_name(meeting: Meeting) -> str:
    """ "8th Enlarged Plenary Meeting of the 8th General Council"; "Executive Board — January
    meeting (2nd meeting of the 1st Executive Board)" (``meeting_names.named_meeting``)."""
    term = meeting.term
    return named_meeting(
        meeting.title, meeting.number, meeting.kind, term_label(term), term.body.name
    )


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """One participant as listed (slotted: a meeting may list thousands), and as the API
    answers it."""

    #: The participant's, which the pages record attendance by; not the person's. The API
    #: names participants by their person, and leaves it out.
    id: Annotated[int, Field(exclude=True)]
    person_id: int
    full_name: str
    role: str
    category: str
    office: str | None
    weight: int


def participant_rows(meeting_id: int) -> Select[int, int, str, str, str, str, int]:
    """The meeting's participants as ``ParticipantRow`` reads them, field by field: its enums
    as the text they are stored as, so that a row goes straight into ``ParticipantRow``
    without the ORM's or the enums' processing of every value."""
    return (
        select(
            Participant.id,
            Participant.person_id,
            Person.full_name,
            type_coerce(Participant.role, String),
            Participant.category,
            type_coerce(Participant.office, String),
            Participant.weight,
        )
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.meeting_id == meeting_id)
    )


def participants(
    session: Session, meeting_id: int, *, by_role: bool = False
) -> list[ParticipantRow]:
    """Everyone invited to the meeting by name, or by role first and then by name."""
    # A congress lists some 20,000: read through the connection, the rows as they come
    # (about a fifth of the time the ORM took).
    rows = session.connection().execute(
        participant_rows(meeting_id).order_by(
            *([Participant.role] if by_role else []), Person.full_name, Person.id
        )
    )
    return [ParticipantRow(*row) for row in rows]


def presidium(session: Session, meeting_id: int) -> list[PresidiumMember]:
    return rows_of(
        session,
        PresidiumMember,
        PresidiumMember.meeting_id == meeting_id,
        PresidiumMember.position,
        load=[PresidiumMember.person],
    )


def sittings(session: Session, meeting_id: int) -> list[Sitting]:
    return rows_of(
        session, Sitting, Sitting.meeting_id == meeting_id, Sitting.number, load=[Sitting.chair]
    )


def speakers_list(session: Session, item_id: int) -> list[FloorRequest]:
    """Waiting requests in speaking order: points of order first, then speeches as ordered."""
    requests = session.scalars(
        select(FloorRequest)
        .where(FloorRequest.agenda_item_id == item_id, FloorRequest.state == FloorState.WAITING)
        .options(selectinload(FloorRequest.person))
    ).all()
    return sorted(requests, key=lambda r: (r.kind is not FloorKind.POINT_OF_ORDER, r.position))


def contributions(session: Session, item_id: int) -> list[Contribution]:
    return rows_of(
        session,
        Contribution,
        Contribution.agenda_item_id == item_id,
        Contribution.position,
        load=[Contribution.speaker, Contribution.on_behalf_of],
    )


def documents(session: Session, meeting_id: int) -> list[Document]:
    return rows_of(session, Document, Document.meeting_id == meeting_id, Document.id)


@dataclass(frozen=True)
class MotionRow:
    """A motion as listed: no text, just what identifies it and how far it has come."""

    id: int
    number: int
    title: str
    agenda_item_id: int | None
    state: str
    submitter_body: str | None
    current_version: int
    amendments: int


def motions(session: Session, meeting_id: int) -> list[MotionRow]:
    """Every motion of a meeting in one query, with its count of amendments."""
    amendment_counts = (
        select(Amendment.motion_id, func.count().label("n"))
        .group_by(Amendment.motion_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Motion.id,
            Motion.number,
            Motion.title,
            Motion.agenda_item_id,
            Motion.state,
            Body.name,
            Motion.current_version,
            func.coalesce(amendment_counts.c.n, 0),
        )
        .outerjoin(Body, Body.id == Motion.submitter_body_id)
        .outerjoin(amendment_counts, amendment_counts.c.motion_id == Motion.id)
        .where(Motion.meeting_id == meeting_id)
        .order_by(Motion.number)
    ).all()
    return [MotionRow(r[0], r[1], r[2], r[3], r[4].value, r[5], r[6], int(r[7])) for r in rows]


def versions(session: Session, motion_id: int) -> list[MotionVersion]:
    return rows_of(
        session, MotionVersion, MotionVersion.motion_id == motion_id, MotionVersion.number
    )


def amendments(session: Session, motion_id: int) -> list[Amendment]:
    return rows_of(
        session,
        Amendment,
        Amendment.motion_id == motion_id,
        Amendment.number,
        load=[Amendment.proposer, Amendment.panel],
    )


def amendment_diff(texts: dict[int, str], amendment: Amendment, current_version: int) -> str:
    """The amendment as a diff: for a proposal, against the current version; once applied, the
    change it made; once rejected, against the version it was proposed to."""
    if amendment.result_version is not None:
        before, after = (
            texts[amendment.result_version - 1],
            texts[amendment.result_version],
        )
        return diff(
            before,
            after,
            f"version {amendment.result_version - 1}",
            f"version {amendment.result_version}",
        )
    base = current_version if amendment.state is AmendmentState.PROPOSED else amendment.base_version
    try:
        changed = _applied(texts[base], amendment, on_its_version=base == amendment.base_version)
    except VecheError:
        base = amendment.base_version
        changed = _applied(texts[base], amendment, on_its_version=True)
    return diff(texts[base], changed, f"version {base}", f"amendment {amendment.number}")


def _applied(text: str, amendment: Amendment, *, on_its_version: bool) -> str:
    at = part_amended(amendment) if on_its_version else None
    return apply_change(text, amendment.original_text, amendment.new_text, at=at)


def part_amended(amendment: Amendment) -> Target:
    """The part of the version it was proposed to that an amendment changes."""
    return Target(amendment.paragraph, amendment.first_line, amendment.last_line)


def target_of(amendment: Amendment) -> str:
    return part_amended(amendment).describe()


@dataclass(frozen=True)
class PanelRow:
    panel: Panel
    agenda_item_ids: list[int]
    member_ids: list[int]
    #: Its chairs, in the order the panel lists them.
    chair_ids: list[int]


def panels(session: Session, meeting_id: int) -> list[PanelRow]:
    found = session.scalars(
        select(Panel).where(Panel.meeting_id == meeting_id).order_by(Panel.id)
    ).all()
    ids = [panel.id for panel in found]
    items: dict[int, list[int]] = {i: [] for i in ids}
    members: dict[int, list[int]] = {i: [] for i in ids}
    chairs: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for panel_id, person_id in session.execute(
            select(PanelChair.panel_id, PanelChair.person_id)
            .where(PanelChair.panel_id.in_(ids))
            .order_by(PanelChair.position)
        ):
            chairs[panel_id].append(person_id)
        for panel_id, item_id in session.execute(
            select(PanelItem.panel_id, PanelItem.agenda_item_id)
            .where(PanelItem.panel_id.in_(ids))
            .order_by(PanelItem.agenda_item_id)
        ):
            items[panel_id].append(item_id)
        for panel_id, person_id in session.execute(
            select(PanelMember.panel_id, PanelMember.person_id)
            .where(PanelMember.panel_id.in_(ids))
            .order_by(PanelMember.person_id)
        ):
            members[panel_id].append(person_id)
    return [
        PanelRow(panel, items[panel.id], members[panel.id], chairs[panel.id]) for panel in found
    ]
