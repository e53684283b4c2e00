"""A meeting's registers as CSV files through the API: attendance, roll-calls, results."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from veche.reports.exports import attendance_file, results_file, roll_calls_file
from veche.web.api.refusals import REFUSALS
from veche.web.api.types import Id
from veche.web.csv_answer import CSV_RESPONSE, csv_answer
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["exports"], responses=REFUSALS)


@router.get(
    "/meetings/{meeting_id}/attendance.csv", response_class=Response, responses=CSV_RESPONSE
)
def attendance_csv(
    meeting_id: Id,
    caller: CallerDep,
    session: SessionDep,
    day: Annotated[date | None, Query(description="that day alone; every day if left out")] = None,
) -> Response:
    """Everyone invited, by name, with role, capacity and office, and whether they were
    present on each day of the meeting."""
    return csv_answer(attendance_file(session, caller, meeting_id, day))


@router.get(
    "/meetings/{meeting_id}/roll-calls.csv", response_class=Response, responses=CSV_RESPONSE
)
def roll_calls_csv(meeting_id: Id, caller: CallerDep, session: SessionDep) -> Response:
    """Every named vote of the polls whose result the caller may see: poll, voter, choice."""
    return csv_answer(roll_calls_file(session, caller, meeting_id))


@router.get("/meetings/{meeting_id}/results.csv", response_class=Response, responses=CSV_RESPONSE)
def results_csv(meeting_id: Id, caller: CallerDep, session: SessionDep) -> Response:
    """The results of the polls the caller may see, a row per option with its votes."""
    return csv_answer(results_file(session, caller, meeting_id))
