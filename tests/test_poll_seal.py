"""Someone who can write to the database but does not hold the server key file changes an
open secret poll so as to read the ballots cast afterwards: they put a public key of their
own in ``poll.seal_key``, empty it, or mark the poll as named. Every such poll takes no more
ballots, and nothing is sealed with the attacker's key (veche.actions.poll_seal). Or they
write ballots of their own into the rights' rows, sealed to the poll's public key, or copy
one voter's over another's: the count finds them and counts nothing (veche.sealing)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from secrets import token_bytes

import pytest
from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _open_decision
from tests.assembly import Assembly, client_key
from tests.helpers import ADMIN, voter
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import do_close_poll
from veche.actions.poll_seal import check_poll_seal
from veche.config import Settings
from veche.db import make_reader, make_sessionmaker, transaction
from veche.errors import Conflict
from veche.models import Participation, Poll, PollSecret
from veche.models.polls import PollState, RightKind, Secrecy
from veche.sealing import MAC_SIZE, padded_size

#: The tests on a database start from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: The attacker's own key pair: what they would open the ballots with.
ATTACKERS = PrivateKey.generate()


def _cast(sessions: sessionmaker[Session], poll_id: int, person_id: int, option: int) -> str:
    with transaction(sessions) as session:
        sent = SentBallot(poll_id, {"option": option}, client_key())
        return do_cast_ballot(session, voter(person_id), sent).receipt


def _sealed(sessions: sessionmaker[Session], poll_id: int) -> list[bytes | None]:
    with sessions() as session:
        return list(
            session.scalars(select(Participation.sealed).where(Participation.poll_id == poll_id))
        )


def _own_key(session: Session, poll_id: int) -> None:
    key = bytes(ATTACKERS.public_key).hex()
    session.execute(update(Poll).where(Poll.id == poll_id).values(seal_key=key))


def _no_key(session: Session, poll_id: int) -> None:
    session.execute(update(Poll).where(Poll.id == poll_id).values(seal_key=None))
    session.execute(delete(PollSecret).where(PollSecret.poll_id == poll_id))


def _named(session: Session, poll_id: int) -> None:
    session.execute(update(Poll).where(Poll.id == poll_id).values(secrecy=Secrecy.NAMED))


def _named_without_its_key(session: Session, poll_id: int) -> None:
    """Named, and the wrapped key deleted too: the journal still says it was created secret."""
    _named(session, poll_id)
    _no_key(session, poll_id)


def _named_without_a_trace(session: Session, poll_id: int) -> None:
    """Named, the key deleted and the sealed ballot cast before taken out: the journal's
    entry of its creation still says secret."""
    _named_without_its_key(session, poll_id)
    session.execute(
        update(Participation).where(Participation.poll_id == poll_id).values(sealed=None)
    )


@pytest.mark.parametrize(
    "change", [_own_key, _no_key, _named, _named_without_its_key, _named_without_a_trace]
)
def test_a_poll_whose_secrecy_was_changed_in_the_database_takes_no_ballot(
    sessions: sessionmaker[Session], change: Callable[[Session, int], None]
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    _cast(sessions, poll_id, members[0], yes)  # as the poll was opened: taken
    with transaction(sessions) as session:
        change(session, poll_id)
    before = _sealed(sessions, poll_id)
    with pytest.raises(Conflict, match="its secrecy is not as it was opened"):
        _cast(sessions, poll_id, members[1], yes)
    assert _sealed(sessions, poll_id) == before


def test_a_ballot_cast_through_the_api_to_a_changed_poll_is_refused_with_409(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    assembly.check_in(assembly.members)
    poll = assembly.create_poll(title="Adopt the budget", kind="decision", secrecy="secret")
    assembly.open(int(poll["id"]))
    with transaction(sessions) as session:
        _own_key(session, poll["id"])
    yes = next(option["id"] for option in poll["options"] if option["label"] == "yes")
    answer = assembly.vote(poll["id"], assembly.members[0], {"option": yes})
    assert answer.status_code == 409, answer.text
    assert "its secrecy is not as it was opened" in answer.json()["detail"]
    assert _sealed(sessions, poll["id"]) == []


def test_a_poll_opened_under_another_server_key_says_so_and_logs_the_path(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Voters and chairs are told the server cannot open the poll's ballots and to tell the
    operator; the key file's path, a server's, is for the operator, in the log."""
    poll_id, members, yes = _open_decision(sessions)
    monkeypatch.setenv("VECHE_KEY_FILE", str(tmp_path / "another.key"))
    with (
        caplog.at_level(logging.WARNING, logger="veche.actions.poll_seal"),
        pytest.raises(Conflict, match="cannot open the poll's ballots with the key") as refusal,
    ):
        _cast(sessions, poll_id, members[0], yes)
    assert "Tell the operator" in refusal.value.message
    assert "another.key" not in refusal.value.message and "/" not in refusal.value.message
    logged = [r for r in caplog.records if r.name == "veche.actions.poll_seal"]
    assert [r.levelno for r in logged] == [logging.WARNING]
    said = logged[0].getMessage()
    assert (
        str((tmp_path / "another.key").resolve()) in said
        and "opened under another server key" in said
    )
    monkeypatch.undo()
    assert _cast(sessions, poll_id, members[0], yes)  # with its own key back, it takes ballots


