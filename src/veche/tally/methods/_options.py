"""Method options read from what a user typed: exact fractions, choices, counts and switches."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from veche.tally.errors import TallyError

#: The most digits a number typed as an option may have. A share or a threshold needs a few;
#: "1e999999999" or five thousand digits would cost minutes to work with, or fail to print.
MOST_DIGITS = 30


def fraction_option(name: str, value: Any) -> Fraction:
    """An exact fraction from ``"2/3"``, ``"0.0325"``, ``"3.25/100"``, an int or a Fraction.

    A float is read through its shortest decimal form, so ``0.0325`` means
    13/400 (what was typed), not the binary number nearest to it. Typed numbers have at
    most ``MOST_DIGITS`` digits, exponents included.
    """
    if isinstance(value, bool):
        raise TallyError(f"option {name} must be a number such as '2/3', not {value!r}")
    if isinstance(value, int) and abs(value) >= 10**MOST_DIGITS:
        raise TallyError(f"option {name} has more than {MOST_DIGITS} digits")
    if isinstance(value, str) and len(value) > 2 * MOST_DIGITS + 1:
        raise TallyError(f"option {name} has more than {MOST_DIGITS} digits")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        value = repr(value)  # read as typed, below
    if isinstance(value, str):
        numerator, _, denominator = value.strip().partition("/")
        try:
            parsed = Fraction(_typed_decimal(name, numerator))
            if denominator:
                parsed /= Fraction(_typed_decimal(name, denominator))
        except (InvalidOperation, ValueError, ZeroDivisionError):
            pass
        else:
            return parsed
    raise TallyError(
        f"option {name} must be a number such as '2/3', '0.0325' or '3.25/100', not {value!r}"
    )


def _typed_decimal(name: str, text: str) -> Decimal:
    """A finite decimal of at most ``MOST_DIGITS`` digits; ValueError for anything else."""
    number = Decimal(text.strip())
    if not number.is_finite() or abs(int(number.as_tuple().exponent)) > MOST_DIGITS:
        raise ValueError(text)
    return number


def choice_option(name: str, value: Any, choices: Collection[str]) -> str:
    if value not in choices:
        raise TallyError(f"option {name} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def bool_option(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TallyError(f"option {name} must be true or false, not {value!r}")
    return value


def count_option(name: str, value: Any) -> int:
    """A whole number of people or votes, zero or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TallyError(f"option {name} must be a whole number, zero or more, not {value!r}")
    return value
