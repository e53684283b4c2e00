"""The follow-up of resolutions as CSV files: exported, emptied and imported back the same,
the body's verdicts, the people answerable and the units' weights included (from the command
line, on both databases); an import with bad lines refused whole, each line named, nothing
changed; the files through the API."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.apps import create_app
from tests.assembly import bearer_token
from tests.helpers import demo_organization, general_council_term, journaled, row_counts
from tests.prepared import prepared
from tests.web.sitting import journal_length
from veche.actions._text import Target
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.follow_up_csv import CsvSource, import_follow_up
from veche.actions.goal_assignments import do_assign_goal
from veche.actions.goals import GoalSpec, do_create_goal, do_set_goal_status
from veche.actions.imports import ImportRejected
from veche.actions.indicators import IndicatorSpec, do_create_indicator, do_set_weights
from veche.actions.journal_actions import JournalAction
from veche.actions.org import do_create_unit
from veche.actions.progress import check_report, do_accept_report, do_save_report, do_submit_report
from veche.actions.reporting import PeriodSpec, do_add_period, do_close_period, do_create_cycle
from veche.actions.targets import do_set_target
from veche.cli import app as cli
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo import DEMO_SECRETARY
from veche.demo_meeting import load_demo_meeting
from veche.errors import Forbidden
from veche.models import (
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorTarget,
    IndicatorWeight,
    Person,
    ProgressReport,
    ReportGoalStatus,
    ReportingPeriod,
    ReportValue,
    Unit,
)
from veche.models.follow_up import (
    AssignmentRole,
    Direction,
    GoalKind,
    GoalStatus,
    Measure,
    ReportState,
    RollupRule,
)
from veche.queries.follow_up_csv import follow_up_file

#: They start from the demo organization.
pytestmark = pytest.mark.demo

YOUTH = "Youth Section"  # a name two regions give a unit each: named by its path in a file
FOLLOW_UP_ROWS = (
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorWeight,
    IndicatorTarget,
    ProgressReport,
    ReportValue,
)
#: The body's verdict on goal 1.1, with a reason a spreadsheet would take for a formula.
VERDICT_REASON = '-Talks stalled, "see the minutes"'


@dataclass(frozen=True)
class FollowUpData:
    """The resolution the goals come from, the accepted report's unit and period, and the
    people answerable for the lead assignments of goals 1 and 1.1."""

    resolution_id: int
    accepted_unit: str
    period: str
    responsible: tuple[str, str]


def _prepare(url: str) -> FollowUpData:
    """The demo's meeting with its resolutions; goals (one with a sub-goal, one titled like a
    formula, one with the body's verdict) assigned to units (the leads with a person
    answerable), four indicators (one a weighted mean, with the units' weights), a cycle of two
    periods, targets cascading down a region, and reports: drafts, and one accepted."""
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            return _follow_up(session)
    finally:
        engine.dispose()


def _follow_up(session: Session) -> FollowUpData:
    organization = demo_organization(session)
    load_demo_meeting(session, organization)
    me = Caller(Actor.system("test"), None, True, organization.id)
    units = {unit.name: unit for unit in session.scalars(select(Unit))}
    for region in ("Northern Region", "Coastal Region"):
        do_create_unit(session, me, organization, YOUTH, parent=units[region])
    youth = session.scalars(select(Unit).where(Unit.name == YOUTH).order_by(Unit.id)).all()
    resolution = 2  # "On wages and agreements", three lines
    wages = do_create_goal(
        session,
        me,
        GoalSpec("Wages rise with prices", kind=GoalKind.OUTCOME, due_on=date(2026, 12, 31)),
        resolution_id=resolution,
        clause=Target(first_line=1),
    )
    agreements = do_create_goal(
        session,
        me,
        GoalSpec(
            "=Agreements renewed", description='Every 18 months, "on time".', weight=Decimal("2.5")
        ),
        parent_id=wages.id,
        clause=Target(first_line=2, last_line=3),
    )
    do_set_goal_status(session, me, agreements, GoalStatus.AT_RISK, VERDICT_REASON)
    north = units["Northern Region"].id
    branches = [units["Rail and Transport Branch"].id, units["Hill Mines Branch"].id]
    people = session.scalars(select(Person).order_by(Person.id).limit(2)).all()
    do_assign_goal(session, me, wages, north, responsible_person_id=people[0].id)
    for unit in [*branches, youth[0].id]:
        do_assign_goal(session, me, wages, unit, role=AssignmentRole.CONTRIBUTING)
    do_assign_goal(session, me, agreements, branches[0], responsible_person_id=people[1].id)
    signed = do_create_indicator(
        session,
        me,
        wages,
        IndicatorSpec("Agreements signed", Measure.COUNT, target_value=Decimal(40)),
    )
    raise_ = do_create_indicator(
        session,
        me,
        wages,
        IndicatorSpec(
            "Wage rise",
            Measure.PERCENT,
            direction=Direction.WITHIN,
            band_low=Decimal("2.5"),
            band_high=Decimal("4.125"),
            rollup=RollupRule.WEIGHTED_MEAN,
        ),
    )
    do_set_weights(session, me, raise_, {branches[0]: Decimal("1250.5"), branches[1]: Decimal(800)})
    arrears = do_create_indicator(
        session,
        me,
        agreements,
        IndicatorSpec(
            "Arrears",
            Measure.AMOUNT,
            direction=Direction.DOWN,
            unit_label="EUR",
            baseline_value=Decimal("12000.5"),
            target_value=Decimal(0),
        ),
    )
    do_create_indicator(session, me, agreements, IndicatorSpec("Register kept", Measure.MILESTONE))
    cycle = do_create_cycle(session, me, general_council_term(session).id, "Half-yearly reports")
    first = do_add_period(
        session,
        me,
        cycle,
        PeriodSpec("2025 H2", date(2025, 7, 1), date(2025, 12, 31), date(2026, 1, 15)),
    )
    do_add_period(
        session,
        me,
        cycle,
        PeriodSpec("2026 H1", date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 15)),
    )
    do_set_target(session, me, signed, unit_id=north, period_id=first.id, value=Decimal(30))
    do_set_target(session, me, signed, unit_id=branches[0], period_id=first.id, value=Decimal(12))
    do_set_target(
        session,
        me,
        signed,
        unit_id=branches[1],
        period_id=first.id,
        value=Decimal(10),
        baseline=Decimal(2),
    )
    do_save_report(
        session,
        me,
        first.id,
        branches[0],
        values={signed.id: Decimal(9), raise_.id: Decimal("3.25"), arrears.id: Decimal("-150.75")},
    )
    do_save_report(session, me, first.id, youth[0].id, values={signed.id: Decimal(1)})
    do_save_report(
        session, me, first.id, branches[1], values={signed.id: Decimal(7), raise_.id: Decimal(3)}
    )
    do_submit_report(session, me, first.id, branches[1])
    report = session.scalars(
        select(ProgressReport).where(ProgressReport.unit_id == branches[1])
    ).one()
    do_accept_report(session, me, check_report(session, me, report.id))
    return FollowUpData(
        resolution, "Hill Mines Branch", "2025 H2", (people[0].full_name, people[1].full_name)
    )


follow_up_data = prepared("follow_up_data", _prepare)


def _export(folder: Path, database_url: str) -> dict[str, str]:
    done = CliRunner().invoke(cli, ["export", "follow-up", str(folder), "--db", database_url])
    assert done.exit_code == 0, done.output
    return {file.stem: file.read_bytes().decode("utf-8") for file in sorted(folder.glob("*.csv"))}


def _empty(sessions: sessionmaker[Session]) -> None:
    """The follow-up taken out, all but its cycles and periods: an empty copy of the
    organization."""
    with transaction(sessions) as session:
        for model in (
            ReportValue,
            ReportGoalStatus,
            ProgressReport,
            IndicatorTarget,
            IndicatorWeight,
            Indicator,
            GoalAssignment,
        ):
            session.execute(delete(model))
        for goal_id in session.scalars(select(Goal.id).order_by(Goal.id.desc())).all():
            session.execute(delete(Goal).where(Goal.id == goal_id))


def test_an_export_imports_into_an_empty_copy_as_it_was(
    sessions: sessionmaker[Session],
    follow_up_data: FollowUpData,
    database_url: str,
    tmp_path: Path,
) -> None:
    files = _export(tmp_path / "before", database_url)
    assert list(files) == ["assignments", "goals", "indicators", "targets", "values", "weights"]
    goals = list(csv.DictReader(io.StringIO(files["goals"])))
    assert [(g["goal"], g["title"], g["lines"], g["verdict"]) for g in goals] == [
        ("1", "Wages rise with prices", "1", ""),
        ("1.1", "'=Agreements renewed", "2-3", "at_risk"),
    ]
    assert goals[1]["verdict_reason"] == f"'{VERDICT_REASON}" and goals[0]["verdict_reason"] == ""
    assert goals[0]["contributing"] == (
        f"Hill Mines Branch; Northern Region / {YOUTH}; Rail and Transport Branch"
    )
    assert goals[1]["weight"] == "2.5" and goals[0]["due_on"] == "2026-12-31"
    lead, other_lead = follow_up_data.responsible
    assert list(csv.reader(io.StringIO(files["assignments"]))) == [
        ["resolution", "goal", "unit", "role", "responsible"],
        ["2", "1", "Northern Region", "lead", lead],
        ["2", "1", "Hill Mines Branch", "contributing", ""],
        ["2", "1", f"Northern Region / {YOUTH}", "contributing", ""],
        ["2", "1", "Rail and Transport Branch", "contributing", ""],
        ["2", "1.1", "Rail and Transport Branch", "lead", other_lead],
    ]
    assert files["weights"] == (
        "resolution,goal,indicator,unit,unit_weight\r\n"
        "2,1,2,Hill Mines Branch,800\r\n"
        "2,1,2,Rail and Transport Branch,1250.5\r\n"
    )
    values = list(csv.reader(io.StringIO(files["values"])))
    # Each value with its report's state: the pages count the accepted one alone.
    h2 = ["Half-yearly reports", "2025 H2"]
    assert values[1:] == [
        ["2", "1", "1", "Hill Mines Branch", *h2, "7", "accepted"],
        ["2", "1", "1", "Rail and Transport Branch", *h2, "9", "draft"],
        ["2", "1", "1", f"Northern Region / {YOUTH}", *h2, "1", "draft"],
        ["2", "1", "2", "Hill Mines Branch", *h2, "3", "accepted"],
        ["2", "1", "2", "Rail and Transport Branch", *h2, "3.25", "draft"],
        ["2", "1.1", "1", "Rail and Transport Branch", *h2, "-150.75", "draft"],
    ]

    _empty(sessions)
    assert row_counts(sessions, *FOLLOW_UP_ROWS) == (0,) * len(FOLLOW_UP_ROWS)
    paths = [str(tmp_path / "before" / f"{kind}.csv") for kind in reversed(files)]
    done = CliRunner().invoke(cli, ["import", "follow-up", *paths, "--db", database_url])
    assert done.exit_code == 0, done.output
    assert "2 goals created" in done.output and "6 values set" in done.output
    assert "1 verdicts set" in done.output and "2 weights set" in done.output
    # The same files, but that the values come back as drafts, to be submitted and reviewed
    # again.
    exported_again = _export(tmp_path / "after", database_url)
    as_drafts = files["values"].replace(",accepted\r\n", ",draft\r\n")
    assert exported_again == files | {"values": as_drafts}
    # Each through its action, journaled as when set by hand.
    assert journaled(sessions, JournalAction.SET_GOAL_STATUS)[-1]["reason"] == VERDICT_REASON
    weights = journaled(sessions, JournalAction.SET_INDICATOR_WEIGHTS)[-1]["weights"]
    assert sorted(weight for _unit, weight in weights) == ["1250.5000", "800.0000"]
    answerable = journaled(sessions, JournalAction.UPDATE_ASSIGNMENT)[-2:]
    assert all(entry["responsible_person_id"] is not None for entry in answerable)
    # The reports the values went into are drafts, whatever they were exported from.
    with sessions() as session:
        states = session.scalars(select(ProgressReport.state)).all()
    assert set(states) == {ReportState.DRAFT} and len(states) == 3
    entry = journaled(sessions, JournalAction.IMPORT_FOLLOW_UP)[-1]
    assert entry["values_set"] == 6 and entry["reports_created"] == 3
    entry_kinds = ["goals", "assignments", "indicators", "weights", "targets", "values"]
    assert [file["kind"] for file in entry["files"]] == entry_kinds
    assert all(len(file["sha256"]) == 64 for file in entry["files"])

    # Imported again, from the folder the export wrote, the files change nothing.
    before = journal_length(sessions)
    folder = str(tmp_path / "before")
    done = CliRunner().invoke(cli, ["import", "follow-up", folder, "--db", database_url])
    assert done.exit_code == 0, done.output
    assert "0 values set" in done.output and "0 goals created" in done.output
    assert done.output.startswith(f"Imported {folder}/goals.csv, {folder}/assignments.csv")
    assert journal_length(sessions) == before + 1  # the import's own entry alone
    again = journaled(sessions, JournalAction.IMPORT_FOLLOW_UP)[-1]
    assert [file["kind"] for file in again["files"]] == entry_kinds


def test_an_import_with_a_bad_line_changes_nothing(
    sessions: sessionmaker[Session], follow_up_data: FollowUpData
) -> None:
    header = "resolution,goal,indicator,unit,cycle,period,value\r\n"
    values = CsvSource(
        "values.csv",
        header
        + "2,1,1,Rail and Transport Branch,,2025 H2,11\r\n"  # good: a draft changed
        + "2,1,1,Textile Branch,,2025 H2,4\r\n"  # good but for the goal's units
        + f"2,1,1,{follow_up_data.accepted_unit},,2025 H2,8\r\n"  # an accepted report
        + '2,1,2,Rail and Transport Branch,,2026 H1,"3,5"\r\n',  # a decimal comma
    )
    goals = CsvSource(
        "goals.csv", "resolution,goal,title\r\n2,2,A new goal\r\n2,4,Out of order\r\n"
    )
    counts = row_counts(sessions, *FOLLOW_UP_ROWS)
    length = journal_length(sessions)
    with pytest.raises(ImportRejected) as refused, transaction(sessions) as session:
        import_follow_up(session, _operator(session), [values, goals])
    assert refused.value.problems == [
        "goals.csv line 3, column goal: the next goal here is 3, not 4: goals are numbered in "
        "order, each after its parent",
        "values.csv line 3, column unit: the goal indicator 1 measures is not assigned to "
        "Textile Branch: a unit reports on its own goals",
        "values.csv line 5, column value: '3,5' is not a number; write it with a point and no "
        "thousands separator, such as 1250.5",
    ]
    assert row_counts(sessions, *FOLLOW_UP_ROWS) == counts
    assert journal_length(sessions) == length

    # With the other lines right, the reporting rules are what refuse: an accepted report,
    # a closed period (the same value as the report holds passes), each by its line.
    with transaction(sessions) as session:
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.name == "2026 H1"))
        do_close_period(session, _operator(session), period.one())
    values = CsvSource(
        "values.csv",
        header
        + f"2,1,1,{follow_up_data.accepted_unit},,2025 H2,8\r\n"
        + "2,1,1,Rail and Transport Branch,,2025 H2,9\r\n"
        + "2,1,1,Rail and Transport Branch,,2026 H1,9\r\n",
    )
    with pytest.raises(ImportRejected) as refused, transaction(sessions) as session:
        import_follow_up(session, _operator(session), [values])
    assert refused.value.problems == [
        "line 2: Hill Mines Branch's report for 2025 H2 is accepted: values go into draft and "
        "returned reports only",
        "line 4: the filing of reports for period 2026 H1 has ended; only a report returned "
        "to Rail and Transport Branch for correction may still change",
    ]
    assert row_counts(sessions, *FOLLOW_UP_ROWS) == counts

    # Only those who manage the follow-up import, asked before the file is read.
    with pytest.raises(Forbidden), transaction(sessions) as session:
        person = session.scalars(select(Person).order_by(Person.id)).first()
        assert person is not None
        member = Caller(Actor(None, person.full_name), person.id, False, person.organization_id)
        import_follow_up(session, member, [values])


def _exported(sessions: sessionmaker[Session], kind: str) -> list[list[str]]:
    with sessions() as session:
        text = follow_up_file(session, demo_organization(session), kind).text
    return list(csv.reader(io.StringIO(text)))


def test_verdicts_people_and_weights_change_as_the_lines_say(
    sessions: sessionmaker[Session], follow_up_data: FollowUpData
) -> None:
    lead, _other_lead = follow_up_data.responsible
    with sessions() as session:
        third = session.scalars(select(Person.full_name).order_by(Person.id).offset(2)).first()
    assert third is not None and third.casefold() != lead.casefold()
    # A goals file of before there were verdicts, its assignments in lead and contributing.
    old_goals = CsvSource(
        "old-goals.csv",
        "resolution,goal,title,lead\r\n2,1,Wages rise with prices,Northern Region; Textile Branch\r\n",
    )
    verdicts = CsvSource(
        "verdicts.csv",
        "resolution,goal,title,verdict,verdict_reason\r\n"
        "2,1,Wages rise with prices,done,Fulfilled in the main\r\n"
        "2,1.1,=Agreements renewed,,Talks resumed\r\n",  # the verdict kept, its reason not
    )
    assignments = CsvSource(
        "assignments.csv",
        "resolution,goal,unit,role,responsible\r\n"
        "2,1,Northern Region,lead,\r\n"  # the person answerable kept
        f"2,1,Hill Mines Branch,contributing,{third}\r\n"
        f"2,1.1,Rail and Transport Branch,lead,{lead.upper()}\r\n",  # names compare caseless
    )
    weights = CsvSource(
        "weights.csv",
        "resolution,goal,indicator,unit,unit_weight\r\n"
        "2,1,2,Hill Mines Branch,800.000\r\n"
        "2,1,2,Northern Region,2.25\r\n",  # Rail and Transport Branch's kept
    )
    with transaction(sessions) as session:
        summary = import_follow_up(
            session, _operator(session), [weights, assignments, verdicts, old_goals]
        )
    assert (summary.verdicts_set, summary.assignments_set, summary.weights_set) == (2, 3, 1)
    assert summary.unchanged == 3 and summary.goals_changed == 0

    goals = _exported(sessions, "goals")
    assert [row[-3:-1] for row in goals[1:]] == [
        ["done", "Fulfilled in the main"],
        ["at_risk", "Talks resumed"],
    ]
    assert _exported(sessions, "assignments")[1:] == [
        ["2", "1", "Northern Region", "lead", lead],
        ["2", "1", "Textile Branch", "lead", ""],
        ["2", "1", "Hill Mines Branch", "contributing", third],
        ["2", "1", f"Northern Region / {YOUTH}", "contributing", ""],
        ["2", "1", "Rail and Transport Branch", "contributing", ""],
        ["2", "1.1", "Rail and Transport Branch", "lead", lead],
    ]
    assert _exported(sessions, "weights")[1:] == [
        ["2", "1", "2", "Northern Region", "2.25"],  # units in the tree's order, by path
        ["2", "1", "2", "Hill Mines Branch", "800"],
        ["2", "1", "2", "Rail and Transport Branch", "1250.5"],
    ]
    statuses = journaled(sessions, JournalAction.SET_GOAL_STATUS)[-2:]
    assert [(entry["status"], entry["reason"]) for entry in statuses] == [
        ("done", "Fulfilled in the main"),
        ("at_risk", "Talks resumed"),
    ]


def test_bad_verdicts_people_and_weights_are_refused_by_line_and_column(
    sessions: sessionmaker[Session], follow_up_data: FollowUpData, database_url: str, tmp_path: Path
) -> None:
    lead, _other_lead = follow_up_data.responsible
    with transaction(sessions) as session:  # a namesake: the name no longer tells who
        session.add(Person(organization_id=demo_organization(session).id, full_name=lead))
    before = {kind: _exported(sessions, kind) for kind in ("goals", "assignments", "weights")}
    length = journal_length(sessions)
    goals = CsvSource(
        "goals.csv",
        "resolution,goal,title,lead,verdict,verdict_reason\r\n"
        "2,1,Wages rise with prices,,finished,Because\r\n"
        "2,1.1,=Agreements renewed,,done,\r\n"  # a new verdict, without its reason
        "2,1,Wages rise with prices,,,Only a reason\r\n"
        "2,1,Wages rise with prices,Textile Branch\r\n",
    )
    assignments = CsvSource(
        "assignments.csv",
        "resolution,goal,unit,role,responsible\r\n"
        "2,1,Northern Region,lead,Nobody Known\r\n"
        f"2,1,Rail and Transport Branch,contributing,{lead}\r\n"
        "2,1,Hill Mines Branch,chair,\r\n"
        "2,1,Textile Branch,contributing,\r\n"
        "2,1.1,Textile Branch,contributing,\r\n"
        "2,1.1,Textile Branch,contributing,\r\n",
    )
    weights = CsvSource(
        "weights.csv",
        "resolution,goal,indicator,unit,unit_weight\r\n"
        "2,1,2,Northern Region,heavy\r\n"
        "2,1,2,Hill Mines Branch,0\r\n"
        "2,1,2,Rail and Transport Branch,3\r\n"
        "2,1,2,Rail and Transport Branch,3\r\n"
        "2,1,2,Nowhere,1\r\n"
        "2,1,2,Textile Branch\r\n",
    )
    statuses = ", ".join(status.value for status in GoalStatus)
    assert _problems(sessions, weights, assignments, goals) == [
        f"goals.csv line 2, column verdict: 'finished' is not one of {statuses}",
        "goals.csv line 3, column verdict_reason: is empty; the body's verdict on a goal (done) "
        "is given with its reason: say why",
        "goals.csv line 4, column verdict: is empty, but verdict_reason is not: give the body's "
        f"verdict on the goal ({statuses}) with its reason",
        "assignments.csv line 2, column responsible: there is no person 'Nobody Known' in the "
        "organization (name a person by their full name, as the pages show it)",
        f"assignments.csv line 3, column responsible: 2 people in the organization are named "
        f"{lead!r}: leave the cell empty and set the one answerable through the API "
        "(PATCH /api/assignments/{id} with responsible_person_id)",
        "assignments.csv line 4, column role: 'chair' is not one of lead, contributing",
        "assignments.csv line 5, column role: goals.csv line 5 gives goal 1 to Textile Branch as "
        "lead, this line as contributing: a unit holds a goal in one role",
        "assignments.csv line 7: the same assignment (goal and unit) is on line 6 already",
        "weights.csv line 2, column unit_weight: 'heavy' is not a number; write it with a point "
        "and no thousands separator, such as 1250.5",
        "weights.csv line 3, column unit_weight: the weight must be above 0, not 0",
        "weights.csv line 5: the same weight (indicator and unit) is on line 4 already",
        "weights.csv line 6, column unit: there is no unit 'Nowhere' in the organization",
        "weights.csv line 7, column unit_weight: is empty; it must be filled in",
    ]
    assert {kind: _exported(sessions, kind) for kind in before} == before
    assert journal_length(sessions) == length

    file = tmp_path / "weights.csv"
    file.write_text(weights.text, encoding="utf-8", newline="")
    done = CliRunner().invoke(cli, ["import", "follow-up", str(file), "--db", database_url])
    assert done.exit_code == 2
    assert "line 2, column unit_weight: 'heavy' is not a number" in done.output
    assert {kind: _exported(sessions, kind) for kind in before} == before


def _operator(session: Session) -> Caller:
    return Caller(Actor.system("test"), None, True, demo_organization(session).id)


# What follows is decided before anything is stored, or is the same action through another
# door (the API, the command line): on SQLite alone.


def _problems(sessions: sessionmaker[Session], *files: CsvSource) -> list[str]:
    with pytest.raises(ImportRejected) as refused, transaction(sessions) as session:
        import_follow_up(session, _operator(session), list(files))
    return refused.value.problems


@pytest.mark.one_database
def test_each_problem_is_named_by_its_file_line_and_column(
    sessions: sessionmaker[Session], follow_up_data: FollowUpData
) -> None:
    rail, period = "Rail and Transport Branch", follow_up_data.period
    goals = CsvSource(
        "goals.csv",
        "resolution,goal,title,kind,owner,due_on,weight,paragraph,lines\r\n"
        "9,1,A goal\r\n"
        "2,1.5,A goal\r\n"
        "2,2,A goal,sideways\r\n"
        "2,2,A goal,,Nobody\r\n"
        "2,2,A goal,,,31.12.2026\r\n"
        "2,2,A goal,,,,0\r\n"
        "2,2,A goal,,,,,,9\r\n",
    )
    indicators = CsvSource(
        "indicators.csv",
        "resolution,goal,indicator,name,measure,direction,unit_label,baseline_value,"
        "baseline_on,target_value\r\n"
        "2,1,3,Members,headcount\r\n"
        "2,1,3,Members,count,up,,10,,5\r\n"
        "2,1,4,Members,count,up,,0,,5\r\n",
    )
    targets = CsvSource(
        "targets.csv",
        "resolution,goal,indicator,unit,cycle,period,target\r\n"
        f"2,1,1,{rail},,{period},25\r\n"
        f"2,1,1,{YOUTH},,{period},1\r\n"
        f"2,1,1,{rail},Monthly,{period},1\r\n"
        f"2,1,2,{rail},,{period},3\r\n",
    )
    values = CsvSource(
        "values.csv",
        "resolution,goal,indicator,unit,cycle,period,value\r\n"
        f"2,1,1,{rail},,{period},10\r\n"
        f"2,1,1,{rail},,{period},10\r\n"
        f"2,1,9,{rail},,{period},1\r\n"
        f"2,1,1,Nowhere,,{period},1.5\r\n"
        f"2,1,1,{rail},,{period}\r\n"
        f"2,1,2,{rail},,2024,3\r\n",
    )
    problems = _problems(sessions, values, targets, indicators, goals)
    assert problems == [
        "goals.csv line 2, column resolution: there is no resolution 9 in the organization "
        "(name it by the id the resolutions registry shows)",
        "goals.csv line 3, column goal: the next goal here is 1.2, not 1.5: goals are numbered "
        "in order, each after its parent",
        "goals.csv line 4, column kind: 'sideways' is not one of action, outcome, standing",
        "goals.csv line 5, column owner: there is no body 'Nobody' in the organization",
        "goals.csv line 6, column due_on: '31.12.2026' is not a date; write it as YYYY-MM-DD",
        "goals.csv line 7, column weight: the weight must be above 0, not 0",
        "goals.csv line 8, column lines: there are no lines 9–9: the text has lines 1–3",
        "indicators.csv line 2, column measure: 'headcount' is not one of count, amount, "
        "percent, milestone",
        "indicators.csv line 3: an indicator that should rise needs a target above its "
        "baseline (10.0000), not 5.0000",
        "indicators.csv line 4, column indicator: the next indicator of goal 1 is 3, not 4: "
        "indicators are numbered in order",
        "targets.csv line 2, column target: the targets of the units under Northern Region "
        "would add up to 35, above Northern Region's own 30: give Rail and Transport "
        "Branch at most 20, or raise Northern Region's target first",
        f"targets.csv line 3, column unit: several units are named {YOUTH!r}: write "
        f"'Northern Region / {YOUTH}' or 'Coastal Region / {YOUTH}'",
        f"targets.csv line 4, column period: there is no period '{period}' in cycle 'Monthly'",
        "targets.csv line 5, column target: indicator 2 stays within a band, which it sets for "
        "every unit; targets per unit are for indicators going up or down",
        "values.csv line 3: the same value (indicator, unit and period) is on line 2 already",
        "values.csv line 4, column indicator: goal 1 has no indicator 9",
        "values.csv line 5, column unit: there is no unit 'Nowhere' in the organization",
        "values.csv line 6, column value: is empty; it must be filled in",
        "values.csv line 7, column period: there is no period '2024'",
    ]
    assert _problems(sessions, CsvSource("x.csv", "goal,title,colour\r\n")) == [
        "line 1: a file of goals needs the column(s) resolution",
        "line 1: unknown column(s) colour in a file of goals (its columns: resolution, goal, "
        "title, kind, owner, due_on, weight, paragraph, lines, lead, contributing, verdict, "
        "verdict_reason, description)",
    ]
    both = CsvSource(
        "goals.csv",
        f"resolution,goal,title,lead,contributing\r\n2,2,A,{rail},Textile Branch;{rail}\r\n",
    )
    assert _problems(sessions, both) == [
        f"line 2, column contributing: {rail} is listed as lead too: a unit holds a goal in one "
        "role"
    ]
    assert _problems(sessions, CsvSource("x.csv", "value,value,unit\r\n")) == [
        "line 1: a file of values needs the column(s) resolution, goal, indicator, period",
        "line 1: the column(s) value are named twice",
    ]
    assert _problems(sessions, CsvSource("x.xlsx", "PK\x03\x04\x00")) == [
        "the file holds a NUL character: is it a spreadsheet's own format? Save it as CSV"
    ]
    assert _problems(sessions, CsvSource("x.csv", "name,unit\r\n")) == [
        "line 1: the header must have exactly one of the columns title (goals), role "
        "(assignments), measure (indicators), unit_weight (weights), target (targets), value "
        "(values)"
    ]


@pytest.mark.one_database
def test_the_command_line_exits_2_naming_the_line(
    follow_up_data: FollowUpData, database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "values.csv"
    file.write_text(
        "resolution,goal,indicator,unit,period,value\n2,1,1,Textile Branch,2025 H2,1.5\n",
        encoding="utf-8",
    )
    done = CliRunner().invoke(cli, ["import", "follow-up", str(file), "--db", database_url])
    assert done.exit_code == 2
    assert f"Error: {file}: nothing was imported" in done.output
    assert "line 2, column value: the value counts something" in done.output
    missing = CliRunner().invoke(
        cli, ["import", "follow-up", str(tmp_path / "none.csv"), "--db", database_url]
    )
    assert missing.exit_code == 2 and "cannot read" in missing.output
    (tmp_path / "empty").mkdir()
    empty = CliRunner().invoke(
        cli, ["import", "follow-up", str(tmp_path / "empty"), "--db", database_url]
    )
    assert empty.exit_code == 2
    assert "is a folder with none of the files an export writes (goals.csv" in empty.output


@pytest.mark.one_database
def test_the_files_through_the_api(
    engine: Engine, sessions: sessionmaker[Session], follow_up_data: FollowUpData, tmp_path: Path
) -> None:
    exported = _export(tmp_path, str(engine.url))
    with TestClient(create_app(engine)) as client:
        secretary = bearer_token(client, *DEMO_SECRETARY)
        for kind, text in exported.items():
            answer = client.get(f"/api/follow-up/{kind}.csv", headers=secretary)
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"] == "text/csv; charset=utf-8"
            assert answer.text == text
        assert client.get("/api/follow-up/people.csv", headers=secretary).status_code == 422
        assert client.get("/api/follow-up/values.csv").status_code == 401

        rail = "2,1,1,Rail and Transport Branch,Half-yearly reports,2025 H2"
        header = "resolution,goal,indicator,unit,cycle,period,value\r\n"
        bad = {"files": ("values.csv", f"{header}{rail},12\r\n{rail},x\r\n", "text/csv")}
        answer = client.post("/api/imports/follow-up", files=bad, headers=secretary)
        assert answer.status_code == 422
        assert "line 3, column value: 'x' is not a number" in answer.json()["detail"]
        assert client.get("/api/follow-up/values.csv", headers=secretary).text == exported["values"]

        good = [
            ("files", ("values.csv", f"{header}{rail},12\r\n", "text/csv")),
            ("files", ("goals.csv", exported["goals"], "text/csv")),
            ("files", ("assignments.csv", exported["assignments"], "text/csv")),
            ("files", ("weights.csv", exported["weights"], "text/csv")),
        ]
        answer = client.post("/api/imports/follow-up", files=good, headers=secretary)
        assert answer.status_code == 200, answer.text
        # The goals, their five assignments and the two weights, as they were.
        assert answer.json()["values_set"] == 1 and answer.json()["unchanged"] == 9
        values = client.get("/api/follow-up/values.csv", headers=secretary).text
        assert f"{rail},12,draft\r\n" in values and f"{rail},9,draft\r\n" not in values

        # A sheet of titles alone changes the titles alone: an empty cell keeps what is there.
        titles = ("goals.csv", "resolution,goal,title\r\n2,1,Wages keep up with prices\r\n")
        answer = client.post("/api/imports/follow-up", files={"files": titles}, headers=secretary)
        assert answer.status_code == 200 and answer.json()["goals_changed"] == 1, answer.text
        goals = client.get("/api/follow-up/goals.csv", headers=secretary).text
        assert goals == exported["goals"].replace(
            "Wages rise with prices", "Wages keep up with prices"
        )
