"""`veche verify`: the journal's chain, every counted poll recounted against its close, and a
journal head printed earlier (on a report) that must still be there. On both databases."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.apps import create_app
from tests.assembly import client_key
from tests.helpers import (
    ADMIN,
    count_queries,
    demo_organization,
    plenary_with_members_present,
    voter,
)
from tests.prepared import prepared
from tests.verifying import Verified, rehash_from
from veche.actions.actor import Actor
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import (
    ballot_digest,
    do_cancel_poll,
    do_close_poll,
    result_digest,
    stored_ballots,
    tally_ballots,
)
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.polls import do_create_poll, do_open_poll, do_publish_poll
from veche.actions.verify_polls import PollsCheck, verify_polls
from veche.cli import app
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo_meeting import load_demo_meeting
from veche.models import Ballot, JournalEntry, JournalHead, Poll
from veche.models.polls import PollKind, PollState

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()
_PRINTED_HEAD = re.compile(r"--expect-head (\d+:[0-9a-f]{64})")


@dataclass(frozen=True)
class CountedPolls:
    """A meeting of the demo's General Council whose secret decision and secret election
    have been counted (and published, which the journal records after both closes)."""

    meeting_id: int
    decision_id: int
    election_id: int
    #: The journal entries that record each close.
    decision_close: int
    election_close: int


@dataclass(frozen=True)
class Counted(CountedPolls, Verified):
    """The counted polls in the test's database, at ``url``."""

    url: str

    def printed_head(self) -> str:
        """The head the meeting's report prints, as `--expect-head` takes it."""
        report = runner.invoke(app, ["report", str(self.meeting_id), "--db", self.url])
        assert report.exit_code == 0, report.output
        found = _PRINTED_HEAD.search(report.output)
        assert found, report.output
        return found.group(1)


def _count_polls(url: str) -> CountedPolls:
    """A secret decision and a secret STV election, seven ballots each, closed and published."""
    engine = make_engine(url)
    try:
        return _counted_in(make_sessionmaker(engine))
    finally:
        engine.dispose()


def _counted_in(sessions: sessionmaker[Session]) -> CountedPolls:
    today = date.today()
    with transaction(sessions) as session:
        meeting, members = plenary_with_members_present(session, today)
        decision = do_create_poll(
            session, ADMIN, meeting, title="Board budget", kind=PollKind.DECISION
        )
        election = do_create_poll(
            session,
            ADMIN,
            meeting,
            title="Board election",
            kind=PollKind.ELECTION,
            method="scottish-stv",
            seats=2,
            options=["Ada Arnold", "Boris Holm", "Clara Ortiz"],
        )
        session.flush()
        for poll in (decision, election):
            session.refresh(poll)
            do_open_poll(session, ADMIN, poll.id, today)
        meeting_id, decision_id, election_id = meeting.id, decision.id, election.id
        said = {o.label: o.id for o in decision.options}
        standing = {o.label: o.id for o in election.options}
    votes = ["yes", "yes", "yes", "yes", "no", "no", "abstain"]
    ada, boris, clara = standing["Ada Arnold"], standing["Boris Holm"], standing["Clara Ortiz"]
    rankings = [[ada, boris], [ada, clara], [boris, ada], [clara], [boris], [ada], [clara, boris]]
    for person_id, vote, ranking in zip(members[:7], votes, rankings, strict=True):
        with transaction(sessions) as session:
            member = voter(person_id)
            do_cast_ballot(
                session, member, SentBallot(decision_id, {"option": said[vote]}, client_key())
            )
            do_cast_ballot(
                session, member, SentBallot(election_id, {"ranking": ranking}, client_key())
            )
    closes = {}
    for poll_id in (decision_id, election_id):
        with transaction(sessions) as session:
            do_close_poll(session, ADMIN, poll_id)
            session.flush()
            closes[poll_id] = _newest_seq(session)
    with transaction(sessions) as session:
        do_publish_poll(session, ADMIN, decision_id)
        do_publish_poll(session, ADMIN, election_id)
    return CountedPolls(
        meeting_id, decision_id, election_id, closes[decision_id], closes[election_id]
    )


counted_polls = prepared("counted_polls", _count_polls)


