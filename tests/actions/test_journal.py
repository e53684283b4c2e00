"""The journal's hash chain: it holds after real work and breaks at the first tampered entry."""

from __future__ import annotations

import threading
from datetime import date
from itertools import pairwise

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from veche.actions.actor import Actor
from veche.actions.journal import (
    GENESIS_HASH,
    entry_hash,
    gathered,
    record,
    record_many,
    verify_journal,
)
from veche.actions.journal_actions import JournalAction
from veche.cli import app
from veche.db import transaction
from veche.models import JournalEntry, JournalHead
from veche.models.polls import RightKind


def _check(sessions: sessionmaker[Session]) -> tuple[bool, int | None, str | None]:
    with sessions() as session:
        result = verify_journal(session)
    return result.holds, result.first_bad_seq, result.problem


def _run(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def test_empty_journal_holds(sessions: sessionmaker[Session]) -> None:
    assert _check(sessions) == (True, None, None)


@pytest.mark.demo
def test_chain_links_each_entry_to_the_one_before(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        entries = session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(entries))
    assert len({e.hash for e in entries}) == len(entries)
    assert _check(sessions)[0]


@pytest.mark.demo
def test_every_entry_names_a_declared_action(sessions: sessionmaker[Session]) -> None:
    """Whoever reads the journal (reports, an auditor's script) reads only the declared names."""
    with sessions() as session:
        recorded = set(session.scalars(select(JournalEntry.action)))
    assert recorded and recorded <= {action.value for action in JournalAction}


def test_entries_name_the_acting_user(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        record(session, Actor(None, "system: test"), JournalAction.CREATE_UNIT, {"n": 1})
    with sessions() as session:
        entry = session.scalars(select(JournalEntry)).one()
    assert (entry.actor_name, entry.action, entry.payload) == (
        "system: test",
        "create_unit",
        {"n": 1},
    )


def test_entries_recorded_together_chain_and_move_the_head_the_session_holds(
    sessions: sessionmaker[Session],
) -> None:
    """Several entries in one transaction, with the head already loaded in the session (as
    an action that read it would have): each follows the one before, and the head object
    the session holds moves with them."""
    actor = Actor(None, "system: test")
    with transaction(sessions) as session:
        held = session.get(JournalHead, 1)
        assert held is not None
        record(session, actor, JournalAction.OPEN_POLL, {"n": 1})
        record(
            session,
            actor,
            JournalAction.GRANT_PROXY,
            {"on": date(2026, 11, 27), "kind": RightKind.PROXY},
        )
        record_many(
            session,
            [
                (actor, JournalAction.CAST_BALLOT, {"n": 3}),
                (actor, JournalAction.CLOSE_POLL, {"n": (4, 5)}),
            ],
        )
        assert held.seq == 4
    with sessions() as session:
        entries = session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
    assert [e.action for e in entries] == ["open_poll", "grant_proxy", "cast_ballot", "close_poll"]
    assert entries[1].payload == {"on": "2026-11-27", "kind": "proxy"}
    assert entries[3].payload == {"n": [4, 5]}
    assert _check(sessions) == (True, None, None)


def test_entries_gathered_are_appended_together_in_order_or_not_at_all(
    sessions: sessionmaker[Session],
) -> None:
    """Inside ``gathered`` the entries wait (the head stays where it was) and are appended in
    the order recorded when the block ends, an inner block leaving them to the outer one; a
    block that fails appends nothing."""
    actor = Actor(None, "system: test")
    with transaction(sessions) as session:
        record(session, actor, JournalAction.OPEN_POLL, {"n": 1})
        with gathered(session):
            record(session, actor, JournalAction.CREATE_PERSON, {"n": 2})
            with gathered(session):
                record(session, actor, JournalAction.ADD_MEMBERSHIP, {"n": 3})
            record_many(session, [(actor, JournalAction.INVITE, {"n": 4})])
            assert session.scalar(select(JournalHead.seq)) == 1  # not yet appended
        record(session, actor, JournalAction.CLOSE_POLL, {"n": 5})
    with pytest.raises(RuntimeError), transaction(sessions) as session, gathered(session):
        record(session, actor, JournalAction.CREATE_PERSON, {"n": 6})
        raise RuntimeError("the import fails half-way")
    with sessions() as session:
        entries = session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
    assert [e.payload["n"] for e in entries] == [1, 2, 3, 4, 5]
    assert [e.action for e in entries][1:4] == ["create_person", "add_membership", "invite"]
    assert _check(sessions) == (True, None, None)


def test_a_session_kept_across_transactions_appends_after_other_writers(
    sessions: sessionmaker[Session],
) -> None:
    """A page's session may run several transactions; another request's entries may come
    between them. Its next entry still follows the newest one."""
    actor = Actor(None, "system: test")
    with sessions() as kept:
        with kept.begin():
            record(kept, actor, JournalAction.CHECK_IN, {"n": 1})
        with transaction(sessions) as other:
            record(other, actor, JournalAction.CHECK_IN, {"n": 2})
        with kept.begin():
            record(kept, actor, JournalAction.CHECK_OUT, {"n": 3})
    assert _check(sessions) == (True, None, None)


@pytest.mark.demo
@pytest.mark.parametrize(
    ("statement", "seq", "named"),
    [
        pytest.param(
            "UPDATE journal_entry SET actor_name = 'someone else' WHERE seq = 7",
            7,
            "altered",
            id="edited",
        ),
        pytest.param("DELETE FROM journal_entry WHERE seq = 20", 20, "missing", id="deleted"),
    ],
)
def test_an_entry_edited_or_deleted_is_named(
    engine: Engine, sessions: sessionmaker[Session], statement: str, seq: int, named: str
) -> None:
    _run(engine, statement)
    holds, first_bad, problem = _check(sessions)
    assert not holds and first_bad == seq
    assert problem is not None and named in problem


@pytest.mark.demo
def test_an_edited_payload_is_named(engine: Engine, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        payload = session.get(JournalEntry, 12).payload  # type: ignore[union-attr]
    payload["name"] = "Forged"
    with transaction(sessions) as session:
        entry = session.get(JournalEntry, 12)
        assert entry is not None
        entry.payload = dict(payload)
    assert _check(sessions)[:2] == (False, 12)


def _last_seq(sessions: sessionmaker[Session]) -> int:
    """The number of the journal's newest entry, as the table holds it."""
    with sessions() as session:
        last = session.scalar(select(JournalEntry.seq).order_by(JournalEntry.seq.desc()))
    assert last is not None
    return last


@pytest.mark.demo
def test_deleting_the_newest_entries_is_noticed(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    last = _last_seq(sessions)
    _run(engine, "DELETE FROM journal_entry WHERE seq >= :seq", seq=last - 1)
    assert _check(sessions)[:2] == (False, last - 1)


@pytest.mark.demo
def test_reordered_entries_are_named(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _run(engine, "UPDATE journal_entry SET seq = -1 WHERE seq = 30")
    _run(engine, "UPDATE journal_entry SET seq = 30 WHERE seq = 31")
    _run(engine, "UPDATE journal_entry SET seq = 31 WHERE seq = -1")
    assert _check(sessions)[:2] == (False, 30)


@pytest.mark.demo
def test_an_inserted_entry_breaks_the_chain_where_it_joins(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """A forger who inserts a well-formed entry after entry 9 cannot relink entry 10."""
    last = _last_seq(sessions)
    for seq in range(last, 9, -1):  # make room, from the end so numbers stay unique
        _run(engine, "UPDATE journal_entry SET seq = :new WHERE seq = :old", new=seq + 1, old=seq)
    with transaction(sessions) as session:
        nine = session.get(JournalEntry, 9)
        assert nine is not None
        forged = JournalEntry(
            seq=10,
            at=nine.at,
            action="forged",
            actor_id=None,
            actor_name="x",
            payload={},
            prev_hash=nine.hash,
        )
        forged.hash = entry_hash(forged)
        session.add(forged)
    assert _check(sessions)[:2] == (False, 11)


def test_concurrent_writers_never_fork_the_chain(sessions: sessionmaker[Session]) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(5):
                with transaction(sessions) as session:
                    record(session, Actor(None, f"worker {worker}"), JournalAction.LOG_IN, {"n": n})
        except BaseException as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        seqs = session.scalars(select(JournalEntry.seq).order_by(JournalEntry.seq)).all()
    assert list(seqs) == list(range(1, 41))
    assert _check(sessions)[0]


@pytest.mark.demo
@pytest.mark.parametrize("tamper", [False, True])
def test_verify_command_exit_codes(
    tamper: bool, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    if tamper:
        _run(engine, "UPDATE journal_entry SET action = 'renamed' WHERE seq = 3")
    result = CliRunner().invoke(app, ["verify", "--db", database_url])
    if tamper:
        assert result.exit_code == 1
        assert "entry 3" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert "holds" in result.output
