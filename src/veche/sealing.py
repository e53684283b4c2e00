"""Sealed ballots: a secret poll's choices are unreadable at rest until the poll is counted.

While a secret poll is open, each ballot is stored sealed with the poll's public key
(libsodium's public-key box: X25519 and XSalsa20-Poly1305, through PyNaCl, from a sealing
key pair that lives a second in memory; see ``seal``). The poll's private
key is stored only wrapped (encrypted) with the server's key, which lives in a file outside
the database (``VECHE_KEY_FILE``). Whoever holds every byte of the database — its file, its
write-ahead log, its dead rows, any backup — therefore holds ciphertext and a wrapped key,
and neither opens without the key file. At close the ballots are opened, stored in a random
order with nothing that names their voter, and the poll's wrapped key is deleted.

The key file is made on first need (32 random bytes, readable by its owner only). Lose it
and the ballots of polls still open cannot be counted; keep it out of the database's
backups, or whoever has both can read the ballots of the polls open when the backup was made.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox
from nacl.utils import random as random_bytes

from veche.errors import Conflict

#: Sealed ballots are padded to a multiple of this many bytes, and to the longest ballot the
#: poll allows: the length of a sealed ballot then says nothing of what it holds (a blank
#: ballot or a short ranking would otherwise be told apart by its size).
PAD_BLOCK = 256


class ServerKey:
    """The key that wraps every poll's private key, read from its file."""

    def __init__(self, secret: bytes, path: Path) -> None:
        self._box = SecretBox(secret)
        self.path = path
        self._public_keys: dict[bytes, str] = {}  # wrapped poll key → its public key

    def new_poll_key(self) -> tuple[str, bytes]:
        """A fresh key pair for one poll: its public key (hex, stored in the clear) and its
        private key wrapped with this server key (stored until the poll is counted)."""
        private = PrivateKey.generate()
        return bytes(private.public_key).hex(), self._box.encrypt(bytes(private))

    def public_key_of(self, wrapped: bytes) -> str | None:
        """The public key (hex) of the poll key ``wrapped`` holds; None if this server key
        did not wrap it. Only the server key's holder can wrap a key, so a public key in the
        database that is not this one was put there by someone else."""
        known = self._public_keys.get(wrapped)
        if known is None:
            try:
                private = PrivateKey(self._box.decrypt(wrapped))
            except CryptoError:
                return None
            if len(self._public_keys) > 256:
                self._public_keys.clear()
            known = self._public_keys[wrapped] = bytes(private.public_key).hex()
        return known

    def opener(self, wrapped: bytes, poll_id: int) -> Callable[[bytes], dict[str, Any]]:
        """What opens the sealed ballots of the poll whose private key is ``wrapped``."""
        try:
            private = PrivateKey(self._box.decrypt(wrapped))
        except CryptoError:
            raise Conflict(
                f"poll {poll_id}'s ballots were sealed under another server key than the one "
                f"in {self.path}; restore the key file this server used when the poll was "
                "opened (VECHE_KEY_FILE), then close the poll again"
            ) from None
        boxes: dict[bytes, Box] = {}  # one exchange per sealing key, not per ballot

        def open_ballot(sealed: bytes) -> dict[str, Any]:
            ephemeral = sealed[: PublicKey.SIZE]
            box = boxes.get(ephemeral)
            if box is None:
                box = boxes[ephemeral] = Box(private, PublicKey(ephemeral))
            content: dict[str, Any] = json.loads(box.decrypt(sealed[PublicKey.SIZE :]).rstrip(b" "))
            return content

        return open_ballot


def seal(public_key: str, content: dict[str, Any], padded_to: int) -> bytes:
    """``content`` as JSON, padded with spaces to ``padded_to`` bytes or the next block,
    encrypted to the poll's public key: a sealing key's public half, then the box."""
    plain = json.dumps(content, separators=(",", ":")).encode()
    size = max(padded_to, PAD_BLOCK * math.ceil(len(plain) / PAD_BLOCK))
    box, ephemeral = _sealer(public_key)
    return ephemeral + box.encrypt(plain.ljust(size))  # a random nonce of its own


#: How long one sealing key pair serves a poll before another is made. A sealed box per
#: ballot (a key pair and a Diffie-Hellman each) cost a congress's burst of ballots about
#: as much as storing them; a key pair per second costs one exchange per second, and the
#: ballots sealed under it say no more than the rights' rows do: that they came in the
#: same second. Its private half lives in this process's memory only, and for that second.
SEALER_LIFETIME = 1.0
_sealers: dict[str, tuple[float, Box, bytes]] = {}


def _sealer(public_key: str) -> tuple[Box, bytes]:
    now = time.monotonic()
    found = _sealers.get(public_key)
    if found is None or now - found[0] > SEALER_LIFETIME:
        if len(_sealers) > 256:
            _sealers.clear()
        ephemeral = PrivateKey.generate()
        box = Box(ephemeral, PublicKey(bytes.fromhex(public_key)))
        found = _sealers[public_key] = (now, box, bytes(ephemeral.public_key))
    return found[1], found[2]


def padded_size(options: int) -> int:
    """Room for the longest ballot of a poll with ``options`` options (a full ranking or a
    score for each, every number up to ten digits) and its receipt, in whole blocks."""
    longest = 120 + 26 * options
    return PAD_BLOCK * math.ceil(longest / PAD_BLOCK)


_loaded: dict[Path, ServerKey] = {}
_loading = threading.Lock()


def configured_server_key() -> ServerKey:
    """The server key of the file the settings name (``VECHE_KEY_FILE``)."""
    from veche.config import Settings

    return server_key(Settings().key_file)


def server_key(path: Path) -> ServerKey:
    """The server key in ``path``, made there (owner-only) if the file does not exist yet."""
    path = path.expanduser().resolve()
    with _loading:
        key = _loaded.get(path)
        if key is None:
            key = _loaded[path] = ServerKey(_read_or_make(path), path)
        return key


def _read_or_make(path: Path) -> bytes:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return _make(path)
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != SecretBox.KEY_SIZE:
        raise Conflict(
            f"the key file {path} does not hold a veche server key (64 hexadecimal digits)"
        )
    return secret


def _make(path: Path) -> bytes:
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