@pytest.fixture
def counted(database_url: str, counted_polls: CountedPolls) -> Counted:
    return Counted(**asdict(counted_polls), url=database_url)


def _newest_seq(session: Session) -> int:
    head = session.get(JournalHead, 1)
    assert head is not None
    return head.seq


def _entry(session: Session, seq: int) -> JournalEntry:
    entry = session.get(JournalEntry, seq)
    assert entry is not None, f"no journal entry {seq}"
    return entry


def _one_ballot(session: Session, poll_id: int) -> Ballot:
    ballot = session.scalars(
        select(Ballot).where(Ballot.poll_id == poll_id).order_by(Ballot.receipt)
    ).first()
    assert ballot is not None
    return ballot


# (a) ------------------------------------------------------------------------------------


def test_verify_recounts_every_counted_poll(counted: Counted) -> None:
    result = counted.verify()
    assert result.exit_code == 0, result.output
    assert "The journal holds:" in result.output
    assert "Recounted 2 polls from their stored ballots" in result.output
    head = counted.printed_head()
    seq, hash = head.split(":")
    assert f"Journal head: entry {seq}, {hash}" in result.output
    expecting = counted.verify("--expect-head", head)
    assert expecting.exit_code == 0, expecting.output
    assert f"It still holds entry {seq} with the hash {hash}." in expecting.output
    # An older entry is checked the same way: with a hash it never had, it fails.
    older = counted.verify("--expect-head", f"{counted.decision_close}:{'0' * 64}")
    assert older.exit_code == 1 and f"entry {counted.decision_close} now has" in older.output


