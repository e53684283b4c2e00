"""The projector under the chair's control: the API on both databases, the console's control
and the screens it chooses on the pages, and a result read into the screen's decisive round."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import journaled
from tests.web.sitting import PRESENT, PreparedSitting, Served, serve_sitting
from veche.actions.events import LiveEvent, LiveEventType
from veche.actions.journal_actions import JournalAction
from veche.models import Poll
from veche.models.polls import PollKind, PollState
from veche.queries.projector import screen_result
from veche.queries.result_summary import result_summary
from veche.queries.sitting import chart_rounds
from veche.tally import Profile, count
from veche.web.templating import templates

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = pytest.mark.demo

#: A member who voted on the agenda: a delegate, with no office.
DELEGATE = PRESENT[3]


@pytest.fixture
def served(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Served]:
    """The sitting served, with the delegate's phone logged in."""
    with serve_sitting(engine, sessions, sitting, [DELEGATE]) as served:
        yield served


def test_the_chair_chooses_what_the_projector_shows(
    engine: Engine,
    sessions: sessionmaker[Session],
    sitting: PreparedSitting,
    events: list[LiveEvent],
) -> None:
    meeting = sitting.meeting_id
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        at = f"/meetings/{meeting}/projector"
        assert api.get(at) == {
            "meeting_id": meeting,
            "shows": "follow",
            "poll_id": None,
            "message": "",
            "changed_at": None,
        }
        poll = api.post(f"/meetings/{meeting}/polls", title="Adopt the budget", kind="decision")
        shown = api.call("PUT", at, shows="poll", poll_id=poll["id"])
        assert (shown["shows"], shown["poll_id"], shown["message"]) == ("poll", poll["id"], "")
        assert shown["changed_at"] is not None
        message = api.call("PUT", at, shows="message", message="  Lunch until 14:00.\n  Hall B. ")
        assert (message["shows"], message["poll_id"]) == ("message", None)
        assert message["message"] == "Lunch until 14:00.\nHall B."
        assert api.call("PUT", at, shows="blank")["message"] == ""
        # Every delegate reads what the hall sees; only those who run the floor choose it.
        assert api.call("GET", at, as_person=DELEGATE)["shows"] == "blank"
        refused = api.call("PUT", at, 403, as_person=DELEGATE, shows="speaker")
        assert "choose what the projector shows" in refused["detail"]

        other = api.new_meeting(date.today())["id"]
        elsewhere = api.post(f"/meetings/{other}/polls", title="Elsewhere", kind="decision")
        cancelled = api.post(f"/meetings/{meeting}/polls", title="Withdrawn", kind="decision")
        api.post(f"/polls/{cancelled['id']}/cancel", 200)
        for body, status, says in [
            ({"shows": "poll"}, 422, "Choose the poll"),
            ({"shows": "message", "message": "  \n "}, 422, "Type the message"),
            ({"shows": "speaker", "poll_id": poll["id"]}, 422, "choose to show a poll"),
            ({"shows": "blank", "message": "Hello"}, 422, "choose a message"),
            ({"shows": "poll", "poll_id": elsewhere["id"]}, 404, "no such poll"),
            ({"shows": "poll", "poll_id": cancelled["id"]}, 409, "“Withdrawn” was cancelled"),
            ({"shows": "message", "message": "x" * 501}, 422, "500"),
            ({"shows": "everything"}, 422, "shows"),
        ]:
            answer = api.call("PUT", at, status, **body)
            assert says in answer["detail"], (body, answer)
    assert journaled_choices(sessions) == ["poll", "message", "blank"]
    changed = [e for e in events if e.type == LiveEventType.PROJECTOR_CHANGED]
    assert [e.meeting_id for e in changed] == [meeting] * 3


def journaled_choices(sessions: sessionmaker[Session]) -> list[str]:
    """What the journal says was put on the projector: refused choices left no entry."""
    return [entry["shows"] for entry in journaled(sessions, JournalAction.SHOW_ON_PROJECTOR)]


# --- The pages -----------------------------------------------------------------------------