def test_a_close_committed_while_a_ballot_is_checked_is_no_change_of_secrecy(
    sessions: sessionmaker[Session],
) -> None:
    """On PostgreSQL each statement reads what is committed when it runs: a close committed
    between reading the poll (open) and reading its key (deleted by the close) must read as a
    close, which the ballot is then refused for, not as a key taken out of the database."""
    poll_id, _members, _yes = _open_decision(sessions)
    engine = sessions.kw["bind"]
    reader = make_reader(engine)  # on SQLite, a snapshot that holds no lock
    try:
        with make_sessionmaker(reader)() as reading, reading.begin():
            poll = reading.get_one(Poll, poll_id)
            assert poll.state is PollState.OPEN
            with transaction(sessions) as closing:
                do_close_poll(closing, ADMIN, poll_id)
            check_poll_seal(reading, poll)  # no Conflict: the poll closed, nothing changed
    finally:
        if reader is not engine:
            reader.dispose()


def _attackers_seal(public_key: str, content: Mapping[str, object], size: int) -> bytes:
    """A ballot sealed as someone with the poll's public key alone can: by a key of theirs."""
    theirs = PrivateKey.generate()
    box = Box(theirs, PublicKey(bytes.fromhex(public_key)))
    plain = json.dumps(content, separators=(",", ":")).encode().ljust(size)
    return bytes(theirs.public_key) + box.encrypt(plain)


def _option(sessions: sessionmaker[Session], poll_id: int, label: str) -> int:
    with sessions() as session:
        return next(o.id for o in session.get_one(Poll, poll_id).options if o.label == label)


def _sealed_rows(session: Session, poll_id: int) -> list[Participation]:
    return list(
        session.scalars(
            select(Participation)
            .where(Participation.poll_id == poll_id)
            .order_by(Participation.right_person_id)
        )
    )


