"""Reads about the organization: bodies with their current terms, people, units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from veche.errors import NotFound
from veche.models import Body, Meeting, Membership, Organization, Term
from veche.models.org import MembershipRole
from veche.queries._listing import Columns


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def in_meeting_body(query: Select[*Columns], meeting_id: int) -> Select[*Columns]:
    """``query``, which reads ``Body``, narrowed to the body of the term a meeting sits in."""
    return (
        query.join(Term, Term.body_id == Body.id)
        .join(Meeting, Meeting.term_id == Term.id)
        .where(Meeting.id == meeting_id)
    )


def term_label(term: Term) -> str:
    """How a term is named: "the 8th Executive Board"."""
    return f"{ordinal(term.number)} {term.body.name}"


@dataclass(frozen=True)
class TermSummary:
    id: int
    number: int
    label: str
    starts_on: date
    ends_on: date | None
    members: int
    alternates: int


@dataclass(frozen=True)
class BodySummary:
    id: int
    name: str
    parent_name: str | None
    description: str
    current_term: TermSummary | None


#: What a database without an organization answers, naming the ways to make one.
NO_ORGANIZATION = (
    "there is no organization yet: set one up with `veche init` or on the set-up page "
    "(/setup), or load the fictional demo with `veche demo`"
)


def get_organization(session: Session, organization_id: int | None = None) -> Organization:
    """The organization by id, or the first one when veche serves a single organization."""
    query = select(Organization).order_by(Organization.id)
    if organization_id is not None:
        query = query.where(Organization.id == organization_id)
    organization = session.scalar(query.limit(1))
    if organization is None and organization_id is not None:
        raise NotFound(f"there is no organization {organization_id}")
    if organization is None:
        raise NotFound(NO_ORGANIZATION)
    return organization


def current_term(terms: list[Term], today: date) -> Term | None:
    """The term in force on ``today``; failing that, the newest that has started, or the first."""
    started = [t for t in terms if t.starts_on <= today]
    in_force = [t for t in started if t.ends_on is None or t.ends_on >= today]
    candidates = in_force or started or terms[:1]
    return max(candidates, key=lambda t: t.number) if candidates else None


def list_bodies(session: Session, organization: Organization, today: date) -> list[BodySummary]:
    """Every body of the organization with its current term and seat counts."""
    bodies = session.scalars(
        select(Body)
        .where(Body.organization_id == organization.id)
        .options(selectinload(Body.terms), selectinload(Body.parent))
        .order_by(Body.id)
    ).all()
    chosen = {body.id: current_term(list(body.terms), today) for body in bodies}
    seat_counts = _seat_counts(session, [t.id for t in chosen.values() if t is not None])
    summaries = []
    for body in bodies:
        term = chosen[body.id]
        term_summary = None
        if term is not None:
            counts = seat_counts.get(term.id, {})
            term_summary = TermSummary(
                id=term.id,
                number=term.number,
                label=f"{ordinal(term.number)} {body.name}",
                starts_on=term.starts_on,
                ends_on=term.ends_on,
                members=counts.get(MembershipRole.MEMBER, 0),
                alternates=counts.get(MembershipRole.ALTERNATE, 0),
            )
        summaries.append(
            BodySummary(
                id=body.id,
                name=body.name,
                parent_name=body.parent.name if body.parent else None,
                description=body.description,
                current_term=term_summary,
            )
        )
    return summaries


def _seat_counts(session: Session, term_ids: list[int]) -> dict[int, dict[MembershipRole, int]]:
    if not term_ids:
        return {}
    rows = session.execute(
        select(Membership.term_id, Membership.role, func.count())
        .where(Membership.term_id.in_(term_ids))
        .group_by(Membership.term_id, Membership.role)
    ).all()
    counts: dict[int, dict[MembershipRole, int]] = {}
    for term_id, role, number in rows:
        counts.setdefault(term_id, {})[role] = number
    return counts
