"""Sealed ballots: a secret poll's choices are unreadable at rest until the poll is counted.

While a secret poll is open, each ballot is stored sealed with the poll's public key
(libsodium's public-key box: X25519 and XSalsa20-Poly1305, through PyNaCl) by a sealing key
pair the server key makes for the poll (``ServerKey.seal``): the count opens only ballots
that key sealed, so that one written into the database by someone who knows the poll's
public key alone — which anyone can read there — is found, not counted. The poll's private
key is stored only wrapped (encrypted) with the server's key, which lives in a file outside
the database (``VECHE_KEY_FILE``). Whoever holds every byte of the database — its file, its
write-ahead log, its dead rows, any backup — therefore holds ciphertext and a wrapped key,
and neither opens without the key file. At close the ballots are opened, stored in a random
order with nothing that names their voter, and the poll's wrapped key is deleted.

The key file is made on first need (32 random bytes, readable by its owner only); ``veche
serve`` reads it, or makes it, before it serves, and never makes a new one while the
database holds the wrapped keys of open polls (``veche.cli``). Lose it
and the ballots of polls still open cannot be counted; keep it out of the database's
backups, or whoever has both can read the ballots of the polls open when the backup was made.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


#: Marks a poll key wrapped since ballots are sealed by the server's own sealing key for the
#: poll: its ballots must carry that key's public half, which only the server key makes.
#: A key wrapped before (32 bytes alone) opens ballots sealed by any key, as it did.
_SERVER_SEALED = b"\x02"


class ServerKey:
    """The key that wraps every poll's private key, read from its file; it also makes the
    key pair each poll's ballots are sealed with, so that a ballot sealed by anyone else —
    who needs only the poll's public key, stored in the clear — is told apart at the count."""

    def __init__(self, secret: bytes, path: Path) -> None:
        self._secret = secret
        self._box = SecretBox(secret)
        self.path = path
        self._public_keys: dict[bytes, str] = {}  # wrapped poll key → its public key
        self._sealers: dict[str, tuple[Box, bytes]] = {}  # poll's public key → its sealer

    def new_poll_key(self) -> tuple[str, bytes]:
        """A fresh key pair for one poll: its public key (hex, stored in the clear) and its
        private key wrapped with this server key (stored until the poll is counted)."""
        private = PrivateKey.generate()
        return bytes(private.public_key).hex(), self._box.encrypt(bytes(private) + _SERVER_SEALED)

    def _unwrap(self, wrapped: bytes) -> tuple[PrivateKey, bool]:
        """The poll's private key, and whether its ballots must be sealed by this server;
        CryptoError if this server key did not wrap it."""
        plain = self._box.decrypt(wrapped)
        return PrivateKey(plain[: PrivateKey.SIZE]), plain[PrivateKey.SIZE :] == _SERVER_SEALED

    def _sealing_key(self, poll_public: bytes) -> PrivateKey:
        """The key pair the server seals one poll's ballots with, made from this server key
        and the poll's public key: the same in every process, and only where the key file is."""
        seed = blake2b(
            poll_public,
            key=self._secret,
            person=b"veche-sealing",
            digest_size=32,
            encoder=RawEncoder,
        )
        return PrivateKey(seed)

    def public_key_of(self, wrapped: bytes) -> str | None:
        """The public key (hex) of the poll key ``wrapped`` holds; None if this server key
        did not wrap it. Only the server key's holder can wrap a key, so a public key in the
        database that is not this one was put there by someone else."""
        known = self._public_keys.get(wrapped)
        if known is None:
            try:
                private, _server_sealed = self._unwrap(wrapped)
            except CryptoError:
                return None
            if len(self._public_keys) > 256:
                self._public_keys.clear()
            known = self._public_keys[wrapped] = bytes(private.public_key).hex()
        return known

    def seal(self, public_key: str, content: dict[str, Any], padded_to: int) -> bytes:
        """``content`` as JSON, padded with spaces to ``padded_to`` bytes or the next block,
        encrypted to the poll's public key by the poll's sealing key: that key's public
        half, then the box (with a random nonce of its own)."""
        plain = json.dumps(content, separators=(",", ":")).encode()
        size = max(padded_to, PAD_BLOCK * math.ceil(len(plain) / PAD_BLOCK))
        found = self._sealers.get(public_key)
        if found is None:
            poll_public = bytes.fromhex(public_key)
            sealing = self._sealing_key(poll_public)
            if len(self._sealers) > 256:
                self._sealers.clear()
            box = Box(sealing, PublicKey(poll_public))
            found = self._sealers[public_key] = (box, bytes(sealing.public_key))
        box, sealed_by = found
        return sealed_by + box.encrypt(plain.ljust(size))

    def opener(self, wrapped: bytes, poll_id: int) -> Callable[[bytes], dict[str, Any]]:
        """What opens the sealed ballots of the poll whose private key is ``wrapped``; a
        ballot the server did not seal (its sealing key's half is not the poll's) is refused."""
        try:
            private, server_sealed = self._unwrap(wrapped)
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
        sealed_by = (
            bytes(self._sealing_key(bytes(private.public_key)).public_key)
            if server_sealed
            else None
        )
        boxes: dict[bytes, Box] = {}  # one exchange per sealing key, not per ballot

        def open_ballot(sealed: bytes) -> dict[str, Any]:
            ephemeral = sealed[: PublicKey.SIZE]
            if sealed_by is not None and ephemeral != sealed_by:
                raise Conflict(
                    f"a ballot of poll {poll_id} was not sealed by this server: it was put in "
                    "the database by someone else, so the poll is not counted; cancel it and "
                    "vote again"
                )
            box = boxes.get(ephemeral)
            if box is None:
                box = boxes[ephemeral] = Box(private, PublicKey(ephemeral))
            content: dict[str, Any] = json.loads(box.decrypt(sealed[PublicKey.SIZE :]).rstrip(b" "))
            return content

        return open_ballot


#: The server key each poll's ballots are sealed by, read once a poll: reading the settings
#: for every ballot of a burst would cost as much as sealing it.
_sealing_for: dict[str, ServerKey] = {}


def seal(public_key: str, content: dict[str, Any], padded_to: int) -> bytes:
    """``content`` sealed for the poll of ``public_key`` by this server (``ServerKey.seal``)."""
    key = _sealing_for.get(public_key)
    if key is None:
        if len(_sealing_for) > 256:
            _sealing_for.clear()
        key = _sealing_for[public_key] = configured_server_key()
    return key.seal(public_key, content, padded_to)


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
