"""The rule every span of days keeps, whatever it spans: it does not end before it starts."""

from __future__ import annotations

from datetime import date

from veche.errors import InvalidInput


def check_span(what: str, starts: date | None, ends: date | None) -> None:
    """Refuse (422) ``what`` (a term, a seat, a meeting, a period) if it would end before it
    starts; a day not given (an open end, a seat from the start) bounds nothing."""
    if starts is not None and ends is not None and ends < starts:
        raise InvalidInput(f"{what} cannot end ({ends}) before it starts ({starts})")
