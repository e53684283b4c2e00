"""What the bulletin board must not tell: how a delegate whose weight no one else has voted,
and a secret result before it is published."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Convened
from tests.web.board_hall import Hall, board_hall
from tests.web.page_client import delegates

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@pytest.fixture
def hall(engine: Engine, convened: Convened) -> Iterator[Hall]:
    with board_hall(engine, convened) as convened_hall:
        yield convened_hall


def test_a_ballot_whose_weight_is_withheld_shows_no_choice(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    """Persons of weights 7 and 3, whom the participants list names, both abstain: the board
    shows their ballots by receipt alone, and the file leaves them out."""
    voters = hall.assembly.members[:8]
    heavy, heavier = voters[0], voters[1]
    hall.assembly.check_in(voters)
    hall.weigh(heavier, 7)
    hall.weigh(heavy, 3)
    votes = {heavier: "abstain", heavy: "abstain"}
    votes |= dict.fromkeys(voters[2:5], "yes") | dict.fromkeys(voters[5:], "no")
    poll_id = hall.decision("Adopt the budget", votes)
    hall.publish(poll_id)
    details = hall.get(f"/api/polls/{poll_id}/result", voters[2]).json()["result"]["details"]
    assert details["abstain"] == 10  # the count takes every weight

    board = hall.get(f"/api/polls/{poll_id}/ballots", voters[2]).json()
    assert board["weights_withheld"] is True and len(board["ballots"]) == 8
    withheld = [b for b in board["ballots"] if b["weight_withheld"]]
    assert [(b["choice"], b["weight"], b["source"]) for b in withheld] == [
        (None, None, "electronic")
    ] * 2
    shown = sorted(b["choice"] for b in board["ballots"] if not b["weight_withheld"])
    assert shown == ["no"] * 3 + ["yes"] * 3  # no abstention is shown at all

    file = hall.get(f"/api/polls/{poll_id}/ballots.json", voters[2]).json()
    assert "abstain" not in [label for b in file["ballots"] for label in b["ranking"]]
    assert {b["receipt"] for b in file["ballots"]}.isdisjoint(b["receipt"] for b in withheld)
    assert "2 ballots are left out" in file["title"] and "not recount" in file["title"]

    page = delegates(hall.app, sessions, hall.meeting, [voters[2]])[0].browser
    text = page.get(f"/meetings/{hall.meeting}/polls/{poll_id}/board").text
    rows = re.findall(r'<tr data-receipt="(\w+)">(.*?)</tr>', text, re.DOTALL)
    assert len(rows) == 8 and "bstain" not in text.split("<table")[1]
    for b in withheld:  # the voter finds their receipt, counted, without its choice
        row = dict(rows)[b["receipt"]]
        assert "withheld" in row and "Abstain" not in row


def test_when_no_ballot_shows_its_weight_every_choice_is_shown(hall: Hall) -> None:
    """Weights 7, 1 and 1: every weight is withheld, so the mark tells no ballot apart, and
    the voters still find their choices (as a small poll's board always did)."""
    voters = hall.assembly.members[:3]
    hall.assembly.check_in(voters)
    hall.weigh(voters[0], 7)
    poll_id = hall.decision(
        "Adopt the minutes", dict(zip(voters, ["no", "yes", "yes"], strict=True))
    )
    hall.publish(poll_id)
    board = hall.get(f"/api/polls/{poll_id}/ballots", voters[1]).json()
    assert all(b["weight_withheld"] and b["weight"] is None for b in board["ballots"])
    assert sorted(b["choice"] for b in board["ballots"]) == ["no", "yes", "yes"]
    file = hall.get(f"/api/polls/{poll_id}/ballots.json", voters[1]).json()
    assert [b["count"] for b in file["ballots"]] == [1, 1, 1] and "left out" not in file["title"]


def test_a_closed_result_is_not_told_by_the_board_before_it_is_published(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    voters = hall.assembly.members[:5]
    hall.assembly.check_in(voters)
    poll_id = hall.decision("Adopt the agenda", dict.fromkeys(voters, "yes"))
    delegate = voters[0]
    page = delegates(hall.app, sessions, hall.meeting, [delegate])[0].browser
    paths = [f"/api/polls/{poll_id}/{what}" for what in ("ballots", "ballots.json", "result")]
    board_page = f"/meetings/{hall.meeting}/polls/{poll_id}/board"
    for path in paths:
        refused = hall.get(path, delegate)
        assert refused.status_code == 403, path
        assert refused.json()["detail"].endswith("once it is published"), path
    refused = page.get(f"{board_page}/ballots.json")
    assert refused.status_code == 403 and "once it is published" in refused.text
    # The board's page says when it opens, and keeps the receipt its address may carry.
    waiting = page.get(board_page)
    assert waiting.status_code == 200 and "opens when the result is published" in waiting.text
    assert "<tr data-receipt=" not in waiting.text and "Yes" not in waiting.text.split("<main")[-1]
    # The chair (results.see_closed) sees all three before publishing, as before.
    for path in paths:
        assert hall.get(path).status_code == 200, path

    hall.publish(poll_id)
    for path in paths:
        assert hall.get(path, delegate).status_code == 200, path
    assert page.get(board_page).text.count("<tr data-receipt=") == 5
    assert page.get(f"{board_page}/ballots.json").status_code == 200


def test_the_board_of_an_open_or_cancelled_poll_is_refused_to_everyone(hall: Hall) -> None:
    voters = hall.assembly.members[:2]
    hall.assembly.check_in(voters)
    poll = hall.assembly.create_poll(title="Adopt the minutes", kind="decision")
    poll_id = int(poll["id"])
    hall.assembly.open(poll_id)
    for person in (None, voters[0]):
        refused = hall.get(f"/api/polls/{poll_id}/ballots", person)
        assert refused.status_code == 403
    assert hall.get(f"/api/polls/{poll_id}/ballots").json()["detail"].endswith("once it is closed")
    cancelled = hall.assembly.client.post(
        f"/api/polls/{poll_id}/cancel", headers=hall.assembly.secretary
    )
    assert cancelled.status_code == 200, cancelled.text
    for what in ("ballots", "ballots.json", "result"):
        refused = hall.get(f"/api/polls/{poll_id}/{what}")
        assert refused.status_code == 403 and "was cancelled" in refused.json()["detail"]
