"""Turning errors into answers: 4xx with a message that says what was wrong, never a 500."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from veche.errors import VecheError


def describe_validation_error(error: RequestValidationError) -> str:
    """One readable sentence per problem: "body → seats: Input should be a valid integer"."""
    parts = []
    for problem in error.errors():
        where = " → ".join(str(step) for step in problem.get("loc", ()))
        parts.append(f"{where}: {problem.get('msg', 'invalid')}" if where else problem["msg"])
    return "; ".join(parts) or "the request is malformed"


def refusal_answer(error: VecheError) -> JSONResponse:
    """The API's answer to a refusal: its 4xx status and its message."""
    return JSONResponse({"detail": error.message}, status_code=error.status_code)


def invalid_answer(error: RequestValidationError) -> JSONResponse:
    """The API's answer to a malformed request: 422, one sentence, and FastAPI's list."""
    return JSONResponse(
        {"detail": describe_validation_error(error), "errors": error.errors()},
        status_code=422,
    )