def _checked(engine: Engine, sessions: sessionmaker[Session]) -> tuple[PollsCheck, list[str]]:
    """The check of the counted polls, and the queries it sent (not SQLite's BEGIN)."""
    with sessions() as session, session.begin(), count_queries(engine) as statements:
        check = verify_polls(session)
    return check, [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_the_check_reads_what_it_recounts(
    counted: Counted, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    check, statements = _checked(engine, sessions)
    assert check.holds and check.recounted == 2 and check.not_recounted == []
    # One pass each over the close entries, the polls, their options and their ballots,
    # however many polls there are (the published report's test counts 7 polls alike).
    assert len(statements) == 4, statements
    with sessions() as session:
        entry = _entry(session, counted.election_close)
        assert entry.payload["poll_id"] == counted.election_id
        poll = session.get(Poll, counted.election_id)
        assert poll is not None and poll.result is not None
        ballots = stored_ballots(session, poll.id)
        assert len(ballots) == entry.payload["ballots"] == 7
        assert ballot_digest(ballots) == entry.payload["ballot_digest"] == poll.ballot_digest
        recount, outcome = tally_ballots(
            poll, ballots, entry.payload["count_options"], entry.payload["seed"]
        )
        assert result_digest(recount) == result_digest(poll.result)
        assert outcome == poll.outcome == entry.payload["outcome"]


# (b)-(e) --------------------------------------------------------------------------------


def test_a_ballot_changed_after_the_count_is_found(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        ballot = _one_ballot(session, counted.decision_id)
        poll = session.get(Poll, counted.decision_id)
        assert poll is not None
        options = {o.label: o.id for o in poll.options}
        changed = options["no"] if ballot.choice == {"option": options["yes"]} else options["yes"]
        ballot.choice = {"option": changed}
    problems = counted.problems()
    name = f"poll {counted.decision_id} (Board budget)"
    assert (
        f"{name}: its stored ballots are as many as those counted at its close (journal entry "
        f"{counted.decision_close}) but not the same: a ballot's choice, weight, source or "
        "receipt was changed"
    ) in problems
    assert any(p.startswith(f"{name}: a recount of its stored ballots gives") for p in problems)
    assert not any(p.startswith(f"poll {counted.election_id} ") for p in problems)


def test_a_ballot_deleted_after_the_count_is_found(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        ballot = _one_ballot(session, counted.election_id)
        session.execute(
            delete(Ballot).where(
                Ballot.poll_id == counted.election_id, Ballot.receipt == ballot.receipt
            )
        )
    problems = counted.problems()
    assert (
        f"poll {counted.election_id} (Board election): 6 ballots are stored but 7 were counted "
        f"at its close (journal entry {counted.election_close})"
    ) in problems


@pytest.mark.parametrize(
    ("rewrite", "problem"),
    [
        pytest.param(
            {"outcome": "rejected"},
            "its outcome reads “rejected” but its close (journal entry {close}) recorded “adopted”",
            id="outcome-rewritten",
        ),
        pytest.param(
            {"state": PollState.OPEN},
            "journal entry {close} records its close, but it is open",
            id="set-back-to-open",
        ),
    ],
)
def test_a_decisions_row_rewritten_after_its_close_is_found(
    counted: Counted, sessions: sessionmaker[Session], rewrite: dict[str, Any], problem: str
) -> None:
    with transaction(sessions) as session:
        session.execute(update(Poll).where(Poll.id == counted.decision_id).values(**rewrite))
    assert counted.problems() == [
        f"poll {counted.decision_id} (Board budget): "
        + problem.format(close=counted.decision_close)
    ]


def test_a_rewritten_result_is_found(counted: Counted, sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        poll = session.get(Poll, counted.election_id)
        assert poll is not None and poll.result is not None
        result: dict[str, Any] = dict(poll.result)
        result["elected"] = list(reversed(result["elected"]))
        poll.result = result
    assert counted.problems() == [
        f"poll {counted.election_id} (Board election): its stored result is not the one its "
        f"close recorded (journal entry {counted.election_close})"
    ]


def test_a_counted_poll_whose_close_is_gone_from_the_journal_is_found(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        close = _entry(session, counted.election_close)
        close.action = JournalAction.LOG_IN.value
        rehash_from(session, counted.election_close)
    assert counted.problems() == [
        f"poll {counted.election_id} (Board election): it is published but the journal "
        "records no close of it: its close entry was deleted, or it was never counted"
    ]


# (f)-(g) --------------------------------------------------------------------------------


def test_a_rewritten_and_rehashed_chain_fails_the_head_printed_before(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    printed = counted.printed_head()
    seq = int(printed.split(":")[0])
    # A ballot changed, the poll counted again, and its close entry rewritten to match.
    with transaction(sessions) as session:
        poll = session.get(Poll, counted.decision_id)
        assert poll is not None
        options = {o.label: o.id for o in poll.options}
        for ballot in session.scalars(select(Ballot).where(Ballot.poll_id == poll.id)):
            if ballot.choice == {"option": options["no"]}:
                ballot.choice = {"option": options["yes"]}
        session.flush()
        close = _entry(session, counted.decision_close)
        ballots = stored_ballots(session, poll.id)
        poll.result, poll.outcome = tally_ballots(
            poll, ballots, close.payload["count_options"], close.payload["seed"]
        )
        poll.ballot_digest = ballot_digest(ballots)
        close.payload = {
            **close.payload,
            "ballot_digest": poll.ballot_digest,
            "result_digest": result_digest(poll.result),
            "outcome": poll.outcome,
        }
        rehash_from(session, counted.decision_close)
    plain = counted.verify()
    assert plain.exit_code == 0, plain.output  # the chain and the recount hold again
    assert printed.split(":")[1] not in plain.output
    expecting = counted.verify("--expect-head", printed)
    assert expecting.exit_code == 1, expecting.output
    assert f"The head expected is not in the journal: entry {seq} now has the hash" in (
        expecting.output
    )


def test_deleted_newest_entries_fail_the_head_printed_before(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    printed = counted.printed_head()
    seq = int(printed.split(":")[0])
    assert seq > counted.election_close  # the publications came after the closes
    with transaction(sessions) as session:
        session.execute(delete(JournalEntry).where(JournalEntry.seq > counted.election_close))
        last = _entry(session, counted.election_close)
        session.execute(
            update(JournalHead).where(JournalHead.id == 1).values(seq=last.seq, hash=last.hash)
        )
    # The polls' states say that their publications are gone; a cut that left no state
    # behind would hold, but for the head printed before.
    assert counted.problems() == [
        f"poll {poll_id} ({title}): it is published but the journal records no publication of "
        f"it after its close (journal entry {close}): its state was changed outside veche"
        for poll_id, title, close in (
            (counted.decision_id, "Board budget", counted.decision_close),
            (counted.election_id, "Board election", counted.election_close),
        )
    ]
    expecting = counted.verify("--expect-head", printed)
    assert expecting.exit_code == 1, expecting.output
    assert (
        f"The head expected is not in the journal: entry {seq} is gone (the journal ends at "
        f"entry {counted.election_close})"
    ) in expecting.output


# (h) ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["1204", "1204:3fa2", "abc:" + "0" * 64, "0:" + "0" * 64, "12:" + "g" * 64, "12:" + "0" * 65],
)
def test_a_malformed_expected_head_is_a_user_error(database_url: str, value: str) -> None:
    result = runner.invoke(app, ["verify", "--db", database_url, "--expect-head", value])
    assert result.exit_code == 2, result.output
    assert "Error: --expect-head takes SEQ:HASH, e.g. 1204:3fa2…" in result.output
    assert repr(value) in result.output


# Closes journaled before results were committed to -------------------------------------


def test_an_older_close_is_checked_for_what_it_records(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        close = _entry(session, counted.decision_close)
        close.payload = {"poll_id": counted.decision_id, "ballots": 7}
        rehash_from(session, counted.decision_close)
    result = counted.verify()
    assert result.exit_code == 0, result.output
    assert "Recounted 1 poll from their stored ballots" in result.output
    assert (
        "1 poll closed before results were recorded in the journal: only their number of "
        f"ballots could be checked (poll {counted.decision_id})."
    ) in result.output
    with transaction(sessions) as session:
        session.delete(_one_ballot(session, counted.decision_id))
    name = f"poll {counted.decision_id} (Board budget)"
    assert counted.problems() == [
        f"{name}: 6 ballots are stored but 7 were counted at its close (journal entry "
        f"{counted.decision_close})",
        f"{name}: 6 electronic ballots are stored but the journal records 7 cast: a ballot was "
        "added or removed outside veche",
    ]


# The journal head on reports ------------------------------------------------------------


def test_a_report_not_published_prints_the_head_now(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        seq = _newest_seq(session)
        entry = _entry(session, seq)
    report = runner.invoke(app, ["report", str(counted.meeting_id), "--db", counted.url])
    assert report.exit_code == 0, report.output
    assert (
        "Journal head when this report was rendered (the report is not published): "
        f"entry {seq}, {entry.hash}"
    ) in report.output
    assert f"Check with: veche verify --expect-head {seq}:{entry.hash}" in report.output


def test_a_published_report_prints_the_head_at_its_publication(
    engine: Engine, database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        meeting_id = load_demo_meeting(session, demo_organization(session)).id
    with transaction(sessions) as session:
        published = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.action == JournalAction.CHANGE_MEETING_STATE.value)
            .order_by(JournalEntry.seq.desc())
        ).first()
        assert published is not None
        assert published.payload["meeting_id"] == meeting_id
        assert published.payload["state"] == "report_published"
        seq, hash = published.seq, published.hash
        # The journal goes on after the publication; the report keeps the head it had then.
        record(session, Actor(None, "later"), JournalAction.LOG_IN, {"n": 1})
    line = f"Journal head at publication: entry {seq}, {hash}"
    hint = f"Check with: veche verify --expect-head {seq}:{hash}"
    for kind in ("communique", "minutes"):
        report = runner.invoke(
            app, ["report", str(meeting_id), "--kind", kind, "--db", database_url]
        )
        assert report.exit_code == 0, report.output
        assert line in report.output and hint in report.output
    with TestClient(create_app(engine)) as client:
        page = client.get(f"/public/meetings/{meeting_id}/communique")
    assert page.status_code == 200
    assert f"<p>{line}</p>" in page.text and f"<p>{hint}</p>" in page.text
    check, statements = _checked(engine, sessions)
    assert check.holds and check.recounted == 7 and len(statements) == 4, statements
    checked = runner.invoke(app, ["verify", "--db", database_url, "--expect-head", f"{seq}:{hash}"])
    assert checked.exit_code == 0, checked.output
    assert "Recounted 7 polls from their stored ballots" in checked.output


# An outcome forged with its entries, and a state set back ------------------------------


def _publication(session: Session, poll_id: int) -> JournalEntry:
    entries = session.scalars(
        select(JournalEntry).where(JournalEntry.action == JournalAction.PUBLISH_POLL.value)
    )
    (entry,) = (entry for entry in entries if entry.payload["poll_id"] == poll_id)
    return entry


def test_an_outcome_forged_in_the_poll_and_its_entries_is_found_by_the_recount(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    """The ballots, the stored result and its digest left alone: only the recount's outcome
    says that the vote was not what the poll, its close and its publication now say."""
    with transaction(sessions) as session:
        poll = session.get_one(Poll, counted.decision_id)
        assert poll.outcome == "adopted"
        poll.outcome = "rejected"
        close = _entry(session, counted.decision_close)
        close.payload = {**close.payload, "outcome": "rejected"}
        published = _publication(session, counted.decision_id)
        published.payload = {**published.payload, "outcome": "rejected"}
        rehash_from(session, counted.decision_close)
    assert counted.problems() == [
        f"poll {counted.decision_id} (Board budget): a recount of its stored ballots gives "
        f"“adopted”, not “rejected” as its close recorded (journal entry "
        f"{counted.decision_close})"
    ]


def test_an_outcome_forged_in_the_publication_is_found(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        published = _publication(session, counted.decision_id)
        published.payload = {**published.payload, "outcome": "rejected"}
        seq = published.seq
        rehash_from(session, seq)
    assert counted.problems() == [
        f"poll {counted.decision_id} (Board budget): its publication (journal entry {seq}) "
        f"announced “rejected” but its close (journal entry {counted.decision_close}) reads "
        "“adopted”"
    ]


def test_a_published_poll_set_back_to_closed_is_found(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        seq = _publication(session, counted.election_id).seq
        session.execute(
            update(Poll).where(Poll.id == counted.election_id).values(state=PollState.CLOSED)
        )
    assert counted.problems() == [
        f"poll {counted.election_id} (Board election): it is closed but the journal's last "
        f"entry of it records its publication (journal entry {seq}): its state was changed "
        "outside veche"
    ]


def test_a_publication_gone_from_the_journal_is_found(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        published = _publication(session, counted.election_id)
        published.action = JournalAction.LOG_IN.value
        rehash_from(session, published.seq)
    assert counted.problems() == [
        f"poll {counted.election_id} (Board election): it is published but the journal "
        "records no publication of it after its close (journal entry "
        f"{counted.election_close}): its state was changed outside veche"
    ]


def test_the_state_of_a_poll_not_counted_is_held_against_its_last_step(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    """A poll cancelled through veche and opened again in the database; one in draft opened
    in the database."""
    with transaction(sessions) as session:
        meeting = session.get_one(Poll, counted.decision_id).meeting
        cancelled = do_create_poll(
            session, ADMIN, meeting, title="Cancelled", kind=PollKind.DECISION
        )
        drafted = do_create_poll(session, ADMIN, meeting, title="Drafted", kind=PollKind.DECISION)
        session.flush()
        do_cancel_poll(session, ADMIN, cancelled.id)
        cancelled_id, drafted_id = cancelled.id, drafted.id
    result = counted.verify()
    assert result.exit_code == 0, result.output
    with transaction(sessions) as session:
        cancel = _newest_seq(session)
        create = cancel - 1
        session.execute(
            update(Poll).where(Poll.id.in_([cancelled_id, drafted_id])).values(state=PollState.OPEN)
        )
    assert counted.problems() == [
        f"poll {cancelled_id} (Cancelled): it is open but the journal's last entry of it "
        f"records its cancellation (journal entry {cancel}): its state was changed outside veche",
        f"poll {drafted_id} (Drafted): it is open but the journal's last entry of it records "
        f"its creation (journal entry {create}): its state was changed outside veche",
    ]


def test_a_poll_closed_by_an_older_version_is_not_held_against_a_publication(
    counted: Counted, sessions: sessionmaker[Session]
) -> None:
    """Its version may not have journalled publications: the journal cannot tell."""
    with transaction(sessions) as session:
        close = _entry(session, counted.decision_close)
        close.payload = {"poll_id": counted.decision_id, "ballots": 7}
        published = _publication(session, counted.decision_id)
        published.action = JournalAction.LOG_IN.value
        rehash_from(session, counted.decision_close)
    result = counted.verify()
    assert result.exit_code == 0, result.output
    assert f"only their number of ballots could be checked (poll {counted.decision_id})" in (
        result.output
    )
