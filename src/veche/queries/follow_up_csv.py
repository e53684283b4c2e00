"""The follow-up of resolutions as CSV files: the six kinds of file (goals, assignments,
indicators, weights, targets, values) with their columns, the names that stand for rows in
them — a goal's path ("3.2"), an indicator's number, a unit's name, a period's name, a
person's full name — and the files written from the database, which
``veche.actions.follow_up_csv`` reads back.

A file is a spreadsheet's table: one header row, a row per goal, assignment, indicator,
unit's weight, target or value. Rows are named by what a secretary reads on the pages, never
by database ids (but for the resolution, whose id the registry shows), so the files of one
organization import into another copy of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.models import (
    Body,
    IndicatorTarget,
    IndicatorWeight,
    Meeting,
    Organization,
    Person,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
    Resolution,
    Term,
    Unit,
)
from veche.models.follow_up import FIGURE_PLACES, AssignmentRole
from veche.queries.follow_up import GoalFilter, GoalNode, goal_tree
from veche.queries.follow_up_rollup import reported_values
from veche.reports.exports import CsvFile, csv_text

#: Between the names of a unit and of the units above it, when its own name is not enough.
UNIT_PATH_SEPARATOR = " / "
#: Between the units of a goal's ``lead`` or ``contributing`` cell.
UNIT_LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class FileKind:
    """One kind of file: its name, its columns in the order written, those a row must fill,
    and the column that tells a file of this kind from the others."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    marker: str

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


GOALS = FileKind(
    "goals",
    (
        "resolution",
        "goal",
        "title",
        "kind",
        "owner",
        "due_on",
        "weight",
        "paragraph",
        "lines",
        "lead",
        "contributing",
        "verdict",
        "verdict_reason",
        "description",
    ),
    ("resolution", "goal", "title"),
    "title",
)
#: A goal's assignment to a unit with the person answerable for it: a row of its own, so that
#: a person's name is a cell rather than something written into the ``lead`` cell's list.
ASSIGNMENTS = FileKind(
    "assignments",
    ("resolution", "goal", "unit", "role", "responsible"),
    ("resolution", "goal", "unit", "role"),
    "role",
)
INDICATORS = FileKind(
    "indicators",
    (
        "resolution",
        "goal",
        "indicator",
        "name",
        "measure",
        "direction",
        "unit_label",
        "baseline_value",
        "baseline_on",
        "target_value",
        "target_on",
        "band_low",
        "band_high",
        "rollup",
        "share_needed",
        "weight",
    ),
    ("resolution", "goal", "indicator", "name", "measure"),
    "measure",
)
#: A unit's weight in an indicator's weighted mean. Not ``weight``, which goals and
#: indicators have, as the header tells a file's kind.
WEIGHTS = FileKind(
    "weights",
    ("resolution", "goal", "indicator", "unit", "unit_weight"),
    ("resolution", "goal", "indicator", "unit", "unit_weight"),
    "unit_weight",
)
TARGETS = FileKind(
    "targets",
    ("resolution", "goal", "indicator", "unit", "cycle", "period", "target", "baseline"),
    ("resolution", "goal", "indicator", "unit", "period", "target"),
    "target",
)
#: ``report_state`` says which values the pages count (those of accepted and locked reports
#: alone); an import reads every value into a draft, whatever the column says.
VALUES = FileKind(
    "values",
    ("resolution", "goal", "indicator", "unit", "cycle", "period", "value", "report_state"),
    ("resolution", "goal", "indicator", "unit", "period", "value"),
    "value",
)
#: Every kind, in the order an import takes them: what a row names must come first.
FILE_KINDS: tuple[FileKind, ...] = (GOALS, ASSIGNMENTS, INDICATORS, WEIGHTS, TARGETS, VALUES)
KIND_BY_NAME = {kind.name: kind for kind in FILE_KINDS}


def figure_cell(value: Decimal) -> Decimal:
    """A figure as a file shows it: exact, without trailing zeros or an exponent
    (``1250.5``, ``10000``); a Decimal, so that a negative one is not taken for a formula."""
    whole = value.to_integral_value()
    return whole.quantize(Decimal(1)) if value == whole else value.normalize()


