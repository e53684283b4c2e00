"""Sealed ballots: a secret poll's choices are unreadable at rest until the poll is counted,
and once it is counted, unreadable for good.

While a secret poll is open, each ballot is stored sealed to the poll's public key
(libsodium's public-key box: X25519 and XSalsa20-Poly1305, through PyNaCl) by a sender key
pair drawn at random in the memory of the process that seals it and never stored
(``ServerKey.seal``): only the poll's private key opens it. That only this server sealed it
is told by a MAC (keyed BLAKE2b) under a key the server key makes for the poll, which the
count checks: a ballot written into the database by someone who knows the poll's public key
alone — which anyone can read there — is found, not counted. The poll's private key is
stored only wrapped (encrypted) with the server's key, which lives in a file outside the
database (``VECHE_KEY_FILE``). Whoever holds every byte of the database — its file, its
write-ahead log, its dead rows, any backup — therefore holds ciphertext and a wrapped key,
and neither opens without the key file. At close the ballots are opened, stored in a random
order with nothing that names their voter, and the poll's wrapped key is deleted, and its
table rewritten (``veche.scrubbing``): a copy of a sealed ballot left anywhere in the
database's files then opens with nothing, the key file included.

Ballots sealed before (polls open across the upgrade) were sealed by a sender key the
server key made from the poll's public key, which the key file therefore opens wherever a
copy is left; they still open and count, told apart by their length (``_MACED``).

The key file is made on first need (32 random bytes, readable by its owner only); ``veche
serve`` reads it, or makes it, before it serves, and never makes a new one while the
database holds the wrapped keys of open polls (``veche.cli``). Lose it
and the ballots of polls still open cannot be counted; keep it out of the database's
backups, or whoever has both can read the ballots of the polls open when the backup was made.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nacl.bindings import crypto_box_easy_afternm
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox
from nacl.utils import random as random_bytes

from veche.errors import Conflict, VecheError
from veche.i18n import _

log = logging.getLogger(__name__)

#: Sealed ballots are padded to a multiple of this many bytes, and to the longest ballot the
#: poll allows: the length of a sealed ballot then says nothing of what it holds (a blank
#: ballot or a short ranking would otherwise be told apart by its size).
PAD_BLOCK = 256


#: Marks a poll key wrapped while ballots were sealed by the server's own sender key for the
#: poll (made from the server key and the poll's public key): those ballots carry that key's
#: public half. A key wrapped before (32 bytes alone) opens ballots sealed by any key, as it
#: did. Both still count the ballots sealed the old way, beside the new ones.
_SERVER_SEALED = b"\x02"
#: Marks a poll key wrapped since ballots are sealed by a sender of the moment and MACed: such
#: a poll takes no ballot sealed the old way.
_MACED_ONLY = b"\x03"

#: The MAC that starts a ballot sealed since the upgrade (keyed BLAKE2b, ``ServerKey._mac``).
MAC_SIZE = 32
#: A sealed ballot is its sender's public key, a nonce, then the padded content boxed (with
#: the box's own MAC): a multiple of ``PAD_BLOCK`` and this much. A ballot sealed since the
#: upgrade is that, after its MAC, so that the two are told apart by their length alone.
_BOXED = PublicKey.SIZE + Box.NONCE_SIZE + SecretBox.MACBYTES  # Poly1305, as in a box
_MACED = (MAC_SIZE + _BOXED) % PAD_BLOCK
assert _MACED != _BOXED % PAD_BLOCK

#: ``json.dumps(…, separators=(",", ":"))`` without making an encoder for every ballot, which
#: took a third of sealing one.
_compact_json = json.JSONEncoder(separators=(",", ":")).encode


class _Sealer:
    """How one process seals one poll's ballots: a sender key pair of its own, drawn at random
    and kept in memory alone, its exchange with the poll's public key done once, and the
    poll's MAC key. No file holds the sender's secret, so what it seals opens only with the
    poll's private key; drawing a sender for each ballot (an anonymous sealed box) would cost
    an exchange a ballot, some thirty times what sealing a ballot costs."""

    def __init__(self, poll_public: bytes, mac_key: bytes) -> None:
        sender = PrivateKey.generate()
        self.shared = Box(sender, PublicKey(poll_public)).shared_key()
        self.sender = bytes(sender.public_key)
        self.mac_key = mac_key


class ServerKey:
    """The key that wraps every poll's private key, read from its file; it also makes each
    poll's MAC key, so that a ballot sealed by anyone else — who needs only the poll's public
    key, stored in the clear — is told apart at the count."""

    def __init__(self, secret: bytes, path: Path) -> None:
        self._secret = secret
        self._box = SecretBox(secret)
        self.path = path
        self._public_keys: dict[bytes, str] = {}  # wrapped poll key → its public key
        self._sealers: dict[str, _Sealer] = {}  # poll's public key → how it is sealed here
        self._vouched: set[tuple[int, str]] = set()  # (poll, public key) found as wrapped

    def new_poll_key(self) -> tuple[str, bytes]:
        """A fresh key pair for one poll: its public key (hex, stored in the clear) and its
        private key wrapped with this server key (stored until the poll is counted)."""
        private = PrivateKey.generate()
        return bytes(private.public_key).hex(), self._box.encrypt(bytes(private) + _MACED_ONLY)

    def _unwrap(self, wrapped: bytes) -> tuple[PrivateKey, bytes]:
        """The poll's private key, and the mark of how its ballots were sealed (empty for a
        key wrapped before the server sealed them); CryptoError if this server key did not
        wrap it."""
        plain = self._box.decrypt(wrapped)
        return PrivateKey(plain[: PrivateKey.SIZE]), plain[PrivateKey.SIZE :]

    def _derived(self, poll_public: bytes, person: bytes) -> bytes:
        """A key made from this server key and the poll's public key: the same in every
        process, and only where the key file is."""
        return blake2b(
            poll_public, key=self._secret, person=person, digest_size=32, encoder=RawEncoder
        )

    def _old_sender(self, poll_public: bytes) -> bytes:
        """The public half of the sender key ballots were sealed by before the upgrade."""
        return bytes(PrivateKey(self._derived(poll_public, b"veche-sealing")).public_key)

    def _mac_key(self, poll_public: bytes) -> bytes:
        return self._derived(poll_public, b"veche-ballot-mac")

    @staticmethod
    def _mac(mac_key: bytes, boxed: bytes) -> bytes:
        return hashlib.blake2b(boxed, key=mac_key, digest_size=MAC_SIZE).digest()

    def public_key_of(self, wrapped: bytes) -> str | None:
        """The public key (hex) of the poll key ``wrapped`` holds; None if this server key
        did not wrap it. Only the server key's holder can wrap a key, so a public key in the
        database that is not this one was put there by someone else."""
        known = self._public_keys.get(wrapped)
        if known is None:
            try:
                private, _mark = self._unwrap(wrapped)
            except CryptoError:
                return None
            if len(self._public_keys) > 256:
                self._public_keys.clear()
            known = self._public_keys[wrapped] = bytes(private.public_key).hex()
        return known

    def vouch_for(self, poll_id: int, public_key: str) -> None:
        """Remember that the poll's public key was found to be the one of its wrapped key."""
        if len(self._vouched) > 4096:
            self._vouched.clear()
        self._vouched.add((poll_id, public_key))

    def vouches_for(self, poll_id: int, public_key: str | None) -> bool:
        """Whether the poll's public key was found to be the one of its wrapped key: a key
        put in the database since is another, and checked again (``check_poll_seal``)."""
        return (poll_id, public_key) in self._vouched if public_key is not None else False

    def seal(self, public_key: str, content: dict[str, Any], padded_to: int) -> bytes:
        """``content`` as JSON, padded with spaces to ``padded_to`` bytes or the next block,
        boxed to the poll's public key by this process's sender for the poll: the MAC of the
        rest, the sender's public key, then the box (with a random nonce of its own)."""
        plain = _compact_json(content).encode()
        size = max(padded_to, PAD_BLOCK * math.ceil(len(plain) / PAD_BLOCK))
        sealer = self._sealers.get(public_key)
        if sealer is None:
            poll_public = bytes.fromhex(public_key)
            if len(self._sealers) > 256:
                self._sealers.clear()
            sealer = self._sealers[public_key] = _Sealer(poll_public, self._mac_key(poll_public))
        nonce = os.urandom(Box.NONCE_SIZE)
        boxed = (
            sealer.sender + nonce + crypto_box_easy_afternm(plain.ljust(size), nonce, sealer.shared)
        )
        return self._mac(sealer.mac_key, boxed) + boxed

    def forget(self, public_key: str) -> None:
        """Drop this process's sender for a poll that takes no more ballots: its secret would
        open what it sealed."""
        self._sealers.pop(public_key, None)

    def opener(self, wrapped: bytes, poll_id: int) -> Callable[[bytes], dict[str, Any]]:
        """What opens the sealed ballots of the poll whose private key is ``wrapped``; a
        ballot the server did not seal (its MAC is not the poll's, or, sealed the old way,
        its sender is not the server's) is refused."""
        try:
            private, mark = self._unwrap(wrapped)
        except CryptoError:
            # The chair is told what to do; the key file's path is the operator's, logged.
            log.warning(
                "poll %s's ballots were sealed under another server key than the one in %s; "
                "restore the key file this server used when the poll was opened "
                "(VECHE_KEY_FILE), then close the poll again",
                poll_id,
                self.path,
            )
            raise Conflict(
                f"poll {poll_id}'s ballots were sealed under another server key than the one "
                "this server holds: tell the operator who runs veche (its log names the key "
                "file), then close the poll again"
            ) from None
        poll_public = bytes(private.public_key)
        mac_key = self._mac_key(poll_public)
        old_sender = self._old_sender(poll_public) if mark == _SERVER_SEALED else None
        boxes: dict[bytes, Box] = {}  # one exchange per sender, not per ballot
        not_ours = Conflict(
            f"a ballot of poll {poll_id} was not sealed by this server: it was put in "
            "the database by someone else, so the poll is not counted; cancel it and "
            "vote again"
        )

        def open_ballot(sealed: bytes) -> dict[str, Any]:
            if len(sealed) % PAD_BLOCK == _MACED:
                boxed = sealed[MAC_SIZE:]
                if not hmac.compare_digest(sealed[:MAC_SIZE], self._mac(mac_key, boxed)):
                    raise not_ours
            elif mark == _MACED_ONLY or (
                old_sender is not None and sealed[: PublicKey.SIZE] != old_sender
            ):
                raise not_ours
            else:
                boxed = sealed  # sealed the old way, in a poll open across the upgrade
            sender = boxed[: PublicKey.SIZE]
            box = boxes.get(sender)
            if box is None:
                box = boxes[sender] = Box(private, PublicKey(sender))
            content: dict[str, Any] = json.loads(box.decrypt(boxed[PublicKey.SIZE :]).rstrip(b" "))
            return content

        return open_ballot


