"""A CSV file as an answer: the same for the API and the desk, named for saving."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from veche.reports.exports import MEDIA_TYPE, CsvFile

#: How the API's description states a CSV answer.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


def csv_answer(file: CsvFile) -> Response:
    """The file, to be saved under its name."""
    return Response(
        file.text,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{file.name}"'},
    )
