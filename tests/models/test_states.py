"""The state machines declared beside their enums: complete, consistent, and their refusals."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from veche.errors import Conflict
from veche.models.agenda import ITEM_TRANSITIONS, ItemState
from veche.models.follow_up import PERIOD_TRANSITIONS, REPORT_TRANSITIONS, PeriodState, ReportState
from veche.models.meetings import MEETING_TRANSITIONS, MeetingState
from veche.models.motions import MOTION_TRANSITIONS, MotionState
from veche.models.polls import POLL_TRANSITIONS, PollState
from veche.models.states import Transitions

MACHINES: list[tuple[type[enum.StrEnum], Transitions[Any]]] = [
    (MeetingState, MEETING_TRANSITIONS),
    (ItemState, ITEM_TRANSITIONS),
    (PollState, POLL_TRANSITIONS),
    (MotionState, MOTION_TRANSITIONS),
    (PeriodState, PERIOD_TRANSITIONS),
    (ReportState, REPORT_TRANSITIONS),
]


@pytest.mark.parametrize(
    ("states", "machine"), MACHINES, ids=lambda value: getattr(value, "__name__", "")
)
def test_every_state_is_reached_from_the_first(
    states: type[enum.StrEnum], machine: Transitions[Any]
) -> None:
    """No state is declared in the enum but left out of its machine."""
    first = next(iter(states))
    assert [state for state in states if not machine.reached(state, first)] == []


@pytest.mark.parametrize(
    ("states", "machine"), MACHINES, ids=lambda value: getattr(value, "__name__", "")
)
def test_a_step_is_refused_from_every_state_that_may_not_take_it(
    states: type[enum.StrEnum], machine: Transitions[Any]
) -> None:
    for step, target in machine.steps.items():
        for state in states:
            if machine.may_take(state, step):
                machine.check_step(state, target, "it")
            else:
                with pytest.raises(Conflict, match=f"^cannot {step} it: it is "):
                    machine.check_step(state, target, "it")


@pytest.mark.parametrize(
    ("machine", "state", "target", "subject", "message"),
    [
        (
            POLL_TRANSITIONS,
            PollState.DRAFT,
            PollState.CLOSED,
            "poll 7",
            "cannot close poll 7: it is draft, not open",
        ),
        (
            POLL_TRANSITIONS,
            PollState.CLOSED,
            PollState.CANCELLED,
            "poll 7",
            "cannot cancel poll 7: it is closed, not draft or open",
        ),
        (
            ITEM_TRANSITIONS,
            ItemState.CLOSED,
            ItemState.OPEN,
            "agenda item 2",
            "cannot take up agenda item 2: it is closed, not planned",
        ),
        (
            MOTION_TRANSITIONS,
            MotionState.ADOPTED,
            MotionState.WITHDRAWN,
            "motion 4",
            "cannot withdraw motion 4: it is adopted, not draft or final",
        ),
    ],
)
def test_a_refused_step_names_the_states_it_needs(
    machine: Transitions[Any],
    state: enum.StrEnum,
    target: enum.StrEnum,
    subject: str,
    message: str,
) -> None:
    with pytest.raises(Conflict) as refusal:
        machine.check_step(state, target, subject)
    assert refusal.value.message == message


def test_a_refused_move_names_where_the_meeting_can_go() -> None:
    with pytest.raises(Conflict) as early:
        MEETING_TRANSITIONS.check_move(MeetingState.CONVENED, MeetingState.CLOSED, "meeting 3")
    assert early.value.message == (
        "meeting 3 is convened; it can move on to in session only, not closed"
    )
    with pytest.raises(Conflict) as last:
        MEETING_TRANSITIONS.check_move(
            MeetingState.REPORT_PUBLISHED, MeetingState.DRAFT, "meeting 3"
        )
    assert last.value.message.endswith("it can move on to nothing only, not draft")


def test_reached_follows_the_moves_onward_only() -> None:
    assert POLL_TRANSITIONS.reached(PollState.PUBLISHED, PollState.CLOSED)
    assert POLL_TRANSITIONS.reached(PollState.CLOSED, PollState.CLOSED)
    assert not POLL_TRANSITIONS.reached(PollState.OPEN, PollState.CLOSED)
    assert not POLL_TRANSITIONS.reached(PollState.CANCELLED, PollState.CLOSED)


def test_a_step_to_a_state_nothing_becomes_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="which no state becomes"):
        Transitions({PollState.DRAFT: (PollState.OPEN,)}, steps={"close": PollState.CLOSED})
    with pytest.raises(ValueError, match="two steps"):
        Transitions(
            {PollState.DRAFT: (PollState.OPEN,)},
            steps={"open": PollState.OPEN, "start": PollState.OPEN},
        )
