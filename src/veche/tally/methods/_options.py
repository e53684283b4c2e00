"""Method options read from what a user typed: exact fractions, choices, counts and switches."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from veche.tally.errors import TallyError


def fraction_option(name: str, value: Any) -> Fraction:
    """An exact fraction from ``"2/3"``, ``"0.0325"``, ``"3.25/100"``, an int or a Fraction.

    A float is read through its shortest decimal form, so ``0.0325`` means
    13/400 (what was typed), not the binary number nearest to it.
    """
    if isinstance(value, bool):
        raise TallyError(f"option {name} must be a number such as '2/3', not {value!r}")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        numerator, _, denominator = value.strip().partition("/")
        try:
            parsed = Fraction(Decimal(numerator.strip()))
            if denominator:
                parsed /= Fraction(Decimal(denominator.strip()))
        except (InvalidOperation, ValueError, ZeroDivisionError):
            pass
        else:
            return parsed
    raise TallyError(
        f"option {name} must be a number such as '2/3', '0.0325' or '3.25/100', not {value!r}"
    )


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
