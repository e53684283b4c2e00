"""Proxies, weights, substitutes and paper ballots counted as voting rights, through the API.

The quorum, the ceiling on ballots and a majority of members present all count the same
thing: the voting rights present, each by its weight (see ``veche.actions.polls.PollRights``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened
from tests.web.page_client import SYSTEM, Browser, secretary
from veche.actions.journal_actions import JournalAction
from veche.actions.participants import MAX_WEIGHT, do_invite
from veche.actions.polls import MAX_PAPER_COUNT
from veche.db import transaction
from veche.errors import InvalidInput
from veche.models import JournalEntry, Meeting
from veche.models.meetings import ParticipantRole
from veche.queries.sitting import quorum_status

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@dataclass
class Hall:
    """The General Council convened through the API, and the secretary's browser for the desk."""

    assembly: Assembly
    desk: Browser
    sessions: sessionmaker[Session]

    @property
    def meeting(self) -> str:
        return f"/api/meetings/{self.assembly.meeting_id}"

    def call(self, verb: str, path: str, body: Any = None) -> Any:
        return self.assembly.client.request(verb, path, json=body, headers=self.assembly.secretary)

    def weigh(self, person_id: int, weight: int) -> None:
        answer = self.call("PATCH", f"{self.meeting}/participants/{person_id}", {"weight": weight})
        assert answer.status_code == 200, answer.text

    def proxy(self, grantor: int, holder: int) -> Any:
        return self.call(
            "POST",
            f"{self.meeting}/proxies",
            {"grantor_person_id": grantor, "holder_person_id": holder},
        )

    def substitute(self, member: int, alternate: int) -> None:
        answer = self.call(
            "POST",
            f"{self.meeting}/substitutions",
            {
                "member_person_id": member,
                "alternate_person_id": alternate,
                "day": self.assembly.day.isoformat(),
            },
        )
        assert answer.status_code == 201, answer.text

    def decision(self, **extra: Any) -> tuple[int, dict[str, int]]:
        poll = self.assembly.create_poll(
            title="Adopt the accounts", kind="decision", method="majority", **extra
        )
        self.assembly.open(int(poll["id"]))
        return int(poll["id"]), {o["label"]: int(o["id"]) for o in poll["options"]}

    def vote(self, poll_id: int, voter: int, option: int, right: int | None = None) -> Any:
        extra = {} if right is None else {"right_person_id": right}
        return self.assembly.vote(poll_id, voter, {"option": option}, **extra)

    def votes(self, poll_id: int, voters: list[int], option: int) -> None:
        """Each of ``voters`` votes for ``option`` with their own right, and is accepted."""
        for voter in voters:
            answer = self.vote(poll_id, voter, option)
            assert answer.status_code == 201, answer.text

    def paper(self, poll_id: int, *lots: tuple[int, int]) -> Any:
        body = {"lots": [{"choice": {"option": option}, "count": n} for option, n in lots]}
        return self.call("POST", f"/api/polls/{poll_id}/paper", body)

    def close(self, poll_id: int) -> Any:
        return self.call("POST", f"/api/polls/{poll_id}/close")


@pytest.fixture
def hall(engine: Engine, sessions: sessionmaker[Session], convened: Convened) -> Iterator[Hall]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield Hall(convened.on(client), secretary(app), sessions)


def test_a_proxy_vote_beyond_the_members_present_no_longer_blocks_the_close(hall: Hall) -> None:
    """The review's case: every member present votes, and a proxy holder votes once more."""
    members = hall.assembly.members
    hall.assembly.check_in(members[:16])
    assert hall.proxy(members[20], members[0]).status_code == 201
    poll_id, options = hall.decision()
    hall.votes(poll_id, members[:16], options["yes"])
    assert hall.vote(poll_id, members[0], options["yes"], right=members[20]).status_code == 201
    closed = hall.close(poll_id)
    assert closed.status_code == 200, closed.text  # was 409: "17 votes … only 16 members"
    details = hall.assembly.result(poll_id)["result"]["details"]
    assert (details["yes"], details["no"]) == (17, 0)
    assert details["quorum"] == {"required": 15, "present": 17, "met": True}


