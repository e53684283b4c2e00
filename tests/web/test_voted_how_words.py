"""How a poll was voted reads the same wherever it is said: the delegate's list of votes, their
own record of votes and the results file a secretary sends out all name a show of hands, a
named and a secret ballot in the words of the result's page (``veche.actions.polls.voted_how``)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Convened
from tests.web.board_hall import Hall, board_hall
from tests.web.page_client import delegates

pytestmark = [pytest.mark.demo, pytest.mark.one_database]

#: Each poll's title, and how every page and file must say it was voted.
SAID = {
    "Adjourn": "show of hands",
    "Elect by name": "named ballot (roll-call)",
    "Elect in secret": "secret ballot",
}


@pytest.fixture
def hall(engine: Engine, convened: Convened) -> Iterator[Hall]:
    with board_hall(engine, convened) as convened_hall:
        yield convened_hall


def _meta(entry: str) -> str:
    found = re.search(r'data-testid="voted-how">([^<]*)<', entry)
    assert found, entry
    return found.group(1)


def test_the_delegates_pages_and_the_results_file_say_how_each_poll_was_voted(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    voters = hall.assembly.members[:3]
    hall.assembly.check_in(voters)
    hands = hall.assembly.create_poll(title="Adjourn", kind="decision", vote_by="show_of_hands")
    ids = {option["label"]: int(option["id"]) for option in hands["options"]}
    hall.assembly.open(int(hands["id"]))
    entered = hall.assembly.client.post(
        f"/api/polls/{hands['id']}/totals",
        json={"totals": {str(ids["yes"]): 2, str(ids["no"]): 1}},
        headers=hall.assembly.secretary,
    )
    assert entered.status_code == 201, entered.text
    hall.close_and_publish(int(hands["id"]))
    named = hall.assembly.create_poll(title="Elect by name", kind="decision", secrecy="named")
    hall.assembly.open(int(named["id"]))
    hall.close_and_publish(int(named["id"]))
    hall.publish(hall.decision("Elect in secret", dict.fromkeys(voters, "yes")))
    polls = {"Adjourn": int(hands["id"]), "Elect by name": int(named["id"])}
    reader = delegates(hall.app, sessions, hall.meeting, [voters[0]])[0].browser

    listed = reader.get(f"/meetings/{hall.meeting}").text
    mine = reader.get(f"/meetings/{hall.meeting}/my-votes").text
    for title, words in SAID.items():
        entry = listed.split(f"<h3>{title}</h3>")[1].split("</li>")[0]
        assert _meta(entry) == words
        own = mine.split(f'<h2 class="h3">{title}</h2>')[1].split("</li>")[0]
        assert _meta(own) == words
    # A vote in the hall is open, but no ballot: never "named ballot".
    assert "named ballot" not in listed.split("<h3>Adjourn</h3>")[1].split("</li>")[0]
    assert f'<li data-poll="{polls["Adjourn"]}">' in mine

    answer = hall.get(f"/api/meetings/{hall.meeting}/results.csv")
    assert answer.status_code == 200, answer.text
    header, *rows = csv.reader(io.StringIO(answer.text, newline=""))
    column = header.index("Vote by")
    by_poll = {row[1]: {r[column] for r in rows if r[1] == row[1]} for row in rows}
    assert {title: by_poll[title] for title in SAID} == {
        title: {words} for title, words in SAID.items()
    }
