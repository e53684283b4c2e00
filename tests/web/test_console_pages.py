"""The chair's console: a new poll's form by kind, with methods and majorities in words; a poll
on the item in hand; the polls listed live; closing confirmed; blank ballots counted and shown."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import row_count
from tests.web.desk_client import Desk
from tests.web.sitting import PreparedSitting, serve_sitting
from veche.method_names import METHOD_NAMES, majority_rule_name, method_name
from veche.models import Poll
from veche.tally import available_methods
from veche.web.fragments import listens

#: What the console shows and sends; the polls it makes are made by the action the API
#: calls, proven on both databases in test_polls_api.py. They start from the demo.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _poll(desk_sessions: sessionmaker[Session], poll_id: int) -> Poll:
    with desk_sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        session.expunge(poll)
        return poll


def _select(page: str, name: str) -> str:
    found = re.search(rf'<select [^>]*name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert found, name
    return found.group(0)


def _selected(page: str, name: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', _select(page, name))


def test_every_method_and_rule_has_a_name_people_know() -> None:
    assert set(METHOD_NAMES) == set(available_methods())
    assert method_name("scottish-stv") == "Single transferable vote (Scottish rules)"
    assert majority_rule_name({"rule": "qualified", "fraction": "2/3", "base": "cast"}) == (
        "Two-thirds of the votes cast"
    )
    assert majority_rule_name(
        {"rule": "qualified", "fraction": "5/7", "base": "members", "abstentions_count": True}
    ) == ("At least 5/7 of all members, abstentions counted as votes cast")
    assert majority_rule_name({}) == "Simple majority: more yes than no"
    assert majority_rule_name({"rule": "absolute-of-present"}) == (
        "More than half of the members present"
    )


def test_the_form_offers_each_kind_its_own_fields_with_methods_in_words(desk: Desk) -> None:
    page = desk.console()
    # A decision by simple majority first; the method a choice or an election takes is in
    # their own fieldset, offered under its name, the fitting one for each kind marked.
    assert _selected(page, "kind") == ["decision"]
    assert re.search(r'<select id="poll-rule" name="rule">\s*<option value="simple">', page)
    assert _selected(page, "method") == ["plurality"]
    methods = _select(page, "method")
    assert 'data-default-election="scottish-stv"' in methods
    assert 'data-default-choice="plurality"' in methods
    assert ">Single transferable vote (Scottish rules)<" in methods
    assert ">D&#39;Hondt (highest averages)<" in methods
    assert "wigm-stv<" not in methods and 'value="majority"' not in methods
    fieldsets = re.findall(r'<fieldset data-kinds="([^"]+)">\s*<legend>([^<]+)<', page)
    assert fieldsets == [
        ("decision choice election", "What it is on"),
        ("decision agenda", "Majority required (decisions)"),
        ("choice election", "Counting (choices and elections)"),
    ]
    assert '<script src="/static/console.js" defer></script>' in page
    # The agenda is not approved yet: its approval is a kind of poll the form offers.
    assert '<option value="agenda">Approval of the agenda' in _select(page, "kind")


def test_a_kind_takes_only_its_fields_whatever_the_form_sends(desk: Desk) -> None:
    everything = {
        "method": "scottish-stv",
        "seats": "3",
        "options": "North\nSouth",
        "rule": "qualified",
        "fraction": "2/3",
        "base": "cast",
    }
    decision = desk.create_poll(title="Adopt the report", kind="decision", **everything)
    stored = _poll(desk.sessions, decision)
    assert (stored.method, stored.seats, stored.approves_agenda) == ("majority", 1, False)
    assert stored.method_options == {"rule": "qualified", "fraction": "2/3", "base": "cast"}
    agenda = desk.create_poll(title="Approve the agenda", kind="agenda", **everything)
    stored = _poll(desk.sessions, agenda)
    assert (stored.kind.value, stored.approves_agenda, stored.agenda_item_id) == (
        "decision",
        True,
        None,
    )
    election = desk.create_poll(title="Elect two tellers", kind="election", **everything)
    stored = _poll(desk.sessions, election)
    assert (stored.method, stored.seats, stored.method_options) == ("scottish-stv", 3, {})


def test_the_majority_required_shows_on_the_console(desk: Desk) -> None:
    desk.create_poll(
        title="Amend the statutes", kind="decision", rule="qualified", fraction="2/3", base="cast"
    )
    page = desk.console()
    assert (
        'data-testid="majority"><strong>Majority required:</strong> Two-thirds of the votes cast'
        in page
    )
    assert (
        'Amend the statutes <span class="meta">(Two-thirds of the votes cast, secret ballot)'
        in page
    )
    desk.create_poll(
        title="Elect the tellers", kind="election", method="scottish-stv", seats="2", options="A\nB"
    )
    assert (
        'Elect the tellers <span class="meta">(Single transferable vote (Scottish rules), '
        "2 seats, secret ballot)" in desk.console()
    )


def test_a_blank_ballot_is_counted_and_shown(desk: Desk) -> None:
    voters = desk.assembly.members[:5]
    desk.assembly.check_in(voters)
    poll_id = desk.create_poll(title="Adopt the budget", kind="decision")
    desk.step(poll_id, "open")
    with desk.sessions() as session:
        options = {o.label: o.id for o in session.get_one(Poll, poll_id).options}
    choices = [{"option": options["yes"]}] * 3 + [{"option": options["no"]}, {"blank": True}]
    for voter, choice in zip(voters, choices, strict=True):
        assert desk.assembly.vote(poll_id, voter, choice).status_code == 201
    desk.step(poll_id, "close")
    page = desk.console()
    assert re.search(r'data-testid="ballots-received" class="number">5<', page)
    assert "5 ballots counted: 4 with a choice, 1 blank" in page
    tally = re.search(r'<ul class="tally" data-testid="tally">(.*?)</ul>', page, re.DOTALL)
    assert tally is not None
    assert re.findall(r"<li>(\w+): <strong>(\d+)</strong></li>", tally.group(1)) == [
        ("yes", "3"),
        ("no", "1"),
        ("abstain", "0"),
        ("blank", "1"),
    ]
    # The rounds are there for whoever opens them, below the summary.
    assert re.search(
        r'<details class="rounds" id="rounds-\d+">\s*<summary>The count round by round \(1\)', page
    )
    minutes = desk.secretary.get(f"/meetings/{desk.meeting}/reports/minutes").text
    assert re.search(r"<td>blank</td>\s*<td>1</td>", minutes), minutes
    assert "Majority vote (yes, no, abstain), secret, 5 ballots" in minutes


def test_a_poll_made_ready_after_a_result_takes_the_now_panel(desk: Desk) -> None:
    """The agenda's result stayed in "Now" once the next poll was created."""
    desk.assembly.check_in(desk.assembly.members[:3])
    first = desk.create_poll(title="Adjourn for lunch", kind="decision")
    desk.step(first, "open")
    desk.step(first, "close")
    desk.step(first, "publish")
    now = desk.console().split('id="current-heading"')[1]
    assert "<h3>Adjourn for lunch</h3>" in now
    desk.create_poll(title="Adopt the budget", kind="decision")
    now = desk.console().split('id="current-heading"')[1]
    assert "<h3>Adopt the budget</h3>" in now and 'data-testid="outcome"' not in now
    current = desk.secretary.get(f"/meetings/{desk.meeting}/console/current").text
    assert "<h3>Adopt the budget</h3>" in current


