"""Goals with their verdicts and assignments, indicators and targets from a follow-up file, a
line at a time through their actions (each journaled as when set by hand), so that an import
accepts and refuses what the API does; and the names the lines give them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._follow_up import check_positive, check_text
from veche.actions._text import Target, check_target
from veche.actions.access import Caller
from veche.actions.follow_up_csv.lines import (
    TOO_MANY_CELLS,
    CellProblem,
    Line,
    Table,
    choice_of,
    goal_path,
    integer,
    line_range,
    parse_date,
    parse_decimal,
    path_text,
    small_number,
)
from veche.actions.goal_assignments import do_assign_goal, do_update_assignment
from veche.actions.goals import GoalSpec, do_create_goal, do_set_goal_status, do_update_goal
from veche.actions.indicators import (
    IndicatorSpec,
    check_indicator_spec,
    check_value,
    do_create_indicator,
    do_update_indicator,
)
from veche.actions.org import check_name
from veche.actions.targets import do_set_target
from veche.errors import VecheError
from veche.models import Goal, GoalAssignment, Indicator, IndicatorTarget, Organization, Resolution
from veche.models.follow_up import (
    AssignmentRole,
    Direction,
    GoalKind,
    GoalStatus,
    Measure,
    RollupRule,
)
from veche.queries.follow_up import GoalFilter, goal_tree
from veche.queries.follow_up_csv import UNIT_LIST_SEPARATOR, Names


class NamedIndicator(NamedTuple):
    """An indicator a values file names, with the ids each of its lines needs (read once,
    rather than from the row's attributes a million times)."""

    row: Indicator
    id: int
    goal_id: int


class RoleGiven(NamedTuple):
    """The role a line gives a unit for a goal, and where that line is."""

    role: AssignmentRole
    line: Line


@dataclass
class FollowUpImportSummary:
    """What an import changed; lines that said what was already there count as unchanged."""

    goals_created: int = 0
    goals_changed: int = 0
    verdicts_set: int = 0
    assignments_set: int = 0
    indicators_created: int = 0
    indicators_changed: int = 0
    weights_set: int = 0
    targets_set: int = 0
    reports_created: int = 0
    values_set: int = 0
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


@dataclass
class Importer:
    """One import: the organization's goals and indicators as the files name them (those the
    import creates added as it goes), what it has changed, and each problem found."""

    session: Session
    caller: Caller
    organization: Organization
    names: Names
    several_files: bool
    summary: FollowUpImportSummary = field(default_factory=FollowUpImportSummary)
    problems: list[str] = field(default_factory=list)
    goals: dict[tuple[int, tuple[int, ...]], Goal] = field(default_factory=dict)
    indicators: dict[tuple[int, tuple[int, ...], int], Indicator] = field(default_factory=dict)
    #: The role the lines give each unit for a goal: (goal, unit) → the latest.
    roles_given: dict[tuple[int, int], RoleGiven] = field(default_factory=dict)

    def problem(self, table: Table, line: int, column: str | None, message: str) -> None:
        where = f"{table.source.name} " if self.several_files else ""
        column_named = f", column {column}" if column else ""
        self.problems.append(f"{where}line {line}{column_named}: {message}")

    def each_line(self, table: Table, take: Callable[[Line], None]) -> None:
        """``take`` every line of the table, each refusal noted by its line and column."""
        for number, cells in table.rows():
            if cells is None:
                self.problem(table, number, None, TOO_MANY_CELLS)
                continue
            try:
                take(Line(table.columns, cells, table.source.name, number))
            except CellProblem as problem:
                self.problem(table, number, problem.column, problem.message)
            except VecheError as error:
                self.problem(table, number, None, error.message)

    def load_tree(self) -> None:
        """The organization's goals and indicators by their names in a file."""
        nodes = goal_tree(self.session, self.organization.id, GoalFilter())
        rows = {
            goal.id: goal
            for goal in self.session.scalars(select(Goal).where(Goal.id.in_([n.id for n in nodes])))
        }
        self.goals = {(node.resolution_id, goal_path(node.path)): rows[node.id] for node in nodes}
        path_of = {goal.id: key for key, goal in self.goals.items()}
        self.indicators = {
            (*path_of[indicator.goal_id], indicator.number): indicator
            for indicator in self.session.scalars(
                select(Indicator).where(Indicator.goal_id.in_(sorted(path_of)))
            )
        }

    # --- names

    def resolution(self, line: Line) -> Resolution:
        text = line.required("resolution")
        number = small_number(text)
        found = self.names.resolutions.get(number) if number is not None else None
        if found is None:
            raise CellProblem(
                "resolution",
                f"there is no resolution {text} in the organization (name it by the id the "
                "resolutions registry shows)",
            )
        return found

    def goal(self, line: Line) -> tuple[Resolution, tuple[int, ...], Goal]:
        resolution = self.resolution(line)
        path = line.parsed("goal", goal_path) or ()
        found = self.goals.get((resolution.id, path))
        if not path or found is None:
            raise CellProblem(
                "goal",
                f"resolution {resolution.id} has no goal {path_text(path) or '(none given)'}",
            )
        return resolution, path, found

    def indicator_of(self, line: Line) -> Indicator:
        resolution, path, _goal = self.goal(line)
        number = line.parsed("indicator", lambda text: integer(text, "an indicator")) or 0
        found = self.indicators.get((resolution.id, path, number))
        if found is None:
            raise CellProblem(
                "indicator", f"goal {path_text(path)} has no indicator {number or '(none given)'}"
            )
        return found

    def unit(self, text: str, column: str) -> int:
        key = text.casefold()
        found = self.names.units_by_path.get(key)
        if found is not None:
            return found
        named = self.names.units_by_name.get(key, [])
        if len(named) == 1:
            return named[0]
        if named:
            paths = " or ".join(repr(self.names.unit_paths[unit]) for unit in named)
            raise CellProblem(column, f"several units are named {text!r}: write {paths}")
        raise CellProblem(column, f"there is no unit {text!r} in the organization")

    def person(self, text: str, column: str) -> int:
        """A person of the organization, by full name; refused when none or several bear it."""
        named = self.names.people_by_name.get(text.casefold(), [])
        if len(named) == 1:
            return named[0]
        if named:
            raise CellProblem(
                column,
                f"{len(named)} people in the organization are named {text!r}: leave the cell "
                "empty and set the one answerable through the API (PATCH /api/assignments/{id}"
                " with responsible_person_id)",
            )
        raise CellProblem(
            column,
            f"there is no person {text!r} in the organization (name a person by their full "
            "name, as the pages show it)",
        )

    def named_indicator(self, line: Line) -> NamedIndicator:
        indicator = self.indicator_of(line)
        return NamedIndicator(indicator, indicator.id, indicator.goal_id)

    def unit_of(self, line: Line) -> int:
        return self.unit(line.required("unit"), "unit")

    def period(self, line: Line) -> int:
        name, cycle = line.required("period"), line.get("cycle")
        if cycle:
            found = self.names.periods_by_names.get((cycle.casefold(), name.casefold()), [])
        else:
            found = self.names.periods_by_name.get(name.casefold(), [])
        if len(found) == 1:
            return found[0]
        if found:
            if cycle:
                raise CellProblem(
                    "cycle", f"cycles of several terms are named {cycle!r}; rename one of them"
                )
            raise CellProblem(
                "cycle",
                f"several cycles have a period named {name!r}: name its cycle in the column cycle",
            )
        in_cycle = f" in cycle {cycle!r}" if cycle else ""
        raise CellProblem("period", f"there is no period {name!r}{in_cycle}")

    # --- goals

    def take_goal(self, line: Line) -> None:
        resolution = self.resolution(line)
        path = line.parsed("goal", goal_path, required=True)
        goal = self.goals.get((resolution.id, path))

        def kept(field: str, default: Any) -> Any:
            """What an empty cell means: the goal's own, or for a new goal the default."""
            return default if goal is None else getattr(goal, field)

        owner_name = line.get("owner")
        owner = self.names.bodies_by_name.get(owner_name.casefold()) if owner_name else None
        if owner_name and owner is None:
            raise CellProblem("owner", f"there is no body {owner_name!r} in the organization")
        spec = GoalSpec(
            title=line.parsed(
                "title", lambda text: check_name(text, "the goal's title", 500), required=True
            ),
            description=line.parsed(
                "description",
                lambda text: check_text(text, "the description"),
                default=kept("description", ""),
            ),
            owner_body_id=owner if owner is not None else kept("owner_body_id", None),
            due_on=line.parsed("due_on", parse_date, default=kept("due_on", None)),
            kind=line.parsed("kind", choice_of(GoalKind), default=kept("kind", GoalKind.ACTION)),
            weight=line.parsed(
                "weight",
                lambda text: check_positive(parse_decimal(text), "the weight"),
                default=kept("weight", Decimal(1)),
            ),
        )
        clause = self.clause(line, resolution)
        verdict = self.verdict(line, goal)
        if goal is None:
            goal = self.create_goal(resolution, path, spec, clause)
            changed = True
        else:
            changed = self.change_goal(goal, path, spec, clause)
        if verdict is not None:
            do_set_goal_status(self.session, self.caller, goal, *verdict)
            self.summary.verdicts_set += 1
        elif not changed:
            self.summary.unchanged += 1
        self.assign(line, goal)

    def verdict(self, line: Line, goal: Goal | None) -> tuple[GoalStatus, str] | None:
        """The body's verdict and its reason the line gives the goal, where they change it.
        An empty cell keeps what is there; a verdict that changes needs its own reason."""
        given: GoalStatus | None = line.parsed("verdict", choice_of(GoalStatus))
        reason: str = line.parsed(
            "verdict_reason", lambda text: check_text(text, "the reason"), default=""
        )
        if given is None and not reason:
            return None
        stored = (goal.status, goal.status_reason) if goal is not None else (None, "")
        status = given if given is not None else stored[0]
        if status is None:
            raise CellProblem(
                "verdict",
                "is empty, but verdict_reason is not: give the body's verdict on the goal "
                f"({', '.join(choice.value for choice in GoalStatus)}) with its reason",
            )
        if status is not stored[0] and not reason:
            raise CellProblem(
                "verdict_reason",
                f"is empty; the body's verdict on a goal ({status.value}) is given with its "
                "reason: say why",
            )
        wanted = (status, reason or stored[1])
        return None if wanted == stored else wanted

    def clause(self, line: Line, resolution: Resolution) -> Target | None:
        paragraph = line.parsed("paragraph", lambda text: integer(text, "a paragraph"))
        lines = line.parsed("lines", line_range)
        if paragraph is not None and lines is not None:
            raise CellProblem("lines", "name the clause by its paragraph or by its lines, not both")
        if paragraph is None and lines is None:
            return None
        clause = (
            Target(paragraph=paragraph)
            if paragraph is not None
            else Target(first_line=lines[0], last_line=lines[1])
        )
        try:
            check_target(resolution.text, clause)
        except VecheError as error:
            raise CellProblem("paragraph" if paragraph else "lines", error.message) from None
        return clause

    def create_goal(
        self, resolution: Resolution, path: tuple[int, ...], spec: GoalSpec, clause: Target | None
    ) -> Goal:
        parent = self.goals.get((resolution.id, path[:-1])) if len(path) > 1 else None
        if len(path) > 1 and parent is None:
            raise CellProblem(
                "goal",
                f"goal {path_text(path)} is part of goal {path_text(path[:-1])}, which is "
                "neither in the database nor on an earlier line",
            )
        siblings = [
            key[1][-1]
            for key in self.goals
            if key[0] == resolution.id and key[1][:-1] == path[:-1] and len(key[1]) == len(path)
        ]
        number = max(siblings, default=0) + 1
        if path[-1] != number:
            raise CellProblem(
                "goal",
                f"the next goal here is {path_text((*path[:-1], number))}, not "
                f"{path_text(path)}: goals are numbered in order, each after its parent",
            )
        goal = do_create_goal(
            self.session,
            self.caller,
            spec,
            resolution_id=resolution.id if parent is None else None,
            parent_id=parent.id if parent is not None else None,
            clause=clause,
        )
        self.goals[resolution.id, path] = goal
        self.summary.goals_created += 1
        return goal

    def change_goal(
        self, goal: Goal, path: tuple[int, ...], spec: GoalSpec, clause: Target | None
    ) -> bool:
        """Change the goal as the line says; whether anything changed."""
        stored_clause = (goal.paragraph, goal.first_line, goal.last_line)
        given_clause = (
            (clause.paragraph, clause.first_line, clause.last_line) if clause else stored_clause
        )
        if given_clause != stored_clause:
            raise CellProblem(
                "paragraph" if goal.paragraph else "lines",
                f"goal {path_text(path)} comes from another clause of its resolution; a goal's "
                "clause stays as it was set",
            )
        stored = GoalSpec(
            goal.title, goal.description, goal.owner_body_id, goal.due_on, goal.kind, goal.weight
        )
        if spec == stored:
            return False
        do_update_goal(self.session, self.caller, goal, spec)
        self.summary.goals_changed += 1
        return True

    def assign(self, line: Line, goal: Goal) -> None:
        """Assign the goal to the units its line names, in the role their column says."""
        roles: dict[int, AssignmentRole] = {}
        for role, column in (
            (AssignmentRole.LEAD, "lead"),
            (AssignmentRole.CONTRIBUTING, "contributing"),
        ):
            for text in line.get(column).split(UNIT_LIST_SEPARATOR):
                if not text.strip():
                    continue
                unit_id = self.unit(text.strip(), column)
                if roles.setdefault(unit_id, role) is not role:
                    raise CellProblem(
                        column,
                        f"{self.names.unit_names[unit_id]} is listed as lead too: a unit holds "
                        "a goal in one role",
                    )
                self.roles_given[goal.id, unit_id] = RoleGiven(role, line)
        stored = {
            assignment.unit_id: assignment
            for assignment in self.session.scalars(
                select(GoalAssignment).where(GoalAssignment.goal_id == goal.id)
            )
        }
        for unit_id, role in roles.items():
            assignment = stored.get(unit_id)
            if assignment is None:
                do_assign_goal(self.session, self.caller, goal, unit_id, role=role)
            elif assignment.role is not role:
                do_update_assignment(
                    self.session,
                    self.caller,
                    assignment,
                    role=role,
                    responsible_person_id=assignment.responsible_person_id,
                )
            else:
                continue
            self.summary.assignments_set += 1

    # --- indicators

    def take_indicator(self, line: Line) -> None:
        resolution, path, goal = self.goal(line)
        number = line.parsed("indicator", lambda text: integer(text, "an indicator"), required=True)
        indicator = self.indicators.get((resolution.id, path, number))

        def kept(column: str, parse: Callable[[str], Any], default: Any = None) -> Any:
            """The cell, or when it is empty the indicator's own (for a new one the default)."""
            return line.parsed(
                column, parse, default=default if indicator is None else getattr(indicator, column)
            )

        spec = IndicatorSpec(
            name=line.required("name"),
            measure=line.parsed("measure", choice_of(Measure), required=True),
            direction=kept("direction", choice_of(Direction), Direction.UP),
            unit_label=kept("unit_label", str, ""),
            baseline_value=kept("baseline_value", parse_decimal, Decimal(0)),
            baseline_on=kept("baseline_on", parse_date),
            target_value=kept("target_value", parse_decimal),
            target_on=kept("target_on", parse_date),
            band_low=kept("band_low", parse_decimal),
            band_high=kept("band_high", parse_decimal),
            rollup=kept("rollup", choice_of(RollupRule)),
            share_needed=kept("share_needed", parse_decimal, Decimal(1)),
            weight=kept("weight", parse_decimal, Decimal(1)),
        )
        checked = check_indicator_spec(spec)
        if indicator is None:
            stored = [key[2] for key in self.indicators if key[:2] == (resolution.id, path)]
            if number != max(stored, default=0) + 1:
                raise CellProblem(
                    "indicator",
                    f"the next indicator of goal {path_text(path)} is "
                    f"{max(stored, default=0) + 1}, not {number}: indicators are numbered in order",
                )
            indicator = do_create_indicator(self.session, self.caller, goal, spec)
            self.indicators[resolution.id, path, number] = indicator
            self.summary.indicators_created += 1
        elif all(getattr(indicator, name) == value for name, value in checked.items()):
            self.summary.unchanged += 1
        else:
            do_update_indicator(self.session, self.caller, indicator, spec)
            self.summary.indicators_changed += 1

    # --- targets

    def take_target(self, line: Line) -> None:
        indicator = self.indicator_of(line)
        unit_id = self.unit(line.required("unit"), "unit")
        period_id = self.period(line)
        value = line.parsed(
            "target",
            lambda text: check_value(indicator, parse_decimal(text), "the target"),
            required=True,
        )
        baseline = line.parsed(
            "baseline", lambda text: check_value(indicator, parse_decimal(text), "the baseline")
        )
        stored = self.session.scalar(
            select(IndicatorTarget).where(
                IndicatorTarget.indicator_id == indicator.id,
                IndicatorTarget.unit_id == unit_id,
                IndicatorTarget.period_id == period_id,
            )
        )
        if stored is not None and (stored.value, stored.baseline) == (value, baseline):
            self.summary.unchanged += 1
            return
        try:
            do_set_target(
                self.session,
                self.caller,
                indicator,
                unit_id=unit_id,
                period_id=period_id,
                value=value,
                baseline=baseline,
            )
        except VecheError as error:
            raise CellProblem("target", error.message) from None
        self.summary.targets_set += 1
