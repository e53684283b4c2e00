"""The attack that opened 7 of 8 ballots of a counted poll on PostgreSQL, carried out again.

The attacker holds the server's key file and the database's files after a count, with no
reader held: every byte of the pages of the rights, of the wrapped keys and of the planner's
statistics (dead rows and free space included, read whole through pageinspect), and the
public ``poll.seal_key``. They look for a wrapped poll key in every run of bytes the key file
could have wrapped, then try to open every sealed ballot's run: by the sender key the key file
and the public key made before (``_old_sender``), by any wrapped key found, and by the MAC key
the key file makes, which tells them where each ballot sealed since lies. Ballots sealed the
old way open (the control, ``test_ballots_sealed_the_old_way_open_after_the_count``); sealed
now, none does, though their bytes are still in the pages.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _open_decision
from tests.assembly import client_key
from tests.helpers import ADMIN, voter
from tests.test_secrecy_attacks import _pages
from veche import migrate, scrubbing, sealing
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import do_close_poll
from veche.config import Settings
from veche.db import transaction
from veche.models import Poll

#: The tests on a database start from the demo organization (see tests/conftest.py).
pytestmark = [
    pytest.mark.demo,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

VOTERS = 8
#: Where the attacker looks: the rights (sealed ballots), the wrapped keys, the statistics.
TABLES = ("participation", "poll_secret", "pg_statistic")
#: How many blocks of padding a sealed ballot of these polls may have.
BLOCKS = range(1, 4)
_NONCE, _TAG, _KEY = Box.NONCE_SIZE, 16, PublicKey.SIZE


def _server_secret() -> bytes:
    return bytes.fromhex(Settings().key_file.read_text().strip())


def _old_sender(secret: bytes, poll_public: bytes) -> PrivateKey:
    """The sender key ballots were sealed by before: made from the key file and the public
    key of the poll alone."""
    seed = blake2b(
        poll_public, key=secret, person=b"veche-sealing", digest_size=32, encoder=RawEncoder
    )
    return PrivateKey(seed)


def seal_the_old_way(
    self: sealing.ServerKey, public_key: str, content: dict[str, Any], padded_to: int
) -> bytes:
    """``ServerKey.seal`` as it was: by the sender ``_old_sender`` makes."""
    poll_public = bytes.fromhex(public_key)
    sender = _old_sender(_server_secret(), poll_public)
    plain = json.dumps(content, separators=(",", ":")).encode()
    size = max(padded_to, sealing.PAD_BLOCK * math.ceil(len(plain) / sealing.PAD_BLOCK))
    return bytes(sender.public_key) + Box(sender, PublicKey(poll_public)).encrypt(plain.ljust(size))


def wrap_the_old_way(self: sealing.ServerKey) -> tuple[str, bytes]:
    """``ServerKey.new_poll_key`` as it was: the key marked as sealed by the server's sender."""
    private = PrivateKey.generate()
    wrapped = SecretBox(_server_secret()).encrypt(bytes(private) + b"\x02")
    return bytes(private.public_key).hex(), wrapped


@dataclass
class Found:
    wrapped_keys: list[PrivateKey] = field(default_factory=list)
    maced: int = 0  # runs whose MAC the key file makes: ballots sealed now, still in the pages
    opened: list[dict[str, Any]] = field(default_factory=list)


def attack(files: bytes, secret: bytes, seal_keys: list[str]) -> Found:
    """Everything the key file opens in ``files``, for the polls of ``seal_keys``."""
    found = Found()
    key_box = SecretBox(secret)
    for size in (_NONCE + 32 + _TAG, _NONCE + 33 + _TAG):  # a key alone, or marked
        for start in range(len(files) - size + 1):
            try:
                plain = key_box.decrypt(files[start : start + size])
            except CryptoError:
                continue
            found.wrapped_keys.append(PrivateKey(plain[:32]))
    for seal_key in seal_keys:
        poll_public = bytes.fromhex(seal_key)
        old = _old_sender(secret, poll_public)
        opening = [Box(old, PublicKey(poll_public))]
        opening += [Box(key, old.public_key) for key in found.wrapped_keys]
        start = files.find(bytes(old.public_key))
        while start >= 0:  # every run after the old sender's public key
            for blocks in BLOCKS:
                run = files[start + _KEY : start + _KEY + _NONCE + _TAG + 256 * blocks]
                found.opened += _open_with(opening, run)
            start = files.find(bytes(old.public_key), start + 1)
        mac_key = blake2b(
            poll_public, key=secret, person=b"veche-ballot-mac", digest_size=32, encoder=RawEncoder
        )
        for start in range(len(files) - 32):  # every run a MAC of the key file's starts
            for blocks in BLOCKS:
                end = start + 32 + _KEY + _NONCE + _TAG + 256 * blocks
                boxed = files[start + 32 : end]
                mac = hashlib.blake2b(boxed, key=mac_key, digest_size=32).digest()
                if end <= len(files) and files[start : start + 32] == mac:
                    found.maced += 1
                    sender = PublicKey(boxed[:_KEY])
                    boxes = [Box(key, sender) for key in found.wrapped_keys]
                    found.opened += _open_with(boxes, boxed[_KEY:])
    return found


