"""Whole numbers typed as text: read alike wherever they are read, and never a ValueError."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from veche.whole_numbers import MOST_DIGITS, signed_number, whole_number

#: A database integer (PostgreSQL's bigint, SQLite's INTEGER) holds at most this.
LARGEST_STORED = 2**63 - 1


@given(st.text())
def test_any_text_is_a_number_or_none_never_an_error(text: str) -> None:
    number = whole_number(text)
    if number is not None:
        assert text.isascii() and text.isdigit()
        assert number == int(text)
        assert 0 <= number <= LARGEST_STORED


@given(st.integers(min_value=0, max_value=10**MOST_DIGITS - 1), st.integers(0, 3))
def test_every_number_of_at_most_most_digits_is_read_with_its_leading_zeros(
    number: int, zeros: int
) -> None:
    assert whole_number("0" * zeros + str(number)) == number


def test_what_python_calls_a_digit_is_not_always_one_of_ours() -> None:
    # "²".isdigit() is true and int("²") fails; "٣" (Arabic-Indic three) int() reads as 3,
    # but no form, file or argument of ours is written in it.
    for text in ("²", "1²", "٣", "١٢", "3 ", " 3", "+3", "-3", "3.0", "", "0x10", "1_000"):
        assert whole_number(text) is None, text


def test_more_digits_than_a_stored_number_holds_are_refused_without_reading_them() -> None:
    assert whole_number("9" * MOST_DIGITS) == 10**MOST_DIGITS - 1
    assert whole_number("9" * (MOST_DIGITS + 1)) is None
    assert whole_number("0" * 100 + "7") == 7
    assert whole_number("9" * 100_000) is None  # int() would refuse past 4,300 digits


@given(st.integers(min_value=-(10**MOST_DIGITS) + 1, max_value=10**MOST_DIGITS - 1))
def test_a_signed_number_reads_back_as_written(number: int) -> None:
    assert signed_number(str(number)) == number
    if number >= 0:
        assert signed_number(f"+{number}") == number


def test_a_sign_alone_or_twice_is_no_number() -> None:
    for text in ("-", "+", "--3", "+-3", "-²", "- 3", "-" + "9" * (MOST_DIGITS + 1)):
        assert signed_number(text) is None, text