def test_closing_asks_for_a_confirmation_first(desk: Desk) -> None:
    desk.assembly.check_in(desk.assembly.members[:3])
    poll_id = desk.create_poll(title="Adjourn", kind="decision")
    desk.step(poll_id, "open")
    confirm = f"/meetings/{desk.meeting}/console/polls/{poll_id}/close"
    page = desk.console()
    # Both "Close and count" buttons ask first: they fetch the confirmation, posting nothing.
    assert page.count(f'<form method="get" action="{confirm}" class="inline">') == 2
    asked = desk.secretary.get(confirm)
    assert asked.status_code == 200
    assert "Close voting and count?" in asked.text and "Adjourn" in asked.text
    assert f'<form method="post" action="{confirm}"' in asked.text
    assert "Keep voting open" in asked.text
    assert _poll(desk.sessions, poll_id).state.value == "open"
    for role in ("delegate", "observer"):
        assert desk.others[role].get(confirm).status_code == 403
    desk.step(poll_id, "close")
    again = desk.secretary.get(confirm)
    assert again.status_code == 303 and again.headers["location"].endswith("/console")


def test_the_polls_of_the_meeting_are_part_of_the_live_panel(desk: Desk) -> None:
    page = desk.console()
    live = re.search(r'<section id="current"[^>]*hx-trigger="([^"]+)"', page)
    assert live is not None and live.group(1) == listens("console_current")
    for event in ("poll_created", "poll_opened", "poll_closed", "poll_cancelled"):
        assert f"sse:{event}" in live.group(1)
    desk.assembly.create_poll(title="Made elsewhere", kind="decision")
    panel = desk.secretary.get(f"/meetings/{desk.meeting}/console/current").text
    assert "Polls of this meeting" in panel and "Made elsewhere" in panel