#: The server key each poll's ballots are sealed by, read once a poll: reading the settings
#: for every ballot of a burst would cost as much as sealing it.
_sealing_for: dict[str, ServerKey] = {}


def seal(public_key: str, content: dict[str, Any], padded_to: int) -> bytes:
    """``content`` sealed for the poll of ``public_key`` by this process (``ServerKey.seal``)."""
    key = _sealing_for.get(public_key)
    if key is None:
        if len(_sealing_for) > 256:
            _sealing_for.clear()
        key = _sealing_for[public_key] = configured_server_key()
    return key.seal(public_key, content, padded_to)


def forget_sender(public_key: str) -> None:
    """Forget this process's sender for the poll of ``public_key``, which takes no more
    ballots (``ServerKey.forget``); a key file unread is not read for it."""
    key = _sealing_for.pop(public_key, None)
    if key is not None:
        key.forget(public_key)


def padded_size(options: int) -> int:
    """Room for the longest ballot of a poll with ``options`` options (a full ranking or a
    score for each, every number up to ten digits) and its receipt, in whole blocks."""
    longest = 120 + 26 * options
    return PAD_BLOCK * math.ceil(longest / PAD_BLOCK)


_loaded: dict[Path, ServerKey] = {}
_loading = threading.Lock()


class KeyFileError(Exception):
    """The server key file cannot be used: the message, for the operator, names the file and
    says why (a folder, unreadable, not a key, cannot be made there)."""


