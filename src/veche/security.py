"""Password hashing with argon2id, a few hashes at a time."""

from __future__ import annotations

import functools
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

#: How many hashes this process computes at once; the others wait for a turn. Each one
#: takes 64 MiB (argon2id's memory cost) and a core for a fifth of a second or so: a flood
#: of logins thus holds at most 256 MiB here and queues, where a hash per request would
#: take memory until there is none. More at once would not log anyone in sooner unless
#: the server has more than four cores to spare.
HASHES_AT_ONCE = 4
_turns = threading.BoundedSemaphore(HASHES_AT_ONCE)


def hash_password(password: str) -> str:
    with _turns:
        return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one hashed. Without a hash (no such account) it is still
    checked, against the hash of no one's password, and is False: an unknown name costs
    the time a wrong password costs, so timing does not tell which names exist."""
    with _turns:
        hasher = _hasher  # read once: tests swap in a cheaper one
        try:
            hasher.verify(password_hash or _hash_of_no_one(hasher), password)
        except (VerificationError, InvalidHashError):
            return False
        return bool(password_hash)


@functools.cache
def _hash_of_no_one(hasher: PasswordHasher) -> str:
    """A hash made with ``hasher``'s parameters, so that checking against it costs the same."""
    return hasher.hash(secrets.token_urlsafe(32))