def test_a_poll_refused_shows_the_console_again_as_it_was_filled_in(desk: Desk) -> None:
    sent = {
        "title": "Elect the auditors",
        "kind": "election",
        "method": "borda",
        "seats": "2",
        "options": "Ada\nBoris\nClara",
    }
    refused = desk.secretary.post(f"/meetings/{desk.meeting}/console/polls", sent)
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert "Chair's console" in page and 'role="alert"' in page
    assert "borda elects one winner; it cannot fill 2 seats" in page
    # The page opens at the form's error, not at its top, far above the form on a phone.
    assert '<p class="error" id="new-poll-error" tabindex="-1" autofocus>' in page
    assert 'value="Elect the auditors"' in page
    assert ">Ada\nBoris\nClara</textarea>" in page
    assert _selected(refused.text, "kind") == ["election"]
    assert _selected(refused.text, "method") == ["borda"]
    assert row_count(desk.sessions, Poll) == 0
    # A refused step, too, shows on the console rather than on a page of its own.
    poll_id = desk.create_poll(title="Adjourn", kind="decision")
    desk.step(poll_id, "cancel")
    late = desk.secretary.post(f"/meetings/{desk.meeting}/console/polls/{poll_id}/open")
    assert late.status_code == 409 and "Chair's console" in late.text
    assert 'data-testid="console-error"' in late.text


