"""Importing people and memberships from a secretary's CSV file, all rows or none."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from veche.actions.access import Caller, authorize
from veche.actions.journal import gathered, record
from veche.actions.journal_actions import JournalAction
from veche.actions.org import (
    check_email,
    check_name,
    check_role,
    do_add_membership,
    do_create_person,
)
from veche.errors import InvalidInput, VecheError
from veche.models import Body, Membership, Organization, Person, Term, Unit
from veche.models.org import MembershipRole
from veche.permissions import Permission
from veche.queries.org import current_term
from veche.whole_numbers import whole_number

REQUIRED_COLUMNS = ("name", "body", "role")
OPTIONAL_COLUMNS = ("term", "email", "unit", "from", "to")
#: More problems than this are summarised: the secretary fixes the first ones and tries again.
MAX_REPORTED_PROBLEMS = 20


class ImportRejected(InvalidInput):
    """The file has problems; nothing was imported. Each problem names its line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        lines = [f"{source}: nothing was imported; fix these and try again:"]
        lines += [f"  {problem}" for problem in shown]
        if more:
            lines.append(f"  … and {more} more")
        super().__init__("\n".join(lines))
        self.problems = problems


@dataclass(frozen=True)
class MemberRow:
    line: int
    name: str
    email: str | None
    body: Body
    term: Term
    role: MembershipRole
    unit: Unit | None
    from_date: date | None
    to_date: date | None


@dataclass(frozen=True)
class ImportSummary:
    people_created: int
    memberships_created: int


def import_members(
    session: Session, caller: Caller, organization: Organization, text: str, source: str
) -> ImportSummary:
    """Check every row, then import them all in the caller's transaction, or raise ImportRejected."""
    # Asked before the rows are read: a refusal names no body, person or seat of the file.
    authorize(session, caller, Permission.ORGANIZATION_MANAGE, organization.id)
    rows = check_member_rows(session, organization, text, source)
    return do_import_members(session, caller, organization, rows, source)


def _unreadable(reader: csv.DictReader[str], source: str, error: csv.Error) -> ImportRejected:
    """A line the csv module cannot read (a line end inside an unquoted cell, a cell longer
    than it takes): the file is refused, naming the line."""
    return ImportRejected(source, [f"line {reader.line_num}: cannot be read as CSV: {error}"])


def _read(reader: csv.DictReader[str], source: str) -> Iterator[dict[str | None, Any]]:
    try:
        yield from reader
    except csv.Error as error:
        raise _unreadable(reader, source, error) from None


def _delimiter(text: str) -> str:
    """The comma; or the semicolon (or tab) that spreadsheets write in the many languages whose
    decimal mark is the comma, when the header row holds one of those and no comma."""
    header = text.split("\n", 1)[0]
    if "," not in header:
        for other in (";", "\t"):
            if other in header:
                return other
    return ","


def _never_closed(raw: dict[str | None, Any], text: str) -> bool:
    """Whether the row ends in a quoted cell that is never closed: the csv module then reads
    the rest of the file, line ends and all, as that cell, and says nothing. Such a cell is
    the row's last and runs to the file's very end, right after its opening quote."""
    cells = [v for value in raw.values() for v in (value if isinstance(value, list) else [value])]
    last = next((cell for cell in reversed(cells) if cell), "")
    return bool(last) and text.endswith(last) and text[: -len(last)].endswith('"')


def check_member_rows(
    session: Session, organization: Organization, text: str, source: str
) -> list[MemberRow]:
    text = text.lstrip("\ufeff")
    # newline="": the csv module reads the line ends itself (a bare CR among them).
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        raise _unreadable(reader, source, error) from None
    header = [name.strip().lower() for name in fieldnames]
    if not header:
        raise ImportRejected(source, ["line 1: the file is empty; expected a header row"])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    # Read by name, a column named twice would lose the first one's cells without a word.
    twice = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or twice:
        allowed = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        header_problems = [f"line 1: missing column(s): {', '.join(missing)}"] if missing else []
        if unknown:
            header_problems.append(
                f"line 1: unknown column(s): {', '.join(unknown)} (allowed: {allowed})"
            )
        if twice:
            header_problems.append(
                f"line 1: column(s) named more than once: {', '.join(twice)}; name each column once"
            )
        raise ImportRejected(source, header_problems)
    reader.fieldnames = header

    lookup = _Lookup.load(session, organization)
    rows: list[MemberRow] = []
    problems: list[str] = []
    seen_seats: dict[tuple[str, int], int] = {}
    names_by_email: dict[str, tuple[str, int]] = {}
    begins = reader.line_num + 1  # the line the next row begins on (blank lines aside)
    for raw in _read(reader, source):
        line = reader.line_num
        if _never_closed(raw, text):
            problems.append(
                f'line {begins}: a quote (") opens a cell that is never closed, so the rest '
                "of the file was read as that cell; close it, and write a quote inside a "
                'quoted cell twice ("")'
            )
            break
        begins = line + 1
        cells = {key: (value or "").strip() for key, value in raw.items() if key is not None}
        if None in raw:
            problems.append(f"line {line}: more cells than columns in the header")
            continue
        try:
            row = _check_row(lookup, cells, line)
        except VecheError as error:
            problems.append(f"line {line}: {error.message}")
            continue
        identity = row.email or row.name.casefold()
        seat = (identity, row.term.id)
        if seat in seen_seats:
            problems.append(
                f"line {line}: duplicate person: {row.name} is already listed for "
                f"term {row.term.number} of {row.body.name} on line {seen_seats[seat]}"
            )
            continue
        seen_seats[seat] = line
        if row.email:
            earlier = names_by_email.setdefault(row.email, (row.name, line))
            if earlier[0] != row.name:
                problems.append(
                    f"line {line}: the e-mail address {row.email} belongs to "
                    f"{earlier[0]} on line {earlier[1]}, not to {row.name}"
                )
                continue
            known = lookup.people_by_email.get(row.email)
            if known is not None and known.full_name != row.name:
                problems.append(
                    f"line {line}: the e-mail address {row.email} belongs to {known.full_name} already"
                )
                continue
        person = lookup.find_person(row)
        if person is not None and (person.id, row.term.id) in lookup.seats:
            problems.append(
                f"line {line}: duplicate person: {row.name} already holds a seat "
                f"in term {row.term.number} of {row.body.name}"
            )
            continue
        rows.append(row)
    if problems:
        raise ImportRejected(source, problems)
    if not rows:
        raise ImportRejected(source, ["the file has a header but no rows"])
    return rows


