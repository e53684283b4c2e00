"""The rule every new password meets: long enough or a passphrase, and not a common one."""

from __future__ import annotations

from importlib import resources

import pytest

from veche.errors import InvalidInput
from veche.passwords import MAX_LENGTH, check_new_password, common_passwords, is_common


@pytest.mark.parametrize(
    "password",
    [
        "correct horse",  # 12 characters without its space
        "riverlands-demo",
        "rain on the rooftops",
        "my cat is old",  # a passphrase of four words, 10 characters without spaces
        "Zq8#tv0!Lm2p",
        "ä" * 3 + "ö" * 3 + "ü" * 3 + "ß" * 3 + "é",
    ],
)
def test_a_long_password_or_a_passphrase_is_taken(password: str) -> None:
    assert check_new_password(password, "nina") == password


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 12 characters"),
        ("long enough", "at least 12 characters"),  # two words are no passphrase
        ("a b c d e f", "at least 12 characters"),  # nor are words of one letter
        ("owl   map   tin", "at least 12 characters"),  # spaces do not count
        ("aaaaaaaaaaaaaaaa", "5 different characters"),
        ("abababababababab", "5 different characters"),
        (" leading space here", "begin or end with a space"),
        ("trailing space here ", "begin or end with a space"),
        ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH}"),
        ("qwerty123456", "most common"),  # listed as it is
        ("1q2w3e4r5t6y", "most common"),
        ("Password2024!", "most common"),  # a listed one with digits and symbols added
        ("!!dragon!!1234", "most common"),
        ("Friend Of Emily", "most common"),  # case and spaces do not matter
        ("Nina20242025!!", "user name"),
        ("nina 123456789", "user name"),
    ],
)
def test_a_weak_password_is_refused_saying_why(password: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        check_new_password(password, "Nina")


def test_the_common_passwords_are_shipped_with_their_licence() -> None:
    data = resources.files("veche").joinpath("data")
    assert "BSD" not in data.joinpath("common-passwords.txt").read_text(encoding="utf-8")[:100]
    licence = data.joinpath("common-passwords.LICENSE").read_text(encoding="utf-8")
    assert "Django Software Foundation" in licence
    assert "common-passwords.LICENSE" in data.joinpath("README.md").read_text(encoding="utf-8")
    listed = common_passwords()
    assert len(listed) > 19_000 and "123456" in listed and "password" in listed


def test_a_core_too_short_to_tell_anything_is_not_held_against_a_password() -> None:
    """ "x" may be listed, but "x" with random digits and symbols around it is no common one."""
    assert not is_common("x9$#@!%^&*()7")
