"""The delegate's pages: the agenda tab, errors in plain words, the receipt kept and found on the
board, what observers are (not) offered, "my votes", and the mark a vote's signal starts from."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import client_key
from tests.meeting_api import Api
from tests.web.page_client import Browser
from tests.web.sitting import (
    OBSERVER,
    PRESENT,
    PreparedSitting,
    Sitting,
    WithSitting,
    serve_sitting,
)
from veche.models import Ballot, Person

#: These prove what the pages show and send; the actions they call (casting a ballot, its
#: refusals) are proven on both databases through the API (tests/web/test_polls_api.py,
#: tests/web/test_voting_rights.py). They start from the demo organization, in a meeting in
#: session with its agenda approved by a named vote of PRESENT (the ``sitting`` fixture).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

VOTER, OTHER = 7, 8
ABSENT = 17  # a member of the General Council not checked in
RECEIPT = re.compile(r'id="receipt" data-receipt="([0-9a-f]{32})">((?:<span>[0-9a-f]{4}</span>)+)<')


@dataclass
class Hall(WithSitting):
    app: FastAPI
    api: Api
    sitting: Sitting
    secretary: Browser
    phones: dict[int, Browser]

    def page(self, person_id: int, path: str = "") -> str:
        answer = self.phones[person_id].get(f"/meetings/{self.meeting}{path}")
        assert answer.status_code == 200, answer.text
        return str(answer.text)

    def poll(self, title: str, *, open_it: bool = True, **spec: Any) -> dict[str, Any]:
        """A decision (yes/no/abstain) put to the meeting; its options by label as ``ids``."""
        spec = {"kind": "decision", "method": "majority", **spec}
        poll: dict[str, Any] = self.api.post(f"/meetings/{self.meeting}/polls", title=title, **spec)
        poll["ids"] = {option["label"]: option["id"] for option in poll["options"]}
        if open_it:
            self.api.call("POST", f"/polls/{poll['id']}/open", day=self.sitting.day.isoformat())
        return poll

    def close(self, poll: dict[str, Any]) -> None:
        self.api.call("POST", f"/polls/{poll['id']}/close")

    def vote_through_api(
        self, person_id: int, poll: dict[str, Any], label: str, expect: int
    ) -> dict[str, Any]:
        """Cast ``label`` on ``poll`` as ``person_id`` through the API; its answer."""
        answer: dict[str, Any] = self.api.call(
            "POST",
            f"/polls/{poll['id']}/ballots",
            expect,
            as_person=person_id,
            choice={"option": poll["ids"][label]},
            client_key=client_key(),
        )
        return answer

    def confirm(self, person_id: int, poll: dict[str, Any], label: str, **form: object) -> Any:
        """Fill in the ballot and confirm it; the answer to the confirmation."""
        base = f"/meetings/{self.meeting}/polls/{poll['id']}"
        chosen = {"option": poll["ids"][label], **form}
        review = self.phones[person_id].post(f"{base}/review", chosen)
        assert review.status_code == 200, review.text
        confirm = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', review.text)
        )
        confirm["choice"] = confirm["choice"].replace("&#34;", '"')
        confirm["client_key"] = client_key()  # made by the page's script in a browser
        return self.phones[person_id].client.post(f"{base}/ballot", data=confirm)

    def vote_in_pages(
        self, person_id: int, poll: dict[str, Any], label: str, **form: object
    ) -> Any:
        """Fill in the ballot, confirm it, and return the receipt page the browser is sent to."""
        cast = self.confirm(person_id, poll, label, **form)
        receipt_page = f"/meetings/{self.meeting}/polls/{poll['id']}/receipt"
        assert cast.status_code == 303 and cast.headers["location"] == receipt_page, cast.text
        return self.phones[person_id].get(receipt_page)


@pytest.fixture
def hall(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Hall]:
    with serve_sitting(engine, sessions, sitting, [VOTER, OTHER, ABSENT, OBSERVER]) as served:
        # Logging in with a card checks its holder in; this one has left again.
        served.api.call(
            "POST",
            f"/meetings/{sitting.meeting_id}/attendance",
            person_ids=[ABSENT],
            day=sitting.sitting.day.isoformat(),
            present=False,
        )
        yield Hall(served.app, served.api, sitting.sitting, served.secretary, served.phones)


def _poll_entry(page: str, poll_id: int) -> str:
    """The part of "my votes" about one poll."""
    found = re.search(rf'<li data-poll="{poll_id}">(.*?)\n  </li>', page, re.DOTALL)
    assert found, page
    return found.group(1)


def test_the_agenda_tab_shows_each_item_with_its_state_papers_and_the_item_in_hand(
    hall: Hall,
) -> None:
    first, second = hall.sitting.item_ids
    hall.api.post(
        f"/meetings/{hall.meeting}/documents",
        title="Report of the Bureau",
        text="# The year",
        agenda_item_id=first,
    )
    hall.api.post(f"/meetings/{hall.meeting}/documents", title="The notice", text="We meet.")
    room = hall.page(VOTER)
    assert f'href="/meetings/{hall.meeting}/agenda" >Agenda</a>' in room
    page = hall.page(VOTER, "/agenda")
    assert f'href="/meetings/{hall.meeting}/agenda" aria-current="page">Agenda</a>' in page
    assert "The meeting approved this agenda by vote" in page
    items = re.findall(r'<li id="item-(\d)"( class="in-hand" aria-current="step")?>', page)
    assert items == [("1", ' class="in-hand" aria-current="step"'), ("2", "")]
    one, two = page.split('id="item-2"')
    assert "1. On the budget" in one and "under discussion now" in one
    assert "Report of the Bureau" in one and "Motion 1: On the budget" in one
    assert "2. Item 2" in two and "to come" in two and "under discussion" not in two
    assert "Papers of the whole meeting" in two and "The notice" in two
    # The item taken up next moves the mark; the first says it is done.
    hall.api.post(f"/agenda-items/{first}/close", 200)
    hall.api.post(f"/agenda-items/{second}/open", 200)
    moved = hall.page(OBSERVER, "/agenda")
    assert re.findall(r'<li id="item-(\d)" class="in-hand"', moved) == ["2"]
    assert "done" in moved.split('id="item-2"')[0]
    assert hall.phones[OBSERVER].get("/meetings/999/agenda").status_code == 404
    anonymous = Browser(hall.app).get(f"/meetings/{hall.meeting}/agenda")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")

    # A draft agenda says it is one.
    meeting = hall.api.new_meeting(hall.sitting.day)["id"]
    hall.api.post(f"/meetings/{meeting}/agenda", title="On the accounts")
    page = hall.secretary.get(f"/meetings/{meeting}/agenda").text
    assert "This is the draft agenda: the meeting has not approved it yet." in page
    assert "1. On the accounts" in page and 'class="in-hand"' not in page
    # The secretary's own agenda page keeps its tab, by another name.
    assert f'href="/secretary/meetings/{meeting}/agenda" >Edit the agenda</a>' in page


def test_refusals_to_vote_are_in_plain_words_on_the_page_and_through_the_api(
    hall: Hall,
) -> None:
    poll = hall.poll("Adopt the minutes")
    hall.close(poll)
    late = hall.vote_through_api(VOTER, poll, "yes", 409)
    assert late["detail"] == "This vote has closed."
    base = f"/meetings/{hall.meeting}/polls/{poll['id']}"
    review = hall.phones[VOTER].post(f"{base}/review", {"option": poll["ids"]["yes"]})
    # The ballot page again, saying why, with the page's own heading: no bare error page.
    assert review.status_code == 409 and "This vote has closed." in review.text
    assert "<h1>Adopt the minutes</h1>" in review.text and 'name="option"' not in review.text
    assert f"poll {poll['id']}" not in review.text and "not open" not in review.text
    # A confirmation that arrives after the close is sent back to the ballot page too.
    cast = hall.phones[VOTER].post(
        f"{base}/ballot", {"choice": '{"option": 1}', "client_key": client_key()}
    )
    assert cast.status_code == 409 and "This vote has closed." in cast.text
    assert "<h1>Adopt the minutes</h1>" in cast.text

    open_poll = hall.poll("Adopt the budget")
    absent = hall.page(ABSENT)
    day = hall.sitting.day.isoformat()
    assert f"You are not checked in as present on {day}: ask the secretary" in absent
    observer = hall.vote_through_api(OBSERVER, open_poll, "yes", 403)
    assert observer["detail"] == "Observers follow the meeting but do not vote."
    ballot = hall.page(OBSERVER, f"/polls/{open_poll['id']}/vote")
    assert (
        "Observers follow the meeting but do not vote." in ballot and 'name="option"' not in ballot
    )
    voted = hall.vote_in_pages(VOTER, open_poll, "yes")
    assert voted.status_code == 200
    again = hall.phones[VOTER].post(
        f"/meetings/{hall.meeting}/polls/{open_poll['id']}/review",
        {"option": open_poll["ids"]["no"]},
    )
    assert again.status_code == 409 and "You have voted: every voting right" in again.text

    # A vote in the hall has no ballot, and no receipt to find once closed.
    poll = hall.poll("Adjourn for lunch", vote_by="show_of_hands", secrecy="named")
    ballot = hall.page(VOTER, f"/polls/{poll['id']}/vote")
    assert "This vote is taken by show of hands in the hall, not by ballot" in ballot
    assert 'name="option"' not in ballot and "Review my ballot" not in ballot
    hall.api.post(f"/polls/{poll['id']}/totals", totals={str(poll["ids"]["yes"]): 10})
    hall.close(poll)
    room = hall.page(VOTER)
    entry = room.split("Adjourn for lunch")[1].split("</li>")[0]
    assert "bulletin board" not in entry


@pytest.mark.parametrize("right", ["²", "١٢", "seven", "-7"])
def test_a_ballot_whose_right_is_no_number_is_refused_and_not_cast(
    hall: Hall, sessions: sessionmaker[Session], right: str
) -> None:
    # "²" and "١٢" are digits to str.isdigit; int() took the one and choked on the other (500).
    poll = hall.poll("Adopt the minutes")
    cast = hall.phones[VOTER].post(
        f"/meetings/{hall.meeting}/polls/{poll['id']}/ballot",
        {"choice": '{"option": 1}', "client_key": client_key(), "right_person_id": right},
    )
    assert cast.status_code == 422, cast.text
    assert "the ballot was damaged on the way; fill it in again" in cast.text
    with sessions() as session:
        assert session.scalars(select(Ballot).where(Ballot.poll_id == poll["id"])).all() == []


@pytest.mark.parametrize(
    ("typed", "told"),
    [("²", "&#39;²&#39; is not a whole number"), ("9" * 5000, "too large a number for a ballot")],
)
def test_a_ballot_filled_in_with_no_number_is_sent_back_to_be_filled_in_again(
    hall: Hall, typed: str, told: str
) -> None:
    # "²" is a digit to str.isdigit, and int() reads neither it nor 5,000 digits: a 500.
    decision = hall.poll("Adopt the minutes")
    review = hall.phones[VOTER].post(
        f"/meetings/{hall.meeting}/polls/{decision['id']}/review", {"option": typed}
    )
    assert review.status_code == 422 and "choose one option" in review.text
    election = hall.poll(
        "Elect the auditor", kind="election", method="irv", options=["Ada", "Boris"]
    )
    ranked = {f"rank_{option_id}": typed for option_id in election["ids"].values()}
    review = hall.phones[VOTER].post(
        f"/meetings/{hall.meeting}/polls/{election['id']}/review", ranked
    )
    assert review.status_code == 422 and told in review.text


def test_the_receipt_is_grouped_kept_and_carried_to_the_board_in_the_browser_only(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    poll = hall.poll("Adopt the budget", secrecy="secret")
    cast = hall.vote_in_pages(VOTER, poll, "no")
    assert cast.status_code == 200, cast.text
    found = RECEIPT.search(cast.text)
    assert found, cast.text
    receipt, groups = found.group(1), re.findall(r"<span>(\w+)</span>", found.group(2))
    assert len(groups) == 8 and "".join(groups) == receipt
    for control in ("data-copy-receipt", "data-print", "data-save-receipt"):
        assert control in cast.text
    assert " ".join(groups) in cast.text  # in the file the page saves
    board = f"/meetings/{hall.meeting}/polls/{poll['id']}/board"
    # After '#': the browser keeps it; the page's script looks it up on the board.
    assert f'href="{board}#receipt={receipt}"' in cast.text
    assert '<script src="/static/delegate.js" defer></script>' in cast.text
    script = hall.phones[VOTER].get("/static/delegate.js")
    assert script.status_code == 200 and "#receipt=" in script.text

    early = hall.phones[VOTER].get(board)
    assert early.status_code == 200 and "opens when the result is published" in early.text
    assert "data-receipt-kept" in early.text and "<tr data-receipt" not in early.text
    hall.close(poll)
    waiting = hall.phones[VOTER].get(board)  # the ballots tell the result: shown with it
    assert waiting.status_code == 200 and "opens when the result is published" in waiting.text
    assert "data-receipt-kept" in waiting.text and "<tr data-receipt=" not in waiting.text
    hall.api.call("POST", f"/polls/{poll['id']}/publish")
    shown = hall.phones[VOTER].get(board).text
    assert f'<tr data-receipt="{receipt}">' in shown and "data-board-search" in shown
    assert '<script src="/static/delegate.js" defer></script>' in shown
    with sessions() as session:
        # The receipt is kept with no voter: the server could not show it to its voter again.
        stored = session.scalars(select(Ballot).where(Ballot.receipt == receipt)).one()
        assert stored.voter_person_id is None and stored.cast_by_person_id is None
    assert receipt not in hall.page(VOTER, "/my-votes")


def test_casting_sends_the_browser_to_its_receipt_shown_once_and_kept_out_of_addresses(
    hall: Hall,
) -> None:
    """Post, redirect, get: Back and reloading never offer to send the ballot again. The
    receipt rides in a cookie for its page alone, signed for this login, never in an address
    (history, logs, Referer); the page shows it once, and then the ballot page says why no
    ballot is left."""
    poll = hall.poll("Adopt the budget", secrecy="secret")
    base = f"/meetings/{hall.meeting}/polls/{poll['id']}"
    review = hall.phones[VOTER].post(f"{base}/review", {"option": poll["ids"]["no"]})
    # The review page takes the ballot page's address in the history: Back from the receipt
    # leads there, not to a form to send again.
    assert f'<script src="/static/ballot_address.js" data-address="{base}/vote" defer>' in (
        review.text
    )
    script = hall.phones[VOTER].get("/static/ballot_address.js")
    assert script.status_code == 200 and "history.replaceState" in script.text
    cast = hall.confirm(VOTER, poll, "no")
    assert cast.status_code == 303 and cast.headers["location"] == f"{base}/receipt"
    kept = cast.headers["set-cookie"]
    assert kept.startswith("veche_receipt=") and f"Path={base}/receipt;" in kept
    assert "HttpOnly" in kept and "SameSite=strict" in kept and "Max-Age" not in kept
    stolen = hall.phones[VOTER].client.cookies.get("veche_receipt")
    assert stolen

    shown = hall.phones[VOTER].get(f"{base}/receipt")
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    found = RECEIPT.search(shown.text)
    assert found, shown.text
    assert "this page shows it only once" in shown.text
    assert f"{found.group(1)}" not in cast.headers["location"]
    assert 'veche_receipt=""' in shown.headers["set-cookie"]  # deleted: shown once
    # Again (a reload, Back then Forward): the ballot page, which says the vote is cast.
    again = hall.phones[VOTER].get(f"{base}/receipt")
    assert again.status_code == 303 and again.headers["location"] == f"{base}/vote"
    back = hall.page(VOTER, f"/polls/{poll['id']}/vote")
    assert "You have voted: every voting right you hold in this vote is used" in back
    assert 'name="option"' not in back and "Review my ballot" not in back
    # The cookie is good for its login only: another's browser holding it is shown nothing.
    hall.phones[OTHER].client.cookies.set("veche_receipt", stolen, path=f"{base}/receipt")
    other = hall.phones[OTHER].get(f"{base}/receipt")
    assert other.status_code == 303 and found.group(1) not in other.text

    # The same confirmation sent again (bad Wi-Fi) is sent to the same receipt.
    other_poll = hall.poll("Adopt the minutes")
    at = f"/meetings/{hall.meeting}/polls/{other_poll['id']}"
    form = {"choice": json.dumps({"option": other_poll["ids"]["yes"]}), "client_key": client_key()}
    first = hall.phones[VOTER].post(f"{at}/ballot", form)
    assert first.status_code == 303, first.text
    receipt = RECEIPT.search(hall.phones[VOTER].get(f"{at}/receipt").text)
    resent = hall.phones[VOTER].post(f"{at}/ballot", form)
    assert resent.status_code == 303, resent.text
    shown_again = hall.phones[VOTER].get(f"{at}/receipt").text
    assert receipt and receipt.group(1) in shown_again and "already arrived" in shown_again


def test_observers_are_offered_no_floor_receipt_or_signal_and_delegates_are(hall: Hall) -> None:
    poll = hall.poll("Adopt the budget")
    hall.close(poll)
    # The board opens with the result: until then the page leads to no board.
    closed = hall.page(VOTER).split("<h3>Adopt the budget</h3>")[1].split("</li>")[0]
    assert "the chair will announce the result" in closed and "board" not in closed
    hall.api.call("POST", f"/polls/{poll['id']}/publish")
    observer, delegate = hall.page(OBSERVER), hall.page(VOTER)
    for words in ("Ask for the floor", "Raise a point of order", "Find your receipt"):
        assert words not in observer
        assert words in delegate
    assert "See the bulletin board" in observer and "See the bulletin board" not in delegate
    # No signal of votes for those who cast none.
    assert "data-vote-signal" not in observer and "data-vote-signal" in delegate

    # The votes a delegate may cast now are marked: the page's script signals a new one.
    poll = hall.poll("Adopt the minutes")
    mark = f'data-open-poll="{poll["id"]}" data-title="Adopt the minutes"'
    delegate = hall.page(VOTER)
    assert mark in delegate and mark in hall.page(VOTER, "/room")  # the live fragment too
    assert re.search(r'<div class="vote-signal" role="alert" data-vote-signal', delegate)
    assert 'data-opened="A vote has opened: {title}"' in delegate
    assert '<input type="checkbox" data-signal-sound checked>' in delegate
    assert "data-open-poll" not in hall.page(OBSERVER) and "data-open-poll" not in hall.page(ABSENT)
    assert hall.vote_in_pages(VOTER, poll, "yes").status_code == 200
    assert "data-open-poll" not in hall.page(VOTER, "/room")  # voted: nothing left to signal


def test_my_votes_says_who_voted_and_shows_only_named_choices(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        agenda = session.scalars(select(Ballot.poll_id).where(Ballot.voter_person_id == VOTER))
        agenda_poll = agenda.one()
        name = session.get(Person, VOTER)
        assert name is not None
    hall.api.post(
        f"/meetings/{hall.meeting}/proxies", grantor_person_id=ABSENT, holder_person_id=OTHER
    )
    secret = hall.poll("Elect the auditor", secrecy="secret")
    assert hall.vote_in_pages(VOTER, secret, "no").status_code == 200
    hall.close(secret)
    named = hall.poll("Adopt the report", secrecy="named")
    assert hall.vote_in_pages(VOTER, named, "abstain").status_code == 200
    for right, label in ((OTHER, "yes"), (ABSENT, "no")):  # their own, and the proxy
        assert hall.vote_in_pages(OTHER, named, label, right_person_id=right).status_code == 200
    still_open = hall.poll("Adopt the budget")

    mine = hall.page(VOTER, "/my-votes")
    assert 'aria-current="page">My votes</a>' in mine
    # Newest first.
    order = [int(i) for i in re.findall(r'<li data-poll="(\d+)">', mine)]
    assert order == [still_open["id"], named["id"], secret["id"], agenda_poll]
    assert "You voted." in _poll_entry(mine, agenda_poll)
    assert "With your own vote: <strong>yes</strong>" in _poll_entry(mine, agenda_poll)
    assert "With your own vote: <strong>abstain</strong>" in _poll_entry(mine, named["id"])
    secret_entry = _poll_entry(mine, secret["id"])
    assert "You voted." in secret_entry and "secret ballot" in secret_entry
    assert "<strong>" not in secret_entry and ">no<" not in secret_entry
    waiting = _poll_entry(mine, still_open["id"])
    assert "You have not voted yet." in waiting and "Vote now" in waiting

    other = hall.page(OTHER, "/my-votes")
    assert "You did not vote." in _poll_entry(other, secret["id"])
    with sessions() as session:
        absent_member = session.get(Person, ABSENT)
        assert absent_member is not None
        entrusted = f"On behalf of {absent_member.full_name}: <strong>no</strong>"
    assert "With your own vote: <strong>yes</strong>" in _poll_entry(other, named["id"])
    assert entrusted in _poll_entry(other, named["id"])
    assert "You voted." in _poll_entry(other, agenda_poll)
    absent = _poll_entry(hall.page(ABSENT, "/my-votes"), still_open["id"])
    assert "You are not checked in as present" in absent and "Vote now" not in absent
    assert "Observers follow the meeting but do not vote" in hall.page(OBSERVER, "/my-votes")
    # One's own vote is "your own", not a name.
    assert name.full_name not in mine.split("<main")[1].split("<footer")[0]


def test_a_ballot_says_how_many_it_elects_and_how_many_to_mark(hall: Hall) -> None:
    candidates = ["Ada", "Boris", "Chiara", "Dmitri"]
    for method, seats, told in [
        ("scottish-stv", 3, "<strong>Elect 3:</strong> rank as many as you like."),
        ("block", 2, "<strong>Elect 2:</strong> tick up to 2."),
        ("approval", 2, "<strong>Elect 2:</strong> tick as many as you like."),
        ("sntv", 2, "<strong>Elect 2:</strong> choose one."),
    ]:
        poll = hall.poll(
            f"Elect the board by {method}",
            kind="election",
            method=method,
            seats=seats,
            options=candidates,
        )
        ballot = hall.page(VOTER, f"/polls/{poll['id']}/vote")
        assert told in ballot, method
        assert 'aria-describedby="ballot-seats' in ballot
    decision = hall.page(VOTER, f"/polls/{hall.poll('Adopt the minutes')['id']}/vote")
    assert 'data-testid="ballot-seats"' not in decision


def test_a_proxy_holder_is_told_on_whose_behalf_each_ballot_is(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    hall.api.post(
        f"/meetings/{hall.meeting}/proxies", grantor_person_id=ABSENT, holder_person_id=OTHER
    )
    with sessions() as session:
        absent = session.get(Person, ABSENT)
        assert absent is not None
        on_behalf = f"On behalf of {absent.full_name}"
    poll = hall.poll("Adopt the budget")
    base = f"/meetings/{hall.meeting}/polls/{poll['id']}"
    phone = hall.phones[OTHER]

    review = phone.post(f"{base}/review", {"option": poll["ids"]["yes"], "right_person_id": ABSENT})
    assert f'data-testid="voting-as"><strong>{on_behalf}</strong>' in review.text
    # Changing the choice keeps the vote it was for.
    again = phone.post(
        f"{base}/review",
        {
            "again": "yes",
            "choice": json.dumps({"option": poll["ids"]["yes"]}),
            "right_person_id": ABSENT,
        },
    )
    assert re.search(rf'value="{ABSENT}" checked>\s*{on_behalf}', again.text), again.text
    assert not re.search(rf'value="{OTHER}" checked>', again.text)
    # A blank ballot goes with the vote chosen, in the ballot's own form.
    ballot = phone.get(f"{base}/vote").text.split('class="ballot"')[1].split("</form>")[0]
    assert f'name="right_person_id" value="{ABSENT}"' in ballot
    assert 'name="blank" value="yes"' in ballot
    blank = phone.post(f"{base}/review", {"blank": "yes", "right_person_id": ABSENT})
    assert "A blank ballot" in blank.text and on_behalf in blank.text

    by_proxy = hall.vote_in_pages(OTHER, poll, "no", right_person_id=ABSENT)
    assert by_proxy.status_code == 200, by_proxy.text
    assert f'data-testid="voting-as"><strong>{on_behalf}</strong>' in by_proxy.text
    assert f"The receipt of this ballot ({on_behalf}):" in by_proxy.text
    assert f"&#10;{on_behalf}&#10;" in by_proxy.text  # in the file the page saves
    assert "You hold 1 more vote(s) in this poll" in by_proxy.text
    assert f'href="{base}/vote"' in by_proxy.text
    # Back from the receipt: the ballot for the vote left, saying the other is cast.
    left = hall.page(OTHER, f"/polls/{poll['id']}/vote")
    assert "You have cast 1 of the 2 votes you hold in this poll" in left
    assert f'name="right_person_id" value="{OTHER}"' in left

    own = hall.vote_in_pages(OTHER, poll, "yes", right_person_id=OTHER)
    assert own.status_code == 200, own.text
    assert 'data-testid="voting-as"><strong>My own vote</strong>' in own.text
    assert on_behalf not in own.text and 'data-testid="rights-left"' not in own.text
    done = hall.page(OTHER, f"/polls/{poll['id']}/vote")
    assert "Keep your 2 receipts, one for each ballot" in done
    assert "Keep the receipt of each ballot you cast" in hall.page(OTHER)

    # One who holds only their own vote is not told whose it is.
    alone = hall.vote_in_pages(VOTER, poll, "yes")
    assert alone.status_code == 200 and 'data-testid="voting-as"' not in alone.text
    assert "Keep your receipt to find your ballot" in hall.page(VOTER, f"/polls/{poll['id']}/vote")


def test_a_proxy_giver_checked_in_is_told_what_became_of_their_vote(
    hall: Hall, sessions: sessionmaker[Session]
) -> None:
    """The desk says that the giver now votes in person, and that a ballot the holder already
    cast for them stands; the giver's page says who cast it instead of "You have voted"."""
    hall.api.post(
        f"/meetings/{hall.meeting}/proxies", grantor_person_id=ABSENT, holder_person_id=OTHER
    )
    with sessions() as session:
        giver, holder = (session.get(Person, person) for person in (ABSENT, OTHER))
        assert giver is not None and holder is not None
        giver_name, holder_name = giver.full_name, holder.full_name
    cast = hall.poll("Adopt the budget")
    hall.poll("Adopt the accounts")  # not voted on: the giver votes there in person
    assert hall.vote_in_pages(OTHER, cast, "no", right_person_id=ABSENT).status_code == 200

    desk = f"/secretary/meetings/{hall.meeting}"
    done = hall.secretary.post(
        f"{desk}/attendance",
        {"person_id": ABSENT, "day": hall.sitting.day.isoformat(), "present": "yes"},
    )
    assert done.status_code == 303, done.text
    said = hall.secretary.get(done.headers["location"]).text
    assert f"{giver_name} is checked in on {hall.sitting.day.isoformat()}." in said
    assert f"{giver_name} gave a proxy to {holder_name}: while present, {giver_name} votes" in said
    assert (
        f"{holder_name} has already cast the vote of {giver_name} in “Adopt the budget”: "
        "that ballot stands" in said
    )
    assert "Adopt the accounts”" not in said

    by_holder = f"Your vote was cast by your proxy holder, {holder_name}, while you were away"
    page = hall.page(ABSENT)
    assert by_holder in page and page.count("Vote now") == 1
    assert by_holder in hall.page(ABSENT, f"/polls/{cast['id']}/vote")
    assert by_holder in hall.page(ABSENT, "/room")  # the live fragment, answered from memory
    # The holder, who voted for them, is not told so.
    assert by_holder not in hall.page(OTHER)


