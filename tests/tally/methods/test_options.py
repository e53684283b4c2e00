"""Options typed by a user: an exact number, or a TallyError that says what was wrong."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.tally.errors import TallyError
from veche.tally.methods._options import MOST_DIGITS, fraction_option


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("2/3", Fraction(2, 3)), ("0.0325", Fraction(13, 400)), ("3.25/100", Fraction(13, 400))],
)
def test_shares_are_read_exactly(typed: str, expected: Fraction) -> None:
    assert fraction_option("share", typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["1" * 5000, 10**5000, "1e999999999", "1/1e-999999", "inf", "nan", "1/0", "2/3/4"],
    ids=[
        "5000-digits",
        "5000-digit-int",
        "huge-exponent",
        "tiny-divisor",
        "inf",
        "nan",
        "1/0",
        "2/3/4",
    ],
)
def test_numbers_too_long_or_not_numbers_are_refused(typed: object) -> None:
    with pytest.raises(TallyError, match="option share"):
        fraction_option("share", typed)


@given(st.one_of(st.text(max_size=200), st.integers(), st.floats(allow_nan=True)))
def test_any_typed_value_is_a_fraction_or_a_refusal(typed: object) -> None:
    try:
        value = fraction_option("share", typed)
    except TallyError:
        return
    assert isinstance(value, Fraction)
    # What is accepted is small enough to store and print.
    assert len(str(value.numerator)) + len(str(value.denominator)) <= 4 * MOST_DIGITS + 40
