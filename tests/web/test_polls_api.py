"""The voting core through the REST API: a decision, an election, secrecy, rights and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.assembly import Assembly, client_key
from veche.actions import intake
from veche.actions.journal_actions import JournalAction
from veche.cli import app
from veche.models import Ballot, JournalEntry, Participation

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _decision(assembly: Assembly, **extra: object) -> dict[str, Any]:
    return assembly.create_poll(
        title="Adopt the agenda", kind="decision", method="majority", **extra
    )


def _option(poll: dict[str, Any], label: str) -> int:
    options = poll["options"]
    assert isinstance(options, list)
    return next(int(o["id"]) for o in options if o["label"] == label)


def test_a_secret_decision_from_opening_to_publication(
    assembly: Assembly, sessions: sessionmaker[Session], database_url: str
) -> None:
    voters = assembly.members[:20]
    assembly.check_in(voters)
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    choices = ["yes"] * 12 + ["no"] * 5 + ["abstain"] * 3
    receipts = {}
    for person_id, label in zip(voters, choices, strict=True):
        response = assembly.vote(int(poll["id"]), person_id, {"option": _option(poll, label)})
        assert response.status_code == 201, response.text
        receipts[response.json()["receipt"]] = label

    count = assembly.client.get(f"/api/polls/{poll['id']}/count", headers=assembly.secretary)
    assert count.json()["electronic"] == 20
    # Before the close, neither a delegate nor the chair sees the result or the ballots.
    hidden = assembly.client.get(
        f"/api/polls/{poll['id']}/ballots", headers=assembly.as_person(voters[0])
    )
    assert hidden.status_code == 403

    closed = assembly.close(int(poll["id"]))
    assert closed["state"] == "closed" and closed["outcome"] == "adopted"
    # A delegate sees no result until the chair publishes it.
    early = assembly.client.get(
        f"/api/polls/{poll['id']}/result", headers=assembly.as_person(voters[0])
    )
    assert early.status_code == 403
    published = assembly.client.post(f"/api/polls/{poll['id']}/publish", headers=assembly.secretary)
    assert published.json()["state"] == "published"
    result = assembly.client.get(
        f"/api/polls/{poll['id']}/result", headers=assembly.as_person(voters[0])
    ).json()
    assert result["outcome"] == "adopted"
    assert result["result"]["ballots_by_source"] == {"electronic": 20, "paper": 0}

    board = assembly.client.get(
        f"/api/polls/{poll['id']}/ballots", headers=assembly.as_person(voters[0])
    ).json()
    listed = [b["receipt"] for b in board["ballots"]]
    assert listed == sorted(receipts)
    assert {b["receipt"]: b["choice"] for b in board["ballots"]} == receipts
    assert all(
        set(b) == {"receipt", "choice", "weight", "weight_withheld", "source"}
        for b in board["ballots"]
    )
    # Twenty ballots share weight 1, so it is shown (veche.queries.polls.withheld_weights).
    assert {(b["weight"], b["weight_withheld"]) for b in board["ballots"]} == {(1, False)}

    with sessions() as session:
        stored = session.scalars(select(Ballot).where(Ballot.poll_id == poll["id"])).all()
        assert all(b.voter_person_id is None and b.cast_by_person_id is None for b in stored)
        casts = session.scalars(
            select(JournalEntry).where(JournalEntry.action == JournalAction.CAST_BALLOT)
        ).all()
        assert len(casts) == 20
        assert all("choice" not in entry.payload for entry in casts)
        text = " ".join(str(entry.payload) for entry in casts)
        assert not any(receipt in text for receipt in receipts)
    verified = CliRunner().invoke(app, ["verify", "--db", database_url])
    assert verified.exit_code == 0, verified.output


def test_qualified_majority_and_quorum_decide(assembly: Assembly) -> None:
    assembly.check_in(assembly.members[:12])  # 12 of 30 members: no quorum of one half
    poll = _decision(assembly, method_options={"rule": "qualified", "fraction": "2/3"})
    assembly.open(int(poll["id"]))
    for person_id in assembly.members[:12]:
        assembly.vote(int(poll["id"]), person_id, {"option": _option(poll, "yes")})
    assert assembly.close(int(poll["id"]))["outcome"] == "no quorum"


def test_a_named_poll_shows_its_roll_call(assembly: Assembly) -> None:
    assembly.check_in(assembly.members[:3])
    poll = _decision(assembly, secrecy="named")
    assembly.open(int(poll["id"]))
    for person_id, label in zip(assembly.members[:3], ["yes", "no", "yes"], strict=True):
        assert (
            assembly.vote(int(poll["id"]), person_id, {"option": _option(poll, label)}).status_code
            == 201
        )
    assembly.close(int(poll["id"]))
    roll_call = f"/api/polls/{poll['id']}/roll-call"
    # Closed, not yet published: the officers see it, a delegate does not yet (as the result).
    early = assembly.client.get(roll_call, headers=assembly.as_person(assembly.members[0]))
    assert early.status_code == 403, early.text
    assert "published" in early.json()["detail"]
    calls = assembly.client.get(roll_call, headers=assembly.secretary).json()
    assert sorted(c["choice"] for c in calls) == ["no", "yes", "yes"]
    assert len({c["voter"] for c in calls}) == 3
    published = assembly.client.post(f"/api/polls/{poll['id']}/publish", headers=assembly.secretary)
    assert published.status_code == 200, published.text
    seen = assembly.client.get(roll_call, headers=assembly.as_person(assembly.members[0]))
    assert seen.status_code == 200 and seen.json() == calls


def test_an_stv_election_with_candidates_who_accept(assembly: Assembly) -> None:
    voters = assembly.members[:24]
    assembly.check_in(voters)
    poll = assembly.create_poll(
        title="Elect the presidium", kind="election", method="scottish-stv", seats=2
    )
    poll_id = int(poll["id"])
    candidates = {}
    for person_id in assembly.members[24:28]:
        nominated = assembly.client.post(
            f"/api/polls/{poll_id}/candidates",
            json={"person_id": person_id},
            headers=assembly.secretary,
        )
        assert nominated.status_code == 201, nominated.text
        candidates[person_id] = nominated.json()
    # Opening fails while nobody has accepted.
    refused = assembly.client.post(f"/api/polls/{poll_id}/open", headers=assembly.secretary)
    assert refused.status_code == 409 and "accepted" in refused.json()["detail"]
    ids = []
    for person_id, option in list(candidates.items())[:3]:
        answer = assembly.client.post(
            f"/api/polls/{poll_id}/candidates/{option['id']}/accept",
            headers=assembly.as_person(person_id),
        )
        assert answer.status_code == 200, answer.text
        ids.append(option["id"])
    a, b, c = ids
    assembly.open(poll_id)
    # 24 voters: 11 rank a>b, 7 rank b>c, 6 rank c>b. Quota = 24 // 3 + 1 = 9.
    for person_id in voters[:11]:
        assert assembly.vote(poll_id, person_id, {"ranking": [a, b]}).status_code == 201
    for person_id in voters[11:18]:
        assembly.vote(poll_id, person_id, {"ranking": [b, c]})
    for person_id in voters[18:24]:
        assembly.vote(poll_id, person_id, {"ranking": [c, b]})
    closed = assembly.close(poll_id)
    labels = {o["id"]: o["label"] for o in closed["options"]}
    assert closed["outcome"] == f"elected: {labels[a]}, {labels[b]}"
    result = assembly.result(poll_id)["result"]
    assert result["rounds"][0]["quota"] in (9, "9", "9.00000")
    # The candidate who never accepted is not on the ballot.
    assert set(result["candidates"]) == {labels[a], labels[b], labels[c]}


def test_a_candidate_withdraws_or_is_withdrawn_until_voting_opens(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    poll_id = int(
        assembly.create_poll(title="Elect the auditor", kind="election", method="irv")["id"]
    )
    candidates = f"/api/polls/{poll_id}/candidates"
    stands, typo, other = assembly.members[24:27]
    options = {}
    for nominee in ({"person_id": stands}, {"label": "Ines Outsidr"}, {"person_id": other}):
        nominated = assembly.client.post(candidates, json=nominee, headers=assembly.secretary)
        assert nominated.status_code == 201, nominated.text
        options[nominee.get("person_id", typo)] = nominated.json()["id"]
    for person_id in (stands, other):
        accepted = assembly.client.post(
            f"{candidates}/{options[person_id]}/accept", headers=assembly.as_person(person_id)
        )
        assert accepted.status_code == 200, accepted.text

    # Another delegate may not withdraw a candidate; nothing is journaled.
    with sessions() as session:
        before = len(session.scalars(select(JournalEntry.seq)).all())
    refused = assembly.client.post(
        f"{candidates}/{options[stands]}/withdraw", headers=assembly.as_person(other)
    )
    assert refused.status_code == 403, refused.text
    # The candidate who stood withdraws; the chair takes off the mistyped name.
    withdrawn = assembly.client.post(
        f"{candidates}/{options[stands]}/withdraw", headers=assembly.as_person(stands)
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    by_chair = assembly.client.post(
        f"{candidates}/{options[typo]}/withdraw", headers=assembly.secretary
    )
    assert by_chair.status_code == 200 and by_chair.json()["status"] == "withdrawn"
    again = assembly.client.post(
        f"{candidates}/{options[typo]}/withdraw", headers=assembly.secretary
    )
    assert again.status_code == 409 and "already does not stand" in again.json()["detail"]
    with sessions() as session:
        entries = session.scalars(
            select(JournalEntry).where(JournalEntry.seq > before).order_by(JournalEntry.seq)
        ).all()
        assert [(e.action, e.payload["option_id"]) for e in entries] == [
            (JournalAction.WITHDRAW_CANDIDATE, options[stands]),
            (JournalAction.WITHDRAW_CANDIDATE, options[typo]),
        ]

    # Once voting opens, the ballot's candidates are settled.
    assembly.open(poll_id)
    late = assembly.client.post(
        f"{candidates}/{options[other]}/withdraw", headers=assembly.as_person(other)
    )
    assert late.status_code == 409 and "only until voting opens" in late.json()["detail"]
    poll = assembly.client.get(f"/api/polls/{poll_id}", headers=assembly.secretary).json()
    assert [o["status"] for o in poll["options"]] == ["withdrawn", "withdrawn", "accepted"]


@pytest.mark.parametrize("answer", ["withdraw", "decline"])
def test_a_decisions_options_are_no_candidates_to_withdraw(assembly: Assembly, answer: str) -> None:
    """Withdrawn, a decision's "no" (or all three) left a poll that opened, took blank
    ballots and could never be counted."""
    poll = _decision(assembly)
    no = next(option["id"] for option in poll["options"] if option["label"] == "no")
    refused = assembly.client.post(
        f"/api/polls/{poll['id']}/candidates/{no}/{answer}", headers=assembly.secretary
    )
    assert refused.status_code == 409 and "not an election" in refused.json()["detail"]
    stands = assembly.client.get(f"/api/polls/{poll['id']}", headers=assembly.secretary).json()
    assert [o["status"] for o in stands["options"]] == ["accepted"] * 3


def test_paper_and_electronic_ballots_merge(assembly: Assembly) -> None:
    assembly.check_in(assembly.members[:16])
    poll = _decision(assembly)
    poll_id = int(poll["id"])
    assembly.open(poll_id)
    for person_id in assembly.members[:5]:
        assembly.vote(poll_id, person_id, {"option": _option(poll, "no")})
    paper = assembly.client.post(
        f"/api/polls/{poll_id}/paper",
        json={"lots": [{"choice": {"option": _option(poll, "yes")}, "count": 9}]},
        headers=assembly.secretary,
    )
    assert paper.status_code == 201 and paper.json() == {"added": 9}
    closed = assembly.close(poll_id)
    assert closed["outcome"] == "adopted"
    sources = assembly.result(poll_id)["result"]["ballots_by_source"]
    assert sources == {"electronic": 5, "paper": 9}


def test_a_paper_lot_sent_twice_with_its_key_is_added_once(assembly: Assembly) -> None:
    assembly.check_in(assembly.members[:16])
    poll = _decision(assembly)
    poll_id = int(poll["id"])
    assembly.open(poll_id)
    lots = [
        {"choice": {"option": _option(poll, "yes")}, "count": 5},
        {"choice": {"option": _option(poll, "no")}, "count": 2},
    ]
    key, other_key = "tellers-table-2-lot-1", "tellers-table-2-lot-2"
    answers = [
        assembly.client.post(
            f"/api/polls/{poll_id}/paper",
            json={"lots": lots, "lot_key": lot_key},
            headers=assembly.secretary,
        )
        for lot_key in (key, key, other_key)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.json()["added"] for a in answers] == [7, 7, 7]
    count = assembly.client.get(f"/api/polls/{poll_id}/count", headers=assembly.secretary)
    assert count.json()["paper"] == 14  # the first lot once, and the other lot
    assembly.close(poll_id)
    assert assembly.result(poll_id)["result"]["ballots_by_source"] == {"electronic": 0, "paper": 14}


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("choice", "reason"),
    [
        ({"option": 999999}, "not on this ballot"),
        ({"option": [1, 2]}, "over-voted"),
        ({"ranking": [1]}, "a majority ballot is"),
        ({"option": "yes"}, "an option's number"),
        ({}, "a majority ballot is"),
    ],
)
def test_malformed_ballots_are_refused_and_the_voter_may_still_vote(
    assembly: Assembly, sessions: sessionmaker[Session], choice: dict[str, Any], reason: str
) -> None:
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    refused = assembly.vote(int(poll["id"]), voter, choice)
    assert refused.status_code == 422 and reason in refused.json()["detail"]
    with sessions() as session:
        assert session.scalars(select(Participation)).all() == []
    accepted = assembly.vote(int(poll["id"]), voter, {"option": _option(poll, "yes")})
    assert accepted.status_code == 201


def test_out_of_range_scores_are_refused(assembly: Assembly) -> None:
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = assembly.create_poll(
        title="Venue", kind="choice", method="score", options=["North", "South"], max_score=5
    )
    assembly.open(int(poll["id"]))
    north = _option(poll, "North")
    refused = assembly.vote(int(poll["id"]), voter, {"scores": {str(north): 6}})
    assert refused.status_code == 422 and "out of range" in refused.json()["detail"]


def test_who_may_not_vote_gets_403(assembly: Assembly, sessions: sessionmaker[Session]) -> None:
    present_member, absent_member = assembly.members[0], assembly.members[1]
    alternate = assembly.alternates[0]
    assembly.check_in([present_member, alternate])
    outsider = assembly.members[0] + 1000  # not a person at all
    observer_id = 44  # a demo person who sits in no General Council seat
    invited = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/participants",
        json={"person_id": observer_id, "role": "observer", "category": "heads of departments"},
        headers=assembly.secretary,
    )
    assert invited.status_code == 201, invited.text
    assembly.check_in([observer_id])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    yes = {"option": _option(poll, "yes")}
    assert assembly.vote(int(poll["id"]), absent_member, yes).status_code == 403
    assert assembly.vote(int(poll["id"]), alternate, yes).status_code == 403
    observer = assembly.vote(int(poll["id"]), observer_id, yes)
    assert observer.status_code == 403 and "Observers" in observer.json()["detail"]
    stranger = assembly.client.post(f"/api/people/{outsider}/tokens", headers=assembly.secretary)
    assert stranger.status_code == 404
    no_token = assembly.client.post(
        f"/api/polls/{poll['id']}/ballots", json={"choice": yes, "client_key": client_key()}
    )
    assert no_token.status_code == 401
    # A delegate cannot run the poll.
    closing = assembly.client.post(
        f"/api/polls/{poll['id']}/close", headers=assembly.as_person(present_member)
    )
    assert closing.status_code == 403
    with sessions() as session:
        assert session.scalars(select(Participation)).all() == []


def test_substitutes_and_proxies_are_rights_of_their_own(assembly: Assembly) -> None:
    holder, grantor, absent, alternate = (
        assembly.members[0],
        assembly.members[1],
        assembly.members[2],
        assembly.alternates[0],
    )
    assembly.check_in([holder, alternate])
    day = assembly.day.isoformat()
    sub = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/substitutions",
        json={"member_person_id": absent, "alternate_person_id": alternate, "day": day},
        headers=assembly.secretary,
    )
    assert sub.status_code == 201, sub.text
    proxy = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/proxies",
        json={"grantor_person_id": grantor, "holder_person_id": holder},
        headers=assembly.secretary,
    )
    assert proxy.status_code == 201, proxy.text
    # The demo's General Council allows one proxy per member.
    second = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/proxies",
        json={"grantor_person_id": assembly.members[3], "holder_person_id": holder},
        headers=assembly.secretary,
    )
    assert second.status_code == 409
    assert "already holds 1 proxy, the most" in second.json()["detail"]
    poll = _decision(assembly)
    poll_id = int(poll["id"])
    assembly.open(poll_id)
    rights = assembly.client.get(
        f"/api/polls/{poll_id}/rights", headers=assembly.as_person(holder)
    ).json()
    assert sorted((r["right_person_id"], r["kind"]) for r in rights) == sorted(
        [(holder, "own"), (grantor, "proxy")]
    )
    yes = {"option": _option(poll, "yes")}
    assert assembly.vote(poll_id, holder, yes).status_code == 201
    assert assembly.vote(poll_id, holder, yes, right_person_id=grantor).status_code == 201
    twice = assembly.vote(poll_id, holder, yes, right_person_id=grantor)
    assert twice.status_code == 409 and "on behalf of" in twice.json()["detail"]
    assert assembly.vote(poll_id, alternate, yes).status_code == 201
    count = assembly.client.get(f"/api/polls/{poll_id}/count", headers=assembly.secretary).json()
    assert count["electronic"] == 3


def test_a_resend_gets_the_same_receipt_and_no_second_ballot(assembly: Assembly) -> None:
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    key = client_key()
    first = assembly.vote(int(poll["id"]), voter, {"option": _option(poll, "yes")}, key=key)
    again = assembly.vote(int(poll["id"]), voter, {"option": _option(poll, "yes")}, key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["receipt"] == again.json()["receipt"] and again.json()["replayed"]
    assert first.json()["right_person_id"] == again.json()["right_person_id"] == voter
    other = assembly.vote(int(poll["id"]), voter, {"option": _option(poll, "no")})
    assert other.status_code == 409 and "already voted" in other.json()["detail"]
    count = assembly.client.get(f"/api/polls/{poll['id']}/count", headers=assembly.secretary).json()
    assert count["electronic"] == 1


@pytest.mark.parametrize("in_the_intakes_moment", [False, True])
def test_a_ballot_to_a_poll_just_closed_is_answered_as_closed(
    assembly: Assembly, monkeypatch: pytest.MonkeyPatch, in_the_intakes_moment: bool
) -> None:
    """The intake trusts an open poll's facts for a moment; a ballot it takes for one sent
    to an open poll is answered as once the poll is read closed: a malformed one as closed,
    not as malformed, and a resend with its receipt."""
    monkeypatch.setattr(intake, "FACTS_LIFETIME", 3600.0 if in_the_intakes_moment else 0.0)
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    key, yes = client_key(), {"option": _option(poll, "yes")}
    cast = assembly.vote(int(poll["id"]), voter, yes, key=key)
    assert cast.status_code == 201, cast.text
    assembly.close(int(poll["id"]))
    malformed = assembly.vote(int(poll["id"]), voter, {"option": 0})
    assert malformed.status_code == 409, malformed.text
    assert malformed.json()["detail"] == "This vote has closed."
    resent = assembly.vote(int(poll["id"]), voter, yes, key=key)
    assert resent.status_code == 200, resent.text
    assert resent.json()["receipt"] == cast.json()["receipt"] and resent.json()["replayed"]


def test_last_ballot_counts_when_the_poll_allows_it(assembly: Assembly) -> None:
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly, revote="last_counts")
    assembly.open(int(poll["id"]))
    first_key = client_key()
    assembly.vote(int(poll["id"]), voter, {"option": _option(poll, "no")}, key=first_key)
    lost = assembly.vote(int(poll["id"]), voter, {"option": _option(poll, "yes")})
    assert lost.status_code == 409 and "replaces_client_key" in lost.json()["detail"]
    changed = assembly.vote(
        int(poll["id"]), voter, {"option": _option(poll, "yes")}, replaces_client_key=first_key
    )
    assert changed.status_code == 201 and changed.json()["replaced"]
    assembly.close(int(poll["id"]))
    board = assembly.client.get(
        f"/api/polls/{poll['id']}/ballots", headers=assembly.secretary
    ).json()
    assert [b["choice"] for b in board["ballots"]] == ["yes"]


def test_state_machine_errors_say_what_is_wrong(assembly: Assembly) -> None:
    poll = _decision(assembly)
    poll_id = int(poll["id"])
    closing = assembly.client.post(f"/api/polls/{poll_id}/close", headers=assembly.secretary)
    assert closing.status_code == 409
    assert closing.json()["detail"] == f"cannot close poll {poll_id}: it is draft, not open"
    assembly.open(poll_id)
    first = assembly.close(poll_id)
    second = assembly.close(poll_id)  # idempotent
    assert first == second
    late = assembly.vote(poll_id, assembly.members[0], {"option": _option(poll, "yes")})
    assert late.status_code == 409 and late.json()["detail"] == "This vote has closed."
    assert (
        assembly.client.post(f"/api/polls/{poll_id}/cancel", headers=assembly.secretary).status_code
        == 409
    )


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "decision", "method": "irv"}, "counted by 'majority'"),
        (
            {"kind": "choice", "method": "plurality", "options": ["only one"]},
            "at least two options",
        ),
        ({"kind": "choice", "method": "no-such", "options": ["a", "b"]}, "unknown counting method"),
        (
            {"kind": "choice", "method": "irv", "seats": 2, "options": ["a", "b"]},
            "elects one winner",
        ),
        (
            {"kind": "decision", "method": "majority", "method_options": {"colour": 1}},
            "does not take",
        ),
        ({"kind": "election", "method": "irv", "seats": 0}, "greater than or equal to 1"),
        (
            {
                "kind": "decision",
                "method": "majority",
                "method_options": {"rule": "qualified", "fraction": "5/3", "base": "cast"},
            },
            "the majority rule",
        ),
        (
            {"kind": "decision", "method": "majority", "method_options": {"rule": "most"}},
            "the majority rule",
        ),
    ],
)
def test_bad_polls_are_refused(assembly: Assembly, spec: dict[str, Any], message: str) -> None:
    response = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/polls",
        json={"title": "T", **spec},
        headers=assembly.secretary,
    )
    assert response.status_code == 422 and message in response.json()["detail"], response.text
    listed = assembly.client.get(
        f"/api/meetings/{assembly.meeting_id}/polls", headers=assembly.secretary
    )
    assert listed.json() == []  # nothing was created


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "JSON"),
        (b'{"choice": {"option": 1}}', "body \u2192 client_key: Field required"),
        (b'{"choice": 3, "client_key": "0123456789abcdef"}', "body \u2192 choice"),
        (b'{"choice": {}, "client_key": 5}', "body \u2192 client_key"),
    ],
)
def test_a_malformed_ballot_body_gets_422_naming_the_field(
    assembly: Assembly, sessions: sessionmaker[Session], body: bytes, problem: str
) -> None:
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    refused = assembly.client.post(
        f"/api/polls/{poll['id']}/ballots",
        content=body,
        headers={**assembly.as_person(voter), "Content-Type": "application/json"},
    )
    assert refused.status_code == 422
    assert problem in refused.json()["detail"]
    assert refused.json()["errors"]  # the list of problems, as FastAPI gives it
    with sessions() as session:
        assert session.scalars(select(Participation)).all() == []


def test_a_bad_token_is_refused_without_spoiling_the_ballots_beside_it(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    """Tokens are checked together for a group of ballots; each refusal stays its own."""
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    yes = {"choice": {"option": _option(poll, "yes")}, "client_key": client_key()}
    url = f"/api/polls/{poll['id']}/ballots"
    forged = assembly.client.post(url, json=yes, headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401 and "not valid" in forged.json()["detail"]
    wrong_scheme = assembly.client.post(url, json=yes, headers={"Authorization": "Basic eA=="})
    assert wrong_scheme.status_code == 401
    # An unknown poll, asked with a forged token, is not revealed to be unknown.
    elsewhere = assembly.client.post(
        "/api/polls/99999/ballots", json=yes, headers={"Authorization": "Bearer forged"}
    )
    assert elsewhere.status_code == 401
    unknown = assembly.client.post(
        "/api/polls/99999/ballots", json=yes, headers=assembly.as_person(voter)
    )
    assert unknown.status_code == 404
    not_a_number = assembly.client.post(
        "/api/polls/first/ballots", json=yes, headers=assembly.as_person(voter)
    )
    assert (
        not_a_number.status_code == 422 and "path \u2192 poll_id" in not_a_number.json()["detail"]
    )
    accepted = assembly.client.post(url, json=yes, headers=assembly.as_person(voter))
    assert accepted.status_code == 201
    with sessions() as session:
        assert len(session.scalars(select(Participation)).all()) == 1


@pytest.mark.one_database
def test_the_ballot_route_is_described_in_the_openapi_schema(assembly: Assembly) -> None:
    schema = assembly.client.get("/api/openapi.json").json()
    path = schema["paths"]["/api/polls/{poll_id}/ballots"]
    assert set(path) == {"get", "post"}  # the bulletin board and casting share the path
    body = path["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    ballot = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert {"choice", "client_key"} <= set(ballot["required"])
    answer = path["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert "receipt" in schema["components"]["schemas"][answer.rsplit("/", 1)[1]]["properties"]


def test_the_ballot_box_answers_like_the_rest_of_the_api(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    """Ballots are answered in front of FastAPI (veche.web.api.ballots): the same security
    headers, JSON answers, and a clear refusal of a body no ballot could need."""
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    url = f"/api/polls/{poll['id']}/ballots"
    huge = {"choice": {"option": _option(poll, "yes")}, "client_key": "k" * 300_000}
    refused = assembly.client.post(url, json=huge, headers=assembly.as_person(voter))
    assert refused.status_code == 413 and "at most 256 kB" in refused.json()["detail"]
    yes = {"choice": {"option": _option(poll, "yes")}, "client_key": client_key()}
    accepted = assembly.client.post(url, json=yes, headers=assembly.as_person(voter))
    assert accepted.status_code == 201
    for answer in (refused, accepted):
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
    with sessions() as session:
        assert len(session.scalars(select(Participation)).all()) == 1


@pytest.mark.one_database
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_ballot_not_sent_as_json_is_422_and_stores_nothing(
    assembly: Assembly, sessions: sessionmaker[Session], content_type: str | None
) -> None:
    """As FastAPI answers every other route (docs/configuration.md), though the ballot box
    reads its body itself."""
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = _decision(assembly)
    assembly.open(int(poll["id"]))
    url = f"/api/polls/{poll['id']}/ballots"
    body = json.dumps({"choice": {"option": _option(poll, "yes")}, "client_key": client_key()})
    headers = assembly.as_person(voter) | ({"content-type": content_type} if content_type else {})
    refused = assembly.client.post(url, content=body, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == (
        "body: not JSON; send it with the header Content-Type: application/json"
    )
    assert "input" not in refused.json()["errors"][0]  # the body is not echoed
    with sessions() as session:
        assert session.scalars(select(Participation)).all() == []
    for sent_as in ("application/json; charset=utf-8", "Application/JSON", "application/x+json"):
        headers = assembly.as_person(voter) | {"content-type": sent_as}
        accepted = assembly.client.post(url, content=body, headers=headers)
        assert accepted.status_code in (200, 201), (sent_as, accepted.text)