@pytest.mark.one_database
def test_the_console_control_changes_the_screen(sitting: PreparedSitting, served: Served) -> None:
    meeting = sitting.meeting_id
    screen = f"/meetings/{meeting}/projector/current"
    delegate, chair = served.phones[DELEGATE], served.secretary

    def shown() -> str:
        page = delegate.get(screen)
        assert page.status_code == 200, page.text
        return str(page.text)

    # Following the meeting: the agenda's vote, published, until the floor moves on.
    assert 'data-testid="outcome">Adopted<' in shown()
    assert "16 of 16 eligible voted" in shown()
    item = sitting.sitting.item_id
    served.api.post(f"/agenda-items/{item}/speakers", person_id=DELEGATE)
    assert (
        chair.post(f"/meetings/{meeting}/console/floor/next", {"item_id": item}).status_code == 303
    )
    following = shown()
    assert 'data-testid="speaker"' in following and 'data-testid="speaking-timer"' in following
    assert "outcome" not in following  # the result does not stay under the speaker

    # The console fetches the control; its form goes through the same action as the API.
    control = chair.get(f"/meetings/{meeting}/console/projector/control").text
    assert 'name="shows" value="follow" aria-describedby="projector-follow-hint" checked' in control
    posted = chair.post(
        f"/meetings/{meeting}/console/projector",
        {
            "shows": "message",
            "message": "Coffee in the foyer",
            "poll_id": "",
            "back": "console",
        },
    )
    assert (
        posted.status_code == 303 and posted.headers["location"] == f"/meetings/{meeting}/console"
    )
    assert 'data-testid="screen-message">Coffee in the foyer<' in shown()
    # The form sends its poll and message whatever is chosen: only the choice's own count.
    polls = served.api.get(f"/meetings/{meeting}/polls")
    posted = chair.post(
        f"/meetings/{meeting}/console/projector",
        {"shows": "item", "poll_id": str(polls[0]["id"]), "message": "left", "back": "control"},
    )
    assert posted.headers["location"] == f"/meetings/{meeting}/console/projector"
    assert served.api.get(f"/meetings/{meeting}/projector")["shows"] == "item"
    assert 'data-testid="item-title">On the budget<' in shown()
    chair.post(f"/meetings/{meeting}/console/projector", {"shows": "blank"})
    assert 'data-testid="screen-blank"' in shown() and "Riverlands" in shown()

    # A choice refused comes back on the control's page, with the reason and what was typed.
    refused = chair.post(
        f"/meetings/{meeting}/console/projector", {"shows": "message", "message": " "}
    )
    assert refused.status_code == 422
    assert "Type the message to show on the projector." in refused.text
    assert (
        'value="message" checked' in refused.text and "<h1>Projector control</h1>" in refused.text
    )
    assert served.api.get(f"/meetings/{meeting}/projector")["shows"] == "blank"
    # A delegate may look at the screen, not choose it.
    assert (
        delegate.post(f"/meetings/{meeting}/console/projector", {"shows": "item"}).status_code
        == 403
    )
    assert delegate.get(f"/meetings/{meeting}/console/projector").status_code == 403


@pytest.mark.one_database
def test_an_open_poll_shows_its_turnout_and_majority(
    sitting: PreparedSitting, served: Served
) -> None:
    meeting = sitting.meeting_id
    api = served.api
    poll = api.post(
        f"/meetings/{meeting}/polls",
        title="Amend the statutes",
        kind="decision",
        method_options={"rule": "qualified", "fraction": "2/3", "base": "cast"},
    )
    api.call("POST", f"/polls/{poll['id']}/open", day=date.today().isoformat())
    yes = next(o["id"] for o in poll["options"] if o["label"] == "yes")
    for voter in PRESENT[:3]:
        api.vote(poll["id"], voter, {"option": yes})
    screen = served.phones[DELEGATE].get(f"/meetings/{meeting}/projector/current").text
    # Following the meeting, an open vote comes first: its count, never its content.
    assert 'data-testid="ballots-received">3<' in screen and "of 16 eligible" in screen
    assert "Needed to adopt: Two-thirds of the votes cast" in screen
    assert "outcome" not in screen


# --- A result on the screen ----------------------------------------------------------------


def _poll(kind: PollKind, result: dict[str, Any]) -> Poll:
    return Poll(kind=kind, state=PollState.PUBLISHED, result=result, method_options={})


def test_an_stv_result_shows_its_decisive_round_first() -> None:
    long_name = "Anna Maria Kowalczyk-Wiśniewska de la Fuente"
    profile = Profile.from_rankings(
        [long_name, "Bo", "Chen", "Dmitri"],
        [([0, 1], 4), ([1, 2], 3), ([2, 3], 2), ([3, 1], 2), ([0, 2], 2)],
    )
    result = screen_result(
        _poll(PollKind.ELECTION, count(profile, "scottish-stv", seats=2).to_dict())
    )
    assert result is not None
    assert (result.round_number, result.rounds, result.elected) == (3, 3, [long_name, "Bo"])
    assert [(b.label, b.votes, b.seats, b.excluded) for b in result.bars] == [
        (long_name, "5", 1, False),
        ("Bo", "5.67", 1, False),
        ("Chen", "2.33", 0, False),
        ("Dmitri", "0", 0, True),
    ]
    # The quota is the line the bars are measured against; Bo's bar is the longest.
    assert result.threshold is not None and result.threshold.quota
    assert result.threshold.votes == "5" and result.bars[1].share == 1.0
    assert result.threshold.share == pytest.approx(5 / 5.66664)
    assert [r.number for r in result.earlier] == [1, 2]
    assert result.earlier[0].votes[long_name] == "6" and result.earlier[0].elected == [long_name]


