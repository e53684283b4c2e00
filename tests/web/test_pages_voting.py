"""A meeting run through the pages: a vote from the phone, the console, the projector, the desk."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened, client_key
from tests.helpers import count_queries
from tests.web.desk_client import ChairConsole
from tests.web.page_client import Browser, Delegate, delegates, secretary
from veche.models import Ballot, Participation, Person

#: Tests marked ``one_database`` prove what the pages show and send; the same actions are
#: proven on both databases through the API (tests/web/test_polls_api.py: a secret decision
#: from opening to publication, paper and electronic ballots merged; test_imports.py). The
#: room's query count runs on both: it counts SQL.
#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

RECEIPT = re.compile(r'<p class="code" id="receipt" data-receipt="([0-9a-f]{32})">')


@dataclass
class Hall(ChairConsole):
    app: FastAPI
    assembly: Assembly
    secretary: Browser
    voters: list[Delegate]
    #: The review page and the receipt page of the last ballot cast, as the voter saw them.
    seen: tuple[str, str] = ("", "")

    def options(self, voter: Delegate, poll_id: int) -> dict[str, str]:
        page = voter.browser.get(f"/meetings/{self.meeting}/polls/{poll_id}/vote").text
        found = re.findall(r'value="(\d+)"[^>]*>\s*([^<]+?)\s*</label>', page)
        ranks = re.findall(r'name="rank_(\d+)"[^>]*><label for="rank_\d+">([^<]+)</label>', page)
        return {label: value for value, label in found + ranks}

    def vote(self, voter: Delegate, poll_id: int, form: dict[str, object]) -> str:
        """Fill in the ballot, confirm it on the review page, and return the receipt."""
        base = f"/meetings/{self.meeting}/polls/{poll_id}"
        review = voter.browser.post(f"{base}/review", form)
        assert review.status_code == 200, review.text
        assert "Check your ballot" in review.text
        confirm = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', review.text)
        )
        confirm["choice"] = confirm["choice"].replace("&#34;", '"')
        # The server sends no client key: the page's script makes one in the browser.
        assert confirm["client_key"] == ""
        assert "data-client-key" in review.text and "data-needs-client-key" in review.text
        confirm["client_key"] = client_key()
        # Cast, and sent on to the receipt's page (post, redirect, get): never in an address.
        cast = voter.browser.client.post(f"{base}/ballot", data=confirm)
        assert cast.status_code == 303 and cast.headers["location"] == f"{base}/receipt"
        shown = voter.browser.get(f"{base}/receipt")
        assert shown.status_code == 200, shown.text
        found = RECEIPT.search(shown.text)
        assert found, shown.text
        # A phone that sends the same confirmation again gets the same receipt, no second vote.
        again = voter.browser.client.post(f"{base}/ballot", data=confirm)
        assert again.status_code == 303, again.text
        shown_again = voter.browser.get(f"{base}/receipt").text
        assert found.group(1) in shown_again and "already arrived" in shown_again
        self.seen = (review.text, shown.text)
        return found.group(1)


@pytest.fixture
def hall(engine: Engine, sessions: sessionmaker[Session], convened: Convened) -> Iterator[Hall]:
    app = create_app(engine)
    with TestClient(app) as client:
        assembly = convened.on(client)
        voters = assembly.members[:5]
        assembly.check_in(voters)
        yield Hall(
            app, assembly, secretary(app), delegates(app, sessions, assembly.meeting_id, voters)
        )


@pytest.mark.one_database
def test_a_secret_decision_from_the_phone_to_the_projector(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    poll_id = hall.create_poll(title="Adopt the agenda", kind="decision")
    hall.step(poll_id, "open")
    options = hall.options(hall.voters[0], poll_id)
    receipts = {}
    for voter, label in zip(hall.voters, ["yes", "yes", "yes", "no", "abstain"], strict=True):
        receipts[hall.vote(voter, poll_id, {"option": options[label]})] = label
    console = hall.console()
    assert re.search(r'data-testid="ballots-received" class="number">5<', console)
    assert "No quorum" in console  # 5 of 30 members present, 15 required
    # While open, neither the delegate nor the projector learns anything but the count.
    room = hall.voters[0].browser.get(f"/meetings/{hall.meeting}").text
    assert "You have voted" in room
    hall.step(poll_id, "close")
    projector = hall.voters[1].browser.get(f"/meetings/{hall.meeting}/projector").text
    assert "The chair will announce the result" in projector
    assert "no quorum" not in projector.lower().split("voting is closed")[1]
    assert "no quorum" in hall.console()  # the chair sees the outcome before publishing
    hall.step(poll_id, "publish")
    projector = hall.voters[1].browser.get(f"/meetings/{hall.meeting}/projector/current").text
    assert 'data-testid="outcome">No quorum<' in projector
    assert re.search(r'class="name">Yes</th>.*?<td class="votes">3</td>', projector, re.DOTALL)
    public = Browser(hall.app).get("/public").text  # the public sees the published result
    assert re.search(r"<td>Adopt the agenda</td><td>no quorum</td>", public)
    assert "No resolutions are published yet." in public
    receipt = next(r for r, label in receipts.items() if label == "no")
    # The board lists every receipt; the voter's search runs in the page (tests/browser).
    board = hall.voters[3].browser.get(f"/meetings/{hall.meeting}/polls/{poll_id}/board").text
    mine = re.search(
        rf'<tr data-receipt="{receipt}">\s*<td><code>(\w+)</code></td>\s*<td>(\w+)', board
    )
    assert mine is not None and mine.groups() == (receipt, "no")
    with sessions() as session:
        stored = session.scalar(select(func.count()).where(Ballot.poll_id == poll_id))
        assert stored == 5


@pytest.mark.one_database
def test_the_voter_is_told_on_every_page_whether_their_name_goes_with_their_vote(
    hall: Hall,
) -> None:
    named = "your name and your choice are shown in the roll-call"
    for secrecy in ("secret", "named"):
        poll_id = hall.create_poll(title=f"A {secrecy} vote", kind="decision", secrecy=secrecy)
        hall.step(poll_id, "open")
        voter = hall.voters[0]
        ballot = voter.browser.get(f"/meetings/{hall.meeting}/polls/{poll_id}/vote").text
        hall.vote(voter, poll_id, {"option": hall.options(voter, poll_id)["yes"]})
        review, receipt = hall.seen
        for page in (ballot, review):
            assert (named in page) is (secrecy == "named")
            assert ("nobody can tell how you voted" in page) is (secrecy == "secret")
        assert ("the roll-call shows your name" in receipt) is (secrecy == "named")
        assert ("Nobody else can tell which receipt is yours" in receipt) is (secrecy == "secret")


def test_the_room_costs_as_many_queries_for_thirteen_polls_as_for_four(hall: Hall) -> None:
    assembly, voter = hall.assembly, hall.voters[0]

    def add_polls(number: int) -> None:
        """``number`` polls in each state a delegate sees: open, closed and published."""
        for _ in range(number):
            for state in ("open", "closed", "published"):
                poll_id = assembly.create_poll(
                    title=f"A {state} poll", kind="decision", method="majority"
                )["id"]
                assembly.open(poll_id)
                if state == "open":
                    continue
                assembly.close(poll_id)
                if state == "published":
                    published = assembly.client.post(
                        f"/api/polls/{poll_id}/publish", headers=assembly.secretary
                    )
                    assert published.status_code == 200, published.text

    # The route itself: answered from memory (veche.web.fragment_cache), the login read once
    # would make the first count the larger; tests/web/test_fragment_cache.py counts that one.
    hall.app.state.fragments.enabled = False

    def queries(path: str) -> int:
        with count_queries(hall.app.state.engine, hall.app.state.reader) as statements:
            page = voter.browser.get(f"/meetings/{hall.meeting}{path}")
        assert page.status_code == 200, page.text
        return len(statements)

    add_polls(1)
    voted = assembly.create_poll(
        title="A poll already voted in", kind="decision", method="majority"
    )["id"]
    assembly.open(voted)
    hall.vote(voter, voted, {"option": hall.options(voter, voted)["yes"]})
    few = {path: queries(path) for path in ("", "/room")}
    add_polls(3)
    many = {path: queries(path) for path in ("", "/room")}
    assert many == few
    room = voter.browser.get(f"/meetings/{hall.meeting}/room").text
    assert room.count('class="poll state-') == 13 and "You have voted" in room
    # A closed poll's result waits for the chair; a published one is everyone's.
    assert "the chair will announce the result" in room and "Result:" in room


@pytest.mark.one_database
def test_an_election_is_shown_round_by_round(hall: Hall) -> None:
    poll_id = hall.create_poll(
        title="Elect two auditors",
        kind="election",
        method="scottish-stv",
        seats=2,
        options="Ada Arnold\nBoris Berg\nClara Castell",
    )
    hall.step(poll_id, "open")
    options = hall.options(hall.voters[0], poll_id)
    assert set(options) == {"Ada Arnold", "Boris Berg", "Clara Castell"}
    orders = [["Ada Arnold", "Boris Berg"], ["Ada Arnold", "Clara Castell"], ["Boris Berg"]]
    orders += [["Clara Castell", "Boris Berg"], ["Ada Arnold"]]
    for voter, order in zip(hall.voters, orders, strict=True):
        hall.vote(
            voter, poll_id, {f"rank_{options[name]}": rank for rank, name in enumerate(order, 1)}
        )
    hall.step(poll_id, "close")
    hall.step(poll_id, "publish")
    screen = hall.voters[0].browser.get(f"/meetings/{hall.meeting}/projector/current").text
    assert "Elected: Ada Arnold" in screen
    # The decisive round as bars, the elected first; the earlier rounds in a table below.
    assert '<tr class="option elected">' in screen and "Decisive round:" in screen
    assert 'data-testid="earlier-rounds"' in screen and "Round 1" in screen


@pytest.mark.one_database
def test_a_tie_the_count_breaks_by_lot_is_said_on_the_console_and_the_screen(
    hall: Hall,
) -> None:
    """Ada holds 2 first preferences, Boris and Clara 1 each, below the quota of 3: one of
    the two must be excluded, and no earlier stage tells them apart, so a lot does."""
    poll = hall.assembly.create_poll(
        title="Elect the treasurer",
        kind="election",
        method="scottish-stv",
        seats=1,
        options=["Ada Arnold", "Boris Berg", "Clara Castell"],
    )
    ids = {o["label"]: o["id"] for o in poll["options"]}
    hall.assembly.open(poll["id"])
    orders = [["Ada Arnold"], ["Ada Arnold"], ["Boris Berg", "Ada Arnold"], ["Clara Castell"]]
    for voter, order in zip(hall.assembly.members, orders, strict=False):
        cast = hall.assembly.vote(poll["id"], voter, {"ranking": [ids[n] for n in order]})
        assert cast.status_code == 201, cast.text
    hall.assembly.close(poll["id"])
    hall.step(poll["id"], "publish")
    tie = re.compile(
        r"Tie between (Boris Berg, Clara Castell|Clara Castell, Boris Berg), broken by lot: "
    )
    screen = hall.voters[0].browser.get(f"/meetings/{hall.meeting}/projector/current").text
    assert tie.search(screen), screen
    assert tie.search(hall.console())


@pytest.mark.one_database
def test_changing_ones_choice_goes_back_to_the_ballot_as_filled_in(hall: Hall) -> None:
    poll_id = hall.create_poll(
        title="Choose a venue", kind="choice", method="borda", options="North\nSouth\nEast"
    )
    hall.step(poll_id, "open")
    voter = hall.voters[0]
    options = hall.options(voter, poll_id)
    base = f"/meetings/{hall.meeting}/polls/{poll_id}"
    review = voter.browser.post(
        f"{base}/review", {f"rank_{options['East']}": 1, f"rank_{options['North']}": 2}
    )
    assert review.status_code == 200
    shown = re.search(
        r'name="choice" value="([^"]*)">\s*<input type="hidden" name="again"', review.text
    )
    assert shown is not None
    again = voter.browser.post(
        f"{base}/review", {"choice": shown.group(1).replace("&#34;", '"'), "again": "yes"}
    )
    assert again.status_code == 200 and "Review my ballot" in again.text
    assert f'name="rank_{options["East"]}" value="1"' in again.text
    assert f'name="rank_{options["North"]}" value="2"' in again.text
    assert f'name="rank_{options["South"]}" value=""' in again.text
    # Nothing was cast: the voter still holds their right.
    assert "Vote now" in voter.browser.get(f"/meetings/{hall.meeting}").text


@pytest.mark.one_database
def test_a_bad_ballot_is_sent_back_with_the_reason(hall: Hall) -> None:
    poll_id = hall.create_poll(
        title="Choose a venue", kind="choice", method="borda", options="North\nSouth\nEast"
    )
    hall.step(poll_id, "open")
    options = hall.options(hall.voters[0], poll_id)
    response = hall.voters[0].browser.post(
        f"/meetings/{hall.meeting}/polls/{poll_id}/review",
        {f"rank_{options['North']}": 1, f"rank_{options['South']}": 1},
    )
    assert response.status_code == 422
    assert "North and South both have rank 1" in response.text
    # The ballot comes back as it was filled in, to be mended rather than typed again.
    assert f'name="rank_{options["North"]}" value="1"' in response.text
    assert f'name="rank_{options["South"]}" value="1"' in response.text
    assert f'name="rank_{options["East"]}" value=""' in response.text
    blank = hall.voters[0].browser.post(
        f"/meetings/{hall.meeting}/polls/{poll_id}/review", {"blank": "yes"}
    )
    assert blank.status_code == 200 and "A blank ballot" in blank.text


@pytest.mark.one_database
def test_without_the_pages_script_no_ballot_is_cast(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    """The client key comes from the voter's browser; a confirmation sent without one (scripts
    off: the button stays disabled, and a form sent all the same) is refused, saying why."""
    poll_id = hall.create_poll(title="Adopt the minutes", kind="decision")
    hall.step(poll_id, "open")
    yes = hall.options(hall.voters[0], poll_id)["yes"]
    base = f"/meetings/{hall.meeting}/polls/{poll_id}"
    review = hall.voters[0].browser.post(f"{base}/review", {"option": yes}).text
    assert "Casting needs this page's script" in review  # in <noscript>
    assert re.search(r"<button[^>]*disabled data-needs-client-key>Confirm and cast", review)
    refused = hall.voters[0].browser.post(
        f"{base}/ballot", {"choice": json.dumps({"option": int(yes)}), "client_key": ""}
    )
    assert refused.status_code == 422 and "turn on JavaScript" in refused.text
    with sessions() as session:
        used = select(func.count()).where(Participation.poll_id == poll_id)
        assert session.scalar(used) == 0
    # With a key the page made, the same confirmation is cast.
    cast = hall.voters[0].browser.post(
        f"{base}/ballot", {"choice": json.dumps({"option": int(yes)}), "client_key": client_key()}
    )
    assert cast.status_code == 303, cast.text
    assert RECEIPT.search(hall.voters[0].browser.get(f"{base}/receipt").text)
    with sessions() as session:
        assert session.scalar(used) == 1


@pytest.mark.one_database
def test_the_desk_checks_in_enters_paper_and_prints_cards(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    desk = f"/secretary/meetings/{hall.meeting}"
    newcomer = hall.assembly.members[10]
    assert hall.secretary.post(f"{desk}/attendance", {"person_id": newcomer}).status_code == 303
    page = hall.secretary.get(desk).text
    assert "6 of 30 voting rights present, 15 required" in page
    poll_id = hall.create_poll(title="Approve the accounts", kind="decision")
    hall.step(poll_id, "open")
    yes = hall.options(hall.voters[0], poll_id)["yes"]
    paper = hall.secretary.post(
        f"{desk}/polls/{poll_id}/paper", {f"count_{yes}": 4, "count_blank": 2}
    )
    assert paper.status_code == 303
    assert re.search(r'data-testid="ballots-received" class="number">6<', hall.console())
    bad = hall.secretary.post(f"{desk}/polls/{poll_id}/paper", {f"count_{yes}": "seven"})
    assert bad.status_code == 422 and "must be a whole number" in bad.text

    sheet = hall.secretary.post(f"{desk}/access-codes")
    assert sheet.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", sheet.text)
    assert len(codes) == 38  # every member and alternate
    assert sheet.text.count('src="data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns') == 38
    with sessions() as session:
        name = session.get(Person, hall.assembly.members[0])
        assert name is not None and name.full_name in sheet.text
    phone = Browser(hall.app)
    assert phone.log_in_with_code(codes[0]).status_code == 303


def _import_seats(hall: Hall, csv: str) -> Any:
    """Send a seats file through the secretary's import page."""
    return hall.secretary.client.post(
        "/secretary/import",
        data={"csrf_token": hall.secretary.csrf_token()},
        files={"file": ("seats.csv", csv.encode(), "text/csv")},
    )


@pytest.mark.one_database
def test_the_secretary_imports_a_file_or_is_told_what_is_wrong(hall: Hall) -> None:
    good = "name,body,role,email\nNew Auditor,Audit Commission,member,auditor@example.org\n"
    assert _import_seats(hall, good).status_code == 303
    assert "New Auditor" in hall.secretary.get("/secretary/people").text
    refused = _import_seats(hall, "name,body,role\nSomeone,No Such Body,member\n")
    assert refused.status_code == 422
    assert "line 2: unknown body" in refused.text and "nothing was imported" in refused.text


@pytest.mark.one_database
def test_bad_form_input_is_a_4xx_page_never_a_500(hall: Hall) -> None:
    response = hall.secretary.post(
        "/secretary/meetings",
        {"term_id": 2, "title": "Backwards", "starts_on": "2026-06-16", "ends_on": "2026-06-01"},
    )
    assert response.status_code == 422 and "before it starts" in response.text
    missing = hall.secretary.post("/secretary/meetings", {"term_id": 2})
    assert missing.status_code == 422 and "The form is incomplete" in missing.text
    assert "<html" in missing.text