def test_a_ballot_sealed_outside_veche_is_found_and_the_poll_not_counted(
    sessions: sessionmaker[Session],
) -> None:
    """Three voters' sealed "no" overwritten in the database with "yes" ballots sealed to the
    poll's public key (which anyone reads there) flipped the outcome, and `veche verify` saw
    nothing: the count now refuses a ballot the server did not seal, and counts nothing."""
    poll_id, members, yes = _open_decision(sessions)
    no = _option(sessions, poll_id, "no")
    for person_id in members[:3]:
        _cast(sessions, poll_id, person_id, no)
    with transaction(sessions) as session:
        poll = session.get_one(Poll, poll_id)
        assert poll.seal_key is not None
        row = _sealed_rows(session, poll_id)[0]
        forged = {"receipt": "f" * 32, "choice": {"option": yes}, "by": row.cast_by_person_id}
        # As sealed now: a MAC (of their own making), then their box, to the poll's size.
        size = len(row.sealed or b"") - MAC_SIZE - 72
        row.sealed = token_bytes(MAC_SIZE) + _attackers_seal(poll.seal_key, forged, size)
    with (
        pytest.raises(Conflict, match="not sealed by this server"),
        transaction(sessions) as session,
    ):
        do_close_poll(session, ADMIN, poll_id)
    with sessions() as session:
        assert session.get_one(Poll, poll_id).state is PollState.OPEN
        assert all(row.sealed is not None for row in _sealed_rows(session, poll_id))


def test_a_ballot_copied_over_another_voters_is_found_and_the_poll_not_counted(
    sessions: sessionmaker[Session],
) -> None:
    """A's sealed ballot copied over B's: both rows then hold A's choice, sealed by the server
    itself; the count finds it in a row whose voter did not cast it."""
    poll_id, members, yes = _open_decision(sessions)
    _cast(sessions, poll_id, members[0], yes)
    _cast(sessions, poll_id, members[1], _option(sessions, poll_id, "no"))
    with transaction(sessions) as session:
        first, second = _sealed_rows(session, poll_id)
        second.sealed = first.sealed
    with (
        pytest.raises(Conflict, match="not in the row of the right it was cast with"),
        transaction(sessions) as session,
    ):
        do_close_poll(session, ADMIN, poll_id)


def test_a_poll_opened_before_the_server_sealed_its_ballots_is_counted_as_before(
    sessions: sessionmaker[Session],
) -> None:
    """A poll whose key was wrapped before ballots were sealed by the server (a key alone,
    opened by an earlier version and still open at the upgrade) takes ballots and counts
    those sealed the old way (a key of the moment, no caster) beside the new ones."""
    poll_id, members, yes = _open_decision(sessions)
    server_secret = bytes.fromhex(Settings().key_file.read_text().strip())
    as_before = PrivateKey.generate()
    with transaction(sessions) as session:
        poll = session.get_one(Poll, poll_id)
        poll.seal_key = bytes(as_before.public_key).hex()
        session.get_one(PollSecret, poll_id).wrapped_key = SecretBox(server_secret).encrypt(
            bytes(as_before)
        )
        old = {"receipt": "a" * 32, "choice": {"option": yes}}
        session.add(
            Participation(
                poll_id=poll_id,
                right_person_id=members[0],
                cast_by_person_id=members[0],
                kind=RightKind.OWN,
                weight=1,
                sealed=_attackers_seal(poll.seal_key, old, padded_size(len(poll.options))),
            )
        )
    for person_id in members[1:3]:
        _cast(sessions, poll_id, person_id, yes)
    with transaction(sessions) as session:
        counted = do_close_poll(session, ADMIN, poll_id)
        assert counted.result is not None and counted.result["details"]["yes"] == 3


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_ballot_waits_for_no_rewrite_of_the_wrapped_keys(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """A count rewrites the table of wrapped keys (``VACUUM FULL``), which locks out every
    reader while it lasts: a ballot reads it only as the poll's first in its process."""
    poll_id, members, yes = _open_decision(sessions)
    _cast(sessions, poll_id, members[0], yes)
    with engine.connect() as rewriting, rewriting.begin():
        rewriting.execute(text("LOCK TABLE poll_secret IN ACCESS EXCLUSIVE MODE"))
        with ThreadPoolExecutor(max_workers=1) as casting:
            cast = casting.submit(_cast, sessions, poll_id, members[1], yes)
            try:
                assert cast.result(timeout=10)
            finally:
                rewriting.rollback()  # let a ballot that waited finish
