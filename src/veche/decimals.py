"""Decimal numbers written as text — a figure in a report, a target, a weight: ASCII digits,
an optional sign, point and exponent, as ``whole_numbers`` reads whole ones.

``Decimal`` itself reads more than anyone means to write: "1_000" as 1000 (Python's digit
grouping), "١٢٣" and full-width "１２３" as 123, and "NaN" or "Infinity". A figure typed so
was stored as a number nobody typed, or refused in one place and taken in the next.
"""

from __future__ import annotations

import re
from decimal import Decimal

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)


def decimal_number(text: str) -> Decimal | None:
    """``text`` as a decimal number, if it is written in ASCII digits with at most a sign, a
    point and an exponent (blank ends aside); otherwise None."""
    written = text.strip()
    return Decimal(written) if _DECIMAL.fullmatch(written) else None
