"""The follow-up's rules that hold whatever is stored: targets cascading down the unit tree,
the reasons a reported status needs, and the canonical lines a frozen period is hashed by."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.actions.progress import StatusGiven, check_statuses
from veche.errors import InvalidInput
from veche.follow_up.cascade import Neighbours, check_cascade
from veche.follow_up.figures import FrozenStatus, FrozenValue, canonical_lines, figures_hash
from veche.models import Unit
from veche.models.follow_up import REASON_NEEDED, GoalStatus

# --- Cascading targets ---------------------------------------------------------------------

#: A small tree: 1 above 2 and 3; 2 above 4 and 5; 3 above 6.
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3}


def _around(unit: int, targets: dict[int, Decimal]) -> Neighbours:
    parent = PARENTS[unit]
    return Neighbours(
        parent_name=f"unit {parent}" if parent is not None else None,
        parent=targets.get(parent) if parent is not None else None,
        siblings=[
            value
            for other, value in targets.items()
            if other != unit and parent is not None and PARENTS[other] == parent
        ],
        children=[value for other, value in targets.items() if PARENTS[other] == unit],
    )


def _fits(targets: dict[int, Decimal]) -> bool:
    """No unit's children add up to more than its own target."""
    return all(
        sum((v for u, v in targets.items() if PARENTS[u] == unit), Decimal(0)) <= value
        for unit, value in targets.items()
    )


def _short(targets: dict[int, Decimal], unit: int) -> bool:
    """Whether the units under ``unit``'s parent, or under ``unit``, that have targets add
    up to less than its parent's, or its own."""
    parent = PARENTS[unit]

    def under(top: int) -> list[Decimal]:
        return [v for u, v in targets.items() if PARENTS[u] == top]

    short_above = parent in targets and sum(under(parent), Decimal(0)) < targets[parent]
    children = under(unit)
    return short_above or (bool(children) and sum(children, Decimal(0)) < targets[unit])


figures = st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(PARENTS)), figures), max_size=25))
def test_a_target_is_refused_exactly_when_the_units_under_one_would_exceed_it(
    steps: list[tuple[int, Decimal]],
) -> None:
    """Targets set in any order: each is refused if, and only if, storing it would leave some
    unit's children adding up to more than that unit's target; a warning comes exactly when
    the units around it fall short."""
    targets: dict[int, Decimal] = {}
    for unit, value in steps:
        checked = check_cascade(f"unit {unit}", value, _around(unit, targets))
        after = {**targets, unit: value}
        assert (checked.refusal is None) == _fits(after), (targets, unit, value)
        if checked.refusal is None:
            targets = after
            assert bool(checked.warnings) == _short(targets, unit)
        assert _fits(targets)


def test_a_refusal_and_a_warning_say_what_to_do() -> None:
    region = Neighbours(parent_name="North", parent=Decimal(600), siblings=[Decimal(500)])
    refused = check_cascade("Harbour", Decimal(150), region)
    assert refused.refusal == (
        "the targets of the units under North would add up to 650, above North's own 600: "
        "give Harbour at most 100, or raise North's target first"
    )
    short = check_cascade("Harbour", Decimal(60), region)
    assert short.refusal is None
    assert short.warnings == [
        "the targets of the units under North add up to 560, short of its 600: 40 is not "
        "shared out yet"
    ]
    below = check_cascade("North", Decimal(500), Neighbours(children=[Decimal(300), Decimal(250)]))
    assert below.refusal == (
        "the units under North have targets adding up to 550 already, above 500: give North "
        "at least 550, or lower theirs first"
    )


# --- Reasons for a status ------------------------------------------------------------------


@given(st.sampled_from(list(GoalStatus)), st.sampled_from(["", "  ", "\n", "Dues fell in May."]))
def test_a_status_needs_a_reason_unless_not_started_or_on_track(
    status: GoalStatus, reason: str
) -> None:
    unit = Unit(name="Harbour Branch")
    statuses = {7: StatusGiven(status, reason)}
    if status in REASON_NEEDED and not reason.strip():
        with pytest.raises(InvalidInput, match=r"goal 7 is reported .*: say why"):
            check_statuses(unit, {7}, statuses)
    else:
        assert check_statuses(unit, {7}, statuses) == {7: StatusGiven(status, reason.strip())}


def test_needing_a_reason_is_the_last_five_statuses() -> None:
    assert list(GoalStatus)[2:] == sorted(REASON_NEEDED, key=list(GoalStatus).index)


def test_a_status_for_a_goal_not_assigned_is_refused() -> None:
    with pytest.raises(InvalidInput, match="goal 8 is not assigned to Harbour Branch"):
        check_statuses(Unit(name="Harbour Branch"), {7}, {8: StatusGiven(GoalStatus.ON_TRACK)})


# --- The canonical lines of frozen figures -------------------------------------------------


def test_the_canonical_lines_and_their_hash() -> None:
    values = [
        FrozenValue(5, 12, Decimal("1250.5")),
        FrozenValue(3, 12, Decimal("-0.0000")),
        FrozenValue(3, 9, Decimal(7)),
    ]
    statuses = [FrozenStatus(5, 2, "on_track"), FrozenStatus(3, 2, "at_risk")]
    expected = [
        "veche follow-up figures 1",
        "period 4",
        "unit 3 indicator 9 value 7.0000",
        "unit 3 indicator 12 value 0.0000",
        "unit 3 goal 2 status at_risk",
        "unit 5 indicator 12 value 1250.5000",
        "unit 5 goal 2 status on_track",
    ]
    assert canonical_lines(4, values, statuses) == expected
    text = "".join(line + "\n" for line in expected)
    assert figures_hash(4, values, statuses) == hashlib.sha256(text.encode()).hexdigest()


@given(
    st.lists(
        st.builds(
            FrozenValue,
            st.integers(1, 5),
            st.integers(1, 5),
            st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False),
        ),
        max_size=12,
        unique_by=lambda value: (value.unit_id, value.indicator_id),
    ),
    st.randoms(),
)
def test_the_hash_does_not_depend_on_the_order_figures_are_read_in(
    values: list[FrozenValue], shuffler: object
) -> None:
    shuffled = list(values)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]
    assert figures_hash(1, values, []) == figures_hash(1, shuffled, [])
    changed = [FrozenValue(v.unit_id, v.indicator_id, v.value + 1) for v in values[:1]]
    if values:
        assert figures_hash(1, changed + values[1:], []) != figures_hash(1, values, [])
