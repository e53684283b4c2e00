"""The chair's new-poll form sets the majority a decision needs, custom shares included."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.desk_client import Desk
from veche.models import Poll

#: The form's majority fields become the poll's counting options before anything is stored;
#: polls are stored and counted on both databases in test_polls_api.py. They start from the
#: demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _poll(desk: Desk, poll_id: int) -> Poll:
    with desk.sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        session.expunge(poll)
        return poll


def _vote(desk: Desk, poll_id: int, choices: list[str]) -> None:
    with desk.sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        ids = {option.label: option.id for option in poll.options}
    for person_id, choice in zip(desk.assembly.members, choices, strict=False):
        response = desk.assembly.vote(poll_id, person_id, {"option": ids[choice]})
        assert response.status_code == 201, response.text


def test_the_form_offers_every_rule_of_the_engine(desk: Desk) -> None:
    console = desk.secretary.get(f"/meetings/{desk.meeting}/console").text
    for rule in ("simple", "absolute-of-cast", "qualified", "unanimity"):
        assert f'<option value="{rule}">' in console
    assert 'name="fraction"' in console and 'name="abstentions_count"' in console


@pytest.mark.parametrize(
    ("form", "stored", "votes", "outcome", "details"),
    [
        pytest.param(
            {"title": "Amend the statutes", "fraction": " 3/5 ", "base": "present"},
            {"rule": "qualified", "fraction": "3/5", "base": "present"},
            ["yes"] * 11 + ["no"] * 2,  # 11 of 20 present: short of 12
            "rejected",
            {"rule": "qualified 3/5 of members present", "required": 12},
            id="of-the-members-present",
        ),
        pytest.param(
            {
                "title": "Dissolve the commission",
                "fraction": "0.75",
                "base": "cast",
                "abstentions_count": "yes",
            },
            {"rule": "qualified", "fraction": "3/4", "base": "cast", "abstentions_count": True},
            ["yes"] * 9 + ["no"] * 1 + ["abstain"] * 2,  # 9 of 12: exactly 3/4
            "adopted",
            {},
            id="of-the-votes-cast-abstentions-counting",
        ),
    ],
)
def test_a_custom_share_decides(
    desk: Desk,
    form: dict[str, str],
    stored: dict[str, Any],
    votes: list[str],
    outcome: str,
    details: dict[str, Any],
) -> None:
    desk.assembly.check_in(desk.assembly.members[:20])
    poll_id = desk.create_poll(kind="decision", rule="qualified", **form)
    assert _poll(desk, poll_id).method_options == stored
    desk.step(poll_id, "open")
    _vote(desk, poll_id, votes)
    desk.step(poll_id, "close")
    poll = _poll(desk, poll_id)
    assert poll.outcome == outcome
    assert poll.result is not None
    for key, value in details.items():
        assert poll.result["details"][key] == value


def test_a_named_rule_needs_no_share(desk: Desk) -> None:
    poll_id = desk.create_poll(
        title="Adopt the minutes", kind="decision", rule="absolute-of-members"
    )
    assert _poll(desk, poll_id).method_options == {"rule": "absolute-of-members"}
    plain = desk.create_poll(title="Adjourn", kind="decision")
    assert _poll(desk, plain).method_options == {"rule": "simple"}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"rule": "qualified", "fraction": "5/3"}, "must be above 0 and at most 1, not 5/3"),
        ({"rule": "qualified", "fraction": "0"}, "must be above 0 and at most 1"),
        ({"rule": "qualified", "fraction": "two thirds"}, "must be a fraction such as 2/3"),
        ({"rule": "qualified", "fraction": "2/0"}, "must be a fraction such as 2/3"),
        ({"rule": "qualified"}, "give the share of yes votes required"),
        ({"rule": "simple", "fraction": "2/3"}, "a share such as 2/3 goes with the rule"),
        ({"rule": "supermajority"}, "option rule must be one of simple"),
        (
            {"rule": "qualified", "fraction": "2/3", "base": "present", "abstentions_count": "yes"},
            "abstentions_count applies when the base is the votes cast",
        ),
        ({"rule": "qualified", "fraction": "2/3", "base": "everyone"}, "option base must be"),
        ({"rule": "simple", "abstentions_count": "perhaps"}, "abstentions_count"),
    ],
)
def test_a_bad_majority_rule_creates_nothing(
    desk: Desk, form: dict[str, Any], message: str
) -> None:
    response = desk.secretary.post(
        f"/meetings/{desk.meeting}/console/polls",
        {"title": "Amend the statutes", "kind": "decision", **form},
    )
    assert response.status_code == 422, response.text
    assert message in response.text
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Poll)) == 0


def test_only_the_chair_or_secretary_sets_a_majority(desk: Desk) -> None:
    form = {"title": "Grab power", "kind": "decision", "rule": "qualified", "fraction": "1/10"}
    for role in ("delegate", "observer", "teller"):
        response = desk.others[role].post(f"/meetings/{desk.meeting}/console/polls", form)
        assert response.status_code == 403, role
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Poll)) == 0
