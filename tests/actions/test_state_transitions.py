"""The actions move polls and meetings exactly as their declared state machines say."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import ADMIN, demo_organization, general_council_term
from veche.actions.closing import do_cancel_poll, do_close_poll
from veche.actions.meetings import do_change_meeting_state, do_create_meeting
from veche.actions.polls import do_create_poll, do_open_poll, do_publish_poll
from veche.db import transaction
from veche.errors import Conflict
from veche.models import Meeting, Poll
from veche.models.meetings import MEETING_TRANSITIONS, MeetingState
from veche.models.polls import POLL_TRANSITIONS, PollKind, PollState
from veche.web.pages.chair import POLL_STEPS

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

TODAY = date.today()

#: Each poll step as the actions take it.
TAKE_STEP: dict[str, Callable[[Session, int], Poll]] = {
    "open": lambda session, poll_id: do_open_poll(session, ADMIN, poll_id, TODAY),
    "close": lambda session, poll_id: do_close_poll(session, ADMIN, poll_id),
    "publish": lambda session, poll_id: do_publish_poll(session, ADMIN, poll_id),
    "cancel": lambda session, poll_id: do_cancel_poll(session, ADMIN, poll_id),
}

#: The steps that lead to each poll state from draft.
PATH_TO: dict[PollState, list[str]] = {
    PollState.DRAFT: [],
    PollState.OPEN: ["open"],
    PollState.CLOSED: ["open", "close"],
    PollState.PUBLISHED: ["open", "close", "publish"],
    PollState.CANCELLED: ["cancel"],
}

#: Asked again once done, these change nothing and report the same poll.
REPEATABLE = {"close", "publish"}


def _meeting(session: Session) -> Meeting:
    demo_organization(session)
    term = general_council_term(session)
    return do_create_meeting(
        session, ADMIN, term, "Plenary", starts_on=TODAY, notice="The agenda follows."
    )


def test_every_poll_step_is_taken_from_the_states_declared_and_refused_from_the_rest(
    sessions: sessionmaker[Session],
) -> None:
    assert set(TAKE_STEP) == set(POLL_TRANSITIONS.steps)
    assert set(PATH_TO) == set(PollState)
    with transaction(sessions) as session:
        meeting = _meeting(session)
        polls: dict[PollState, int] = {}
        for state, path in PATH_TO.items():
            poll = do_create_poll(
                session,
                ADMIN,
                meeting,
                title=state.value,
                kind=PollKind.DECISION,
                method="majority",
            )
            session.flush()
            session.refresh(poll)
            for step in path:
                TAKE_STEP[step](session, poll.id)
            assert poll.state is state
            polls[state] = poll.id

    wrong: list[str] = []
    for state, poll_id in polls.items():
        for step, target in POLL_TRANSITIONS.steps.items():
            with sessions() as session, session.begin():
                try:
                    after: PollState | None = TAKE_STEP[step](session, poll_id).state
                    message = ""
                except Conflict as refusal:
                    after, message = None, refusal.message
                session.rollback()
            if POLL_TRANSITIONS.may_take(state, step):
                expected = target
            elif step in REPEATABLE and POLL_TRANSITIONS.reached(state, target):
                expected = state
            else:
                expected = None
                if after is None and not message.startswith(
                    f"cannot {step} poll {poll_id}: it is {state}, not "
                ):
                    wrong.append(f"{step} from {state} is refused with {message!r}")
            if after is not expected:
                wrong.append(f"{step} from {state} leaves {after}, not {expected}")
    assert wrong == []


def test_a_meeting_moves_only_as_declared(sessions: sessionmaker[Session]) -> None:
    meetings: dict[MeetingState, int] = {}
    path = list(MeetingState)
    for position, state in enumerate(path):
        with transaction(sessions) as session:
            meeting = _meeting(session)
            for onward in path[1 : position + 1]:
                do_change_meeting_state(session, ADMIN, meeting, onward)
            assert meeting.state is state
            meetings[state] = meeting.id

    wrong: list[str] = []
    for state, meeting_id in meetings.items():
        for target in MeetingState:
            with sessions() as session, session.begin():
                meeting = session.get_one(Meeting, meeting_id)
                try:
                    after: MeetingState | None = do_change_meeting_state(
                        session, ADMIN, meeting, target
                    ).state
                except Conflict as refusal:
                    after = None
                    if "it can move on to" not in refusal.message:
                        wrong.append(f"{state} → {target} is refused with {refusal.message!r}")
                session.rollback()
            may = target is state or MEETING_TRANSITIONS.may_become(state, target)
            if after is not (target if may else None):
                wrong.append(f"{state} → {target} leaves {after}")
    assert wrong == []


def test_the_console_offers_every_poll_step_and_no_other() -> None:
    assert set(POLL_STEPS) == set(POLL_TRANSITIONS.steps)
