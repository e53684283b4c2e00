"""A participant reads a poll's result on a page of its own once they may see it: the tally,
the count round by round and a named poll's roll-call with each voter's votes, where the
meeting's page said only "adopted"; before publication, only those who see results early."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Convened
from tests.web.board_hall import Hall, board_hall
from tests.web.page_client import delegates, secretary

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


@pytest.fixture
def hall(engine: Engine, convened: Convened) -> Iterator[Hall]:
    with board_hall(engine, convened) as convened_hall:
        yield convened_hall


def test_a_named_polls_count_and_roll_call_are_read_once_published(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    voters = hall.assembly.members[:4]
    hall.assembly.check_in(voters)
    hall.weigh(voters[0], 3)
    poll = hall.assembly.create_poll(title="Adopt the budget", kind="decision", secrecy="named")
    ids = {option["label"]: {"option": int(option["id"])} for option in poll["options"]}
    hall.assembly.open(int(poll["id"]))
    hall.vote_all(poll, {voters[0]: ids["yes"], voters[1]: ids["no"], voters[2]: ids["yes"]})
    hall.assembly.close(int(poll["id"]))
    address = f"/meetings/{hall.meeting}/polls/{poll['id']}/result"
    delegate = delegates(hall.app, sessions, hall.meeting, [voters[3]])[0].browser

    early = delegate.get(address)
    assert early.status_code == 403 and "once it is published" in early.text
    chairs = secretary(hall.app).get(address).text  # the chair's, closed
    assert "Adopt the budget" in chairs, chairs
    assert f'href="/meetings/{hall.meeting}/console"' in chairs  # with the meeting's tabs

    hall.publish(int(poll["id"]))
    room = delegate.get(f"/meetings/{hall.meeting}").text
    assert f'href="{address}"' in room  # the meeting's page leads to it
    page = unescape(delegate.get(address).text)
    tally = page.split('data-testid="tally">')[1].split("</ul>")[0]
    # Four votes for, one against: the weight of three counts.
    assert re.findall(r"<li>(\w+): <strong>(\d+)</strong></li>", tally) == [
        ("yes", "4"),
        ("no", "1"),
        ("abstain", "0"),
        ("blank", "0"),
    ]
    roll = page.split('id="roll-call"')[1]
    assert '<th scope="col">Votes</th>' in roll
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\w+)</td><td>(\d)</td>', roll)
    assert sorted((choice, weight) for _name, choice, weight in rows) == [
        ("no", "1"),
        ("yes", "1"),
        ("yes", "3"),
    ]


def test_a_secret_polls_page_has_no_roll_call_but_leads_to_its_board(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    voters = hall.assembly.members[:3]
    hall.assembly.check_in(voters)
    poll_id = hall.decision("Elect by lot", dict.fromkeys(voters, "yes"))
    hall.publish(poll_id)
    page = delegates(hall.app, sessions, hall.meeting, [voters[0]])[0].browser.get(
        f"/meetings/{hall.meeting}/polls/{poll_id}/result"
    )
    assert page.status_code == 200
    assert 'id="roll-call"' not in page.text
    assert f'href="/meetings/{hall.meeting}/polls/{poll_id}/board"' in page.text


def test_a_polls_page_says_how_it_was_voted_as_the_results_file_does(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    """A show of hands is no "named ballot": the result's page, the console and results.csv
    say it one way."""
    voters = hall.assembly.members[:3]
    hall.assembly.check_in(voters)
    poll = hall.assembly.create_poll(title="Adjourn", kind="decision", vote_by="show_of_hands")
    ids = {option["label"]: int(option["id"]) for option in poll["options"]}
    poll_id = int(poll["id"])
    hall.assembly.open(poll_id)
    entered = hall.assembly.client.post(
        f"/api/polls/{poll_id}/totals",
        json={"totals": {str(ids["yes"]): 2, str(ids["no"]): 1}},
        headers=hall.assembly.secretary,
    )
    assert entered.status_code == 201, entered.text
    hall.assembly.close(poll_id)
    hall.publish(poll_id)
    named = hall.assembly.create_poll(title="Elect by name", kind="decision", secrecy="named")
    secret = hall.decision("Elect in secret", dict.fromkeys(voters, "yes"))
    hall.assembly.open(int(named["id"]))
    hall.assembly.close(int(named["id"]))
    hall.publish(int(named["id"]))
    hall.publish(secret)
    reader = delegates(hall.app, sessions, hall.meeting, [voters[0]])[0].browser

    def said(poll_id: int) -> str:
        page = str(reader.get(f"/meetings/{hall.meeting}/polls/{poll_id}/result").text)
        return page.split('data-testid="voted-how">')[1].split("<")[0]

    assert said(poll_id) == "show of hands"
    assert said(int(named["id"])) == "named ballot (roll-call)"
    assert said(secret) == "secret ballot"
    results = hall.get(f"/api/meetings/{hall.meeting}/results.csv").text
    assert ",Adjourn," in results and ",show of hands," in results
    console = secretary(hall.app).get(f"/meetings/{hall.meeting}/console").text
    assert "show of hands)</span>" in console and "named ballot (roll-call))</span>" in console
