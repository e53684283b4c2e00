"""Casting a ballot: the request every voter sends at once when a poll opens.

When a poll opens, thousands of ballots arrive in a few seconds, so this one request is
built to cost the server as little as possible. ``BallotBox`` answers it ahead of FastAPI's
routing, exception handling and dependencies: a plain ASGI middleware, the outermost of
the application's own, that takes ``POST /api/polls/{poll_id}/ballots`` and hands
everything else on. The ballot then waits on the event loop, holding no thread, while
``veche.actions.intake`` signs its voter in, checks it and stores it with the other
ballots arriving at the same moment, in one transaction.

As a FastAPI route the same ballot cost about 300 µs more on the development machine, more
than the ballot's own share of the work: the inner middleware layers, a search (since
FastAPI 0.137) through every included router, route by route, dependency solving and the
response model. Nothing of that is needed here. The body is still checked against a
pydantic model, and the answers are the API's: 422 with FastAPI's list of problems for a
malformed body, a refusal's status and message, the same security headers. FastAPI
describes only its own routes, so ``install`` also adds this one to the OpenAPI
description.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from veche.actions.ballots import SentBallot
from veche.actions.intake import BallotIntake, BallotRequest
from veche.errors import NotFound, TooLarge, VecheError
from veche.models.base import MAX_INT
from veche.web.deps import bearer_token
from veche.web.errors import invalid_answer, refusal_answer
from veche.web.headers import HEADERS

PATH = "/api/polls/{poll_id}/ballots"
_PATH = re.compile(r"/api/polls/([^/]+)/ballots")
_POLL_ID = TypeAdapter(int)
#: Far above any ballot: a ranking of a thousand candidates is about 10 kB.
MOST_BYTES = 256 * 1024


class BallotIn(BaseModel):
    choice: dict[str, Any] = Field(
        description='{"option": id}, {"options": [ids]}, {"ranking": [ids]}, '
        '{"scores": {"id": n}} or {"blank": true}, by the poll\'s method'
    )
    client_key: str = Field(description="random, 16–128 characters; resend it to repeat safely")
    right_person_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_INT,
        description="whose right to use, when holding proxies or standing in",
    )
    replaces_client_key: str | None = Field(
        default=None, description="for a re-vote in a secret poll: the earlier ballot's client key"
    )

    def sent(self, poll_id: int) -> SentBallot:
        """The ballot for poll ``poll_id``, as the action takes it."""
        return SentBallot(
            poll_id, self.choice, self.client_key, self.right_person_id, self.replaces_client_key
        )


class ReceiptOut(BaseModel):
    poll_id: int
    receipt: str
    right_person_id: int
    replayed: bool
    replaced: bool


class BallotBox:
    """ASGI middleware that answers ballots itself and hands every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path = scope["path"].removeprefix(scope.get("root_path", ""))
            if found := _PATH.fullmatch(path):
                request = Request(scope, receive)
                answer = await _answer(request, found[1])
                answer.raw_headers.extend(HEADERS)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _answer(request: Request, poll_id: str) -> Response:
    try:
        return await cast_ballot(request, poll_id)
    except VecheError as refusal:
        return refusal_answer(refusal)
    except RequestValidationError as invalid:
        return invalid_answer(invalid)


async def cast_ballot(request: Request, poll_id_text: str) -> Response:
    """Cast a ballot and get its receipt. Resending the same client key returns the same receipt."""
    try:
        poll_id = _POLL_ID.validate_python(poll_id_text)
    except ValidationError as error:
        raise _invalid(error, "path", "poll_id") from None
    if not 1 <= poll_id <= MAX_INT:
        raise NotFound(f"there is no poll {poll_id}")
    raw = await _body(request)
    if raw and not _sent_as_json(request.headers.get("content-type")):
        raise _not_json(raw)
    try:
        body = BallotIn.model_validate_json(raw)
    except ValidationError as error:
        raise _invalid(error, "body") from None
    intake: BallotIntake = request.app.state.intake
    cast = await intake.cast(
        BallotRequest(bearer_token(request.headers.get("authorization")), body.sent(poll_id))
    )
    receipt = ReceiptOut.model_validate(cast, from_attributes=True)
    return Response(
        receipt.model_dump_json(),
        status_code=200 if cast.replayed else 201,
        media_type="application/json",
    )


async def _body(request: Request) -> bytes:
    """The request's body; 413 past ``MOST_BYTES``, before all of it has been read."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MOST_BYTES:
            raise TooLarge(f"a ballot is at most {MOST_BYTES // 1024} kB; this one is larger")
        chunks.append(chunk)
    return b"".join(chunks)


def _sent_as_json(content_type: str | None) -> bool:
    """Whether the body came as JSON, as FastAPI reads a body for its routes (strictly: not
    without a content type): ``application/json`` or ``application/…+json``, with any
    parameters."""
    if content_type is None:
        return False
    kind = content_type.partition(";")[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def _not_json(raw: bytes) -> RequestValidationError:
    """FastAPI's problem for a body not sent as JSON, which its model is then handed as
    bytes: the answer says to send it as JSON (``veche.web.errors``), not echoing the bytes."""
    return RequestValidationError(
        [
            {
                "type": "model_attributes_type",
                "loc": ("body",),
                "msg": "Input should be a valid dictionary or object to extract fields from",
                "input": raw,
            }
        ]
    )


def _invalid(error: ValidationError, *where: str) -> RequestValidationError:
    """The problems as FastAPI reports them, located where FastAPI would locate them."""
    # Without the input: of a body that is not JSON it is raw bytes, which JSON cannot carry.
    problems = error.errors(include_url=False, include_input=False)
    for problem in problems:
        problem["loc"] = (*where, *problem["loc"])
    return RequestValidationError(problems)


def install(app: FastAPI) -> None:
    """Answer ballots in front of ``app``'s routes, and describe them in its OpenAPI schema."""
    app.add_middleware(BallotBox)
    describe_others = app.openapi

    def describe_all() -> dict[str, Any]:
        schema = describe_others()
        _describe(schema)
        return schema

    app.openapi = describe_all  # type: ignore[method-assign]  # as FastAPI's docs extend it


def _describe(schema: dict[str, Any]) -> None:
    """Add the route to an OpenAPI description, with its body and answers."""
    models = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (BallotIn, ReceiptOut):
        models[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
    receipt = _json("ReceiptOut")
    refusal = _json("Refusal")
    models["Refusal"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    path = schema["paths"].setdefault(PATH, {})
    path["post"] = {
        "tags": ["polls"],
        "summary": "Cast Ballot",
        "description": cast_ballot.__doc__,
        "operationId": "cast_ballot",
        "parameters": [
            _parameter("poll_id", "path", {"type": "integer"}),
            _parameter("authorization", "header", {"type": "string"}, "Bearer <token>"),
        ],
        "requestBody": {"required": True, **_json("BallotIn")},
        "responses": {
            "201": {"description": "stored; the receipt finds it on the bulletin board", **receipt},
            "200": {"description": "sent before with this client key: the same receipt", **receipt},
            "401": {"description": "no valid bearer token", **refusal},
            "403": {"description": "no voting right in this poll", **refusal},
            "404": {"description": "no such poll", **refusal},
            "409": {"description": "the poll is not open, or the right is used", **refusal},
            "422": {"description": "malformed, or not fitting the poll", **refusal},
        },
    }


def _json(model: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}}


def _parameter(
    name: str, where: str, schema: dict[str, Any], description: str = ""
) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "in": where, "required": True, "schema": schema}
    if description:
        found["description"] = description
    return found
