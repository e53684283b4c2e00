"""What the follow-up's actions share: the organization a caller works in, its rows by id,
and figures, texts and reasons checked the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veche.actions.access import Caller, Row, authorize, caller_organization, stored_row
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import InvalidInput, NotFound
from veche.models import (
    Body,
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorTarget,
    Organization,
    Person,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
    Resolution,
    Term,
    Unit,
)
from veche.models.follow_up import FIGURE_DIGITS, FIGURE_PLACES, FIGURE_STEP
from veche.permissions import Permission
from veche.queries.org import in_meeting_body

#: The largest figure a column holds (``veche.models.follow_up.Figure``).
LARGEST_FIGURE = Decimal(10) ** (FIGURE_DIGITS - FIGURE_PLACES) - FIGURE_STEP
#: How long a description, a reason or a narrative may be.
MAX_TEXT = 20_000


def working_organization(session: Session, caller: Caller, permission: Permission) -> Organization:
    """The caller's organization, once they hold ``permission`` in it: asked before any row
    is read, so that a refusal never depends on the ids named."""
    organization = caller_organization(session, caller)
    authorize(session, caller, permission, organization.id)
    return organization


def _resolution_organization(session: Session, resolution: Resolution) -> int | None:
    return session.scalar(in_meeting_body(select(Body.organization_id), resolution.meeting_id))


def _unit_organization(session: Session, unit_id: int) -> int | None:
    return session.scalar(select(Unit.organization_id).where(Unit.id == unit_id))


#: How each kind of row tells the organization it belongs to.
_ORGANIZATION_OF: dict[type[Any], Callable[[Session, Any], int | None]] = {
    Body: lambda _session, body: body.organization_id,
    Person: lambda _session, person: person.organization_id,
    Unit: lambda _session, unit: unit.organization_id,
    Term: lambda _session, term: term.body.organization_id,
    Resolution: _resolution_organization,
    Goal: lambda _session, goal: goal.owner_body.organization_id,
    Indicator: lambda _session, indicator: indicator.goal.owner_body.organization_id,
    GoalAssignment: lambda session, assignment: _unit_organization(session, assignment.unit_id),
    IndicatorTarget: lambda session, target: _unit_organization(session, target.unit_id),
    ProgressReport: lambda session, report: _unit_organization(session, report.unit_id),
    ReportingCycle: lambda _session, cycle: cycle.term.body.organization_id,
    ReportingPeriod: lambda _session, period: period.cycle.term.body.organization_id,
}


def row_of(
    session: Session,
    organization: Organization,
    model: type[Row],
    row_id: int,
    what: str,
    *,
    lock: bool = False,
) -> Row:
    """A row of the organization by its id; 404 for none, or another organization's."""
    row = stored_row(session, model, row_id, lock=lock)
    if row is None or _ORGANIZATION_OF[model](session, row) != organization.id:
        raise NotFound(f"there is no {what} {row_id}")
    return row


def optional_row_of(
    session: Session, organization: Organization, model: type[Row], row_id: int | None, what: str
) -> Row | None:
    return None if row_id is None else row_of(session, organization, model, row_id, what)


def journal_change(
    session: Session,
    caller: Caller,
    row: Any,
    fields: dict[str, Any],
    action: JournalAction,
    **ids: int,
) -> None:
    """Set ``fields`` on ``row`` and journal ``action`` with them, after the ``ids`` that
    name the row (``goal_id=7``)."""
    for name, value in fields.items():
        setattr(row, name, value)
    session.flush()
    record(session, caller.actor, action, {**ids, **fields})


def check_figure(value: Decimal, what: str) -> Decimal:
    """A figure as stored: at most four places, and no larger than a column holds."""
    if not value.is_finite():
        raise InvalidInput(f"{what} must be a number, not {value}")
    exact = value.quantize(FIGURE_STEP) if abs(value) <= LARGEST_FIGURE else None
    if exact is None or exact != value:
        raise InvalidInput(
            f"{what} ({value}) must have at most {FIGURE_PLACES} decimal places and lie "
            f"between -{LARGEST_FIGURE} and {LARGEST_FIGURE}"
        )
    return exact


def check_positive(value: Decimal, what: str) -> Decimal:
    exact = check_figure(value, what)
    if exact <= 0:
        raise InvalidInput(f"{what} must be above 0, not {value}")
    return exact


def check_text(value: str, what: str) -> str:
    """A longer text (Markdown), kept as written but for the blank ends."""
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{what} is longer than {MAX_TEXT} characters")
    return text


def count_of(session: Session, column: Any, *where: Any) -> int:
    """How many rows hold ``column`` where ``where`` says."""
    return session.scalar(select(func.count(column)).where(*where)) or 0


def what_depends(parts: list[tuple[int, str]]) -> str:
    """The records counted that keep a row from being deleted, in words ("2 sub-goals,
    1 indicator"); the kinds counted none are left out."""
    return ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in parts if n)
