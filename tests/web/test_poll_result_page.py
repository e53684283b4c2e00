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
