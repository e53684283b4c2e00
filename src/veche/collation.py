"""Natural order for names and titles: "Item 2" before "Item 10", "élan" beside "Elan"."""

from __future__ import annotations

import re
import unicodedata

from veche.folding import fold

_DIGITS = re.compile(r"(\d+)")

#: A number as (how many digits, the digits): compared like its value, however long.
Number = tuple[int, str]
NaturalKey = tuple[tuple[str | Number, ...], str]


def natural_key(text: str) -> NaturalKey:
    """A sort key that orders runs of digits by their value and letters without regard to
    case or accents.

    The folded parts alternate, text first, so the parts compared at one position are
    always both text or both numbers. The text itself comes last, so strings that fold
    alike ("Ada" and "ada", "2" and "02") still sort one way whatever order they came in.
    """
    if text.isascii():
        # Most names: nothing to decompose, and lower() is casefold() for ASCII. A report
        # sorts thousands of them.
        folded = text.lower()
    else:
        # Case folded first: a capital may fold to letters with accents ("ῺΙ" to "ὼι").
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    parts = _DIGITS.split(folded)
    return (tuple(_number(part) if n % 2 else part for n, part in enumerate(parts)), text)


def _number(digits: str) -> Number:
    # Digits of any script, as ASCII; not int(), which refuses thousands of digits.
    if not digits.isascii():
        digits = "".join(str(unicodedata.digit(c)) for c in digits)
    value = digits.lstrip("0")
    return (len(value), value)


def typed_name(name: str) -> str:
    """A name as a typed name matches it: in any case, its spaces as they come ("  ada
    LOVELACE" is "ada lovelace"); folded as the database searches fold it
    (``veche.folding``), so that a name the search finds is the name matched here."""
    return fold(" ".join(name.split()))
