"""Turning errors into answers: 4xx with a message that says what was wrong, never a 500."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from veche.errors import Conflict, InvalidInput, StorageFault, VecheError

log = logging.getLogger(__name__)

#: Errors of the database that reach a route unrefused; each becomes a refusal.
DATABASE_ERRORS = (DBAPIError, PoolTimeout)


def database_refusal(error: Exception) -> VecheError:
    """What to answer for an error of the database that no action turned into a refusal.

    A value the database would not take is the client's to correct (422); a clash with a
    change made at the same moment (a unique key taken meanwhile) is a 409 to reload after;
    anything else (the server gone, no connection free in time) is not the client's doing,
    and is a 503 to send again, logged with its cause. Never a 500 with a stack trace.
    """
    if isinstance(error, DataError):
        reason = str(error.orig).splitlines()[0] if error.orig else "a value is out of range"
        return InvalidInput(f"the database refused a value: {reason}")
    if isinstance(error, IntegrityError):
        return Conflict("this clashes with a change made at the same moment; reload and try again")
    log.error("a request failed in the database", exc_info=error)
    return StorageFault("the database is not answering; try again in a moment")


#: Said instead of FastAPI's "Input should be a valid dictionary" when a JSON body came
#: without its content type: FastAPI then hands the model the raw bytes.
_NOT_JSON = "not JSON; send it with the header Content-Type: application/json"


def describe_validation_error(error: RequestValidationError, *, on_a_page: bool = False) -> str:
    """One readable sentence per problem: "body → seats: Input should be a valid integer". On
    a page, the form's field alone ("weight: …"), lines of a list counted from 1: the person
    filling it in sent no "body", and the word means something else here."""
    parts = []
    for problem in error.errors():
        steps = list(problem.get("loc", ()))
        if on_a_page:
            steps = [
                step + 1 if isinstance(step, int) else step for step in steps if step != "body"
            ]
        where = " → ".join(str(step) for step in steps)
        message = _NOT_JSON if _raw_body(problem) else problem_said(problem)
        parts.append(f"{where}: {message}" if where else message)
    return writable("; ".join(parts) or "the request is malformed")


def writable(text: str) -> str:
    """Text any answer can carry: half of a character (a lone surrogate, which Python's JSON
    reader takes and no UTF-8 writer encodes) written as its escape, ``\\ud800``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _writable(value: object) -> object:
    """``writable`` through lists and mappings (FastAPI's problems echo what was sent)."""
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, dict):
        return {writable(str(k)): _writable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_writable(item) for item in value]
    return value


#: Pydantic's kinds of problem for text that is not the number a field wants.
_NOT_A_NUMBER = {"decimal_parsing": "a number", "float_parsing": "a number"}
_NOT_A_WHOLE_NUMBER = {"int_parsing": "a whole number", "int_from_float": "a whole number"}


#: What pydantic's JSON reader says of a body it refuses (the ballot box's, and every other
#: route's through ``veche.web.readable_bodies``), and what to do about it.
_JSON_REFUSED = {
    "recursion limit exceeded": (
        "lists and objects are nested too deeply; at most 200 levels are read"
    ),
    "hex escape": (
        "an escape \\uXXXX is cut short or is half of a character (a lone surrogate such as "
        "\\ud800); send whole characters, or a surrogate pair as a pair"
    ),
    "invalid unicode code point": (
        "the text holds bytes that are not UTF-8 (half of a character, or another encoding); "
        "send the body as UTF-8"
    ),
}


def problem_said(problem: Mapping[str, Any]) -> str:
    """A validation problem in words a person filling in a form follows: a number typed with
    a decimal comma ("7,5") is told to use a point, where pydantic says only "Input should
    be a valid decimal"; a JSON body refused is told why and what to send instead."""
    if problem.get("type") == "json_invalid":
        said = str(problem.get("msg", "Invalid JSON"))
        advice = next((a for found, a in _JSON_REFUSED.items() if found in said), None)
        return f"{said}: {advice}" if advice else said
    wanted = {**_NOT_A_NUMBER, **_NOT_A_WHOLE_NUMBER}.get(str(problem.get("type")))
    given = problem.get("input")
    if wanted is None or not isinstance(given, str):
        return str(problem.get("msg", "invalid"))
    said = f"{given[:40]!r} is not {wanted}"
    if not given.isascii():
        return f"{said}: write it in the digits 0 to 9"
    if ("," in given or "_" in given) and wanted == "a number":
        return f"{said}: write decimals with a point, as 7.5, and no thousands separators"
    return said


def _raw_body(problem: dict[str, Any]) -> bool:
    return isinstance(problem.get("input"), bytes | bytearray)


def _carried_by_json(value: object) -> bool:
    """Whether the answer can hold it: not bytes, not an exception, not NaN (which Python's
    JSON reader accepts in a body, and the answer's strict writer refuses)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _as_json(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem as JSON can carry it: raw bytes are not echoed back, other values (an
    exception in ``ctx``) become their text."""
    found = {}
    for key, value in problem.items():
        if key == "input" and _raw_body(problem):
            continue
        if key == "ctx" and isinstance(value, dict):
            value = {k: v if _carried_by_json(v) else str(v) for k, v in value.items()}
        found[key] = _writable(value if _carried_by_json(value) else str(value))
    return found


def refusal_answer(error: VecheError) -> JSONResponse:
    """The API's answer to a refusal: its status, its message, and when to try again."""
    answer = JSONResponse({"detail": writable(error.message)}, status_code=error.status_code)
    if error.retry_after is not None:
        answer.headers["Retry-After"] = str(error.retry_after)
    return answer


def invalid_answer(error: RequestValidationError) -> JSONResponse:
    """The API's answer to a malformed request: 422, one sentence, and FastAPI's list."""
    return JSONResponse(
        {
            "detail": describe_validation_error(error),
            "errors": [_as_json(problem) for problem in error.errors()],
        },
        status_code=422,
    )
