"""Exact numbers for counts: integers, fixed-point decimals and fractions, never floats."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

#: A vote total as a count reports it. Floats are never used: a court may read the count.
Number = int | Decimal | Fraction


def number_to_json(value: Number) -> int | str:
    """Integers stay numbers; decimals and fractions become exact strings ("12.50000", "7/3")."""
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
    # Never E notation: str(Decimal("0.000000000")) is "0E-9", no way to show a count.
    return format(value, "f")


def number_from_json(value: int | str) -> Number:
    """The inverse of :func:`number_to_json`."""
    if isinstance(value, int):
        return value
    if "/" in value:
        return Fraction(value)
    if "." in value or "E" in value.upper():
        return Decimal(value)
    return int(value)


def format_number(value: Number, places: int | None = None) -> str:
    """A number as a returning officer would read it aloud; fractions as decimals when asked."""
    if isinstance(value, Fraction) and places is not None:
        scaled = value * 10**places
        whole = scaled.numerator // scaled.denominator
        sign = "-" if whole < 0 else ""
        digits = str(abs(whole)).rjust(places + 1, "0")
        return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{sign}{digits}"
    return number_to_json(value).__str__()
