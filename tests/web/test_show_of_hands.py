"""Votes counted in the hall through the API — a show of hands, a standing vote: no ballots,
the tellers' totals checked against the rights present, counted by the same majority rules,
reported, and recounted by `veche verify`. On both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.assembly import Assembly
from tests.helpers import journaled
from tests.web.desk_client import PreparedDesk, open_desk
from veche.actions.journal_actions import JournalAction
from veche.cli import app
from veche.db import transaction
from veche.models import Ballot
from veche.models.polls import BallotSource

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _ids(poll: dict[str, Any]) -> dict[str, int]:
    return {option["label"]: int(option["id"]) for option in poll["options"]}


def _totals(assembly: Assembly, poll_id: int, totals: dict[int, int]) -> Any:
    return assembly.client.post(
        f"/api/polls/{poll_id}/totals",
        json={"totals": {str(k): v for k, v in totals.items()}},
        headers=assembly.secretary,
    )


def _verify(database_url: str) -> Any:
    return CliRunner().invoke(app, ["verify", "--db", database_url])


def test_a_show_of_hands_from_creation_to_verify(
    assembly: Assembly, sessions: sessionmaker[Session], database_url: str
) -> None:
    assembly.check_in(assembly.members[:20])
    poll = assembly.create_poll(
        title="Adopt the annual plan",
        kind="decision",
        vote_by="show_of_hands",
        rule="qualified",
        fraction="3/4",
    )
    poll_id, ids = int(poll["id"]), _ids(poll)
    assert poll["vote_by"] == "show_of_hands"
    assert poll["secrecy"] == "named" and poll["electronic"] is False
    assembly.open(poll_id)

    ballot = assembly.vote(poll_id, assembly.members[0], {"option": ids["yes"]})
    assert ballot.status_code == 409
    assert "taken by show of hands in the hall" in ballot.json()["detail"]
    paper = assembly.client.post(
        f"/api/polls/{poll_id}/paper",
        json={"lots": [{"choice": {"option": ids["yes"]}, "count": 3}]},
        headers=assembly.secretary,
    )
    assert paper.status_code == 409 and "the tellers enter its totals" in paper.json()["detail"]

    too_many = _totals(assembly, poll_id, {ids["yes"]: 15, ids["no"]: 6, ids["abstain"]: 2})
    assert too_many.status_code == 409
    assert "add up to 23 votes but 20 voting rights are present" in too_many.json()["detail"]
    unknown = _totals(assembly, poll_id, {ids["yes"]: 1, 999_999: 2})
    assert unknown.status_code == 422 and "option 999999" in unknown.json()["detail"]
    assert _totals(assembly, poll_id, {ids["yes"]: 0}).status_code == 422
    assert _totals(assembly, poll_id, {ids["yes"]: -1}).status_code == 422

    counted = {ids["yes"]: 12, ids["no"]: 5, ids["abstain"]: 3}
    entered = _totals(assembly, poll_id, counted)
    assert entered.status_code == 201, entered.text
    assert entered.json() == {"votes": 20, "rights_present": 20}
    # Sent again by a double click: the same answer, nothing added.
    assert _totals(assembly, poll_id, counted).json() == {"votes": 20, "rights_present": 20}
    other = _totals(assembly, poll_id, {ids["yes"]: 13, ids["no"]: 4})
    assert other.status_code == 409
    assert "were entered already (yes 12, no 5, abstain 3)" in other.json()["detail"]
    (entered,) = journaled(sessions, JournalAction.ENTER_COUNTED_VOTES)
    assert entered["rights_present"] == 20 and entered["vote_by"] == "show_of_hands"
    assert [(t["label"], t["votes"]) for t in entered["totals"]] == [
        ("yes", 12),
        ("no", 5),
        ("abstain", 3),
    ]
    count = assembly.client.get(f"/api/polls/{poll_id}/count", headers=assembly.secretary)
    assert count.json() == {
        "state": "open",
        "electronic": 0,
        "paper": 0,
        "counted": 20,
        "votes": 0,  # the ballots' votes: the tellers' totals are ``counted``
    }

    # 12 yes of 20 cast is less than the three quarters the rule asks for.
    assert assembly.close(poll_id)["outcome"] == "rejected"
    result = assembly.result(poll_id)["result"]
    assert result["ballots_by_source"] == {"electronic": 0, "paper": 0, "counted": 20}
    assert result["details"]["yes"] == 12 and result["details"]["no"] == 5
    published = assembly.client.post(f"/api/polls/{poll_id}/publish", headers=assembly.secretary)
    assert published.status_code == 200
    board = assembly.client.get(
        f"/api/polls/{poll_id}/ballots", headers=assembly.as_person(assembly.members[3])
    ).json()
    assert sorted((b["choice"], b["weight"], b["source"]) for b in board["ballots"]) == [
        ("abstain", 3, "counted"),
        ("no", 5, "counted"),
        ("yes", 12, "counted"),
    ]
    minutes = assembly.client.get(
        f"/api/meetings/{assembly.meeting_id}/reports/minutes", headers=assembly.secretary
    ).text
    assert "Majority vote (yes, no, abstain), by show of hands, 20 votes" in minutes
    assert "rejected by 12 votes to 5, with 3 abstentions" in minutes

    verified = _verify(database_url)
    assert verified.exit_code == 0, verified.output
    with transaction(sessions) as session:
        session.execute(
            update(Ballot)
            .where(Ballot.poll_id == poll_id, Ballot.choice["option"].as_integer() == ids["yes"])
            .values(weight=16)
        )
    tampered = _verify(database_url)
    assert tampered.exit_code != 0
    assert f"poll {poll_id} (Adopt the annual plan)" in tampered.output


def test_the_tellers_correct_the_totals_until_the_poll_is_closed(
    assembly: Assembly, sessions: sessionmaker[Session], database_url: str
) -> None:
    assembly.check_in(assembly.members[:16])  # a quorum of the 30
    poll = assembly.create_poll(title="Adjourn", kind="decision", vote_by="show_of_hands")
    poll_id, ids = int(poll["id"]), _ids(poll)
    assembly.open(poll_id)
    path = f"/api/polls/{poll_id}/totals"
    why = "the back rows were counted twice"
    early = assembly.client.put(
        path, json={"totals": {str(ids["yes"]): 4}, "reason": why}, headers=assembly.secretary
    )
    assert early.status_code == 409 and "enter them first" in early.json()["detail"]
    assert _totals(assembly, poll_id, {ids["yes"]: 4, ids["no"]: 5}).status_code == 201
    corrected: dict[str, Any] = {"totals": {str(ids["yes"]): 6, str(ids["no"]): 3}}
    # A correction says why: without a reason, or with a blank one, it is refused.
    for reason in ({}, {"reason": "  "}, {"reason": "x" * 501}):
        refused = assembly.client.put(path, json=corrected | reason, headers=assembly.secretary)
        assert refused.status_code == 422 and "reason" in refused.json()["detail"], refused.text
    corrected["reason"] = why
    answer = assembly.client.put(path, json=corrected, headers=assembly.secretary)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"votes": 9, "rights_present": 16}
    too_many = {"totals": {str(ids["yes"]): 17}, "reason": why}
    over = assembly.client.put(path, json=too_many, headers=assembly.secretary)
    assert over.status_code == 409 and "add up to 17 votes but 16" in over.json()["detail"]
    member = assembly.as_person(assembly.members[0])
    assert assembly.client.put(path, json=corrected, headers=member).status_code == 403
    first, correction = journaled(sessions, JournalAction.ENTER_COUNTED_VOTES)
    assert correction["replaced"] == first["totals"]
    assert [t["votes"] for t in correction["totals"]] == [6, 3, 0]
    assert correction["reason"] == why
    assert assembly.close(poll_id)["outcome"] == "adopted"
    late = assembly.client.put(path, json=corrected, headers=assembly.secretary)
    assert late.status_code == 409 and "it is closed, so counted" in late.json()["detail"]
    verified = _verify(database_url)
    assert verified.exit_code == 0, verified.output


def test_a_standing_vote_elects_by_the_totals_per_candidate(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    assembly.check_in(assembly.members[:12])
    poll = assembly.create_poll(
        title="Elect the chair of the audit commission",
        kind="election",
        method="plurality",
        vote_by="standing",
        options=["Ada Arnold", "Boris Holm"],
    )
    poll_id, ids = int(poll["id"]), _ids(poll)
    assembly.open(poll_id)
    entered = _totals(assembly, poll_id, {ids["Ada Arnold"]: 4, ids["Boris Holm"]: 7})
    assert entered.status_code == 201 and entered.json()["votes"] == 11
    closed = assembly.close(poll_id)
    assert closed["outcome"] == "elected: Boris Holm"
    tallies = assembly.result(poll_id)["result"]["rounds"][0]["tallies"]
    assert {name: int(votes) for name, votes in tallies.items()} == {
        "Ada Arnold": 4,
        "Boris Holm": 7,
    }
    with sessions() as session:
        stored = session.scalars(select(Ballot).where(Ballot.poll_id == poll_id)).all()
        assert {b.source for b in stored} == {BallotSource.COUNTED}
        assert all(b.voter_person_id is None for b in stored)


def test_what_a_vote_counted_in_the_hall_cannot_be(assembly: Assembly) -> None:
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"secrecy": "secret"}, "a show of hands cannot be secret"),
        ({"kind": "election", "method": "irv", "options": ["A", "B"]}, "'irv' needs ranked"),
        ({"kind": "choice", "method": "approval", "options": ["A", "B"]}, "needs approval"),
        ({"revote": "last_counts"}, "a show of hands is counted once"),
    ]
    for spec, message in refusals:
        body = {"title": "Question", "kind": "decision", "vote_by": "show_of_hands", **spec}
        refused = assembly.client.post(
            f"/api/meetings/{assembly.meeting_id}/polls", json=body, headers=assembly.secretary
        )
        assert refused.status_code == 422 and message in refused.json()["detail"], refused.text
    listed = assembly.client.get(
        f"/api/meetings/{assembly.meeting_id}/polls", headers=assembly.secretary
    )
    assert listed.json() == []

    assembly.check_in(assembly.members[:5])
    by_ballot = assembly.create_poll(title="By ballot", kind="decision")
    by_hands = assembly.create_poll(title="By hands", kind="decision", vote_by="show_of_hands")
    assembly.open(int(by_ballot["id"]))
    ballot_totals = _totals(assembly, int(by_ballot["id"]), {_ids(by_ballot)["yes"]: 3})
    assert ballot_totals.status_code == 409 and "taken by ballot" in ballot_totals.json()["detail"]
    draft = _totals(assembly, int(by_hands["id"]), {_ids(by_hands)["yes"]: 3})
    assert draft.status_code == 409 and "it is draft, not open" in draft.json()["detail"]


@pytest.mark.one_database
def test_the_chair_puts_a_show_of_hands_and_the_tellers_enter_its_totals(
    engine: Engine, sessions: sessionmaker[Session], prepared_desk: PreparedDesk
) -> None:
    # The pages call the same action as the API, proven on both databases above.
    with open_desk(engine, sessions, prepared_desk) as desk:
        desk.assembly.check_in(desk.assembly.members[:16])  # a quorum of the 30
        # The console's form sends its ballot's secrecy whatever the voting chosen.
        poll_id = desk.create_poll(
            title="Adjourn for lunch", kind="decision", vote_by="show_of_hands", secrecy="secret"
        )
        assert (
            'Adjourn for lunch <span class="meta">(Simple majority: more yes than no, show of hands)'
            in desk.console()
        )
        desk.step(poll_id, "open")
        ids = _ids(
            desk.assembly.client.get(
                f"/api/polls/{poll_id}", headers=desk.assembly.secretary
            ).json()
        )
        delegate = desk.others["delegate"].get(f"/meetings/{desk.meeting}").text
        assert "Vote in the hall by show of hands" in delegate and "Vote now" not in delegate

        teller = desk.others["teller"]
        listing = f"/secretary/meetings/{desk.meeting}/paper"
        form = f"/secretary/meetings/{desk.meeting}/polls/{poll_id}/totals"
        tellers = teller.get(listing).text
        assert f'action="{form}"' in tellers
        # Which majority, as the console says it: not the engine's "majority".
        assert "show of hands · Simple majority: more yes than no</p>" in tellers
        over = teller.post(form, {f"count_{ids['yes']}": "12", f"count_{ids['no']}": "5"})
        assert over.status_code == 409
        assert "add up to 17 votes but 16 voting rights are present" in over.text
        mistyped = teller.post(form, {f"count_{ids['yes']}": "seven"})
        assert mistyped.status_code == 422 and "the count for yes must be a whole number" in (
            mistyped.text
        )
        entered = teller.post(form, {f"count_{ids['yes']}": "9", f"count_{ids['no']}": ""})
        assert entered.status_code == 303 and entered.headers["location"] == listing
        page = teller.get(listing).text
        assert "9 votes entered; 16 voting rights are present" in page
        assert "<li>yes: 9</li><li>no: 0</li><li>abstain: 0</li>" in page
        assert f'action="{form}"' not in page
        assert "9</span> votes in the tellers' totals" in desk.console()
        correct = f"{form}/correct"
        assert f'action="{correct}"' in page and 'value="9"' in page
        assert f'id="correct-reason-{poll_id}" name="reason" required' in page
        why = {"reason": "one hand was counted twice"}
        mistyped = teller.post(correct, {f"count_{ids['yes']}": "nine"} | why)
        assert mistyped.status_code == 422
        for role in ("delegate", "observer"):
            refused = desk.others[role].post(correct, {f"count_{ids['yes']}": "8"} | why)
            assert refused.status_code == 403
        eight = {f"count_{ids['yes']}": "8", f"count_{ids['no']}": "1"}
        for blank in ({}, {"reason": " "}):
            unsaid = teller.post(correct, eight | blank)
            assert unsaid.status_code == 422 and "reason" in unsaid.text, unsaid.text
        assert "<li>yes: 9</li>" in teller.get(listing).text  # nothing changed
        corrected = teller.post(correct, eight | why)
        assert corrected.status_code == 303
        page = teller.get(listing).text
        assert "The totals are corrected: 9 votes; 16 voting rights are present" in page
        assert "<li>yes: 8</li><li>no: 1</li><li>abstain: 0</li>" in page

        desk.step(poll_id, "close")
        assert desk.assembly.result(poll_id)["outcome"] == "adopted"
        late = teller.post(correct, {f"count_{ids['yes']}": "9"} | why)
        assert late.status_code == 409 and "it is closed, so counted" in late.text
        # The secretary reads why on the result, and in the minutes.
        result = desk.secretary.get(f"/meetings/{desk.meeting}/polls/{poll_id}/result").text
        assert "<li>Corrected: one hand was counted twice</li>" in result
        minutes = desk.secretary.get(f"/meetings/{desk.meeting}/reports/minutes?format=html")
        assert "<li>Corrected: one hand was counted twice</li>" in minutes.text
        # A show of hands has no blank vote: its tally says none.
        tally = desk.console().split('data-testid="tally"')[1].split("</ul>")[0]
        assert "yes: <strong>8</strong>" in tally and "blank" not in tally
