"""Whole numbers written as text — in a form's field, a file's cell, a command's argument:
ASCII digits, and not absurdly many of them.

Python's own tests let through text that ``int`` then refuses with a ValueError, which
became a 500 or a traceback: ``str.isdigit`` takes "²", and ``int`` refuses any text of
more than 4,300 digits. (``str.isdecimal`` and the regular expression ``\\d`` take "٣",
which ``int`` reads as 3, but only in some places, so the same number was read in one and
refused in the next.) Whatever reads a count, an id, a rank or a score from text reads it
here, and refuses the same text the same way.
"""

from __future__ import annotations

#: The most digits (leading zeros aside) of a count, an id, a rank or a score: so every
#: number read here fits a database integer (2**63 - 1 has 19 digits), and ``int`` never
#: sees text of thousands of them.
MOST_DIGITS = 18


def digits_only(text: str) -> bool:
    """Whether ``text`` is written in ASCII digits alone, however many: a number, if perhaps
    too large a one (to say which of the two a refusal is about)."""
    return text.isascii() and text.isdigit()


def whole_number(text: str) -> int | None:
    """``text`` as a number from 0, if it is ASCII digits (no sign, no spaces: the caller
    strips them) and at most ``MOST_DIGITS`` of them; otherwise None."""
    if digits_only(text) and len(text.lstrip("0")) <= MOST_DIGITS:
        return int(text)
    return None


def signed_number(text: str) -> int | None:
    """``text`` as a whole number that may be negative: ``whole_number`` after an optional
    ``+`` or ``-``."""
    sign, digits = (text[0], text[1:]) if text[:1] in ("+", "-") else ("+", text)
    number = whole_number(digits)
    if number is None:
        return None
    return -number if sign == "-" else number
