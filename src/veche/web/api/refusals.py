"""The API's refusals as its OpenAPI description states them: each status, and its JSON.

FastAPI describes only the answers a route returns and its own 422, whose ``detail`` is a
list; veche answers every refusal with a message in ``detail`` (``veche.web.errors``), the
422 too. A router lists these with ``APIRouter(responses=REFUSALS)``: clients then see what
can go wrong, and the fuzz (tests/web/test_fuzz.py) fails on any status left out.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Refusal(BaseModel):
    """A refusal: the message says what was wrong and what to do."""

    detail: str = Field(description="what was wrong, and what to do")


class Invalid(Refusal):
    """A malformed request, or one breaking a rule: the message, and for a malformed one
    FastAPI's list of the problems."""

    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="each problem: where (loc), what (msg), its type"
    )


def _answer(model: type[Refusal], description: str) -> dict[str, Any]:
    return {"model": model, "description": description}


#: What a caller of the routes behind a bearer token may be answered instead of success.
REFUSALS: dict[int | str, dict[str, Any]] = {
    # FastAPI's own answer to a body it cannot decode (not UTF-8); JSON that is malformed
    # or does not fit gets a 422.
    400: _answer(Refusal, "the body could not be read: send UTF-8 JSON"),
    401: _answer(Refusal, "no bearer token, or one that has expired or was revoked"),
    403: _answer(Refusal, "the caller may not do this (the message says who may)"),
    404: _answer(Refusal, "something the request names does not exist"),
    409: _answer(Refusal, "not in this state: a meeting, poll or motion must move on first"),
    413: _answer(Refusal, "the body is larger than the route takes"),
    422: _answer(Invalid, "malformed, or breaking a rule (the message says which)"),
}
