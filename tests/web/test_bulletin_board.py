"""The bulletin board of a closed poll: weights that would name a voter withheld, a board of
receipts only by the organizer's choice, and the ballots as a file `veche count` recounts."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.assembly import Convened
from tests.web.board_hall import Hall, board_hall
from tests.web.page_client import Browser, delegates, secretary
from veche.cli import app as cli
from veche.queries.polls import MIN_BALLOTS_SHARING_A_WEIGHT

#: The chair's form and the board page's script (marked ``one_database``) run on SQLite
#: alone; the boards and files they lead to are proven on both databases beside them.
#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@pytest.fixture
def hall(engine: Engine, convened: Convened) -> Iterator[Hall]:
    with board_hall(engine, convened) as convened_hall:
        yield convened_hall


def _option(poll: dict[str, Any], label: str) -> int:
    return next(int(o["id"]) for o in poll["options"] if o["label"] == label)


def _recount(tmp_path: Path, file: dict[str, Any], command: str) -> dict[str, Any]:
    """Run `veche count` as the board's command says, on the file as downloaded."""
    words = shlex.split(command)
    assert words[:2] == ["veche", "count"]
    path = tmp_path / words[2]
    path.write_text(json.dumps(file), encoding="utf-8")
    words[2] = str(path)
    counted = CliRunner().invoke(cli, [*words[1:], "--format", "json"])
    assert counted.exit_code == 0, counted.output
    return dict(json.loads(counted.output))