def test_a_weight_above_one_no_longer_blocks_the_close(hall: Hall) -> None:
    members = hall.assembly.members
    hall.weigh(members[0], 2)
    hall.assembly.check_in(members[:16])
    poll_id, options = hall.decision()
    hall.votes(poll_id, members[:16], options["yes"])
    closed = hall.close(poll_id)
    assert closed.status_code == 200, closed.text
    details = hall.assembly.result(poll_id)["result"]["details"]
    assert details["yes"] == 17
    # Thirty-one votes in all (one member carries two): the quorum is 16 of them.
    assert details["quorum"] == {"required": 16, "present": 17, "met": True}


def test_proxies_count_toward_the_quorum_as_the_chair_sees_it(hall: Hall) -> None:
    """Fourteen of thirty members in the hall and two proxies: sixteen rights, a quorum."""
    members = hall.assembly.members
    hall.assembly.check_in(members[:14])
    assert hall.proxy(members[20], members[0]).status_code == 201
    assert hall.proxy(members[21], members[1]).status_code == 201
    counted = hall.call(
        "GET", f"{hall.meeting}/attendance?day={hall.assembly.day.isoformat()}"
    ).json()
    assert (counted["rights_present"], counted["rights_total"]) == (16, 30)
    assert (
        "16 of 30 voting rights present, 15 required"
        in hall.desk.get(f"/secretary/meetings/{hall.assembly.meeting_id}").text
    )
    poll_id, options = hall.decision()
    hall.votes(poll_id, members[:14], options["yes"])
    hall.vote(poll_id, members[0], options["no"], right=members[20])
    assert hall.close(poll_id).status_code == 200
    assert hall.assembly.result(poll_id)["outcome"] == "adopted"  # not "no quorum"


def test_a_decision_with_proxies_weights_substitutes_and_paper_is_counted_by_rights(
    hall: Hall,
) -> None:
    members, alternates = hall.assembly.members, hall.assembly.alternates
    for person_id, weight in ((members[0], 3), (members[1], 2), (members[20], 2), (members[22], 4)):
        hall.weigh(person_id, weight)
    hall.assembly.check_in([*members[:14], alternates[0]])
    hall.substitute(members[20], alternates[0])  # carries the absent member's weight, 2
    for grantor, holder in (
        (members[21], members[2]),  # usable: 1
        (members[22], members[3]),  # usable: 4
        (members[13], members[12]),  # the grantor is present and votes in person
        (members[23], members[24]),  # the holder is absent: no one can use it
    ):
        assert hall.proxy(grantor, holder).status_code == 201
    # 30 members, four of them weighing 3, 2, 2 and 4: 37 votes in all. Present: fourteen
    # members (3 + 2 + 12), a substitute (2) and two proxies held in the hall (1 + 4).
    counted = hall.call(
        "GET", f"{hall.meeting}/attendance?day={hall.assembly.day.isoformat()}"
    ).json()
    assert (counted["rights_present"], counted["rights_total"]) == (24, 37)
    with hall.sessions() as session:
        meeting = session.get(Meeting, hall.assembly.meeting_id)
        assert meeting is not None
        quorum = quorum_status(session, meeting, hall.assembly.day)
        assert (quorum.present, quorum.rights, quorum.required, quorum.met) == (24, 37, 19, True)

    poll_id, options = hall.decision(method_options={"rule": "absolute-of-present"})
    yes, no, abstain = options["yes"], options["no"], options["abstain"]
    for voter, option, right in (
        (members[0], yes, None),  # 3
        (members[1], no, None),  # 2
        (members[2], yes, None),  # 1
        (members[2], yes, members[21]),  # 1, by proxy
        (members[3], no, None),  # 1
        (members[3], yes, members[22]),  # 4, by proxy
        (alternates[0], abstain, None),  # 2, standing in
    ):
        assert hall.vote(poll_id, voter, option, right).status_code == 201
    # 14 votes cast electronically; ten members present (members 4 to 13) have not voted.
    too_many = hall.paper(poll_id, (yes, 11))
    assert too_many.status_code == 409
    assert too_many.json()["detail"].startswith(
        "this lot adds 11 ballots but only 10 voting rights are unused "
        "(24 rights, 14 used electronically)"
    )
    assert hall.paper(poll_id, (yes, 6), (no, 3)).status_code == 201
    # Seven ballots from phones carry 14 votes; with nine on paper, 16 ballots carry 23 votes.
    count = hall.call("GET", f"/api/polls/{poll_id}/count").json()
    assert (count["electronic"], count["paper"], count["votes"]) == (7, 9, 23)
    closed = hall.close(poll_id)
    assert closed.status_code == 200, closed.text
    result = hall.assembly.result(poll_id)["result"]
    details = result["details"]
    assert (details["yes"], details["no"], details["abstain"]) == (15, 6, 2)
    assert details["quorum"] == {"required": 19, "present": 24, "met": True}
    # An absolute majority of the rights present: 24 // 2 + 1 = 13 yes votes needed.
    assert (details["base"], details["required"]) == (24, 13)
    assert result["ballots_by_source"] == {"electronic": 14, "paper": 9}
    assert closed.json()["outcome"] == "adopted"