def _open_with(boxes: list[Box], run: bytes) -> list[dict[str, Any]]:
    for box in boxes:
        try:
            content: dict[str, Any] = json.loads(box.decrypt(run).rstrip(b" "))
        except CryptoError:
            continue
        return [content]
    return []


def _raw_files(engine: Engine, tables: tuple[str, ...] = TABLES) -> bytes:
    """Every page of ``tables``, whole: headers, line pointers, tuples live and dead, and the
    free space between them."""
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        connection.commit()
        return b"".join(
            page
            for table in tables
            for page in connection.execute(
                text(f"SELECT get_raw_page('{table}', n) FROM generate_series(0, :last) n"),
                {"last": _pages(connection, table) - 1},
            ).scalars()
        )


def _vote_and_count(engine: Engine, sessions: sessionmaker[Session]) -> tuple[list[str], bytes]:
    """A secret decision voted in by ``VOTERS`` members, sampled by ANALYZE as autovacuum does
    while it is open, counted, and its clean-up finished: the poll's public key, and the
    sealed ballots as they were stored."""
    poll_id, members, yes = _open_decision(sessions)
    for person_id in members[:VOTERS]:
        with transaction(sessions) as session:
            sent = SentBallot(poll_id, {"option": yes}, client_key())
            do_cast_ballot(session, voter(person_id), sent)
    with engine.connect() as connection:
        connection.execute(text("ANALYZE participation, poll_secret"))
        connection.commit()
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)
    scrubbing._vacuums.submit(lambda: None).result(timeout=60)  # the close's clean-up has run
    with sessions() as session:
        seal_key = session.scalars(select(Poll.seal_key).where(Poll.id == poll_id)).one()
    assert seal_key is not None
    return [seal_key], _raw_files(engine)


def test_no_ballot_of_a_counted_poll_opens_with_the_key_file_and_the_databases_files(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    seal_keys, files = _vote_and_count(engine, sessions)
    found = attack(files, _server_secret(), seal_keys)
    assert found.opened == []
    assert found.wrapped_keys == []
    assert found.maced > 0, "the sealed copies are still in the pages: the key alone is gone"


def test_ballots_sealed_the_old_way_open_after_the_count(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the same attack, on ballots sealed as before, opens them."""
    monkeypatch.setattr(sealing.ServerKey, "seal", seal_the_old_way)
    monkeypatch.setattr(sealing.ServerKey, "new_poll_key", wrap_the_old_way)
    seal_keys, files = _vote_and_count(engine, sessions)
    found = attack(files, _server_secret(), seal_keys)
    assert found.opened, "the key file and the public key open the ballots sealed the old way"
    assert {"receipt", "choice", "by"} <= found.opened[0].keys()


@pytest.fixture
def before_the_migration(engine: Engine) -> Iterator[None]:
    migrate.downgrade(engine, "0026")
    yield
    migrate.upgrade(engine)


@pytest.mark.usefixtures("before_the_migration")
def test_the_migration_keeps_no_sample_and_no_dead_copy(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before it, ANALYZE sampled the sealed ballots and the wrapped keys, and ballots sealed
    the old way lay in the rights' pages after their count; after it, neither is left (but
    for ``pg_statistic``'s own dead rows, which the operator rewrites: see the migration)."""
    monkeypatch.setattr(sealing.ServerKey, "seal", seal_the_old_way)
    monkeypatch.setattr(sealing.ServerKey, "new_poll_key", wrap_the_old_way)
    seal_keys, _files = _vote_and_count(engine, sessions)
    monkeypatch.undo()
    sampled = "SELECT count(*) FROM pg_stats WHERE (tablename, attname) IN " + (
        "(('participation', 'sealed'), ('poll_secret', 'wrapped_key'))"
    )
    with engine.connect() as connection:
        assert connection.scalar(text(sampled)) == 2
    assert attack(_raw_files(engine, ("participation",)), _server_secret(), seal_keys).opened
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.scalar(text(sampled)) == 0
        connection.execute(text("ANALYZE participation, poll_secret"))
        connection.commit()
        assert connection.scalar(text(sampled)) == 0
    assert attack(_raw_files(engine, ("participation",)), _server_secret(), seal_keys).opened == []
