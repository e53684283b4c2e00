"""Small phrases the reports share: dates, durations, lists of names."""

from __future__ import annotations

from datetime import date

from veche.i18n import _


def day(value: date) -> str:
    """16 June 2026."""
    return f"{value.day} {_(value.strftime('%B'))} {value.year}"


def days(first: date, last: date) -> str:
    if first == last:
        return _("on {day}").format(day=day(first))
    return _("from {first} to {last}").format(first=day(first), last=day(last))


def duration(seconds: int | None) -> str:
    """12:05 for twelve minutes and five seconds; a dash when not recorded."""
    if seconds is None:
        return "—"
    return f"{seconds // 60}:{seconds % 60:02d}"


def names(people: list[str]) -> str:
    if len(people) <= 1:
        return "".join(people)
    return _("{first} and {last}").format(first=", ".join(people[:-1]), last=people[-1])


KINDS = {
    "report": "report",
    "co_report": "co-report",
    "speech": "speech",
    "point_of_order": "point of order",
}


def kind(value: str) -> str:
    return _(KINDS.get(value, value.replace("_", " ")))
