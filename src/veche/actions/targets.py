"""Targets per indicator, unit and period, cascading down the unit tree, and their checks.

For an indicator rolled up by ``sum`` the targets of a unit's children for a period must not
add up to more than the unit's own: such a target is refused (422); adding up to less is
answered with a warning (``veche.follow_up.cascade`` says why). A frozen period's targets
stay as they were frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from veche.actions._follow_up import row_of, working_organization
from veche.actions.access import Caller
from veche.actions.indicators import check_value
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict, InvalidInput
from veche.follow_up.cascade import CascadeCheck, Neighbours, check_cascade
from veche.models import Indicator, IndicatorTarget, ReportingPeriod, Unit
from veche.models.follow_up import Direction, PeriodState, RollupRule
from veche.permissions import Permission


@dataclass(frozen=True)
class TargetSet:
    """A target as set, and what the cascade warns of."""

    target: IndicatorTarget
    warnings: list[str] = field(default_factory=list)


def check_target_row(session: Session, caller: Caller, target_id: int) -> IndicatorTarget:
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    return row_of(session, organization, IndicatorTarget, target_id, "target")


def check_not_frozen(period: ReportingPeriod, doing: str) -> None:
    if period.state is PeriodState.FROZEN:
        raise Conflict(f"cannot {doing}: period {period.name} is frozen, its figures are final")


def _neighbours(
    session: Session, indicator: Indicator, period: ReportingPeriod, unit: Unit
) -> Neighbours:
    """The targets around ``unit``'s for the indicator and period, in one query: its
    parent's, and those of the units under its parent and under itself."""
    parents = [unit.id] if unit.parent_id is None else [unit.id, unit.parent_id]
    near: ColumnElement[bool] = Unit.parent_id.in_(parents)
    if unit.parent_id is not None:
        near = near | (Unit.id == unit.parent_id)
    rows = session.execute(
        select(Unit.id, Unit.parent_id, Unit.name, IndicatorTarget.value)
        .join(IndicatorTarget, IndicatorTarget.unit_id == Unit.id)
        .where(
            IndicatorTarget.indicator_id == indicator.id,
            IndicatorTarget.period_id == period.id,
            near,
        )
    ).all()
    parent = next((row for row in rows if row.id == unit.parent_id), None)
    return Neighbours(
        parent_name=parent.name if parent is not None else None,
        parent=parent.value if parent is not None else None,
        siblings=[
            row.value
            for row in rows
            if parent is not None and row.parent_id == parent.id and row.id != unit.id
        ],
        children=[row.value for row in rows if row.parent_id == unit.id],
    )


def _check_side_of_baseline(
    indicator: Indicator, value: Decimal, baseline: Decimal | None, unit: str
) -> None:
    """A unit's target lies the way the indicator goes from where the unit starts, or there
    (holding steady): its own baseline, or else the indicator's — but a part of a sum starts
    from no part of the whole's baseline, so there only a baseline of its own is a start to
    check against."""
    start = baseline
    if start is None and indicator.rollup is not RollupRule.SUM:
        start = indicator.baseline_value
    if start is None:
        return
    rises = indicator.direction is Direction.UP
    if (value < start) if rises else (value > start):
        whose = "its own" if baseline is not None else "the indicator's"
        raise InvalidInput(
            f"indicator {indicator.name} should {'rise' if rises else 'fall'}: {unit}'s target "
            f"may not be {'below' if rises else 'above'} {whose} baseline ({start}): {value}"
        )


def do_set_target(
    session: Session,
    caller: Caller,
    indicator: Indicator,
    *,
    unit_id: int,
    period_id: int,
    value: Decimal,
    baseline: Decimal | None = None,
) -> TargetSet:
    """Set (or change) where the indicator should stand in a unit at the end of a period, and
    where the unit starts from (none: the indicator's baseline)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    unit = row_of(session, organization, Unit, unit_id, "unit")
    period = row_of(session, organization, ReportingPeriod, period_id, "period")
    check_not_frozen(period, f"set a target for period {period.name}")
    if indicator.direction is Direction.WITHIN:
        raise InvalidInput(
            f"indicator {indicator.id} stays within a band, which it sets for every unit; "
            "targets per unit are for indicators going up or down"
        )
    value = check_value(indicator, value, "the target")
    if baseline is not None:
        baseline = check_value(indicator, baseline, "the unit's baseline")
    _check_side_of_baseline(indicator, value, baseline, unit.name)
    cascade = CascadeCheck()
    if indicator.rollup is RollupRule.SUM:
        # One target of the indicator at a time: two branches' targets set at the same moment
        # would each fit what is left of their region's, and together exceed it.
        session.execute(select(Indicator.id).where(Indicator.id == indicator.id).with_for_update())
        cascade = check_cascade(unit.name, value, _neighbours(session, indicator, period, unit))
        if cascade.refusal is not None:
            raise InvalidInput(cascade.refusal)
    target = session.scalar(
        select(IndicatorTarget).where(
            IndicatorTarget.indicator_id == indicator.id,
            IndicatorTarget.period_id == period.id,
            IndicatorTarget.unit_id == unit.id,
        )
    )
    if target is None:
        target = IndicatorTarget(indicator_id=indicator.id, period_id=period.id, unit_id=unit.id)
        session.add(target)
    target.value = value
    target.baseline = baseline
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SET_TARGET,
        {
            "target_id": target.id,
            "indicator_id": indicator.id,
            "unit_id": unit.id,
            "period_id": period.id,
            "value": value,
            "baseline": baseline,
        },
    )
    return TargetSet(target, cascade.warnings)


def do_remove_target(session: Session, caller: Caller, target: IndicatorTarget) -> None:
    """Take a target back (the unit's progress is then read against the indicator's own)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    period = row_of(session, organization, ReportingPeriod, target.period_id, "period")
    check_not_frozen(period, f"remove a target of period {period.name}")
    session.delete(target)
    session.flush()
    record(session, caller.actor, JournalAction.REMOVE_TARGET, {"target_id": target.id})
