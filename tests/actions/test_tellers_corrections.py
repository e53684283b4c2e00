"""The tellers correct what they entered while a poll is open — the totals of a show of hands,
a paper lot corrected or withdrawn — journalled beside the first figures, refused once the
poll is counted; `veche verify` holds the result against the corrections and still catches a
change made outside veche. On both databases."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import ADMIN, journaled, plenary_with_members_present
from veche.actions.closing import do_close_poll
from veche.actions.counted_votes import (
    do_correct_counted_votes,
    do_enter_counted_votes,
    entered_totals,
)
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.paper_entry import do_correct_paper_lot
from veche.actions.polls import (
    PaperLot,
    do_create_poll,
    do_enter_paper_ballots,
    do_open_poll,
    paper_receipts,
)
from veche.actions.verify_casts import verify_casts
from veche.actions.verify_polls import verify_polls
from veche.db import transaction
from veche.errors import Conflict, InvalidInput, NotFound
from veche.models import Ballot, JournalEntry, Poll
from veche.models.polls import BallotSource, PollKind, VoteBy
from veche.queries.paper_lots import counted_totals_entry, paper_entries, poll_corrections
from veche.reports import build_report
from veche.reports.render import to_markdown

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: Why the tellers correct a figure: every correction says it.
WHY = "the lot was read from the wrong tray"
#: Two tellers' lot keys (random in use, chosen here).
KEYS = ("the-first-teller-lot-key", "the-second-teller-lot-key")


def _open_poll(sessions: sessionmaker[Session], **spec: Any) -> tuple[int, dict[str, int], int]:
    """An open decision of a plenary where every member is present: its id, its options by
    label and the number of members."""
    today = date.today()
    with transaction(sessions) as session:
        meeting, members = plenary_with_members_present(session, today)
        poll = do_create_poll(
            session, ADMIN, meeting, title="Adopt the plan", kind=PollKind.DECISION, **spec
        )
        session.flush()
        session.refresh(poll)
        do_open_poll(session, ADMIN, poll.id, today)
        return poll.id, {o.label: o.id for o in poll.options}, len(members)


def _poll(session: Session, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    assert poll is not None
    return poll


def _verified(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return [str(p) for p in verify_polls(session).problems + verify_casts(session).problems]


def test_a_show_of_hands_is_corrected_until_it_is_counted(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, ids, _members = _open_poll(sessions, vote_by=VoteBy.SHOW_OF_HANDS)
    yes, no, abstain = ids["yes"], ids["no"], ids["abstain"]
    with pytest.raises(Conflict, match="enter them first"), transaction(sessions) as session:
        do_correct_counted_votes(session, ADMIN, _poll(session, poll_id), {yes: 3}, reason=WHY)
    with transaction(sessions) as session:
        do_enter_counted_votes(
            session, ADMIN, _poll(session, poll_id), {yes: 12, no: 5, abstain: 3}
        )
    with transaction(sessions) as session:
        poll = _poll(session, poll_id)
        corrected = do_correct_counted_votes(
            session, ADMIN, poll, {yes: 13, no: 4}, reason="  a hand  counted twice "
        )
        assert corrected.votes == 17
    with transaction(sessions) as session:  # sent twice: nothing more
        do_correct_counted_votes(
            session, ADMIN, _poll(session, poll_id), {yes: 13, no: 4}, reason=WHY
        )
    for wrong, error, said in [
        ({yes: 10**9}, InvalidInput, "must be 0 to 10,000,000"),
        ({yes: 0}, InvalidInput, "no votes given"),
        ({999_999: 1}, InvalidInput, "option 999999 is not on poll"),
        ({yes: 100, no: 100}, Conflict, "add up to 200 votes but"),
    ]:
        with pytest.raises(error, match=said), transaction(sessions) as session:
            do_correct_counted_votes(session, ADMIN, _poll(session, poll_id), wrong, reason=WHY)
    for blank in ("", " \t\n", "\u200b"):
        with (
            pytest.raises(InvalidInput, match="the reason for correcting the totals"),
            transaction(sessions) as session,
        ):
            poll = _poll(session, poll_id)
            do_correct_counted_votes(session, ADMIN, poll, {yes: 14}, reason=blank)
    with sessions() as session:
        assert entered_totals(session, poll_id) == {yes: 13, no: 4}
    first, correction = journaled(sessions, JournalAction.ENTER_COUNTED_VOTES)
    assert "corrects" not in first
    assert [t["votes"] for t in first["totals"]] == [12, 5, 3]
    assert [t["votes"] for t in correction["totals"]] == [13, 4, 0]
    assert correction["replaced"] == first["totals"]
    assert "reason" not in first and correction["reason"] == "a hand counted twice"
    with sessions() as session:
        first_seq, standing = session.scalars(
            select(JournalEntry.seq)
            .where(JournalEntry.action == JournalAction.ENTER_COUNTED_VOTES.value)
            .order_by(JournalEntry.seq)
        ).all()
        assert counted_totals_entry(session, poll_id) == standing
    assert correction["corrects"] == first_seq

    with transaction(sessions) as session:
        assert do_close_poll(session, ADMIN, poll_id).outcome == "adopted"
    with (
        pytest.raises(Conflict, match="it is closed, so counted"),
        transaction(sessions) as session,
    ):
        do_correct_counted_votes(session, ADMIN, _poll(session, poll_id), {yes: 1}, reason=WHY)
    with sessions() as session:
        assert (_poll(session, poll_id).result or {})["details"]["yes"] == 13
    assert _verified(sessions) == []

    # The first figures put back outside veche: the journal's correction stands.
    with transaction(sessions) as session:
        session.execute(
            update(Ballot)
            .where(Ballot.poll_id == poll_id, Ballot.receipt == f"hall-{yes}")
            .values(weight=12)
        )
    found = _verified(sessions)
    assert any("not those the tellers entered" in problem for problem in found), found


def test_a_paper_lot_is_corrected_or_withdrawn_until_the_poll_is_counted(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, ids, members = _open_poll(sessions)
    yes, no = {"option": ids["yes"]}, {"option": ids["no"]}
    with transaction(sessions) as session:
        poll = _poll(session, poll_id)
        do_enter_paper_ballots(session, ADMIN, poll, [PaperLot(yes, 3), PaperLot(no, 2)])
        do_enter_paper_ballots(session, ADMIN, poll, [PaperLot(yes, 4)])
    with sessions() as session:
        first, second = (entry.lot for entry in paper_entries(session, poll_id).entries)
    with transaction(sessions) as session:
        corrected = do_correct_paper_lot(
            session, ADMIN, _poll(session, poll_id), second, [PaperLot(yes, 5)], reason=WHY
        )
    assert (corrected.lot, corrected.withdrawn, corrected.entered) == (second, 4, 5)
    third = corrected.corrected_by
    with transaction(sessions) as session:  # sent twice: the same answer, nothing more
        again = do_correct_paper_lot(
            session, ADMIN, _poll(session, poll_id), second, [PaperLot(yes, 5)], reason=WHY
        )
    assert again == corrected
    refusals: list[tuple[int, list[PaperLot], type[Exception], str]] = [
        (second, [PaperLot(yes, 6)], Conflict, f"was corrected already, by lot {third}"),
        (987_654, [], NotFound, f"has no paper lot 987654 \\(its lots: {first}, {third}\\)"),
        (first, [PaperLot({"option": 999_999}, 1)], InvalidInput, "paper lot 1"),
        (first, [PaperLot(yes, 0)], InvalidInput, "from 1 to 10,000,000"),
        (first, [PaperLot(yes, members)], Conflict, "voting rights are"),
    ]
    for lot, lots, error, said in refusals:
        with pytest.raises(error, match=said), transaction(sessions) as session:
            do_correct_paper_lot(session, ADMIN, _poll(session, poll_id), lot, lots, reason=WHY)
    with transaction(sessions) as session:
        withdrawn = do_correct_paper_lot(
            session, ADMIN, _poll(session, poll_id), first, [], reason=WHY
        )
    assert (withdrawn.withdrawn, withdrawn.entered) == (5, 0)
    with transaction(sessions) as session:  # the withdrawal sent twice
        again = do_correct_paper_lot(session, ADMIN, _poll(session, poll_id), first, [], reason=WHY)
    assert again == withdrawn
    with sessions() as session:
        entries = paper_entries(session, poll_id)
        assert [entry.lot for entry in entries.standing] == [third]
        stored = session.execute(
            select(Ballot.choice, Ballot.weight).where(
                Ballot.poll_id == poll_id, Ballot.source == BallotSource.PAPER
            )
        ).all()
        assert [(row.choice, row.weight) for row in stored] == [(yes, 5)]
    entered = journaled(sessions, JournalAction.ENTER_PAPER_BALLOTS)
    assert [entry.get("corrects") for entry in entered] == [None, None, second, first]
    assert entered[3]["lots"] == [] and entered[3]["replaced"] == entered[0]["lots"]

    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)
    with (
        pytest.raises(Conflict, match="it is closed, so counted"),
        transaction(sessions) as session,
    ):
        do_correct_paper_lot(session, ADMIN, _poll(session, poll_id), third, [], reason=WHY)
    with sessions() as session:
        assert (_poll(session, poll_id).result or {})["ballots_by_source"]["paper"] == 5
    assert _verified(sessions) == []

    # The withdrawn lot put back outside veche is caught.
    with transaction(sessions) as session:
        session.add(
            Ballot(poll_id=poll_id, receipt="p" + "0" * 30, choice=no, weight=2, source="paper")
        )
    found = _verified(sessions)
    assert any("not those the tellers entered" in problem for problem in found), found


def test_a_correction_that_names_no_standing_lot_is_caught(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, ids, _members = _open_poll(sessions)
    yes = {"option": ids["yes"]}
    with transaction(sessions) as session:
        do_enter_paper_ballots(session, ADMIN, _poll(session, poll_id), [PaperLot(yes, 3)])
    with sessions() as session:
        (lot,) = (entry.lot for entry in paper_entries(session, poll_id).entries)
    with transaction(sessions) as session:
        # A correction journalled for a lot that is not there, and its lot deleted with it.
        payload = {"poll_id": poll_id, "lots": [], "corrects": lot + 1000, "replaced": []}
        record(session, ADMIN.actor, JournalAction.ENTER_PAPER_BALLOTS, payload)
        session.execute(delete(Ballot).where(Ballot.poll_id == poll_id))
        do_close_poll(session, ADMIN, poll_id)
    found = _verified(sessions)
    assert any(f"corrects entry {lot + 1000}, not a paper lot" in p for p in found), found


def _paper_rows(session: Session, poll_id: int) -> dict[str, tuple[Any, int]]:
    rows = session.execute(
        select(Ballot.receipt, Ballot.choice, Ballot.weight).where(
            Ballot.poll_id == poll_id, Ballot.source == BallotSource.PAPER
        )
    )
    return {receipt: (choice, weight) for receipt, choice, weight in rows}


def test_withdrawing_a_lot_takes_out_its_own_rows_not_an_identical_lots(
    sessions: sessionmaker[Session],
) -> None:
    """Two lots alike in choice and count: the one withdrawn loses its own row, under the
    receipt its entry records, and the other keeps its row."""
    poll_id, ids, _members = _open_poll(sessions)
    yes = {"option": ids["yes"]}
    with sessions() as session:
        # Receipts follow the lots' keys: the first lot's row is made to sort last, where a
        # search for a row alike in choice and count would find it first.
        keys = {paper_receipts(_poll(session, poll_id), 1, key)[0]: key for key in KEYS}
    (kept, first_key), (added, second_key) = sorted(keys.items(), reverse=True)
    for key in (first_key, second_key):
        with transaction(sessions) as session:
            poll = _poll(session, poll_id)
            do_enter_paper_ballots(session, ADMIN, poll, [PaperLot(yes, 3)], lot_key=key)
    with sessions() as session:
        first, second = paper_entries(session, poll_id).entries
    assert [lot.receipt for lot in first.lots + second.lots] == [kept, added]
    with transaction(sessions) as session:
        do_correct_paper_lot(session, ADMIN, _poll(session, poll_id), second.lot, [], reason=WHY)
    with sessions() as session:
        assert _paper_rows(session, poll_id) == {kept: (yes, 3)}
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)
    assert _verified(sessions) == []


def test_a_lot_entered_before_lots_named_their_rows_still_withdraws(
    sessions: sessionmaker[Session],
) -> None:
    """An entry journalled before lots recorded their receipts is withdrawn by a row alike,
    never one a newer lot names; and `veche verify` holds such a poll."""
    poll_id, ids, _members = _open_poll(sessions)
    yes = {"option": ids["yes"]}
    with transaction(sessions) as session:
        do_enter_paper_ballots(session, ADMIN, _poll(session, poll_id), [PaperLot(yes, 2)])
    with sessions() as session:
        (newer,) = _paper_rows(session, poll_id)
    older = "p" + "0" * 30  # sorts before any random receipt: the first row alike
    with transaction(sessions) as session:
        # As veche journalled a lot before: the choice and count, no receipt.
        session.add(Ballot(poll_id=poll_id, receipt=older, choice=yes, weight=2, source="paper"))
        payload = {"poll_id": poll_id, "lots": [{"choice": yes, "count": 2}]}
        record(session, ADMIN.actor, JournalAction.ENTER_PAPER_BALLOTS, payload)
    with sessions() as session:
        entries = paper_entries(session, poll_id).entries
        assert [lot.receipt for entry in entries for lot in entry.lots] == [newer, None]
    with transaction(sessions) as session:
        do_correct_paper_lot(
            session, ADMIN, _poll(session, poll_id), entries[1].lot, [], reason=WHY
        )
    with sessions() as session:
        assert _paper_rows(session, poll_id) == {newer: (yes, 2)}
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)
    assert _verified(sessions) == []


def test_the_reasons_for_corrections_are_in_the_minutes(sessions: sessionmaker[Session]) -> None:
    """Each correction says why; one journalled before reasons were asked says it gave none.
    The minutes give both under the poll, and `veche verify` holds."""
    poll_id, ids, _members = _open_poll(sessions)
    yes, no = {"option": ids["yes"]}, {"option": ids["no"]}
    with transaction(sessions) as session:
        do_enter_paper_ballots(session, ADMIN, _poll(session, poll_id), [PaperLot(yes, 3)])
        do_enter_paper_ballots(session, ADMIN, _poll(session, poll_id), [PaperLot(no, 1)])
    with sessions() as session:
        first, second = (entry.lot for entry in paper_entries(session, poll_id).entries)
    for blank in ("", "   "):
        with (
            pytest.raises(InvalidInput, match=f"the reason for correcting paper lot {first}"),
            transaction(sessions) as session,
        ):
            poll = _poll(session, poll_id)
            do_correct_paper_lot(session, ADMIN, poll, first, [], reason=blank)
    with transaction(sessions) as session:
        do_correct_paper_lot(
            session, ADMIN, _poll(session, poll_id), first, [PaperLot(yes, 4)], reason=WHY
        )
    with transaction(sessions) as session:
        # A withdrawal as veche journalled it before a reason was asked.
        voted_no = Ballot.choice["option"].as_integer() == ids["no"]
        session.execute(delete(Ballot).where(Ballot.poll_id == poll_id, voted_no))
        replaced = [{"choice": no, "count": 1}]
        payload = {"poll_id": poll_id, "lots": [], "corrects": second, "replaced": replaced}
        record(session, ADMIN.actor, JournalAction.ENTER_PAPER_BALLOTS, payload)
    with sessions() as session:
        said = [c.said for c in poll_corrections(session, [poll_id])[poll_id]]
        assert [e.reason for e in paper_entries(session, poll_id).entries] == [
            None,
            None,
            WHY,
            None,
        ]
    assert said == [f"Corrected: {WHY}", "Corrected (no reason was recorded)"]
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)
    assert _verified(sessions) == []
    with sessions() as session:
        text = to_markdown(build_report(session, _poll(session, poll_id).meeting, "minutes"))
    vote = text.split("Adopt the plan", 1)[1]
    assert f"- Corrected: {WHY}" in vote and "- Corrected (no reason was recorded)" in vote