def test_a_weight_few_ballots_share_is_withheld_from_the_board_but_counted(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    voters = hall.assembly.members[:8]
    heavy = voters[0]
    hall.assembly.check_in(hall.assembly.members[:20])
    hall.weigh(heavy, 3)  # the one delegate with three votes: their weight would name them
    poll = hall.assembly.create_poll(title="Adopt the budget", kind="decision")
    hall.assembly.open(int(poll["id"]))
    yes, no = {"option": _option(poll, "yes")}, {"option": _option(poll, "no")}
    hall.vote_all(poll, {heavy: no} | {person: yes for person in voters[1:]})
    paper = hall.assembly.client.post(
        f"/api/polls/{poll['id']}/paper",
        json={"lots": [{"choice": no, "count": 2}]},
        headers=hall.assembly.secretary,
    )
    assert paper.status_code == 201, paper.text
    result = hall.close_and_publish(int(poll["id"]))
    # The count takes every weight: 7 yes; the heavy delegate's 3 and 2 on paper are 5 no.
    assert result["result"]["details"]["yes"] == 7 and result["result"]["details"]["no"] == 5

    board = hall.get(f"/api/polls/{poll['id']}/ballots", voters[1]).json()
    assert board["weights_withheld"] is True
    withheld = [b for b in board["ballots"] if b["weight_withheld"]]
    # Its choice too: the mark would single it out, and the participants list names its voter.
    assert [(b["choice"], b["weight"], b["source"]) for b in withheld] == [
        (None, None, "electronic")
    ]
    # And every other choice: the 5 no less the 2 shown on paper would be its 3.
    assert board["shows_choices"] is False and board["choices_withheld"] == 1
    assert [b["choice"] for b in board["ballots"]] == [None] * 9
    assert board["recount_file"] is False and board["recount_command"] is None
    shown = [b for b in board["ballots"] if not b["weight_withheld"]]
    # Seven electronic ballots share weight 1 (at least five do); a paper lot's weight is its
    # number of paper ballots, which names nobody.
    assert sorted((b["source"], b["weight"]) for b in shown) == [("electronic", 1)] * 7 + [
        ("paper", 2)
    ]
    assert all(
        set(b) == {"receipt", "choice", "weight", "weight_withheld", "source"}
        for b in board["ballots"]
    )
    assert 3 not in [b["weight"] for b in board["ballots"]]
    # Nine rows, ten ballots: the paper lot is two.
    assert (board["electronic"], board["paper"]) == (8, 2)

    # Nor is the file offered, for the same arithmetic.
    file = hall.get(f"/api/polls/{poll['id']}/ballots.json", voters[1])
    assert file.status_code == 403 and "lists receipts only" in file.json()["detail"]
    assert "1 of its ballots" in file.json()["detail"]

    # The page shows the withheld weight as "—" and says why.
    page = delegates(hall.app, sessions, hall.meeting, [voters[1]])[0].browser
    text = page.get(f"/meetings/{hall.meeting}/polls/{poll['id']}/board").text
    assert f"fewer than {MIN_BALLOTS_SHARING_A_WEIGHT} ballots of this poll carry it" in text
    assert text.count('<span class="visually-hidden"> withheld</span>') == 1
    assert 'id="choices-withheld"' in text and "Download the ballots" not in text
    assert "1 ballot carries a weight that fewer than 5 ballots of this poll share" in text
    cells = re.findall(r"<tr data-receipt=\"\w+\">.*?</tr>", text, re.DOTALL)
    assert len(cells) == 9 and not any(re.search(r"<td>3</td>", cell) for cell in cells)
    # Nine rows, but ten ballots: the paper lot is two of them.
    assert "10 ballots (8 electronic, 2 on paper), sorted by receipt" in text
    heavy_row = next(cell for cell in cells if withheld[0]["receipt"] in cell)
    assert "withheld" in heavy_row and "no" not in heavy_row.split("</code>")[1]


def test_a_named_polls_board_withholds_nothing_its_roll_call_shows(hall: Hall) -> None:
    voters = hall.assembly.members[:3]
    hall.assembly.check_in(voters)
    hall.weigh(voters[0], 4)
    poll = hall.assembly.create_poll(title="Adopt the minutes", kind="decision", secrecy="named")
    hall.assembly.open(int(poll["id"]))
    hall.vote_all(poll, {person: {"option": _option(poll, "yes")} for person in voters})
    hall.close_and_publish(int(poll["id"]))
    board = hall.get(f"/api/polls/{poll['id']}/ballots").json()
    assert sorted(b["weight"] for b in board["ballots"]) == [1, 1, 4]
    assert board["weights_withheld"] is False
    calls = hall.get(f"/api/polls/{poll['id']}/roll-call").json()
    assert sorted(c["weight"] for c in calls) == [1, 1, 4]


def test_a_board_of_receipts_only_shows_no_choice_and_offers_no_file(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    voters = hall.assembly.members[:6]
    hall.assembly.check_in(voters)
    poll = hall.assembly.create_poll(
        title="Elect the auditor",
        kind="election",
        method="irv",
        options=["Ada Arnold", "Boris Berg"],
        board_shows_choices=False,
    )
    assert poll["board_shows_choices"] is False
    assert hall.get(f"/api/polls/{poll['id']}").json()["board_shows_choices"] is False
    hall.assembly.open(int(poll["id"]))
    ada, boris = _option(poll, "Ada Arnold"), _option(poll, "Boris Berg")
    hall.vote_all(poll, {p: {"ranking": [ada, boris]} for p in voters[:4]})
    hall.vote_all(poll, {p: {"ranking": [boris]} for p in voters[4:]})
    hall.close_and_publish(int(poll["id"]))

    board = hall.get(f"/api/polls/{poll['id']}/ballots", voters[0]).json()
    assert board["shows_choices"] is False and board["recount_file"] is False
    assert board["recount_command"] is None
    assert len(board["ballots"]) == 6
    assert all(b["choice"] is None and b["source"] == "electronic" for b in board["ballots"])
    refused = hall.get(f"/api/polls/{poll['id']}/ballots.json", voters[0])
    assert refused.status_code == 403 and "receipts only" in refused.json()["detail"]

    browser = delegates(hall.app, sessions, hall.meeting, [voters[0]])[0].browser
    at = f"/meetings/{hall.meeting}/polls/{poll['id']}/board"
    text = browser.get(at).text
    assert "lists the receipts of the counted ballots, not what they chose" in text
    table = text.split("<table")[1].split("</table>")[0]
    assert "Arnold" not in table and "Berg" not in table and "Download the ballots" not in text
    assert len(re.findall(r"<tr data-receipt=", text)) == 6
    assert browser.get(f"{at}/ballots.json").status_code == 403


@pytest.mark.one_database
def test_the_chairs_form_makes_a_board_of_receipts_only(hall: Hall) -> None:
    chair = secretary(hall.app)
    posted = chair.post(
        f"/meetings/{hall.meeting}/console/polls",
        {"title": "Quiet vote", "kind": "decision", "board_shows_choices": "false"},
    )
    assert posted.status_code == 303, posted.text
    polls = hall.get(f"/api/meetings/{hall.meeting}/polls").json()
    assert [p["board_shows_choices"] for p in polls if p["title"] == "Quiet vote"] == [False]
    form = chair.get(f"/meetings/{hall.meeting}/console").text
    assert 'name="board_shows_choices"' in form


def test_no_file_and_no_board_while_the_poll_is_open(hall: Hall) -> None:
    hall.assembly.check_in(hall.assembly.members[:1])
    poll = hall.assembly.create_poll(title="Adopt the agenda", kind="decision")
    hall.assembly.open(int(poll["id"]))
    for path in ("ballots", "ballots.json"):
        refused = hall.get(f"/api/polls/{poll['id']}/{path}")
        assert refused.status_code == 403 and "once it is closed" in refused.json()["detail"]


def test_the_ballot_file_recounts_a_decision_to_its_published_result(
    hall: Hall, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    voters = hall.assembly.members[:16]  # 16 of 30 members present: a quorum of one half
    hall.assembly.check_in(voters)
    poll = hall.assembly.create_poll(
        title="Amend the statutes", kind="decision", rule="qualified", fraction="2/3"
    )
    hall.assembly.open(int(poll["id"]))
    labels = ["yes"] * 10 + ["no"] * 4 + ["abstain", "blank"]
    hall.vote_all(
        poll,
        {
            person: {"blank": True} if label == "blank" else {"option": _option(poll, label)}
            for person, label in zip(voters, labels, strict=True)
        },
    )
    published = hall.close_and_publish(int(poll["id"]))
    assert published["outcome"] == "adopted"

    board = hall.get(f"/api/polls/{poll['id']}/ballots", voters[0]).json()
    assert board["recount_file"] is True and board["weights_withheld"] is False
    command = board["recount_command"]
    assert "--method majority" in command and "-o members_present=16" in command
    assert "-o fraction=2/3" in command and "-o quorum=1/2" in command
    downloaded = hall.get(f"/api/polls/{poll['id']}/ballots.json", voters[0])
    assert downloaded.status_code == 200
    assert downloaded.headers["content-disposition"] == (
        f'attachment; filename="poll-{poll["id"]}-ballots.json"'
    )
    file = downloaded.json()
    assert file["candidates"] == ["yes", "no", "abstain"] and file["title"] == "Amend the statutes"
    assert len(file["ballots"]) == 15  # the blank ballot is left out, as the count leaves it

    recounted = _recount(tmp_path, file, command)
    assert recounted["decision"] == "adopted" == published["result"]["decision"]
    assert recounted["details"] == published["result"]["details"]

    # The page offers the same file, and shows the command with the result.
    browser = delegates(hall.app, sessions, hall.meeting, [voters[0]])[0].browser
    at = f"/meetings/{hall.meeting}/polls/{poll['id']}/board"
    page = browser.get(at).text
    assert f'href="{at}/ballots.json" download' in page
    assert command in page
    assert browser.get(f"{at}/ballots.json").json() == file


def test_the_ballot_file_recounts_an_stv_election_to_its_published_result(
    hall: Hall, tmp_path: Path
) -> None:
    voters = hall.assembly.members[:11]
    hall.assembly.check_in(voters)
    names = ["Ada Arnold", "Boris Berg", "Clara Castell", "Dmitri Dale"]
    poll = hall.assembly.create_poll(
        title="Elect two auditors", kind="election", method="scottish-stv", seats=2, options=names
    )
    hall.assembly.open(int(poll["id"]))
    ids = {name: _option(poll, name) for name in names}
    orders = [["Ada Arnold", "Boris Berg"]] * 4 + [["Clara Castell", "Dmitri Dale"]] * 3
    orders += [["Dmitri Dale", "Boris Berg", "Clara Castell"]] * 2 + [["Boris Berg"]] * 2
    hall.vote_all(
        poll,
        {
            person: {"ranking": [ids[name] for name in order]}
            for person, order in zip(voters, orders, strict=True)
        },
    )
    published = hall.close_and_publish(int(poll["id"]))
    assert published["outcome"].startswith("elected: ")

    board = hall.get(f"/api/polls/{poll['id']}/ballots", voters[0]).json()
    file = hall.get(f"/api/polls/{poll['id']}/ballots.json", voters[0]).json()
    assert file["candidates"] == names and file["seats"] == 2
    counted = [{k: v for k, v in ballot.items() if k != "receipt"} for ballot in file["ballots"]]
    assert {"ranking": ["Dmitri Dale", "Boris Berg", "Clara Castell"], "count": 1} in counted
    # Each ballot in the file carries its receipt, the same as on the board.
    assert {b["receipt"] for b in file["ballots"]} <= {b["receipt"] for b in board["ballots"]}
    recounted = _recount(tmp_path, file, board["recount_command"])
    assert recounted["elected"] == published["result"]["elected"]
    assert recounted["rounds"] == published["result"]["rounds"]


@pytest.mark.one_database
@pytest.mark.parametrize("method", ["approval", "score", "borda", "block"])
def test_the_ballot_file_recounts_every_shape_of_ballot(
    hall: Hall, tmp_path: Path, method: str
) -> None:
    """Approvals, scores and rankings reach the file as the count read them (stored on both
    databases alike by the tests above; this is about the file's shape)."""
    voters = hall.assembly.members[:7]
    hall.assembly.check_in(voters)
    names = ["North", "South", "East"]
    seats = 2 if method == "block" else 1
    poll = hall.assembly.create_poll(
        title="Choose a venue", kind="choice", method=method, seats=seats, options=names
    )
    hall.assembly.open(int(poll["id"]))
    n, s, e = (_option(poll, name) for name in names)
    approvals: list[dict[str, Any]] = [
        {"options": [n, s]},
        {"options": [e]},
        {"options": [s]},
        {"options": [s, e]},
    ]
    shapes: dict[str, list[dict[str, Any]]] = {
        "approval": approvals,
        "block": approvals,
        "score": [
            {"scores": {str(n): 5, str(s): 2}},
            {"scores": {str(e): 9}},
            {"scores": {str(s): 7}},
        ],
        "borda": [
            {"ranking": [n, s, e]},
            {"ranking": [e, n]},
            {"ranking": [s]},
            {"ranking": [s, e]},
        ],
    }
    choices = shapes[method]
    ballots = [choices[i % len(choices)] for i in range(len(voters) - 1)] + [{"blank": True}]
    hall.vote_all(poll, dict(zip(voters, ballots, strict=True)))
    published = hall.close_and_publish(int(poll["id"]))
    board = hall.get(f"/api/polls/{poll['id']}/ballots").json()
    file = hall.get(f"/api/polls/{poll['id']}/ballots.json").json()
    assert len(file["ballots"]) == len(voters) - 1
    recounted = _recount(tmp_path, file, board["recount_command"])
    assert recounted["elected"] == published["result"]["elected"]
    assert recounted["rounds"] == published["result"]["rounds"]


def test_the_board_and_its_command_wait_for_the_result(hall: Hall) -> None:
    """The chair sees the board, with its command, once the poll is closed; a delegate once
    the result is published (the ballots tell it: tests/web/test_board_secrecy.py)."""
    voters = hall.assembly.members[:5]
    hall.assembly.check_in(voters)
    poll = hall.assembly.create_poll(title="Adopt the agenda", kind="decision")
    hall.assembly.open(int(poll["id"]))
    hall.vote_all(poll, {p: {"option": _option(poll, "yes")} for p in voters})
    hall.assembly.close(int(poll["id"]))
    early = hall.get(f"/api/polls/{poll['id']}/ballots", voters[0])
    assert early.status_code == 403
    chairs = hall.get(f"/api/polls/{poll['id']}/ballots").json()
    assert chairs["recount_command"] and chairs["recount_file"] is True
    hall.close_and_publish(int(poll["id"]))
    assert hall.get(f"/api/polls/{poll['id']}/ballots", voters[0]).json()["recount_command"]


@pytest.mark.one_database
def test_the_board_page_sends_no_receipt_and_takes_none(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    """The search runs in the page: no form of the board names a receipt, and the page is the
    same whatever its address carries."""
    voters = hall.assembly.members[:5]
    hall.assembly.check_in(voters)
    poll = hall.assembly.create_poll(title="Adopt the agenda", kind="decision")
    hall.assembly.open(int(poll["id"]))
    receipt = hall.assembly.vote(
        int(poll["id"]), voters[0], {"option": _option(poll, "yes")}
    ).json()["receipt"]
    hall.close_and_publish(int(poll["id"]))
    browser: Browser = delegates(hall.app, sessions, hall.meeting, [voters[0]])[0].browser
    at = f"/meetings/{hall.meeting}/polls/{poll['id']}/board"
    plain = browser.get(at).text
    assert "<form" not in plain.split("<main")[1]  # the search is no form: nothing is sent
    assert 'id="receipt-search"' in plain and 'name="receipt"' not in plain
    assert f'<tr data-receipt="{receipt}">' in plain
    assert browser.get(at, params={"receipt": receipt}).text.count('class="mine"') == 0
