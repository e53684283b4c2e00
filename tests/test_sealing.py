"""Sealed ballots (veche.sealing): what is stored while a secret poll is open, and its keys."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _open_decision
from tests.assembly import client_key
from tests.helpers import ADMIN, ballots_held, voter
from tests.sealed_ballots import cast_sealed
from tests.test_counted_ballots_at_rest import _old_sender, seal_the_old_way, wrap_the_old_way
from tests.test_secrecy_attacks import _tuples
from veche import scrubbing, sealing
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import do_cancel_poll, do_close_poll
from veche.db import transaction
from veche.errors import Conflict
from veche.models import Ballot, Participation, Poll, PollSecret
from veche.models.polls import BallotSource

#: The tests on a database start from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def test_a_sealed_ballot_opens_only_with_its_polls_key_and_says_nothing_by_its_size(
    tmp_path: Path,
) -> None:
    key = sealing.server_key(tmp_path / "veche.key")
    public, wrapped = key.new_poll_key()
    size = sealing.padded_size(options=12)
    blank = key.seal(public, {"receipt": "r", "choice": {"blank": True}, "by": 1}, size)
    ranking = {
        "receipt": "r" * 32,
        "choice": {"ranking": list(range(1_000_000_000, 1_000_000_012))},
        "by": 2**63 - 1,
    }
    full = key.seal(public, ranking, size)
    assert len(blank) == len(full)
    assert key.opener(wrapped, poll_id=1)(full) == ranking
    _, other_wrapped = key.new_poll_key()
    with pytest.raises(Conflict, match="not sealed by this server"):  # another poll's
        key.opener(other_wrapped, poll_id=2)(full)


def _opens_with(box: Box, sealed: bytes) -> bool:
    try:
        box.decrypt(sealed)
    except CryptoError:
        return False
    return True


def test_a_ballot_sealed_now_opens_with_its_polls_private_key_alone(tmp_path: Path) -> None:
    """Not with the key file and the poll's public key, which made the sender of every
    ballot sealed before: a copy of it left in the database's files, once the poll's key is
    gone, opens with nothing."""
    key = sealing.server_key(tmp_path / "veche.key")
    public, wrapped = key.new_poll_key()
    sealed = key.seal(public, {"receipt": "r", "choice": {"option": 1}, "by": 1}, 256)
    assert len(sealed) == sealing.MAC_SIZE + 32 + 24 + 16 + 256
    boxed = sealed[sealing.MAC_SIZE :]
    secret = bytes.fromhex((tmp_path / "veche.key").read_text().strip())
    old_sender = _old_sender(secret, bytes.fromhex(public))
    assert not _opens_with(Box(old_sender, PublicKey(bytes.fromhex(public))), boxed[32:])
    assert boxed[:32] != bytes(old_sender.public_key)
    private = PrivateKey(SecretBox(secret).decrypt(wrapped)[:32])
    assert _opens_with(Box(private, PublicKey(boxed[:32])), boxed[32:])
    again = key.seal(public, {"receipt": "r", "choice": {"option": 1}, "by": 1}, 256)
    assert again[sealing.MAC_SIZE :][:32] == boxed[:32]  # one sender a poll and process
    sealing.forget_sender(public)  # nothing sealed through the module: nothing to forget
    key.forget(public)  # the poll took its last ballot here: its sender is forgotten
    later = key.seal(public, {"receipt": "r", "choice": {"option": 1}, "by": 1}, 256)
    assert later[sealing.MAC_SIZE :][:32] != boxed[:32]
    assert key.opener(wrapped, 1)(later) == {"receipt": "r", "choice": {"option": 1}, "by": 1}


def test_a_ballot_whose_mac_or_box_was_changed_is_refused(tmp_path: Path) -> None:
    key = sealing.server_key(tmp_path / "veche.key")
    public, wrapped = key.new_poll_key()
    sealed = key.seal(public, {"choice": 1}, 256)
    open_ballot = key.opener(wrapped, poll_id=1)
    for at in (0, sealing.MAC_SIZE, len(sealed) - 1):  # the MAC, the sender, the box
        changed = bytearray(sealed)
        changed[at] ^= 1
        with pytest.raises(Conflict, match="not sealed by this server"):
            open_ballot(bytes(changed))


def test_a_poll_open_across_the_upgrade_counts_its_ballots_sealed_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its key marked as sealed by the server's sender: a ballot sealed so before the
    upgrade opens beside those sealed since, told apart by their length; one sealed the old
    way by another sender is refused, as before. A poll opened since takes none sealed the
    old way, even by the server's old sender."""
    key = sealing.server_key(tmp_path / "veche.key")
    monkeypatch.setenv("VECHE_KEY_FILE", str(tmp_path / "veche.key"))
    with monkeypatch.context() as before:
        before.setattr(sealing.ServerKey, "new_poll_key", wrap_the_old_way)
        public, wrapped = key.new_poll_key()
    old = seal_the_old_way(key, public, {"receipt": "a", "choice": 1}, 256)
    new = key.seal(public, {"receipt": "b", "choice": 2}, 256)
    assert len(old) % sealing.PAD_BLOCK != len(new) % sealing.PAD_BLOCK
    open_ballot = key.opener(wrapped, poll_id=1)
    assert [open_ballot(old)["receipt"], open_ballot(new)["receipt"]] == ["a", "b"]
    theirs = PrivateKey.generate()
    plain = json.dumps({"receipt": "f", "choice": 1}).encode().ljust(256)
    forged = bytes(theirs.public_key) + Box(theirs, PublicKey(bytes.fromhex(public))).encrypt(plain)
    with pytest.raises(Conflict, match="not sealed by this server"):
        open_ballot(forged)
    public_now, wrapped_now = key.new_poll_key()
    old_now = seal_the_old_way(key, public_now, {"receipt": "a", "choice": 1}, 256)
    with pytest.raises(Conflict, match="not sealed by this server"):
        key.opener(wrapped_now, poll_id=2)(old_now)