def test_a_poll_made_on_the_console_belongs_to_the_item_in_hand(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    first, second = sitting.sitting.item_ids
    motion = sitting.sitting.motion_id
    with serve_sitting(engine, sessions, sitting, []) as served:
        chair = served.secretary
        meeting = sitting.meeting_id
        page = chair.get(f"/meetings/{meeting}/console").text
        # The item under discussion comes chosen; the draft on it is offered under it.
        assert _selected(page, "agenda_item_id") == [str(first)]
        motions = _select(page, "motion_id")
        assert re.search(
            rf'<optgroup label="Item 1. On the budget">\s*<option value="{motion}">', motions
        )
        # The agenda is approved: it is no longer a kind of poll to make.
        assert 'value="agenda"' not in _select(page, "kind")

        def made(**form: str) -> Poll:
            posted = chair.post(f"/meetings/{meeting}/console/polls", form)
            assert posted.status_code == 303, posted.text
            with sessions() as session:
                newest = session.query(Poll).order_by(Poll.id.desc()).first()
                assert newest is not None
                return newest

        on_item = made(title="Refer it back", kind="decision", agenda_item_id=str(second))
        assert (on_item.agenda_item_id, on_item.motion_id) == (second, None)
        # A motion takes its vote to its own item, whatever item the form had chosen.
        on_motion = made(
            title="Adopt the budget",
            kind="decision",
            agenda_item_id=str(second),
            motion_id=str(motion),
        )
        assert (on_motion.agenda_item_id, on_motion.motion_id) == (first, motion)
        # An election is on an item, and decides no motion.
        election = made(
            title="Elect the auditors",
            kind="election",
            method="scottish-stv",
            seats="2",
            options="Ada\nBoris\nClara",
            agenda_item_id=str(first),
            motion_id=str(motion),
        )
        assert (election.agenda_item_id, election.motion_id) == (first, None)
        loose = made(title="Thank the hosts", kind="decision", agenda_item_id="")
        assert loose.agenda_item_id is None
        listing = chair.get(f"/meetings/{meeting}/console/current").text
        assert "<td>item 1 · motion 1</td>" in listing and "<td>item 2</td>" in listing


def _counted(desk: Desk, spec: dict[str, Any], choices: list[list[str]], first: int = 0) -> int:
    """A poll made by the API, a choice by label (a list: a ranking) for each member in order
    from the ``first``, counted and published; its id."""
    poll = desk.assembly.create_poll(**spec)
    ids = {o["label"]: o["id"] for o in poll["options"]}
    desk.assembly.open(poll["id"])
    ballots: list[dict[str, object]] = [
        {"option": ids[names[0]]}
        if spec.get("method") in (None, "plurality", "majority")
        else {"ranking": [ids[name] for name in names]}
        for names in choices
    ]
    for voter, ballot in zip(desk.assembly.members[first:], ballots, strict=False):
        cast = desk.assembly.vote(poll["id"], voter, ballot)
        assert cast.status_code == 201, cast.text
    desk.assembly.close(poll["id"])
    desk.step(poll["id"], "publish")
    return int(poll["id"])


def _report(desk: Desk, kind: str) -> str:
    """The meeting's report of ``kind`` in Markdown, from the API."""
    report = desk.assembly.client.get(
        f"/api/meetings/{desk.meeting}/reports/{kind}", headers=desk.assembly.secretary
    )
    assert report.status_code == 200, report.text
    return str(report.text)


def test_weighted_votes_are_told_apart_from_ballots_and_one_is_one(desk: Desk) -> None:
    """A right held with a weight of 3 is one ballot and three votes: the console, the minutes
    and their roll-call say ballots and votes each by its name, and the roll-call the weight."""
    voters = desk.assembly.members[:3]
    desk.assembly.check_in(voters)
    weighed = desk.assembly.client.patch(
        f"/api/meetings/{desk.meeting}/participants/{voters[0]}",
        json={"weight": 3},
        headers=desk.assembly.secretary,
    )
    assert weighed.status_code == 200, weighed.text
    spec = {"title": "Adopt the minutes", "kind": "decision", "secrecy": "named"}
    poll_id = _counted(desk, spec, [["yes"], ["no"], ["no"]])
    page = desk.console()
    assert re.search(
        r'data-testid="ballots-received" class="number">3</span> ballots received, '
        r'<span data-testid="votes-received">carrying 5 votes</span>',
        page,
    )
    assert "5 votes counted, the ballots by their weights: 5 with a choice, 0 blank" in page
    minutes = _report(desk, "minutes")
    assert (
        f"Vote {poll_id}: Adopt the minutes — Majority vote (yes, no, abstain), named, " in minutes
    )
    assert "named, 3 ballots carrying 5 votes" in minutes
    heavy = desk.assembly.client.get(f"/api/people/{voters[0]}", headers=desk.assembly.secretary)
    name = heavy.json()["full_name"]
    assert re.search(r"\| Voter +\| Vote +\| Weight +\|", minutes), minutes
    assert re.search(rf"\| {re.escape(name)} +\| yes +\| 3 +\|", minutes), minutes

    # One ballot is a ballot, not "1 ballots".
    _counted(desk, {"title": "Adjourn", "kind": "decision"}, [["yes"]], first=1)
    page = desk.console()
    assert re.search(
        r'data-testid="ballots-received" class="number">1</span> ballot received', page
    )
    assert "carrying" not in page  # one vote a ballot: nothing more to say
    assert "1 ballot counted: 1 with a choice, 0 blank" in page


def test_a_tie_settled_by_lot_is_said_wherever_the_result_is(desk: Desk) -> None:
    """Three colours 3–3–3: the lot's round, which counts no votes, draws no chart without a
    name; every output of the result says the lot and among whom."""
    desk.assembly.check_in(desk.assembly.members[:9])
    colours = ["Oxblood red", "Forest green", "Slate grey"]
    spec = {"title": "The banner's colour", "kind": "choice", "method": "plurality"}
    _counted(desk, {**spec, "options": colours}, [[colour] for colour in colours * 3])
    tied = r"chosen by lot among the tied Oxblood red, Forest green and Slate grey: "
    chosen = rf"{tied}(Oxblood red|Forest green|Slate grey)"
    page = desk.console()
    assert re.search(rf'data-testid="outcome"><strong>Result:</strong> {chosen}', page), page
    assert 'aria-label=""' not in page
    assert page.count("<svg ") == 1  # round 1's bars; round 2 drew lots
    for kind in ("minutes", "communique"):
        report = _report(desk, kind)
        assert re.search(chosen, report), report
    rows = desk.secretary.get(f"/secretary/meetings/{desk.meeting}/results.csv").text
    assert re.search(chosen, rows), rows
    screen = desk.secretary.get(f"/meetings/{desk.meeting}/projector/current").text
    assert "Round 1 of 2; the tie was broken by lot in round 2" in screen
    assert "Decisive round" not in screen
    # The meeting's own page and the public's list of published results say it too.
    for shown in (f"/meetings/{desk.meeting}", "/public"):
        text = desk.secretary.get(shown).text
        assert re.search(chosen, text), shown


def test_the_votes_an_stv_count_could_not_transfer_are_shown(desk: Desk) -> None:
    """Ada 3, Boris 2, Clara 1 (ranked alone): excluded, Clara's ballot goes to no one, and the
    rounds say so, on the console and on the hall's screen."""
    desk.assembly.check_in(desk.assembly.members[:6])
    names = ["Ada Arnold", "Boris Berg", "Clara Castell"]
    spec = {"title": "Elect the treasurer", "kind": "election", "method": "scottish-stv"}
    orders = [["Ada Arnold"]] * 3 + [["Boris Berg"]] * 2 + [["Clara Castell"]]
    _counted(desk, {**spec, "seats": 1, "options": names}, orders)
    page = desk.console()
    assert re.search(r'data-testid="non-transferable">Non-transferable: 1\b', page), page
    screen = desk.secretary.get(f"/meetings/{desk.meeting}/projector/current").text
    assert re.search(r"<th scope=\"row\">Non-transferable</th>\s*<td>0</td>\s*<td>1", screen), (
        screen
    )


def test_a_named_vote_on_paper_alone_is_refused_for_it_has_no_roll_call(desk: Desk) -> None:
    """Paper ballots carry no voter: a named poll taken on paper alone could name nobody. The
    console and the API refuse it alike (422), and nothing is made."""
    named_on_paper = {"title": "Adopt the minutes", "kind": "decision", "secrecy": "named"}
    refused = desk.secretary.post(
        f"/meetings/{desk.meeting}/console/polls", {**named_on_paper, "electronic": "false"}
    )
    assert refused.status_code == 422, refused.text
    said = "a named vote needs electronic ballots: a paper ballot carries no voter's name"
    assert said in html.unescape(refused.text)
    assert 'id="new-poll-error"' in refused.text
    answer = desk.assembly.client.post(
        f"/api/meetings/{desk.meeting}/polls",
        json={**named_on_paper, "electronic": False},
        headers=desk.assembly.secretary,
    )
    assert answer.status_code == 422 and said in answer.json()["detail"]
    assert row_count(desk.sessions, Poll) == 0
    # Secret on paper, or named and electronic, stand.
    desk.create_poll(title="Adjourn", kind="decision", electronic="false")
    desk.create_poll(**named_on_paper)
    assert row_count(desk.sessions, Poll) == 2
