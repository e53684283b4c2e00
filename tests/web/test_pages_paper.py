"""Tellers enter ranked (and approval) paper ballots one by one, and the lot is counted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.desk_client import Desk
from tests.web.page_client import Browser
from veche.models import Ballot, Poll
from veche.models.polls import BallotSource

#: Tests marked ``one_database`` prove how the tellers' page reads and answers a lot; the
#: lot is recorded by the same action as the API's, whose storage and limits are proven on
#: both databases in test_polls_api.py and test_voting_rights.py. A lot recorded twice by a
#: double click runs on both: it depends on the database's uniqueness of the lot's key.
#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _entry(desk: Desk, poll_id: int) -> str:
    return f"/secretary/meetings/{desk.meeting}/polls/{poll_id}/paper/ballots"


def _lot(page: str) -> str:
    found = re.search(r'<input type="hidden" name="lot" value="([^"]*)">', page)
    assert found, page
    return found.group(1)


def _add(browser: Browser, path: str, lot: str, entry: str) -> Any:
    return browser.post(f"{path}/lot", {"lot": lot, "entry": entry})


def _option_ids(desk: Desk, poll_id: int) -> dict[str, int]:
    with desk.sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        return {option.label: option.id for option in poll.options}


def _paper(desk: Desk, poll_id: int) -> list[tuple[Any, int]]:
    with desk.sessions() as session:
        rows = session.execute(
            select(Ballot.choice, Ballot.weight).where(
                Ballot.poll_id == poll_id, Ballot.source == BallotSource.PAPER
            )
        ).all()
        return [(row.choice, row.weight) for row in rows]


def _election(desk: Desk, method: str = "irv", kind: str = "election") -> int:
    # Every member present: paper ballots are counted against the voting rights present.
    desk.assembly.check_in(desk.assembly.members)
    poll_id = desk.create_poll(
        title="Elect the treasurer", kind=kind, method=method, options="Ada\nBoris\nClara"
    )
    desk.step(poll_id, "open")
    return poll_id


@pytest.mark.one_database
def test_a_ranked_paper_lot_is_counted_with_the_electronic_ballots(desk: Desk) -> None:
    voters = desk.assembly.members[2:5]
    desk.assembly.check_in(voters)
    poll_id = _election(desk)
    ids = _option_ids(desk, poll_id)
    for person_id, names in zip(
        voters, [["Ada", "Boris"], ["Boris"], ["Clara", "Boris"]], strict=True
    ):
        ranking = {"ranking": [ids[name] for name in names]}
        assert desk.assembly.vote(poll_id, person_id, ranking).status_code == 201

    entry = _entry(desk, poll_id)
    listing = desk.secretary.get(f"/secretary/meetings/{desk.meeting}/paper").text
    assert f'href="{entry}"' in listing
    page = desk.secretary.get(entry).text
    assert "<li>Ada</li><li>Boris</li><li>Clara</li>" in page and _lot(page) == ""
    lot = ""
    for typed in ["1 2", "2, 1", "3"]:
        response = _add(desk.secretary, entry, lot, typed)
        assert response.status_code == 200, response.text
        lot = _lot(response.text)
    assert lot == "1 2;2 1;3" and "Ballot 3 added: 3" in response.text
    assert "Boris › Ada" in response.text
    removed = desk.secretary.post(f"{entry}/lot", {"lot": lot, "remove": 3})
    assert removed.status_code == 200 and "Ballot 3 (3) removed" in removed.text
    lot = _lot(removed.text)
    pasted = _add(desk.secretary, entry, lot, "2 3 1\n2; 2 3\r\nblank\n1 2")
    assert pasted.status_code == 200 and "5 ballots added" in pasted.text
    lot = _lot(pasted.text)
    assert lot == "1 2;2 1;2 3 1;2;2 3;blank;1 2"
    assert "Record these 7 ballots" in pasted.text

    recorded = desk.secretary.post(entry, {"lot": lot})
    assert recorded.status_code == 303 and recorded.headers["location"] == entry
    assert "7 paper ballots recorded" in desk.secretary.get(entry).text
    stored = _paper(desk, poll_id)
    assert sorted(weight for _, weight in stored) == [1, 1, 1, 1, 1, 2]  # "1 2" twice: one lot
    assert ({"ranking": [ids["Ada"], ids["Boris"]]}, 2) in stored
    assert ({"blank": True}, 1) in stored

    teller = desk.others["teller"]
    assert teller.get(f"/secretary/meetings/{desk.meeting}").status_code == 403
    assert teller.get(entry).status_code == 200
    assert teller.post(entry, {"lot": "3 1"}).status_code == 303

    desk.step(poll_id, "close")
    result = desk.assembly.result(poll_id)["result"]
    assert result["ballots_by_source"] == {"electronic": 3, "paper": 8}
    assert result["blank"] == 1
    # First preferences: Ada 1 + 2, Boris 1 + 4, Clara 1 + 1 of 10 valid: Boris, then Ada.
    with desk.sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None and poll.outcome == "elected: Boris"


@pytest.mark.one_database
def test_approval_ballots_are_typed_as_the_candidates_marked(desk: Desk) -> None:
    poll_id = _election(desk, method="approval", kind="choice")
    ids = _option_ids(desk, poll_id)
    page = _add(desk.secretary, _entry(desk, poll_id), "", "3 1")
    assert page.status_code == 200 and "Ada, Clara" in page.text and _lot(page.text) == "1 3"
    assert desk.secretary.post(_entry(desk, poll_id), {"lot": "1 3"}).status_code == 303
    assert _paper(desk, poll_id) == [({"options": sorted([ids["Ada"], ids["Clara"]])}, 1)]


def test_a_lot_recorded_twice_by_a_double_click_is_added_once(desk: Desk) -> None:
    poll_id = _election(desk)
    page = _add(desk.secretary, _entry(desk, poll_id), "", "3 1 2; 2 1")
    found = re.search(r'<input type="hidden" name="lot_key" value="([^"]+)">', page.text)
    assert found, page.text
    sent = {"lot": _lot(page.text), "lot_key": found.group(1)}
    assert desk.secretary.post(_entry(desk, poll_id), sent).status_code == 303
    assert desk.secretary.post(_entry(desk, poll_id), sent).status_code == 303
    assert sum(weight for _, weight in _paper(desk, poll_id)) == 2
    fresh = desk.secretary.get(_entry(desk, poll_id))
    assert f'value="{found.group(1)}"' not in fresh.text  # the next lot has a key of its own


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("lot", "typed", "message"),
    [
        ("1 2", "1 1", "ballot &#39;1 1&#39; was not added: candidate 1 appears twice"),
        ("1 2", "2 4", "there is no candidate 4; the candidates are numbered 1 to 3"),
        ("1 2", "one two", "is not a candidate&#39;s number"),
        # Digits to str.isdigit that int() refuses, and a number int() will not read: a 500.
        ("1 2", "2 ²", "&#39;²&#39; is not a candidate&#39;s number"),
        ("1 2", "1 " + "9" * 5000, "there is no candidate 99999999999999999999;"),
        ("1 2", "  ", "type the candidates&#39; numbers in order of preference"),
        ("1 2;5 1", "1", "ballot 2 of the lot: there is no candidate 5"),
    ],
)
def test_a_mistyped_ballot_is_shown_and_the_lot_kept(
    desk: Desk, lot: str, typed: str, message: str
) -> None:
    poll_id = _election(desk)
    response = _add(desk.secretary, _entry(desk, poll_id), lot, typed)
    assert response.status_code == 422
    assert message in response.text
    if "of the lot" not in message:
        assert _lot(response.text) == lot  # what was entered so far stays on the page
        assert f'name="entry" value="{typed}"' in response.text
        assert 'aria-invalid="true"' in response.text
    assert _paper(desk, poll_id) == []


@pytest.mark.one_database
def test_a_lot_that_cannot_be_recorded_stays_on_the_page(desk: Desk) -> None:
    poll_id = _election(desk)
    entry = _entry(desk, poll_id)
    pending = desk.secretary.post(entry, {"lot": "1 2;3", "entry": "2 1"})
    assert pending.status_code == 422 and "typed but not added" in pending.text
    assert _lot(pending.text) == "1 2;3"
    empty = desk.secretary.post(entry, {"lot": ""})
    assert empty.status_code == 422 and "the lot is empty" in empty.text
    unknown = desk.secretary.post(entry, {"lot": "1 2;3 3"})
    assert unknown.status_code == 422 and "ballot 2 of the lot: candidate 3 appears twice" in (
        unknown.text
    )
    missing = desk.secretary.post(f"{entry}/lot", {"lot": "1 2", "remove": 4})
    assert missing.status_code == 422 and "there is no ballot 4" in missing.text
    desk.step(poll_id, "close")
    late = desk.secretary.post(entry, {"lot": "1 2;3"})
    assert late.status_code == 409
    assert "it is closed, not open" in late.text and _lot(late.text) == "1 2;3"
    assert _paper(desk, poll_id) == []


@pytest.mark.one_database
def test_single_choice_polls_keep_their_totals_form(desk: Desk) -> None:
    poll_id = desk.create_poll(title="Adopt the report", kind="decision")
    desk.step(poll_id, "open")
    response = desk.secretary.get(_entry(desk, poll_id))
    assert response.status_code == 422 and "entered as totals, on the paper ballots page" in (
        response.text
    )
    listing = desk.secretary.get(f"/secretary/meetings/{desk.meeting}/paper").text
    assert "No ranked or approval poll is open." in listing


@pytest.mark.one_database
def test_a_teller_counts_yes_no_and_abstain_on_the_paper_page(desk: Desk) -> None:
    """A teller has no desk: the paper ballots page takes the counts of a decision's (or a
    single choice's) paper ballots, as the desk does, and shows a refusal at the poll's form
    with what was typed."""
    desk.assembly.check_in(desk.assembly.members[:5])
    poll_id = desk.create_poll(title="Adopt the report", kind="decision")
    desk.step(poll_id, "open")
    teller = desk.others["teller"]
    paper = f"/secretary/meetings/{desk.meeting}/paper"
    page = teller.get(paper)
    assert page.status_code == 200
    key = re.search(r'name="lot_key" value="([^"]+)"', page.text)
    assert key is not None
    ids = _option_ids(desk, poll_id)
    counts = f"/secretary/meetings/{desk.meeting}/polls/{poll_id}/paper/counts"
    sent = {"lot_key": key.group(1), f"count_{ids['yes']}": "3", f"count_{ids['no']}": "1"}
    added = teller.post(counts, sent)
    assert added.status_code == 303 and added.headers["location"].endswith(f"#counts-{poll_id}")
    assert teller.post(counts, sent).status_code == 303  # a double click adds nothing more
    assert sorted(weight for _, weight in _paper(desk, poll_id)) == [1, 3]
    # More ballots than the rights left unused (5 present, 4 used): said at the form, kept.
    too_many = {"lot_key": "another-key-of-the-page", f"count_{ids['abstain']}": "2"}
    refused = teller.post(counts, too_many)
    assert refused.status_code == 409 and "voting rights are unused" in refused.text
    assert f'name="count_{ids["abstain"]}" type="number" min="0" inputmode="numeric" value="2"' in (
        refused.text
    )
    assert sorted(weight for _, weight in _paper(desk, poll_id)) == [1, 3]
    for role in ("delegate", "observer"):
        assert desk.others[role].post(counts, sent).status_code == 403
    # The desk's own form, refused the same way, opens its page on the refusal.
    on_desk = f"/secretary/meetings/{desk.meeting}/polls/{poll_id}/paper"
    refused = desk.secretary.post(on_desk, too_many)
    assert refused.status_code == 409
    assert re.search(
        r'<p class="error" role="alert" id="paper-said" tabindex="-1" autofocus>', refused.text
    )


@pytest.mark.one_database
def test_only_tellers_enter_paper_ballots(desk: Desk) -> None:
    poll_id = _election(desk)
    entry = _entry(desk, poll_id)
    for role in ("delegate", "observer"):
        browser = desk.others[role]
        assert browser.get(f"/secretary/meetings/{desk.meeting}/paper").status_code == 403
        assert browser.get(entry).status_code == 403
        assert _add(browser, entry, "", "1 2").status_code == 403
        assert browser.post(entry, {"lot": "1 2"}).status_code == 403, role
    stranger = Browser(desk.app)
    assert stranger.get(entry).headers["location"].startswith("/login?next=")
    forged = desk.secretary.client.post(entry, data={"lot": "1 2"})
    assert forged.status_code == 403
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ballot)) == 0


@pytest.mark.one_database
def test_a_lot_larger_than_the_rights_unused_is_refused_and_kept_on_the_page(desk: Desk) -> None:
    poll_id = _election(desk)  # thirty members present
    for voter in desk.assembly.members[:3]:
        ranking = {"ranking": [_option_ids(desk, poll_id)["Ada"]]}
        assert desk.assembly.vote(poll_id, voter, ranking).status_code == 201
    lot = ";".join(["1 2"] * 20 + ["3"] * 8)
    refused = desk.secretary.post(_entry(desk, poll_id), {"lot": lot})
    assert refused.status_code == 409
    assert (
        "this lot adds 28 ballots but only 27 voting rights are unused "
        "(30 rights, 3 used electronically)"
    ) in refused.text
    assert _lot(refused.text) == lot  # nothing typed is lost
    assert _paper(desk, poll_id) == []
    assert desk.secretary.post(_entry(desk, poll_id), {"lot": lot[:-2]}).status_code == 303
    assert sum(weight for _, weight in _paper(desk, poll_id)) == 27


@pytest.mark.one_database
def test_a_teller_withdraws_a_mistyped_lot_and_enters_it_again(desk: Desk) -> None:
    """The tellers' page lists the lots entered under their numbers, with a button that
    withdraws one while the poll is open; the API lists and corrects them alike."""
    desk.assembly.check_in(desk.assembly.members[:6])
    poll_id = desk.create_poll(title="Adopt the report", kind="decision")
    desk.step(poll_id, "open")
    ids = _option_ids(desk, poll_id)
    teller = desk.others["teller"]
    paper = f"/secretary/meetings/{desk.meeting}/paper"
    counts = f"/secretary/meetings/{desk.meeting}/polls/{poll_id}/paper/counts"
    withdraw = f"/secretary/meetings/{desk.meeting}/polls/{poll_id}/paper/withdraw"
    assert "No lot entered yet." in teller.get(paper).text
    mistyped = {"lot_key": "a-key-of-the-first-page", f"count_{ids['yes']}": "5"}
    assert teller.post(counts, mistyped).status_code == 303
    lots = desk.assembly.client.get(f"/api/polls/{poll_id}/paper", headers=desk.assembly.secretary)
    assert lots.status_code == 200, lots.text
    ((lot, entered),) = [(e["lot"], e["lots"]) for e in lots.json()]
    assert entered == [{"choice": {"option": ids["yes"]}, "count": 5}]
    page = teller.get(paper).text
    assert f"Lot {lot}: 5 ballots, entered by" in page and "<li>yes: 5</li>" in page
    assert f'action="{withdraw}"' in page and f"Withdraw lot {lot}" in page
    assert f'<label for="withdraw-reason-{lot}">Why is lot {lot} withdrawn?' in page
    on_desk = desk.secretary.get(f"/secretary/meetings/{desk.meeting}").text
    assert f'href="{paper}#lots-{poll_id}"' in on_desk
    why = {"reason": "five yes were typed for five no"}
    for role in ("delegate", "observer"):
        assert desk.others[role].post(withdraw, {"lot": lot} | why).status_code == 403
    assert teller.post(withdraw, {"lot": 987_654} | why).status_code == 404
    assert teller.post(withdraw, {"lot": "five"} | why).status_code == 422
    for blank in ({}, {"reason": "\t"}):
        unsaid = teller.post(withdraw, {"lot": lot} | blank)
        assert unsaid.status_code == 422 and "reason" in unsaid.text, unsaid.text
    assert _paper(desk, poll_id) != []  # a withdrawal refused takes nothing out
    withdrawn = teller.post(withdraw, {"lot": lot} | why)
    assert withdrawn.status_code == 303 and withdrawn.headers["location"].endswith(
        f"#lots-{poll_id}"
    )
    assert "5 paper ballots taken out" in teller.get(paper).text
    assert _paper(desk, poll_id) == []
    assert teller.post(counts, mistyped | {"lot_key": "a-key-of-the-next-page"}).status_code == 303
    # Through the API: the lot entered again corrected to 4 yes and 1 no, at once.
    listed = desk.assembly.client.get(
        f"/api/polls/{poll_id}/paper", headers=desk.assembly.secretary
    )
    (again,) = [e["lot"] for e in listed.json() if e["corrected_by"] is None and e["lots"]]
    body: dict[str, Any] = {
        "lot": again,
        "lots": [
            {"choice": {"option": ids["yes"]}, "count": 4},
            {"choice": {"option": ids["no"]}, "count": 1},
        ],
    }
    corrections = f"/api/polls/{poll_id}/paper/corrections"
    unsaid = desk.assembly.client.post(corrections, json=body, headers=desk.assembly.secretary)
    assert unsaid.status_code == 422 and "reason" in unsaid.json()["detail"], unsaid.text
    body["reason"] = "one of the five was a no"
    corrected = desk.assembly.client.post(corrections, json=body, headers=desk.assembly.secretary)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["withdrawn"] == 5 and corrected.json()["entered"] == 5
    assert sorted(weight for _, weight in _paper(desk, poll_id)) == [1, 4]
    listed = desk.assembly.client.get(
        f"/api/polls/{poll_id}/paper", headers=desk.assembly.secretary
    )
    assert [e["reason"] for e in listed.json()] == [None, why["reason"], None, body["reason"]]
    assert all("receipt" not in lot for e in listed.json() for lot in e["lots"])
    desk.step(poll_id, "close")
    result = desk.secretary.get(f"/meetings/{desk.meeting}/polls/{poll_id}/result").text
    said = result.split('data-testid="corrections">')[1].split("</ul>")[0]
    assert said == f"<li>Corrected: {why['reason']}</li><li>Corrected: {body['reason']}</li>"
    late = teller.post(withdraw, {"lot": corrected.json()["corrected_by"]} | why)
    assert late.status_code == 409 and "it is closed, so counted" in late.text
    refused = desk.assembly.client.post(corrections, json=body, headers=desk.assembly.secretary)
    assert refused.status_code == 409
    assert sorted(weight for _, weight in _paper(desk, poll_id)) == [1, 4]