def test_paper_lots_cannot_add_more_ballots_than_the_rights_unused(hall: Hall) -> None:
    members = hall.assembly.members
    hall.assembly.check_in(members[:10])
    poll_id, options = hall.decision()
    hall.votes(poll_id, members[:3], options["no"])
    refused = hall.paper(poll_id, (options["yes"], 25))
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "this lot adds 25 ballots but only 7 voting rights are unused "
        "(10 rights, 3 used electronically); check the count, or check in the members who voted"
    )
    # The review's attack: twenty million ballots in a hall of ten.
    flood = hall.paper(poll_id, (options["yes"], 10_000_000), (options["no"], 10_000_000))
    assert flood.status_code == 409
    assert "this lot adds 20,000,000 ballots but only 7" in flood.json()["detail"]
    assert hall.paper(poll_id, (options["yes"], 4)).status_code == 201
    second = hall.paper(poll_id, (options["yes"], 4))
    assert second.status_code == 409
    assert (
        "only 3 voting rights are unused (10 rights, 3 used electronically, 4 on paper)"
        in (second.json()["detail"])
    )
    assert hall.paper(poll_id, (options["abstain"], 3)).status_code == 201
    # Every right present is accounted for: a ballot from the phone would be one too many.
    late = hall.vote(poll_id, members[3], options["yes"])
    assert late.status_code == 409
    assert "only 0 voting rights are unused" in late.json()["detail"]
    assert "ask the tellers" in late.json()["detail"]
    count = hall.call("GET", f"/api/polls/{poll_id}/count").json()
    assert (count["electronic"], count["paper"]) == (3, 7)
    assert hall.close(poll_id).status_code == 200
    details = hall.assembly.result(poll_id)["result"]["details"]
    assert (details["yes"], details["no"], details["abstain"]) == (4, 3, 3)


def test_members_who_voted_and_left_do_not_block_the_close(hall: Hall) -> None:
    """Rights used stay counted as present for the poll after their holders check out."""
    members = hall.assembly.members
    hall.assembly.check_in(members[:16])
    poll_id, options = hall.decision()
    hall.votes(poll_id, members[:4], options["yes"])
    assert hall.paper(poll_id, (options["yes"], 12)).status_code == 201
    out = hall.call(
        "POST",
        f"{hall.meeting}/attendance",
        {"person_ids": members[:8], "day": hall.assembly.day.isoformat(), "present": False},
    )
    assert out.status_code == 200, out.text
    assert hall.close(poll_id).status_code == 200
    details = hall.assembly.result(poll_id)["result"]["details"]
    assert details["yes"] == 16
    assert details["quorum"] == {"required": 15, "present": 16, "met": True}


def test_the_numbers_a_teller_types_are_bounded(hall: Hall) -> None:
    members = hall.assembly.members
    hall.assembly.check_in(members)
    poll_id, options = hall.decision()
    above = hall.paper(poll_id, (options["yes"], MAX_PAPER_COUNT + 1))
    assert above.status_code == 422 and str(MAX_PAPER_COUNT) in above.text
    huge = hall.paper(poll_id, (options["yes"], 2**63))
    assert huge.status_code == 422
    desk = f"/secretary/meetings/{hall.assembly.meeting_id}/polls/{poll_id}/paper"
    for typed, message in (
        ("99999999999", "must be at most 10,000,000"),
        ("9" * 5000, "must be at most 10,000,000"),
        ("²", "must be a whole number"),
    ):
        answer = hall.desk.post(desk, {f"count_{options['yes']}": typed})
        assert answer.status_code == 422, typed
        assert message in answer.text
    beyond = hall.desk.post(desk, {f"count_{options['yes']}": "31"})
    assert beyond.status_code == 409
    assert "this lot adds 31 ballots but only 30 voting rights are unused" in beyond.text
    assert hall.call("GET", f"/api/polls/{poll_id}/count").json()["paper"] == 0


