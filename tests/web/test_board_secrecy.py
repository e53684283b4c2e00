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
from veche.queries.polls import MIN_BALLOTS_SHARING_A_WEIGHT

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@pytest.fixture
def hall(engine: Engine, convened: Convened) -> Iterator[Hall]:
    with board_hall(engine, convened) as convened_hall:
        yield convened_hall


#: The weights of the delegates whose ballots the board withholds, as many as a test needs:
#: none shared by as many ballots as the board's threshold.
HEAVY = (7, 3, 2, 3, 2)


@pytest.mark.parametrize(
    "withheld", [0, 1, MIN_BALLOTS_SHARING_A_WEIGHT - 1, MIN_BALLOTS_SHARING_A_WEIGHT]
)
def test_a_ballot_whose_weight_is_withheld_shows_no_choice(
    hall: Hall, sessions: sessionmaker[Session], withheld: int
) -> None:
    """Delegates whose weights fewer than five ballots share, named by the participants list,
    all abstain, beside five members of weight 1. As many withheld ballots as the threshold:
    the board shows them by receipt alone, and the file leaves them out. Fewer, but some:
    the published totals less the choices shown would give theirs (the 3 abstentions of the
    one delegate of weight 3), so the board shows no choice at all, and says why."""
    assert len(HEAVY) == MIN_BALLOTS_SHARING_A_WEIGHT == 5
    voters = hall.assembly.members[: 5 + withheld]
    heavy, light = voters[:withheld], voters[withheld:]
    hall.assembly.check_in(voters)
    for person, weight in zip(heavy, HEAVY, strict=False):
        hall.weigh(person, weight)
    votes = dict.fromkeys(heavy, "abstain") | dict.fromkeys(light[:3], "yes")
    poll_id = hall.decision("Adopt the budget", votes | dict.fromkeys(light[3:], "no"))
    hall.publish(poll_id)
    details = hall.get(f"/api/polls/{poll_id}/result", light[0]).json()["result"]["details"]
    assert details["abstain"] == sum(HEAVY[:withheld])  # the count takes every weight

    board = hall.get(f"/api/polls/{poll_id}/ballots", light[0]).json()
    assert board["weights_withheld"] is (withheld > 0) and len(board["ballots"]) == len(voters)
    hidden = [b for b in board["ballots"] if b["weight_withheld"]]
    assert [(b["choice"], b["weight"], b["source"]) for b in hidden] == [
        (None, None, "electronic")
    ] * withheld
    shown = sorted(str(b["choice"]) for b in board["ballots"] if not b["weight_withheld"])
    file = hall.get(f"/api/polls/{poll_id}/ballots.json", light[0])
    page = delegates(hall.app, sessions, hall.meeting, [light[0]])[0].browser
    text = page.get(f"/meetings/{hall.meeting}/polls/{poll_id}/board").text
    rows = dict(re.findall(r'<tr data-receipt="(\w+)">(.*?)</tr>', text, re.DOTALL))
    table = text.split("<table")[1]
    assert set(rows) == {b["receipt"] for b in board["ballots"]}  # every voter finds theirs
    if 0 < withheld < MIN_BALLOTS_SHARING_A_WEIGHT:
        assert board["shows_choices"] is False and board["choices_withheld"] == withheld
        assert shown == ["None"] * 5 and not board["recount_file"]
        assert board["recount_command"] is None
        assert file.status_code == 403 and "lists receipts only" in file.json()["detail"]
        assert 'id="choices-withheld"' in text and "receipts only" in text
        said = [
            w for r, row in rows.items() for w in ("Yes", "No", "bstain") if w in row.replace(r, "")
        ]
        assert said == []
        assert "Download the ballots" not in text
        return
    assert board["shows_choices"] is True and board["choices_withheld"] == 0
    assert shown == ["no"] * 2 + ["yes"] * 3  # no abstention is shown at all
    assert 'id="choices-withheld"' not in text and "bstain" not in table
    ballots = file.json()["ballots"]
    assert "abstain" not in [label for b in ballots for label in b["ranking"]]
    assert {b["receipt"] for b in ballots}.isdisjoint(b["receipt"] for b in hidden)
    assert (f"{withheld} ballots are left out" in file.json()["title"]) is (withheld > 0)
    for b in hidden:  # the voter finds their receipt, counted, without its choice
        assert "withheld" in rows[b["receipt"]] and "Abstain" not in rows[b["receipt"]]


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