def test_the_key_file_is_made_once_for_its_owner_alone(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "veche.key"
    key = sealing.server_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 32
    public, wrapped = key.new_poll_key()
    sealing._loaded.clear()  # as a restarted server reads it again
    again = sealing.server_key(path)
    sealed = key.seal(public, {"choice": 1}, 256)
    assert again.opener(wrapped, 1)(sealed) == {"choice": 1}


@pytest.mark.parametrize("content", [b"not a key\n", bytes(range(256)), b""])
def test_a_key_file_that_is_not_a_key_is_refused_by_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    """By name to the operator (``veche serve`` checks the file before it serves); a voter or
    a chair meeting it later is told that the server cannot seal, not where its key lies."""
    path = tmp_path / "veche.key"
    path.write_bytes(content)
    with pytest.raises(sealing.KeyFileError, match="does not hold a veche server key") as told:
        sealing.load_server_key(path)
    assert str(path) in str(told.value)
    with pytest.raises(sealing.ServerKeyUnavailable) as refusal:
        sealing.server_key(path)
    assert refusal.value.status_code == 503 and str(path) not in refusal.value.message
    assert [str(path) in record.getMessage() for record in caplog.records] == [True]


def test_a_key_file_its_server_may_not_read_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "veche.key"
    path.write_text("00" * 32)

    def refused(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    # As for a file of another user: the tests may run as root, who reads every file.
    monkeypatch.setattr(Path, "read_bytes", refused)
    with pytest.raises(sealing.KeyFileError, match="cannot be read by the user veche runs as"):
        sealing.load_server_key(path)


def test_while_open_a_secret_ballot_is_sealed_beside_its_right_and_nowhere_else(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    with transaction(sessions) as session:
        receipt = do_cast_ballot(
            session, voter(members[0]), SentBallot(poll_id, {"option": yes}, client_key())
        ).receipt
    with sessions() as session:
        assert session.scalars(select(Ballot).where(Ballot.poll_id == poll_id)).all() == []
        (sealed,) = session.scalars(
            select(Participation.sealed).where(Participation.poll_id == poll_id)
        ).all()
        assert sealed is not None and receipt.encode() not in sealed
        assert b"option" not in sealed
        assert session.get(PollSecret, poll_id) is not None


def test_a_restarted_server_counts_the_ballots_sealed_before(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    for person_id in members[:5]:
        with transaction(sessions) as session:
            do_cast_ballot(
                session, voter(person_id), SentBallot(poll_id, {"option": yes}, client_key())
            )
    sealing._loaded.clear()  # nothing kept in memory survives a restart
    with transaction(sessions) as session:
        poll = do_close_poll(session, ADMIN, poll_id)
        assert poll.result is not None and poll.result["details"]["yes"] == 5
    with sessions() as session:
        assert ballots_held(session, poll_id) == {BallotSource.ELECTRONIC: 5}
        assert session.get(PollSecret, poll_id) is None
        left = session.scalars(
            select(Participation.sealed).where(Participation.poll_id == poll_id)
        ).all()
        assert left == [None] * 5


def test_a_close_under_another_server_key_is_refused_and_changes_nothing(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    with transaction(sessions) as session:
        do_cast_ballot(
            session, voter(members[0]), SentBallot(poll_id, {"option": yes}, client_key())
        )
    monkeypatch.setenv("VECHE_KEY_FILE", str(tmp_path / "another.key"))
    with (
        pytest.raises(Conflict, match="sealed under another server key") as refusal,
        transaction(sessions) as session,
    ):
        do_close_poll(session, ADMIN, poll_id)
    assert "another.key" not in refusal.value.message and "/" not in refusal.value.message
    assert "another.key" in caplog.text  # the operator's log names the key file
    monkeypatch.undo()
    with sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None and poll.state.value == "open"
    with transaction(sessions) as session:  # with its own key back, the poll closes
        assert do_close_poll(session, ADMIN, poll_id).result is not None


def test_a_cancelled_poll_destroys_its_sealed_ballots_unopened(
    sessions: sessionmaker[Session],
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    with transaction(sessions) as session:
        do_cast_ballot(
            session, voter(members[0]), SentBallot(poll_id, {"option": yes}, client_key())
        )
    with transaction(sessions) as session:
        do_cancel_poll(session, ADMIN, poll_id)
    with sessions() as session:
        assert session.get(PollSecret, poll_id) is None
        assert ballots_held(session, poll_id) == {}
        left = session.scalars(
            select(Participation.sealed).where(Participation.poll_id == poll_id)
        ).all()
        assert left == [None]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_sealed_copies_are_gone_from_postgresqls_pages_after_the_close(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """The close empties every sealed copy, which leaves the old versions of the rights' rows
    in the table's pages until a vacuum: the one the close sets going (after its answer, in
    a thread of its own) clears them."""
    poll_id, sealed, _wrapped = cast_sealed(sessions)
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)
    scrubbing._vacuums.submit(lambda: None).result(timeout=60)  # after the vacuums queued before it
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        connection.commit()
        pages = _tuples(connection, "participation")
    assert len(sealed) == 5 and all(sealed)
    assert not [data for _, data in pages for copy in sealed if copy and copy in data]
