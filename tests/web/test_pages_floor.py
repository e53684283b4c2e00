"""The speakers list through the pages: delegates ask for the floor, the chair gives it and times
it, the projector shows who speaks; wrong roles and bad forms are refused and change nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.web.page_client import Browser
from tests.web.sitting import (
    OBSERVER,
    PreparedSitting,
    Sitting,
    WithSitting,
    journal_length,
    open_sitting,
    serve_sitting,
)
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.speakers import do_request_floor
from veche.db import transaction
from veche.models import AgendaItem, Contribution, FloorRequest
from veche.models.debate import FloorState

#: These prove what the pages show and do; the same actions run through the API, and
#: the speakers list's storage is proven on both databases in test_proceedings_api.py and
#: test_meeting_record.py.
#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

_CHAIR = Caller(Actor(None, "system: the chair"), None, True, None)
SPEAKERS = [7, 8, 9]


@dataclass
class Hall(WithSitting):
    app: FastAPI
    sessions: sessionmaker[Session]
    sitting: Sitting
    chair: Browser
    phones: dict[int, Browser]

    def ask(self, person_id: int, kind: str = "speech", **form: object) -> Any:
        return self.phones[person_id].post(
            f"/meetings/{self.meeting}/floor/requests",
            {"item_id": self.sitting.item_id, "kind": kind, **form},
        )

    def chair_does(self, step: str, **form: object) -> Any:
        return self.chair.post(
            f"/meetings/{self.meeting}/console/floor/{step}",
            {"item_id": self.sitting.item_id, **form},
        )

    def console(self) -> str:
        return str(self.chair.get(f"/meetings/{self.meeting}/console/floor").text)

    def room(self, person_id: int) -> str:
        return str(self.phones[person_id].get(f"/meetings/{self.meeting}/floor").text)

    def item_position(self) -> int:
        with self.sessions() as session:
            item = session.get(AgendaItem, self.sitting.item_id)
            assert item is not None
            return item.position

    def waiting(self) -> list[int]:
        """Request ids of the waiting speeches, in the order the console lists them."""
        return [int(i) for i in re.findall(r"/floor/requests/(\d+)/withdraw", self.console())]


@pytest.fixture
def hall(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Hall]:
    with serve_sitting(engine, sessions, sitting, [*SPEAKERS, OBSERVER]) as served:
        yield Hall(served.app, sessions, sitting.sitting, served.secretary, served.phones)


def _names(page: str) -> list[str]:
    return re.findall(r'<span class="who">([^<]+)</span>', page)


def test_asking_for_the_floor_giving_it_and_timing_it(hall: Hall) -> None:
    first, second, third = SPEAKERS
    for person_id in (first, second):
        response = hall.ask(person_id, subject="the budget")
        assert response.status_code == 303, response.text
    point = hall.ask(third, "point_of_order", subject="time limits")
    assert point.status_code == 303
    # A point of order is heard first; each delegate sees their own place in the list.
    assert "You are number 3 in the list." in hall.room(second)
    assert "Your point of order is number 1 in the list." in hall.room(third)
    console = hall.console()
    assert "speeches so far: 0 of 1" in console
    assert console.index("point of order") < console.index("speeches so far")

    # The chair moves the second speaker up: the whole new order goes with the button.
    point_id, first_id, second_id = hall.waiting()
    moved = hall.chair_does("order", request_ids=[second_id, first_id])
    assert moved.status_code == 303, moved.text
    assert hall.waiting() == [point_id, second_id, first_id]
    assert "You are number 2 in the list." in hall.room(second)

    # The floor goes to the point of order first, with its shorter limit.
    given = hall.chair_does("next")
    assert given.status_code == 303, given.text
    console = hall.console()
    assert re.search(
        r'data-testid="speaker">Speaking: [^<]+<span class="badge">point of order', console
    )
    assert 'data-limit-seconds="60"' in console

    # The next speaker: the point of order's time is recorded, the speech is timed from now.
    assert hall.chair_does("next").status_code == 303
    with hall.sessions() as session:
        spoken = session.scalars(
            select(Contribution)
            .where(Contribution.agenda_item_id == hall.sitting.item_id)
            .order_by(Contribution.position)
        ).all()
        assert [c.speaker_person_id for c in spoken] == [third, second]
        assert spoken[0].seconds_used is not None and spoken[1].seconds_used is None
    console = hall.console()
    timer = re.search(
        r'data-started-at="([^"]+)"\s+data-limit-seconds="(\d+)"\s+data-server-now="([^"]+)"',
        console,
    )
    assert timer and timer.group(2) == "120"
    elapsed = datetime.fromisoformat(timer.group(3)) - datetime.fromisoformat(timer.group(1))
    assert 0 <= elapsed.total_seconds() < 30
    assert re.search(r"data-clock>1:[345]\d<|data-clock>2:00<", console)
    assert "You have the floor." in hall.room(second)
    projector = hall.phones[first].get(f"/meetings/{hall.meeting}/projector/current").text
    assert 'data-testid="speaking-timer"' in projector and "On the budget" in projector

    # The last speaker withdraws; the chair ends the speech under way.
    mine = re.search(r"/floor/requests/(\d+)/withdraw", hall.room(first))
    assert mine
    gone = hall.phones[first].post(
        f"/meetings/{hall.meeting}/floor/requests/{mine.group(1)}/withdraw"
    )
    assert gone.status_code == 303
    assert "Nobody is waiting for the floor." in hall.console()
    assert hall.chair_does("end").status_code == 303
    assert "Nobody has the floor." in hall.console()

    # A second speech by the same delegate is over the item's limit of one: the page offers
    # none, and says why; a request sent all the same (a page left open) is refused on the
    # meeting page, in its speakers list, naming nobody by an id.
    room = hall.room(second)
    assert "Ask for the floor" not in room and "Raise a point of order" in room
    assert "You have spoken on this item; the limit is 1 speech." in room
    assert "Ask for the floor" in hall.room(first)
    assert "You have spoken" not in hall.room(first)
    before = journal_length(hall.sessions)
    again = hall.ask(second)
    assert again.status_code == 409
    refused = re.search(r'data-testid="floor-refused">([^<]+)<', again.text)
    assert refused, again.text
    assert refused.group(1) == (
        "You have already spoken on agenda item "
        f"{hall.item_position()}, or asked to speak, as often as its limit allows "
        "(1 speech a person)."
    )
    assert 'id="floor-heading"' in again.text and "<title>" in again.text
    assert journal_length(hall.sessions) == before


def test_a_closed_list_takes_no_more_speeches_but_still_points_of_order(hall: Hall) -> None:
    assert hall.chair_does("close", closed="true").status_code == 303
    room = hall.room(SPEAKERS[0])
    assert "The speakers list is closed" in room and "Ask for the floor" not in room
    refused = hall.ask(SPEAKERS[0])
    assert refused.status_code == 409 and "is closed" in refused.text
    # Said on the meeting page, in its speakers list, where the button was pressed.
    assert re.search(
        r'data-testid="floor-refused">The speakers list of agenda item \d+ is closed', refused.text
    )
    assert hall.ask(SPEAKERS[0], "point_of_order").status_code == 303
    assert hall.chair_does("close", closed="false").status_code == 303
    assert "Ask for the floor" in hall.room(SPEAKERS[0])


def test_only_the_chair_runs_the_floor_and_bad_forms_change_nothing(hall: Hall) -> None:
    assert hall.ask(SPEAKERS[0]).status_code == 303
    (request_id,) = hall.waiting()
    before = journal_length(hall.sessions)
    delegate, observer = hall.phones[SPEAKERS[1]], hall.phones[OBSERVER]
    for browser in (delegate, observer):
        for step in ("next", "end", "close"):
            response = browser.post(
                f"/meetings/{hall.meeting}/console/floor/{step}", {"item_id": hall.sitting.item_id}
            )
            assert response.status_code == 403, (step, response.text)
            assert "only a chair or a secretary" in response.text
        assert browser.get(f"/meetings/{hall.meeting}/console/floor").status_code == 403
    # Someone else's request is not a delegate's to withdraw.
    other = delegate.post(f"/meetings/{hall.meeting}/floor/requests/{request_id}/withdraw")
    assert other.status_code == 403
    # Without the form's token, nothing is done even for the chair.
    forged = hall.chair.client.post(
        f"/meetings/{hall.meeting}/console/floor/next", data={"item_id": hall.sitting.item_id}
    )
    assert forged.status_code == 403 and "security token" in forged.text
    bad = [
        (hall.ask(SPEAKERS[1], "filibuster"), 422, "kind"),
        (
            hall.phones[SPEAKERS[1]].post(
                f"/meetings/{hall.meeting}/floor/requests", {"item_id": 999_999}
            ),
            404,
            "no agenda item 999999",
        ),
        (hall.chair_does("order", request_ids=[request_id, 12345]), 422, "list every waiting"),
        (hall.chair_does("end"), 409, "nobody has the floor"),
        (hall.chair.post(f"/meetings/{hall.meeting}/console/floor/next"), 422, "item_id"),
    ]
    for response, status, words in bad:
        assert response.status_code == status, response.text
        assert words in response.text, response.text
    assert journal_length(hall.sessions) == before
    with hall.sessions() as session:
        states = session.scalars(select(FloorRequest.state)).all()
        assert states == [FloorState.WAITING]


def test_the_chair_takes_up_and_closes_items_from_the_console(hall: Hall) -> None:
    closed = hall.chair.post(f"/meetings/{hall.meeting}/console/items/{hall.sitting.item_id}/close")
    assert closed.status_code == 303, closed.text
    console = hall.console()
    assert "No agenda item is under discussion." in console
    assert "Take up item 2: Item 2" in console
    assert "No agenda item is under discussion." in hall.room(SPEAKERS[0])
    nothing = hall.chair_does("next")
    assert nothing.status_code == 409
    second = hall.sitting.item_ids[1]
    opened = hall.chair.post(f"/meetings/{hall.meeting}/console/items/{second}/open")
    assert opened.status_code == 303, opened.text
    assert "Under discussion:</span> <strong>2. Item 2" in hall.console()
    refused = hall.phones[SPEAKERS[0]].post(
        f"/meetings/{hall.meeting}/console/items/{second}/close"
    )
    assert refused.status_code == 403
    assert (
        hall.chair.post(f"/meetings/{hall.meeting}/console/items/{second}/adjourn").status_code
        == 404
    )


def test_the_chair_may_take_up_any_item_not_yet_dealt_with(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    """The next item is offered first; the others not yet dealt with follow, in the agenda's
    order, each taken up by the same action (an item closed is not offered again)."""
    with serve_sitting(engine, sessions, sitting, []) as served:
        other = open_sitting(served.api, items=4)
        meeting, (first, second, third, fourth) = other.meeting_id, other.item_ids

        def console() -> str:
            return str(served.secretary.get(f"/meetings/{meeting}/console/floor").text)

        def step(item_id: int, step: str) -> int:
            answer = served.secretary.post(f"/meetings/{meeting}/console/items/{item_id}/{step}")
            return int(answer.status_code)

        assert step(first, "close") == 303
        page = console()
        offered = re.findall(r"Take up item (\d+): ", page)
        assert offered == ["2", "3", "4"], page
        later = page.split('data-testid="later-items"')[1]
        assert "Take up item 2:" not in later and f"/console/items/{fourth}/open" in later
        assert step(fourth, "open") == 303
        assert "Under discussion:</span> <strong>4. Item 4" in console()
        assert step(fourth, "close") == 303
        assert re.findall(r"Take up item (\d+): ", console()) == ["2", "3"]
        assert step(third, "open") == 303 and step(third, "close") == 303
        page = console()
        assert re.findall(r"Take up item (\d+): ", page) == ["2"]
        assert 'data-testid="later-items"' not in page
        assert step(second, "open") == 303


def test_observers_do_not_ask_for_the_floor_but_the_chair_may_list_them(hall: Hall) -> None:
    room = hall.room(OBSERVER)
    assert "Observers follow the debate; the chair may give you the floor." in room
    assert "Ask for the floor" not in room and "Raise a point of order" not in room
    before = journal_length(hall.sessions)
    for kind in ("speech", "point_of_order"):
        refused = hall.ask(OBSERVER, kind)
        assert refused.status_code == 403
        assert "observers follow the debate but do not ask for the floor" in refused.text
    assert journal_length(hall.sessions) == before
    # A guest of an enlarged meeting speaks when the presiding officers list them.
    with transaction(hall.sessions) as session:
        item = session.get(AgendaItem, hall.sitting.item_id)
        assert item is not None
        do_request_floor(session, _CHAIR, item, person_id=OBSERVER)
    assert "You are number 1 in the list." in hall.room(OBSERVER)