def test_a_weighted_delegate_is_told_the_votes_their_ballot_carries_and_what_the_board_withholds(
    hall: Hall,
) -> None:
    """A delegate of weight 3, the only one, hears it on the ballot, the review and the receipt,
    which says ahead that the board will show their row as withheld, and why; a holder of two
    votes of different weights is told each. A delegate of weight 1 is told neither."""
    hall.api.call("PATCH", f"/meetings/{hall.meeting}/participants/{VOTER}", weight=3)
    hall.api.call("PATCH", f"/meetings/{hall.meeting}/participants/{ABSENT}", weight=2)
    hall.api.post(
        f"/meetings/{hall.meeting}/proxies", grantor_person_id=ABSENT, holder_person_id=OTHER
    )
    poll = hall.poll("Adopt the budget")
    base = f"/meetings/{hall.meeting}/polls/{poll['id']}"
    carries = '<p class="big" data-testid="ballot-weight"><strong>Your ballot carries 3 votes.'

    assert carries in hall.page(VOTER, f"/polls/{poll['id']}/vote")
    review = hall.phones[VOTER].post(f"{base}/review", {"option": poll["ids"]["yes"]})
    assert carries in review.text
    receipt = hall.vote_in_pages(VOTER, poll, "yes")
    assert receipt.status_code == 200 and carries in receipt.text
    withholds = re.search(r'data-testid="board-withholds">(.*?)</p>', receipt.text, re.DOTALL)
    assert withholds is not None, receipt.text
    said = " ".join(withholds.group(1).split())
    assert said.startswith("Fewer than 5 ballots of this poll can carry a weight of 3")
    assert "your row will then read “withheld” for its choice as well" in said
    assert "Your receipt is listed all the same" in said and "counts its 3 votes" in said

    # Two votes of their own weights: each is said beside it, and the one chosen on the review.
    ballot = hall.page(OTHER, f"/polls/{poll['id']}/vote")
    assert re.search(r"My own vote\s*<span[^>]*>\(1 vote\)</span>", ballot), ballot
    assert re.search(r"On behalf of [^<]+<span[^>]*>\(2 votes\)</span>", ballot), ballot
    for_absent = hall.phones[OTHER].post(
        f"{base}/review", {"option": poll["ids"]["no"], "right_person_id": ABSENT}
    )
    assert "Your ballot carries 2 votes." in for_absent.text
    own = hall.phones[OTHER].post(
        f"{base}/review", {"option": poll["ids"]["no"], "right_person_id": OTHER}
    )
    assert 'data-testid="ballot-weight"' not in own.text

    # A weight of 1, the members' commonest, is not said, nor is anything withheld.
    single = hall.vote_in_pages(OTHER, poll, "no", right_person_id=OTHER)
    assert 'data-testid="ballot-weight"' not in single.text
    assert 'data-testid="board-withholds"' not in single.text

    # What the receipt foretold is what the board shows, once other ballots show their weight.
    for member in [m for m in PRESENT if m not in (VOTER, OTHER)][:5]:
        hall.vote_through_api(member, poll, "no", 201)
    hall.close(poll)
    hall.api.call("POST", f"/polls/{poll['id']}/publish")
    found = RECEIPT.search(receipt.text)
    assert found is not None
    board = hall.api.get(f"/polls/{poll['id']}/ballots")
    (row,) = [b for b in board["ballots"] if b["receipt"] == found.group(1)]
    assert row["choice"] is None and row["weight"] is None and row["weight_withheld"]