def do_import_members(
    session: Session,
    caller: Caller,
    organization: Organization,
    rows: list[MemberRow],
    source: str,
) -> ImportSummary:
    lookup = _Lookup.load(session, organization)
    people_created = 0
    with gathered(session):  # each person and seat journaled, appended together
        for row in rows:
            person = lookup.find_person(row)
            if person is None:
                person = do_create_person(
                    session, caller, organization, row.name, email=row.email, unit=row.unit
                )
                lookup.remember(person)
                people_created += 1
            do_add_membership(
                session,
                caller,
                person,
                row.term,
                row.role,
                from_date=row.from_date,
                to_date=row.to_date,
            )
    record(
        session,
        caller.actor,
        JournalAction.IMPORT_MEMBERS,
        {"source": source, "people_created": people_created, "memberships_created": len(rows)},
    )
    return ImportSummary(people_created, len(rows))


@dataclass
class _Lookup:
    """The organization's bodies, units and people, loaded once for the whole file."""

    bodies: dict[str, Body]
    units: dict[str, list[Unit]]
    people_by_email: dict[str, Person]
    people_by_name: dict[str, list[Person]]
    seats: set[tuple[int, int]]

    @classmethod
    def load(cls, session: Session, organization: Organization) -> _Lookup:
        bodies = session.scalars(
            select(Body)
            .where(Body.organization_id == organization.id)
            .options(selectinload(Body.terms))
        ).all()
        units = session.scalars(select(Unit).where(Unit.organization_id == organization.id)).all()
        people = session.scalars(
            select(Person).where(Person.organization_id == organization.id)
        ).all()
        seats = session.execute(
            select(Membership.person_id, Membership.term_id)
            .join(Person)
            .where(Person.organization_id == organization.id)
        ).all()
        lookup = cls(
            bodies={body.name.casefold(): body for body in bodies},
            units={},
            people_by_email={},
            people_by_name={},
            seats={(person_id, term_id) for person_id, term_id in seats},
        )
        for unit in units:
            lookup.units.setdefault(unit.name.casefold(), []).append(unit)
        for person in people:
            lookup.remember(person)
        return lookup

    def remember(self, person: Person) -> None:
        if person.email:
            self.people_by_email[person.email] = person
        self.people_by_name.setdefault(person.full_name.casefold(), []).append(person)

    def find_person(self, row: MemberRow) -> Person | None:
        """The same person: by e-mail when the row has one, else by a name without e-mail."""
        if row.email:
            return self.people_by_email.get(row.email)
        namesakes = [p for p in self.people_by_name.get(row.name.casefold(), []) if not p.email]
        return namesakes[0] if namesakes else None


def _check_row(lookup: _Lookup, cells: dict[str, str], line: int) -> MemberRow:
    name = check_name(cells.get("name", ""), "the name")
    body_name = cells.get("body", "")
    body = lookup.bodies.get(body_name.casefold())
    if body is None:
        known = ", ".join(sorted(b.name for b in lookup.bodies.values())) or "none yet"
        raise InvalidInput(f"unknown body {body_name!r} (bodies: {known})")
    term = _check_term(body, cells.get("term", ""))
    role = check_role(cells.get("role", ""))
    email = check_email(cells.get("email"))
    unit = None
    if cells.get("unit"):
        matches = lookup.units.get(cells["unit"].casefold(), [])
        if not matches:
            raise InvalidInput(f"unknown unit {cells['unit']!r}")
        if len(matches) > 1:
            raise InvalidInput(
                f"the unit name {cells['unit']!r} is ambiguous: several units have it"
            )
        unit = matches[0]
    from_date = _check_date(cells.get("from", ""), "from")
    to_date = _check_date(cells.get("to", ""), "to")
    if from_date and to_date and to_date < from_date:
        raise InvalidInput(f"the membership ends ({to_date}) before it starts ({from_date})")
    return MemberRow(line, name, email, body, term, role, unit, from_date, to_date)


def _check_term(body: Body, cell: str) -> Term:
    if not cell:
        term = current_term(list(body.terms), date.today())
        if term is None:
            raise InvalidInput(f"{body.name} has no term yet; create one before importing members")
        return term
    digits = (
        cell.lower().removesuffix("st").removesuffix("nd").removesuffix("rd").removesuffix("th")
    )
    number = whole_number(digits)
    if number is None:
        raise InvalidInput(f"the term must be a number such as 8 or 8th, not {cell!r}")
    for term in body.terms:
        if term.number == number:
            return term
    raise InvalidInput(f"{body.name} has no term {number}")


def _check_date(cell: str, column: str) -> date | None:
    if not cell:
        return None
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise InvalidInput(
            f"malformed date in column {column!r}: {cell!r} (write dates as YYYY-MM-DD)"
        ) from None
