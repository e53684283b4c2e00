"""The follow-up of resolutions as CSV files through the API: each kind of file exported
(``follow_up.read``), and files imported together, every line or none (``follow_up.manage``;
the action asks)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, UploadFile
from fastapi.responses import Response

from veche.actions.follow_up_csv import CsvSource, FollowUpImportSummary, import_follow_up
from veche.actions.goals import reading_organization
from veche.errors import InvalidInput
from veche.queries.follow_up_csv import FILE_KINDS, follow_up_file
from veche.web.api.refusals import REFUSALS
from veche.web.api.rows import Transaction
from veche.web.csv_answer import CSV_RESPONSE, csv_answer
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["follow-up"], responses=REFUSALS)

#: The most an uploaded file may hold; larger files go through `veche import follow-up`.
MAX_FILE_BYTES = 10_000_000

#: A kind of file, as the path names it.
KindInPath = Annotated[
    str,
    Path(
        pattern=f"^({'|'.join(kind.name for kind in FILE_KINDS)})$",
        description=", ".join(kind.name for kind in FILE_KINDS),
    ),
]


@router.get("/follow-up/{kind}.csv", response_class=Response, responses=CSV_RESPONSE)
def export_follow_up(kind: KindInPath, caller: CallerDep, session: SessionDep) -> Response:
    """The organization's goals (with the units assigned and the body's verdicts), assignments
    (with the persons answerable), indicators, units' weights, targets or reported values, as
    `POST /api/imports/follow-up` takes them back."""
    organization = reading_organization(session, caller)
    return csv_answer(follow_up_file(session, organization, kind))


@router.post("/imports/follow-up")
def import_follow_up_files(
    files: list[UploadFile], caller: CallerDep, session: Transaction
) -> FollowUpImportSummary:
    """Goals, assignments, indicators, weights, targets and values from CSV files (as
    `veche import follow-up` reads them), in one transaction: every line of every file, or
    none, each problem named by its file, line and column."""
    return import_follow_up(session, caller, [_read(file) for file in files])


def _read(file: UploadFile) -> CsvSource:
    """An uploaded file's name and text, or InvalidInput saying what is wrong with it."""
    name = file.filename or "the uploaded file"
    data = file.file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            f"{name} is larger than {MAX_FILE_BYTES // 1_000_000} MB; import it with "
            "`veche import follow-up`"
        )
    try:
        return CsvSource(name, data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text; save it as CSV (UTF-8)") from None