def test_weights_have_an_upper_bound(hall: Hall) -> None:
    members = hall.assembly.members
    too_heavy = hall.call(
        "PATCH", f"{hall.meeting}/participants/{members[0]}", {"weight": MAX_WEIGHT + 1}
    )
    assert too_heavy.status_code == 422
    assert "less than or equal to 1000000" in too_heavy.json()["detail"]
    invited = hall.call(
        "POST",
        f"{hall.meeting}/participants",
        {"person_id": members[-1] + 15, "role": "member", "weight": 2**40},
    )
    assert invited.status_code == 422
    assert "less than or equal to 1000000" in invited.json()["detail"]
    hall.weigh(members[0], MAX_WEIGHT)
    with transaction(hall.sessions) as session:
        meeting = session.get(Meeting, hall.assembly.meeting_id)
        assert meeting is not None
        with pytest.raises(InvalidInput, match="from 1 to 1,000,000, not 1000001"):
            do_invite(
                session,
                SYSTEM,
                meeting,
                members[-1] + 15,
                role=ParticipantRole.MEMBER,
                weight=MAX_WEIGHT + 1,
            )


def test_a_weight_cannot_change_while_a_poll_is_open(hall: Hall) -> None:
    members = hall.assembly.members
    hall.assembly.check_in(members[:16])
    poll_id, options = hall.decision()
    assert hall.vote(poll_id, members[0], options["yes"]).status_code == 201
    changed = hall.call("PATCH", f"{hall.meeting}/participants/{members[0]}", {"weight": 5})
    assert changed.status_code == 409
    assert changed.json()["detail"] == (
        f"cannot change the voting weight of person {members[0]}: poll {poll_id} is still open; "
        "close or cancel it first"
    )
    assert hall.close(poll_id).status_code == 200
    hall.weigh(members[0], 5)


def test_proxies_are_not_passed_on(hall: Hall) -> None:
    """No member both gives and holds a proxy, whichever is granted first."""
    a, b, c = hall.assembly.members[:3]
    assert hall.proxy(a, b).status_code == 201
    onward = hall.proxy(b, c)
    assert onward.status_code == 409
    assert "holds 1 proxy and cannot give their own vote away" in onward.json()["detail"]
    back = hall.proxy(c, a)
    assert back.status_code == 409
    assert "has given their own vote away and cannot hold proxies" in back.json()["detail"]


def test_a_proxy_taken_back_leaves_the_vote_to_its_member(hall: Hall) -> None:
    """A proxy given by mistake, or the member changing their mind: from the desk or the API,
    the proxy is taken back, and its holder holds the member's vote no more."""
    a, b = hall.assembly.members[:2]
    hall.assembly.check_in([b])
    assert hall.proxy(a, b).status_code == 201
    poll_id, _ = hall.decision()

    def held_by_b() -> set[int]:
        answer = hall.assembly.client.get(
            f"/api/polls/{poll_id}/rights", headers=hall.assembly.as_person(b)
        )
        return {right["right_person_id"] for right in answer.json()}

    assert held_by_b() == {a, b}
    m = hall.assembly.meeting_id
    assert "Take back the proxy of" in hall.desk.get(f"/secretary/meetings/{m}").text
    taken = hall.desk.post(f"/secretary/meetings/{m}/proxies/{a}/revoke")
    assert taken.status_code == 303, taken.text
    assert held_by_b() == {b}
    assert hall.call("DELETE", f"{hall.meeting}/proxies/{a}").status_code == 404
    # Through the API, by the chair or the secretary only.
    assert hall.proxy(a, b).status_code == 201
    refused = hall.assembly.client.delete(
        f"{hall.meeting}/proxies/{a}", headers=hall.assembly.as_person(b)
    )
    assert refused.status_code == 403
    assert hall.call("DELETE", f"{hall.meeting}/proxies/{a}").status_code == 204
    assert held_by_b() == {b}
    with hall.sessions() as session:
        taken_back = session.scalars(
            select(JournalEntry.action).where(JournalEntry.action == JournalAction.REVOKE_PROXY)
        ).all()
    assert len(taken_back) == 2
