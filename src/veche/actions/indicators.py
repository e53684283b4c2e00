"""The indicators that measure a goal: what each measures, its baseline, its target or band,
how it rolls up the unit tree, and the weights of the units' figures. Each change asks for
``follow_up.manage`` in the organization before it reads the rows it names, and is journaled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from veche.actions._follow_up import (
    check_figure,
    check_positive,
    count_of,
    journal_change,
    row_of,
    what_depends,
    working_organization,
)
from veche.actions._numbering import next_number
from veche.actions.access import Caller
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import check_name
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import Goal, Indicator, IndicatorTarget, IndicatorWeight, ReportValue, Unit
from veche.models.follow_up import Direction, Measure, RollupRule
from veche.permissions import Permission

#: The rule an indicator rolls up by when none is named: amounts and counts add up, percents
#: are averaged, and milestones count the units that reached them.
DEFAULT_ROLLUP = {
    Measure.COUNT: RollupRule.SUM,
    Measure.AMOUNT: RollupRule.SUM,
    Measure.PERCENT: RollupRule.MEAN,
    Measure.MILESTONE: RollupRule.SHARE_ON_TARGET,
}


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator measures and where it should go. For a yes/no milestone the
    baseline is 0 and the target 1; an indicator that stays within a band takes its band
    (``band_low``, ``band_high``) instead of a target."""

    name: str
    measure: Measure
    direction: Direction = Direction.UP
    unit_label: str = ""
    baseline_value: Decimal = Decimal(0)
    baseline_on: date | None = None
    target_value: Decimal | None = None
    target_on: date | None = None
    band_low: Decimal | None = None
    band_high: Decimal | None = None
    rollup: RollupRule | None = None
    share_needed: Decimal = Decimal(1)
    weight: Decimal = Decimal(1)


def check_indicator(session: Session, caller: Caller, indicator_id: int) -> Indicator:
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    return row_of(session, organization, Indicator, indicator_id, "indicator")


def check_value(indicator: Indicator | IndicatorSpec, value: Decimal, what: str) -> Decimal:
    """A value of the indicator's measure: a count is whole and not negative, a milestone is
    0 (not reached) or 1 (reached)."""
    exact = check_figure(value, what)
    if indicator.measure is Measure.COUNT and (exact < 0 or exact != exact.to_integral_value()):
        raise InvalidInput(f"{what} counts something: a whole number from 0, not {value}")
    if indicator.measure is Measure.MILESTONE and exact not in (0, 1):
        raise InvalidInput(f"{what} is a milestone: 1 when reached, 0 when not, not {value}")
    return exact


def check_indicator_spec(spec: IndicatorSpec) -> dict[str, Any]:
    """The indicator's fields as stored, each checked, and checked against each other."""
    if spec.measure is Measure.MILESTONE:
        if spec.direction is not Direction.UP:
            raise InvalidInput("a milestone goes up, from 0 (not reached) to 1 (reached)")
        spec = replace(spec, baseline_value=Decimal(0), target_value=Decimal(1))
    unit_label = " ".join(spec.unit_label.split())
    if len(unit_label) > 40:
        raise InvalidInput("the indicator's unit is longer than 40 characters")
    if spec.measure is Measure.AMOUNT and not unit_label:
        raise InvalidInput(
            'an amount needs its currency or unit of measurement (unit_label: "EUR")'
        )
    baseline = check_value(spec, spec.baseline_value, "the baseline")
    target = band_low = band_high = None
    if spec.direction is Direction.WITHIN:
        if spec.target_value is not None:
            raise InvalidInput(
                "an indicator that stays within a band takes band_low and band_high, "
                "not a target_value"
            )
        if spec.band_low is None or spec.band_high is None:
            raise InvalidInput("an indicator that stays within a band needs band_low and band_high")
        band_low = check_value(spec, spec.band_low, "the band's low end")
        band_high = check_value(spec, spec.band_high, "the band's high end")
        if band_low > band_high:
            raise InvalidInput(
                f"the band's low end ({band_low}) is above its high end ({band_high}); swap them"
            )
    else:
        if spec.band_low is not None or spec.band_high is not None:
            raise InvalidInput(
                f"an indicator going {spec.direction.value} takes a target_value, not a band"
            )
        if spec.target_value is None:
            raise InvalidInput(f"an indicator going {spec.direction.value} needs a target_value")
        target = check_value(spec, spec.target_value, "the target")
        rises = spec.direction is Direction.UP
        if (target <= baseline) if rises else (target >= baseline):
            raise InvalidInput(
                f"an indicator that should {'rise' if rises else 'fall'} needs a target "
                f"{'above' if rises else 'below'} its baseline ({baseline}), not {target}"
            )
    if spec.baseline_on and spec.target_on and spec.target_on < spec.baseline_on:
        raise InvalidInput(
            f"the target's date ({spec.target_on}) is before the baseline's ({spec.baseline_on})"
        )
    share_needed = check_positive(spec.share_needed, "the share needed on target")
    if share_needed > 1:
        raise InvalidInput(
            f"the share needed on target is at most 1 (all units), not {share_needed}"
        )
    return {
        "name": check_name(spec.name, "the indicator's name", 300),
        "measure": spec.measure,
        "unit_label": unit_label,
        "direction": spec.direction,
        "band_low": band_low,
        "band_high": band_high,
        "baseline_value": baseline,
        "baseline_on": spec.baseline_on,
        "target_value": target,
        "target_on": spec.target_on,
        "rollup": spec.rollup or DEFAULT_ROLLUP[spec.measure],
        "share_needed": share_needed,
        "weight": check_positive(spec.weight, "the indicator's weight"),
    }