class ServerKeyUnavailable(VecheError):
    """What a voter or a chair is told when the server cannot use its key file: not their
    doing, and nothing they can mend; the operator reads the cause in the server's log."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(
            _(
                "the server cannot use its key for secret ballots, so no secret poll can be "
                "opened, voted in or counted now; tell the server's operator (its log says why)"
            )
        )


def configured_server_key() -> ServerKey:
    """The server key of the file the settings name (``VECHE_KEY_FILE``)."""
    from veche.config import Settings

    return server_key(Settings().key_file)


def server_key(path: Path) -> ServerKey:
    """The server key in ``path``, made there (owner-only) if the file does not exist yet; a
    file that cannot be used is refused with ``ServerKeyUnavailable`` (503), its cause logged."""
    try:
        return load_server_key(path)
    except KeyFileError as problem:
        log.error("%s", problem)
        raise ServerKeyUnavailable() from problem


def load_server_key(path: Path) -> ServerKey:
    """The server key in ``path``, made there if the file does not exist yet; ``KeyFileError``
    naming the file if it cannot be used. ``veche serve`` calls it before it serves, so that
    a bad file stops the server rather than the first secret poll."""
    path = path.expanduser().resolve()
    with _loading:
        key = _loaded.get(path)
        if key is None:
            key = _loaded[path] = ServerKey(_read_or_make(path), path)
        return key


def _read_or_make(path: Path) -> bytes:
    try:
        # Bytes: a file of anything but hexadecimal digits is told to hold no key.
        text = path.read_bytes().decode("ascii", errors="replace").strip()
    except FileNotFoundError:
        return _make(path)
    except IsADirectoryError:
        raise KeyFileError(
            f"the server key file {path} is a folder; VECHE_KEY_FILE names the key file "
            "itself, such as /etc/veche/veche.key"
        ) from None
    except PermissionError:
        raise KeyFileError(
            f"the server key file {path} cannot be read by the user veche runs as; make it "
            "theirs, readable by them alone (chmod 600)"
        ) from None
    except OSError as error:
        raise KeyFileError(
            f"cannot read the server key file {path}: {error.strerror or error}"
        ) from None
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != SecretBox.KEY_SIZE:
        raise KeyFileError(
            f"the server key file {path} does not hold a veche server key (64 hexadecimal "
            "digits); restore the key file this server was given, or point VECHE_KEY_FILE at it"
        )
    return secret


def _make(path: Path) -> bytes:
    try:
        return _write_new_key(path)
    except OSError as error:
        raise KeyFileError(
            f"cannot make the server key file {path}: {error.strerror or error}; set "
            "VECHE_KEY_FILE to a file in a folder that the user veche runs as may write to"
        ) from None


def _write_new_key(path: Path) -> bytes:
    secret = random_bytes(SecretBox.KEY_SIZE)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole to a file of this process's own, owner-only, then linked into place:
    # the key is never readable by others, and of two processes starting at once the
    # second finds the first one's complete file and uses it.
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret.hex() + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        return _read_or_make(path)
    finally:
        draft.unlink()
    return secret
