"""What a new password must be: long enough, or a passphrase, and not a common one.

The rule, for every password an account is given (created, reset, changed, set up):

- **Long enough:** at least 12 characters, spaces not counted (spaces cost a guesser
  nothing), **or** a **passphrase** of at least 4 words, each of 2 or more characters,
  separated by spaces ("rain on the rooftops").
- **Not common:** not one of the common passwords in ``data/common-passwords.txt``, nor one
  of them with digits or symbols added before or after it ("password2024!"): those are
  what a guesser tries first. Compared without case and without spaces.
- **Not the user name** (nor it with digits or symbols added), not one character or two
  repeated over and over (at least 5 different characters), no space at either end (easily lost in typing), and at most
  ``MAX_LENGTH`` characters, what the login forms take.

The list is Django's (20,000 common passwords, lowercased, compiled by Royce Williams from
leaked password lists), under the BSD licence in ``data/common-passwords.LICENSE``;
``data/README.md`` says where it comes from. Nothing here touches the database: the rule
is checked before anything is hashed or stored.
"""

from __future__ import annotations

import functools
import string
from importlib import resources

from veche.errors import InvalidInput

MIN_LENGTH = 12
MIN_WORDS = 4
MIN_WORD_LENGTH = 2
MIN_DIFFERENT = 5
#: The login page and ``POST /api/tokens`` take passwords up to this long.
MAX_LENGTH = 200
#: A common password's core shorter than this ("x" in "x9$#@!%^&*()") says nothing.
_MIN_CORE = 4
_TRIMMED = string.digits + string.punctuation

#: What the rule asks, as the refusals and the forms say it.
RULE = (
    f"at least {MIN_LENGTH} characters (spaces not counted), or a passphrase of at least "
    f"{MIN_WORDS} words separated by spaces; not a common password"
)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lowercased and without spaces, read once per process."""
    text = (
        resources.files("veche").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    )
    return frozenset(_squeezed(line) for line in text.splitlines() if line.strip())


def _squeezed(text: str) -> str:
    return "".join(text.lower().split())


def _plain_forms(password: str) -> set[str]:
    """The password without case and spaces, and its core without the digits and symbols
    at its ends ("Password2024!" → "password"), when that core is long enough to tell."""
    squeezed = _squeezed(password)
    core = squeezed.strip(_TRIMMED)
    return {squeezed, core} if len(core) >= _MIN_CORE else {squeezed}


def is_common(password: str) -> bool:
    """Whether the password, or its core without digits and symbols at its ends, is listed."""
    return not _plain_forms(password).isdisjoint(common_passwords())


def is_passphrase(password: str) -> bool:
    words = password.split()
    return len(words) >= MIN_WORDS and all(len(word) >= MIN_WORD_LENGTH for word in words)


def check_new_password(password: str, username: str | None = None) -> str:
    """The password, if it may be given to an account (``username``'s); InvalidInput saying
    what is wrong with it otherwise."""
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"a password is at most {MAX_LENGTH} characters")
    if password != password.strip():
        raise InvalidInput("a password must not begin or end with a space")
    if len(_squeezed(password)) < MIN_LENGTH and not is_passphrase(password):
        raise InvalidInput(
            f"a password must have at least {MIN_LENGTH} characters (spaces not counted), or "
            f"be a passphrase of at least {MIN_WORDS} words separated by spaces"
        )
    if len(set(password)) < MIN_DIFFERENT:
        raise InvalidInput(f"a password must use at least {MIN_DIFFERENT} different characters")
    if username and _squeezed(username) in _plain_forms(password):
        raise InvalidInput("a password must not be the user name")
    if is_common(password):
        raise InvalidInput(
            "this password is one of the most common ones (or one with digits or symbols "
            "added), which are guessed first; choose another"
        )
    return password
