"""The lists a secretary takes away as CSV files: the attendance register by day with each
participant's capacity, the roll-calls of named votes, the results of the polls. The desk
and the API offer the same files, read by the same queries under the same permissions.

The files are UTF-8 without a byte-order mark, one header row, fields quoted where they
need it and lines ended by CR LF (RFC 4180). A text cell that a spreadsheet would take for
a formula (=, +, -, @ first) is written with an apostrophe before it, so that opening the
file runs nothing a name or a title smuggled in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_meeting
from veche.actions.polls import voted_how
from veche.errors import InvalidInput
from veche.i18n import _
from veche.method_names import method_name
from veche.models.polls import VoteBy
from veche.permissions import Permission
from veche.queries.count_rounds import count_facts
from veche.queries.desk import attendance_register, poll_results, roll_calls
from veche.queries.record import choice_words, meeting_days
from veche.reports._words import capacity

#: What a spreadsheet reads as the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class CsvFile:
    """A file to download: its name and its text."""

    name: str
    text: str


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The rows under the header as CSV (see the module's docstring); None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(name) for name in header])
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def unguarded(text: str) -> str:
    """A cell's text as it was before the export guarded it with an apostrophe (``_cell``):
    a file written here, and edited in a spreadsheet, reads back as the same values."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def attendance_file(
    session: Session, caller: Caller, meeting_id: int, day: date | None = None
) -> CsvFile:
    """Everyone invited, by name, with their role, capacity and office, and their attendance
    on each day of the meeting (or on ``day`` alone): "present" (there at the day's end),
    "checked out" (came, and left before its end) or "absent"."""
    meeting = access_meeting(session, caller, meeting_id, needs=Permission.ATTENDANCE_RECORD)
    days = meeting_days(meeting)
    if day is not None:
        if day not in days:
            raise InvalidInput(
                _("%(day)s is not a day of the meeting, which sits from %(first)s to %(last)s")
                % {"day": day.isoformat(), "first": days[0], "last": days[-1]}
            )
        days = [day]
    register = attendance_register(session, meeting, days)
    header = [_("Name"), _("Role"), _("Category"), _("Capacity"), _("Office"), _("Weight")]
    header += [d.isoformat() for d in days]
    rows = (
        [
            row.full_name,
            _(row.role),
            row.category,
            capacity(row.capacity),
            _(row.office) if row.office else "",
            row.weight,
            *(_(on.value) for on in row.attendance),
        ]
        for row in register.rows
    )
    name = f"attendance-{day or meeting.starts_on}.csv"
    return CsvFile(name, csv_text(header, rows))


def roll_calls_file(session: Session, caller: Caller, meeting_id: int) -> CsvFile:
    """Each named vote of the polls whose result the caller may see: poll, voter, choice."""
    meeting = access_meeting(session, caller, meeting_id)
    header = [_("Poll"), _("Day"), _("Voter"), _("Choice"), _("Weight"), _("Cast by")]
    rows = (
        [vote.poll, vote.day, vote.voter, choice_words(vote.choice), vote.weight, vote.cast_by]
        for vote in roll_calls(session, caller, meeting)
    )
    return CsvFile(f"roll-calls-{meeting.starts_on}.csv", csv_text(header, rows))


def results_file(session: Session, caller: Caller, meeting_id: int) -> CsvFile:
    """The polls whose result the caller may see, a row per option with its votes in the
    first count, and whether it was elected; a row more for the blank votes of a vote by
    ballot. How each poll was voted is said in the pages' words (``voted_how``): a secretary
    sends the file out, and a reader must tell a secret ballot from a named one. Its ballots
    count each one once, whatever its weight (the votes give weights); its outcome says a
    tie a lot settled."""
    meeting = access_meeting(session, caller, meeting_id)
    found = poll_results(session, caller, meeting)
    facts = count_facts(session, meeting.id, weights=False)
    header = [
        _("Agenda item"),
        _("Poll"),
        _("Counted by"),
        _("Majority"),
        _("Vote by"),
        _("Day"),
        _("Ballots"),
        _("Outcome"),
        _("Option"),
        _("Votes"),
        _("Elected"),
    ]
    rows = []
    for poll in found.polls:
        fact = facts[poll.id]
        item = found.items.get(poll.agenda_item_id) if poll.agenda_item_id else None
        about = [
            f"{item[0]}. {item[1]}" if item else (_("The agenda") if poll.approves_agenda else ""),
            poll.title,
            method_name(poll.method),
            poll.vote.rule if poll.vote and poll.vote.rule else "",
            _(voted_how(poll.vote_by, poll.secrecy)),
            poll.day,
            fact.ballots,
            fact.outcome or "",
        ]
        options = list(poll.tallies.items()) or [("", "")]
        if poll.vote_by == VoteBy.BALLOT.value:
            options.append(("blank", str(fact.blank)))
        for option, votes in options:
            # A decision's options are words (yes, no, abstain), as is a blank vote; others
            # are names, kept.
            label = (
                _(option) if option and (poll.kind == "decision" or option == "blank") else option
            )
            elected = _("elected") if option in poll.elected else ""
            rows.append([*about, label, _votes(votes), elected])
    return CsvFile(f"results-{meeting.starts_on}.csv", csv_text(header, rows))


def _votes(text: str) -> str:
    """A count as people write it: "4" for "4.00000", "2.5" for "2.50000"."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text