def test_the_screen_and_the_result_page_print_an_stv_counts_figures_alike() -> None:
    """Fractional transfers (Bo's 5.66664 in the decisive round) read the same on the hall's
    screen as on the result page and in the minutes: rounded, by one rule
    (``veche.reports._words.figure``), where the screen once cut them to 5.66."""
    profile = Profile.from_rankings(
        ["Ada", "Bo", "Chen", "Dmitri"],
        [([0, 1], 4), ([1, 2], 3), ([2, 3], 2), ([3, 1], 2), ([0, 2], 2)],
    )
    poll = _poll(PollKind.ELECTION, count(profile, "scottish-stv", seats=2).to_dict())
    screen = screen_result(poll)
    assert screen is not None
    page = {r.number: r for r in chart_rounds(poll.result)}
    on_page = {number: {bar.label: bar.votes for bar in r.bars} for number, r in page.items()}
    decisive = on_page[screen.round_number]
    on_screen = {bar.label: bar.votes for bar in screen.bars}
    assert on_screen == {name: decisive[name] for name in on_screen}
    assert on_screen["Bo"] == "5.67"
    assert screen.threshold is not None
    assert screen.threshold.votes == page[screen.round_number].quota
    for earlier in screen.earlier:
        assert earlier.votes == {name: on_page[earlier.number][name] for name in earlier.votes}
    summary = result_summary(poll)
    assert summary is not None
    exhausted = summary.non_transferable
    assert screen.exhausted == exhausted.get(screen.round_number)
    assert all(r.exhausted == exhausted.get(r.number) for r in screen.earlier)


def test_a_decision_shows_yes_and_no_apart_with_the_votes_needed() -> None:
    profile = Profile.from_totals({"yes": 11, "no": 4, "abstain": 2})
    counted = count(profile, "majority", rule="qualified", fraction="2/3", base="cast")
    result = screen_result(_poll(PollKind.DECISION, counted.to_dict()))
    assert result is not None and result.decision == "adopted"
    assert [(b.label, b.tone, b.votes) for b in result.bars] == [
        ("Yes", "yes", "11"),
        ("No", "no", "4"),
        ("Abstain", "abstain", "2"),
    ]
    assert result.threshold is not None and not result.threshold.quota
    assert result.threshold.votes == "10" and result.earlier == []


#: The stylesheet the projector's page shares with every page.
STYLESHEET = Path(__file__).parents[2] / "src" / "veche" / "web" / "static" / "veche.css"


def _rules(css: str, selector: str) -> list[str]:
    """The declarations of every rule whose selector list names ``selector``."""
    uncommented = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return [
        body
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", uncommented)
        if selector in [part.strip() for part in selectors.split(",")]
    ]


def test_on_a_phone_the_screen_keeps_to_its_width_with_bars_beside_whole_names() -> None:
    """The hall's screen opened on a delegate's phone (390 px; their menu links it) once ran
    580 px wide: the earlier rounds ran off the dark page, white on white, and the decisive
    round's bars were squeezed out by names broken mid-word ("Dmit / ri"). In Chromium it now
    keeps to 390 px with axe clean, and the hall's 1920×1080 is as it was; here, what that
    rests on."""
    names = ["Dmitri Halas", "Anna Maria Kowalczyk-Wiśniewska de la Fuente", "Bo Chen", "Wei"]
    profile = Profile.from_rankings(
        names, [([0, 1], 4), ([1, 2], 3), ([2, 3], 2), ([3, 1], 2), ([0, 2], 2)]
    )
    poll = _poll(PollKind.ELECTION, count(profile, "scottish-stv", seats=2).to_dict())
    screen = templates.env.get_template("projector/_projector_result.html").render(
        poll=poll, result=screen_result(poll), turnout=None, majority=None
    )
    # The earlier rounds scroll sideways in a box of their own, named and reached by keyboard.
    assert re.search(
        r'<div class="scroll" role="region" tabindex="0" aria-label="Earlier rounds">\s*'
        r'<table class="rounds" data-testid="earlier-rounds">',
        screen,
    )
    css = STYLESHEET.read_text(encoding="utf-8")
    # Names wrap between words: "anywhere" let a squeezed column break them in the middle.
    assert all("anywhere" not in rule for rule in _rules(css, "body.projector table.bars .name"))
    # On a phone the bars keep their share of the width beside the names.
    phone = css[css.index("@media (max-width: 48rem) {\n  body.projector") :]
    phone = phone[: phone.index("\n}\n")]
    assert any("table-layout: fixed" in rule for rule in _rules(phone, "body.projector table.bars"))
    # The dark page lies under whatever a narrow window scrolls to.
    assert any("#0f1720" in rule for rule in _rules(css, ":root:has(body.projector)"))