def do_create_indicator(
    session: Session, caller: Caller, goal: Goal, spec: IndicatorSpec
) -> Indicator:
    """An indicator measuring a goal."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    checked = check_indicator_spec(spec)
    number = next_number(session, Indicator.number, Indicator.goal_id == goal.id)
    indicator = Indicator(goal_id=goal.id, number=number, **checked)
    session.add(indicator)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_INDICATOR,
        {"indicator_id": indicator.id, "goal_id": goal.id, "number": number, **checked},
    )
    return indicator


def _figures_recorded(session: Session, indicator: Indicator) -> str:
    return what_depends(
        [
            (
                count_of(session, IndicatorTarget.id, IndicatorTarget.indicator_id == indicator.id),
                "target",
            ),
            (
                count_of(session, ReportValue.report_id, ReportValue.indicator_id == indicator.id),
                "reported value",
            ),
        ]
    )


def do_update_indicator(
    session: Session, caller: Caller, indicator: Indicator, spec: IndicatorSpec
) -> Indicator:
    """Change an indicator. What it measures and which way it goes stay once targets or
    values are recorded for it: they were given in those terms."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    checked = check_indicator_spec(spec)
    changed = {name: value for name, value in checked.items() if getattr(indicator, name) != value}
    if {"measure", "direction"} & changed.keys():
        recorded = _figures_recorded(session, indicator)
        if recorded:
            raise Conflict(
                f"indicator {indicator.id} has {recorded} in its measure and direction; "
                "set up a new indicator to measure otherwise"
            )
    journal_change(
        session,
        caller,
        indicator,
        changed,
        JournalAction.UPDATE_INDICATOR,
        indicator_id=indicator.id,
    )
    return indicator


def do_delete_indicator(session: Session, caller: Caller, indicator: Indicator) -> None:
    """Delete an indicator set up by mistake: only one with no targets or values yet."""
    working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    recorded = _figures_recorded(session, indicator)
    if recorded:
        raise Conflict(
            f"indicator {indicator.id} has {recorded}: delete the targets first; "
            "an indicator units have reported on stays, for the record"
        )
    session.execute(delete(IndicatorWeight).where(IndicatorWeight.indicator_id == indicator.id))
    session.delete(indicator)
    session.flush()
    record(session, caller.actor, JournalAction.DELETE_INDICATOR, {"indicator_id": indicator.id})


def do_set_weights(
    session: Session, caller: Caller, indicator: Indicator, weights: dict[int, Decimal]
) -> list[IndicatorWeight]:
    """The units' weights in the indicator's weighted mean, all of them at once (a unit left
    out has none)."""
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    names: dict[int, str] = {
        unit_id: name
        for unit_id, name in session.execute(
            select(Unit.id, Unit.name).where(
                Unit.organization_id == organization.id, Unit.id.in_(sorted(weights))
            )
        )
    }
    missing = sorted(set(weights) - set(names))
    if missing:
        raise NotFound(f"there is no unit {missing[0]}")
    checked = {
        unit_id: check_positive(weight, f"the weight of {names[unit_id]}")
        for unit_id, weight in weights.items()
    }
    session.execute(delete(IndicatorWeight).where(IndicatorWeight.indicator_id == indicator.id))
    rows = [
        IndicatorWeight(indicator_id=indicator.id, unit_id=unit_id, weight=weight)
        for unit_id, weight in sorted(checked.items())
    ]
    session.add_all(rows)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SET_INDICATOR_WEIGHTS,
        {"indicator_id": indicator.id, "weights": [[u, w] for u, w in sorted(checked.items())]},
    )
    return rows