@dataclass
class Names:
    """The organization's units, periods, bodies, people and resolutions by the names a file
    gives them, and the names it gives them back; read once for a whole file."""

    unit_names: dict[int, str] = field(default_factory=dict)
    units_by_path: dict[str, int] = field(default_factory=dict)
    units_by_name: dict[str, list[int]] = field(default_factory=dict)
    unit_paths: dict[int, str] = field(default_factory=dict)
    #: A period's (cycle, period) names, and its place in time among all periods.
    period_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    period_order: dict[int, int] = field(default_factory=dict)
    periods_by_names: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    periods_by_name: dict[str, list[int]] = field(default_factory=dict)
    bodies_by_name: dict[str, int] = field(default_factory=dict)
    body_names: dict[int, str] = field(default_factory=dict)
    #: People by their full name, which several may share.
    people_by_name: dict[str, list[int]] = field(default_factory=dict)
    resolutions: dict[int, Resolution] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, organization: Organization) -> Names:
        names = cls()
        units = session.scalars(select(Unit).where(Unit.organization_id == organization.id)).all()
        by_id = {unit.id: unit for unit in units}

        def path(unit: Unit) -> str:
            steps = [unit.name]
            parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
            while parent is not None:
                steps.append(parent.name)
                parent = by_id.get(parent.parent_id) if parent.parent_id is not None else None
            return UNIT_PATH_SEPARATOR.join(reversed(steps))

        for unit in units:
            names.unit_paths[unit.id] = path(unit)
            names.units_by_path[names.unit_paths[unit.id].casefold()] = unit.id
            names.units_by_name.setdefault(unit.name.casefold(), []).append(unit.id)
        for unit in units:
            shared = len(names.units_by_name[unit.name.casefold()]) > 1
            names.unit_names[unit.id] = names.unit_paths[unit.id] if shared else unit.name
        periods = session.execute(
            select(ReportingPeriod.id, ReportingCycle.name, ReportingPeriod.name)
            .join(ReportingCycle, ReportingCycle.id == ReportingPeriod.cycle_id)
            .join(Term, Term.id == ReportingCycle.term_id)
            .join(Body, Body.id == Term.body_id)
            .where(Body.organization_id == organization.id)
            .order_by(ReportingPeriod.starts_on, ReportingCycle.name, ReportingPeriod.id)
        ).all()
        for place, (period_id, cycle, period) in enumerate(periods):
            names.period_names[period_id] = (cycle, period)
            names.period_order[period_id] = place
            key = (cycle.casefold(), period.casefold())
            names.periods_by_names.setdefault(key, []).append(period_id)
            names.periods_by_name.setdefault(period.casefold(), []).append(period_id)
        for body_id, name in session.execute(
            select(Body.id, Body.name).where(Body.organization_id == organization.id)
        ):
            names.bodies_by_name[name.casefold()] = body_id
            names.body_names[body_id] = name
        for person_id, name in session.execute(
            select(Person.id, Person.full_name)
            .where(Person.organization_id == organization.id)
            .order_by(Person.id)
        ):
            names.people_by_name.setdefault(name.casefold(), []).append(person_id)
        names.resolutions = {
            resolution.id: resolution
            for resolution in session.scalars(
                select(Resolution)
                .join(Meeting, Meeting.id == Resolution.meeting_id)
                .join(Term, Term.id == Meeting.term_id)
                .join(Body, Body.id == Term.body_id)
                .where(Body.organization_id == organization.id)
            )
        }
        return names


@dataclass(frozen=True)
class IndicatorName:
    """An indicator as a file names it: its resolution, its goal's path and its number."""

    resolution_id: int
    goal_path: str
    number: int


def indicator_names(goals: Iterable[GoalNode]) -> dict[int, tuple[int, IndicatorName]]:
    """Each indicator's place in tree order, and its name."""
    found: dict[int, tuple[int, IndicatorName]] = {}
    for goal in goals:
        for indicator in goal.indicators:
            found[indicator.id] = (
                len(found),
                IndicatorName(goal.resolution_id, goal.path, indicator.number),
            )
    return found


