"""Importing the follow-up of resolutions from the CSV files ``veche.queries.follow_up_csv``
writes — goals with the body's verdicts and the units they are assigned to, assignments with
the persons answerable, indicators, the units' weights, targets and reported values — every
line of every file, or none.

Goals, verdicts, assignments, indicators, weights and targets go through their actions (a
line at a time; weights an indicator at a time), each journaled as if set by hand, so an
import accepts and refuses what the API does. Values come by the hundred thousand: they are
checked here by the reporting rules and stored in bulk, and the import's own journal entry
records them, with the SHA-256 of each file. Every line is tried; if any is refused, the
import raises ``ImportRejected`` naming each refusal by file, line and column, and the
caller's transaction undoes whatever the good lines did.

A line that says what the database already holds changes nothing, so importing a file
exported from the same database is a no-op.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy.orm import Session

from veche.actions._follow_up import working_organization
from veche.actions.access import Caller
from veche.actions.follow_up_csv.assignments import take_assignment
from veche.actions.follow_up_csv.lines import CsvSource, Line, read_header
from veche.actions.follow_up_csv.rows import FollowUpImportSummary, Importer
from veche.actions.follow_up_csv.values import ValuesImport
from veche.actions.follow_up_csv.weights import WeightsImport
from veche.actions.imports import ImportRejected
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import InvalidInput
from veche.permissions import Permission
from veche.queries.follow_up_csv import (
    ASSIGNMENTS,
    FILE_KINDS,
    GOALS,
    INDICATORS,
    TARGETS,
    VALUES,
    WEIGHTS,
    FileKind,
    Names,
)

__all__ = ["CsvSource", "FollowUpImportSummary", "import_follow_up"]


def import_follow_up(
    session: Session, caller: Caller, files: Sequence[CsvSource]
) -> FollowUpImportSummary:
    """Import the files into the caller's organization, in the caller's transaction: every
    line, or none (``ImportRejected`` names each problem; the caller's transaction must then
    be rolled back, as leaving a ``with transaction(…)`` block by the error does)."""
    # Asked before the files are read: a refusal names nothing of them.
    organization = working_organization(session, caller, Permission.FOLLOW_UP_MANAGE)
    if not files:
        kinds = ", ".join(kind.name for kind in FILE_KINDS)
        raise InvalidInput(f"give at least one file of these kinds: {kinds}")
    tables = sorted(
        (read_header(source) for source in files), key=lambda table: FILE_KINDS.index(table.kind)
    )
    run = Importer(
        session,
        caller,
        organization,
        Names.load(session, organization),
        several_files=len(files) > 1,
    )
    run.load_tree()
    takers: dict[FileKind, Callable[[Line], None]] = {
        GOALS: run.take_goal,
        ASSIGNMENTS: partial(take_assignment, run),
        INDICATORS: run.take_indicator,
        TARGETS: run.take_target,
    }
    for table in tables:
        if table.kind is VALUES or table.kind is WEIGHTS:
            gathered = (
                ValuesImport(run, table) if table.kind is VALUES else WeightsImport(run, table)
            )
            gathered.read()
            if not run.problems:
                gathered.store()
        else:
            run.each_line(table, takers[table.kind])
    source = ", ".join(source.name for source in files)
    if run.problems:
        raise ImportRejected(source, run.problems)
    record(
        session,
        caller.actor,
        JournalAction.IMPORT_FOLLOW_UP,
        {
            "files": [
                {
                    "name": table.source.name,
                    "kind": table.kind.name,
                    "sha256": hashlib.sha256(table.source.text.encode("utf-8")).hexdigest(),
                }
                for table in tables
            ],
            **run.summary.counts(),
        },
    )
    return run.summary