def _lines(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    return str(first) if last in (None, first) else f"{first}-{last}"


def _units_cell(names: Names, unit_ids: Iterable[int]) -> str:
    return f"{UNIT_LIST_SEPARATOR} ".join(sorted(names.unit_names[unit] for unit in unit_ids))


def goals_file(session: Session, organization: Organization) -> CsvFile:
    """Every goal, in its resolution's tree order, with the units it is assigned to."""
    names = Names.load(session, organization)
    rows: list[Sequence[Any]] = []
    for goal in goal_tree(session, organization.id, GoalFilter()):
        units = {
            role: [a.unit_id for a in goal.assignments if a.role is role] for role in AssignmentRole
        }
        rows.append(
            (
                goal.resolution_id,
                goal.path,
                goal.title,
                goal.kind.value,
                goal.owner_body,
                goal.due_on,
                figure_cell(goal.weight),
                goal.paragraph,
                _lines(goal.first_line, goal.last_line),
                _units_cell(names, units[AssignmentRole.LEAD]),
                _units_cell(names, units[AssignmentRole.CONTRIBUTING]),
                *_verdict_cells(goal),
                goal.description,
            )
        )
    return CsvFile(GOALS.file_name, csv_text(GOALS.columns, rows))


def _verdict_cells(goal: GoalNode) -> tuple[str | None, str | None]:
    """The body's verdict and its reason; none without a verdict (a reason left behind by a
    verdict taken back is not one)."""
    if goal.status is None:
        return None, None
    return goal.status.value, goal.status_reason


def assignments_file(session: Session, organization: Organization) -> CsvFile:
    """Every assignment, goal by goal in tree order, the lead units first, each by name,
    with the person answerable for it."""
    names = Names.load(session, organization)
    rows: list[Sequence[Any]] = []
    roles = list(AssignmentRole)
    for goal in goal_tree(session, organization.id, GoalFilter()):
        for assignment in sorted(
            goal.assignments,
            key=lambda a: (roles.index(a.role), names.unit_names[a.unit_id].casefold()),
        ):
            rows.append(
                (
                    goal.resolution_id,
                    goal.path,
                    names.unit_names[assignment.unit_id],
                    assignment.role.value,
                    assignment.responsible,
                )
            )
    return CsvFile(ASSIGNMENTS.file_name, csv_text(ASSIGNMENTS.columns, rows))


def _optional_figure(value: Decimal | None) -> Decimal | None:
    return None if value is None else figure_cell(value)


def indicators_file(session: Session, organization: Organization) -> CsvFile:
    """Every indicator, goal by goal in tree order, by number."""
    rows: list[Sequence[Any]] = []
    for goal in goal_tree(session, organization.id, GoalFilter()):
        for indicator in goal.indicators:
            rows.append(
                (
                    goal.resolution_id,
                    goal.path,
                    indicator.number,
                    indicator.name,
                    indicator.measure.value,
                    indicator.direction.value,
                    indicator.unit_label,
                    figure_cell(indicator.baseline_value),
                    indicator.baseline_on,
                    _optional_figure(indicator.target_value),
                    indicator.target_on,
                    _optional_figure(indicator.band_low),
                    _optional_figure(indicator.band_high),
                    indicator.rollup.value,
                    figure_cell(indicator.share_needed),
                    figure_cell(indicator.weight),
                )
            )
    return CsvFile(INDICATORS.file_name, csv_text(INDICATORS.columns, rows))


@dataclass(frozen=True)
class _Figures:
    """What the targets and values files share: how rows are named and put in order."""

    names: Names
    indicators: dict[int, tuple[int, IndicatorName]]
    unit_order: dict[int, int]

    @classmethod
    def load(cls, session: Session, organization: Organization) -> _Figures:
        names = Names.load(session, organization)
        indicators = indicator_names(goal_tree(session, organization.id, GoalFilter()))
        by_path = sorted(names.unit_paths, key=lambda unit: names.unit_paths[unit].casefold())
        return cls(names, indicators, {unit: place for place, unit in enumerate(by_path)})

    def indicator_and_unit(self, indicator_id: int, unit_id: int) -> list[Any]:
        name = self.indicators[indicator_id][1]
        return [name.resolution_id, name.goal_path, name.number, self.names.unit_names[unit_id]]

    def row_start(self, indicator_id: int, unit_id: int, period_id: int) -> list[Any]:
        return [
            *self.indicator_and_unit(indicator_id, unit_id),
            *self.names.period_names[period_id],
        ]

    def order_of(self, row: Sequence[Any]) -> tuple[int, int, int]:
        """Where a row (indicator, unit, period, …) goes: by indicator in tree order, then
        period in time, then unit by path."""
        return (
            self.indicators[row[0]][0],
            self.names.period_order[row[2]],
            self.unit_order[row[1]],
        )


def targets_file(session: Session, organization: Organization) -> CsvFile:
    """Every target, by indicator, then period, then unit."""
    figures = _Figures.load(session, organization)
    found = session.execute(
        select(
            IndicatorTarget.indicator_id,
            IndicatorTarget.unit_id,
            IndicatorTarget.period_id,
            IndicatorTarget.value,
            IndicatorTarget.baseline,
        ).where(IndicatorTarget.indicator_id.in_(sorted(figures.indicators)))
    ).all()
    rows = [
        [*figures.row_start(i, u, p), figure_cell(value), _optional_figure(baseline)]
        for i, u, p, value, baseline in sorted(found, key=figures.order_of)
    ]
    return CsvFile(TARGETS.file_name, csv_text(TARGETS.columns, rows))


def weights_file(session: Session, organization: Organization) -> CsvFile:
    """Every unit's weight in an indicator's weighted mean, by indicator in tree order, then
    unit by path."""
    figures = _Figures.load(session, organization)
    found = session.execute(
        select(IndicatorWeight.indicator_id, IndicatorWeight.unit_id, IndicatorWeight.weight).where(
            IndicatorWeight.indicator_id.in_(sorted(figures.indicators))
        )
    ).all()
    rows = [
        [*figures.indicator_and_unit(indicator, unit), figure_cell(weight)]
        for indicator, unit, weight in sorted(
            found, key=lambda row: (figures.indicators[row[0]][0], figures.unit_order[row[1]])
        )
    ]
    return CsvFile(WEIGHTS.file_name, csv_text(WEIGHTS.columns, rows))


def values_file(session: Session, organization: Organization) -> CsvFile:
    """Every value reported, with its report's state (the pages count ``accepted`` and
    ``locked`` alone), by indicator, then period, then unit.

    Written line by line rather than through ``csv_text``: a million values would spend
    seconds in its checks of each cell, when only the names (escaped once each) need them."""
    figures = _Figures.load(session, organization)
    found = session.execute(
        reported_values()
        .add_columns(ProgressReport.state)
        .where(
            ProgressReport.unit_id.in_(
                select(Unit.id).where(Unit.organization_id == organization.id)
            )
        )
    )
    indicators = {
        indicator: (place, _line(name.resolution_id, name.goal_path, name.number))
        for indicator, (place, name) in figures.indicators.items()
    }
    units = {unit: _line(name) for unit, name in figures.names.unit_names.items()}
    periods = {period: _line(*names) for period, names in figures.names.period_names.items()}
    unit_order, period_order = figures.unit_order, figures.names.period_order
    in_periods, in_units = len(period_order), len(unit_order)
    lines = [
        (
            (indicators[i][0] * in_periods + period_order[p]) * in_units + unit_order[u],
            f"{indicators[i][1]},{units[u]},{periods[p]},{_units_text(value)},{state.value}",
        )
        for i, u, p, value, state in found
    ]
    lines.sort()
    text = "".join(f"{line}\r\n" for _place, line in lines)
    return CsvFile(VALUES.file_name, _line(*VALUES.columns) + "\r\n" + text)


def _line(*cells: Any) -> str:
    """Cells as one line of a file, as ``csv_text`` writes them, without the line's end."""
    return csv_text(cells, []).removesuffix("\r\n")


def _units_text(units: int) -> str:
    """A figure given in its smallest steps, as ``figure_cell`` shows it."""
    whole, part = divmod(abs(units), 10**FIGURE_PLACES)
    sign = "-" if units < 0 else ""
    return f"{sign}{whole}.{part:0{FIGURE_PLACES}d}".rstrip("0") if part else f"{sign}{whole}"


#: The file each kind is written by.
WRITERS = {
    GOALS.name: goals_file,
    ASSIGNMENTS.name: assignments_file,
    INDICATORS.name: indicators_file,
    WEIGHTS.name: weights_file,
    TARGETS.name: targets_file,
    VALUES.name: values_file,
}


def follow_up_file(session: Session, organization: Organization, kind: str) -> CsvFile:
    """The organization's file of the kind named (``goals``, ``assignments``, ``indicators``,
    ``weights``, ``targets``, ``values``)."""
    return WRITERS[kind](session, organization)
